// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's transactions over its record (txn.c): a start or a reload
 * applies the file whole between marking the state unfinished and
 * committing it, so a start that finds it unfinished applies the file
 * again rather than adopting a part of it; a batch of filter changes is
 * journaled change by change and committed at its end, or undone (at
 * once when it fails, by the next start when xlbd died during it). The
 * data plane forwards with whatever it holds meanwhile.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crashpoint.h"
#include "log.h"
#include "xlbd.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

static int journal_log(void *ctx, const struct filter_journal *j)
{
	return txn_journal_add(ctx, j);
}

/* Undo what the journal of the batch under way (or cut) holds. */
static int batch_undo(struct xlbd *d, char *err, size_t errlen)
{
	void *ops;
	__u32 n;
	int ret = txn_journal_read(&d->txn, &ops, &n);

	if (ret) {
		ERRF("reading the batch's journal: %s", strerror(-ret));
		return ret;
	}
	ret = filter_batch_undo(&d->filter, ops, n, err, errlen);
	free(ops);
	if (!ret)
		ret = txn_journal_end(&d->txn, false);
	if (!ret)
		log_info("batch: %u journaled changes undone", n);
	return ret;
}

int xlbd_filter_batch(struct xlbd *d, struct filter_change *ops, size_t n,
		      size_t *bad, char *err, size_t errlen)
{
	size_t room = filter_batch_room(&d->filter, ops, n), done = 0;
	char why[FILTER_ERRLEN];
	int ret, e;

	ret = room > UINT32_MAX ? -E2BIG : txn_journal_begin(&d->txn, room);
	if (ret) {
		ERRF("batch: making its journal: %s", strerror(-ret));
		return ret;
	}
	ret = filter_batch_apply(&d->filter, ops, n, journal_log, &d->txn,
				 &done, err, errlen);
	crashpoint("batch-commit");
	if (!ret)
		ret = txn_journal_end(&d->txn, true);
	if (!ret) {
		crashpoint("batch-done");
		if (n > 1)
			log_info("batch: %zu changes applied", n);
		return 0;
	}
	*bad = done;
	e = batch_undo(d, why, sizeof(why));
	if (e) {
		log_err("batch: undoing it: %s (the next start undoes it)",
			why);
		return ret;
	}
	if (done > 0) {
		snprintf(why, sizeof(why), "%s", err);
		ERRF("%s (nothing applied: the %zu changes before it were "
		     "undone)",
		     why, done);
	}
	return ret;
}

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

/*
 * Programs pinned, and no record before this daemon made one: a build
 * older than the record made that state, or a start of this build was
 * cut between pinning its programs and making the record, before it
 * wrote anything. Only the first holds rules, entries or VIPs.
 */
static bool older_build(const struct xlbd *d)
{
	return d->dp.adopted && !d->txn.found &&
	       (d->filter.n_rules || d->filter.n_entries || d->lb.n_vips);
}

int xlbd_recover(struct xlbd *d, bool *whole, char *err, size_t errlen)
{
	enum txn_state st;
	int ret = 0;

	if (older_build(d)) {
		log_info("%s: no transaction record: the state of an older "
			 "build, adopted as it is",
			 d->pin_dir);
		ret = txn_commit(&d->txn);
		if (ret) {
			ERRF("committing it in %s/xlb_txn: %s", d->pin_dir,
			     strerror(-ret));
			return ret;
		}
	}
	st = d->txn.rec.state;
	if (d->txn.rec.batch) {
		log_warn("a batch was cut short: undoing it");
		ret = batch_undo(d, err, errlen);
	}
	*whole = !d->dp.adopted || st != TXN_COMMITTED;
	if (!ret && d->dp.adopted && *whole)
		log_warn("%s: %s: applying %s whole", d->pin_dir,
			 st == TXN_NONE	 ? "no start was committed there" :
			 st == TXN_START ? "a start was cut short" :
					   "a reload was cut short",
			 d->config_path);
	return ret;
}
