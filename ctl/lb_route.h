/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking up one backend's next hop (lb_route.c), for the resolver
 * (lb_neigh.c), and the small helpers both use.
 */
#ifndef XLB_LB_ROUTE_H
#define XLB_LB_ROUTE_H

#include <stdbool.h>
#include <linux/neighbour.h>

#include "lb.h"

/* Unresolved backends are tried again after 1, 2, 4, 8, 16, then every
 * this many seconds. */
#define RETRY_MAX_S 30
/* States whose MAC can be used (the kernel's NUD_VALID). */
#define NUD_HAS_MAC                                                          \
	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | \
	 NUD_DELAY)

/*
 * Look b's next hop up, in memory (dp.ifindex, the MACs and
 * XLB_BACKEND_RESOLVED, nh, why); confirm: ask the kernel to confirm a
 * stale entry too. 0 or -ENOENT (resolved or not, as the kernel
 * answered), or another -errno when a lookup failed: b is then half-made,
 * for the caller to restore.
 */
int lb_route_lookup(struct lb *lb, struct lb_backend *b, bool confirm);

/* Not resolved, and why; tried again after a growing delay. */
void lb_unresolved(struct lb_backend *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* AF_INET or AF_INET6, for an XLB_FAMILY_*. */
int lb_af_of(__u8 family);
/* ifindex's name into buf (IF_NAMESIZE), or "ifindex N". */
const char *lb_ifname_of(int ifindex, char *buf);
/* A unicast MAC, not all zeros. */
bool lb_mac_valid(const __u8 *mac);

#endif /* XLB_LB_ROUTE_H */
