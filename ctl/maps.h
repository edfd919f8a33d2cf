/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed accessors over the data plane's maps (xlb_abi.h): interface
 * records, and per-CPU counters summed over every possible CPU.
 */
#ifndef XLB_MAPS_H
#define XLB_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xlb_abi.h"

int maps_iface_get(int fd, __u32 ifindex, struct xlb_iface *ifc);
int maps_iface_set(int fd, __u32 ifindex, const struct xlb_iface *ifc);
int maps_iface_del(int fd, __u32 ifindex);
/* Fill up to max entries; returns the number found or -errno. */
int maps_iface_list(int fd, __u32 *ifindexes, struct xlb_iface *ifcs, int max);

/* Sum the hook counters of slot over all CPUs. */
int maps_hook_stats_read(int fd, __u32 slot, enum xlb_hook hook,
			 struct xlb_hook_stats *sum);
/* Zero the counters of slot at every hook, before a new interface uses it. */
int maps_hook_stats_clear(int fd, __u32 slot);
int maps_reasons_read(int fd, __u64 out[XLB_REASON_MAX]);

/*
 * Entry key of a per-CPU map whose values are structs of size bytes made
 * of __u64 counters only (xlb_vip_stats, xlb_ctr): summed over the CPUs,
 * or zeroed on every CPU (before an id is given out again).
 */
int maps_percpu_sum(int fd, __u32 key, void *sum, size_t size);
int maps_percpu_zero(int fd, __u32 key, size_t size);

/* The connection timeouts of xlb_lb_conf: the defaults, and writing them. */
void maps_lb_conf_default(struct xlb_lb_conf *c);
int maps_lb_conf_set(int fd, const struct xlb_lb_conf *c);

/*
 * An array map of xlbd's own (no program uses it) pinned at path: opened,
 * or made (name, values of vsize bytes, max entries) and pinned, *found
 * saying which. One laid out otherwise is refused with -EPROTO: another
 * build made it. Returns the map's fd, or -errno with err set.
 */
int maps_own_array(const char *path, const char *name, __u32 vsize, __u32 max,
		   bool *found, char *err, size_t errlen);

#endif /* XLB_MAPS_H */
