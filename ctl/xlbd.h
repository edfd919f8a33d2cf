/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's state, shared by xlbd.c and the request handlers.
 */
#ifndef XLB_XLBD_H
#define XLB_XLBD_H

#include <stdbool.h>

#include "api.h"
#include "config.h"
#include "filter.h"
#include "lb.h"
#include "loader.h"
#include "metrics.h"
#include "monitor.h"
#include "txn.h"

struct xlbd {
	const char *config_path;
	const char *pin_dir;
	const char *socket_path;
	struct xlb_config conf;
	struct xlb_dp dp;
	struct filter filter;
	struct lb lb;
	struct api_server api;
	struct metrics_addr metrics_addr;
	struct metrics_server metrics;
	struct monitor mon;
	struct txn txn;
	bool stop;
};

/* The filter's request handlers (api_filter.c), for the command table. */
extern const struct api_cmd filter_cmds[];
extern const size_t filter_n_cmds;
/* The load balancer's (api_lb.c). */
extern const struct api_cmd lb_cmds[];
extern const size_t lb_n_cmds;
/* The packet monitor's, a stream (monitor.c). */
extern const struct api_cmd monitor_cmds[];
extern const size_t monitor_n_cmds;
/* The configuration's: config_reload, config_dump (api_config.c). */
extern const struct api_cmd config_cmds[];
extern const size_t config_n_cmds;

/* Make the running state conf's: interfaces, the filter, the lb. */
int xlbd_apply(struct xlbd *d, const struct xlb_config *conf, char *err,
	       size_t errlen);

/*
 * Transactions (xlbd_txn.c). A start (what TXN_START) or a reload
 * (TXN_RELOAD) applying conf: the record says so before anything
 * changes, and the state is committed once all is applied. A start
 * that finds a batch cut short undoes it; *whole says whether the file
 * is applied whole (a fresh data plane, or no start or reload committed
 * last) or the pinned state adopted.
 */
int xlbd_apply_txn(struct xlbd *d, const struct xlb_config *conf,
		   enum txn_state what, char *err, size_t errlen);
int xlbd_recover(struct xlbd *d, bool *whole, char *err, size_t errlen);

/*
 * A checked batch of filter changes as one transaction: journaled and
 * made, then committed; undone if any change fails. Returns 0, or -errno
 * with err set and *bad the change that failed (nothing of the batch
 * left then).
 */
int xlbd_filter_batch(struct xlbd *d, struct filter_change *ops, size_t n,
		      size_t *bad, char *err, size_t errlen);

/*
 * Reload the configuration file, as SIGHUP does: validated whole (a bad
 * file changes nothing), then only the difference applied. Returns 0, or
 * -errno with "FILE:LINE: reason" (or what failed) in err.
 */
int xlbd_reload(struct xlbd *d, char *err, size_t errlen);

#endif /* XLB_XLBD_H */
