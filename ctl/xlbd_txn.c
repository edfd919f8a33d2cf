// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's transactions over its record (txn.c): a start or a reload
 * applies the file whole between marking the state unfinished and
 * committing it, so a start that finds it unfinished applies the file
 * again rather than adopting a part of it. The data plane forwards with
 * whatever it holds meanwhile.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crashpoint.h"
#include "log.h"
#include "xlbd.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

int xlbd_apply_txn(struct xlbd *d, const struct xlb_config *conf,
		   enum txn_state what, char *err, size_t errlen)
{
	int ret = txn_begin(&d->txn, what);

	if (ret) {
		ERRF("marking the %s under way in %s/xlb_txn: %s",
		     txn_state_str(what), d->pin_dir, strerror(-ret));
		return ret;
	}
	ret = xlbd_apply(d, conf, err, errlen);
	if (ret)
		return ret;
	crashpoint(what == TXN_START ? "start-commit" : "reload-commit");
	ret = txn_commit(&d->txn);
	if (ret) {
		ERRF("committing the %s in %s/xlb_txn: %s", txn_state_str(what),
		     d->pin_dir, strerror(-ret));
		return ret;
	}
	log_info("%s committed: generation %llu", txn_state_str(what),
		 (unsigned long long)d->txn.rec.gen);
	return 0;
}

bool xlbd_start_whole(const struct xlbd *d)
{
	enum txn_state st = d->txn.rec.state;
	bool whole = !d->dp.adopted || st != TXN_COMMITTED;

	if (d->dp.adopted && whole)
		log_warn("%s: %s: applying %s whole", d->pin_dir,
			 st == TXN_NONE	 ? "no start was committed there" :
			 st == TXN_START ? "a start was cut short" :
					   "a reload was cut short",
			 d->config_path);
	return whole;
}
