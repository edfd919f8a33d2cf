/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running configuration in config-file syntax, for `xlbctl config
 * dump`. Two steps, each pure: xlb_config_from_state() gathers the running
 * state (interfaces and health groups as the file gave them, rules, list
 * entries, VIPs and backends as they are now, runtime changes included)
 * into a struct xlb_config, and xlb_config_write() prints any struct
 * xlb_config as a file that xlb_config_load() reads back to the same
 * struct. Neither touches the maps or the system.
 */
#ifndef XLB_CONFIG_DUMP_H
#define XLB_CONFIG_DUMP_H

#include <stdio.h>

#include "config.h"
#include "filter.h"
#include "lb.h"

/*
 * Fill *out (a struct that holds nothing) from file (the configuration
 * applied last), the filter f and the load balancer lb. Rules come in
 * order, list entries by list and hook then id, VIPs by id, backends by
 * id within their VIP.
 * max_rules and max_prefixes are the file's, raised to the maps' sizes
 * if the running rules or entries would not fit in them. The lb group
 * is the tables' sizes (lb->m) and the timeouts in force (lb->timeouts),
 * the global snat list the file's, and a NAT VIP has an snat list of its
 * own when its pool is not the one the global list gives it. Returns 0
 * or -ENOMEM; free *out with xlb_config_free() either way.
 */
int xlb_config_from_state(const struct xlb_config *file, const struct filter *f,
			  const struct lb *lb, struct xlb_config *out);

/*
 * Write conf to out in config-file syntax, every value spelt out (no
 * defaults left implicit), one rule, list entry or backend per line.
 * Returns 0 or -errno (-EIO when out could not be written).
 */
int xlb_config_write(const struct xlb_config *conf, FILE *out);

#endif /* XLB_CONFIG_DUMP_H */
