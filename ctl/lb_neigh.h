/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backends' next hops over rtnetlink (libmnl): the route to a backend
 * gives the egress interface and the gateway, if any; the neighbour
 * table gives the next hop's MAC, the interface its own. Resolution is
 * triggered when the table has no answer, retried on a timer, and kept
 * fresh from neighbour, link and route events, on sockets the daemon
 * polls. A backend is marked resolved only with both MACs known.
 */
#ifndef XLB_LB_NEIGH_H
#define XLB_LB_NEIGH_H

#include <poll.h>
#include <stddef.h>

#include "lb.h"
#include "netlink.h"

/* Sockets and timer of the resolver: the netlink event socket and one. */
#define LB_NEIGH_POLLFDS 2

/* Open the sockets and the timer, and attach them to lb. */
int lb_neigh_open(struct lb *lb, char *err, size_t errlen);
void lb_neigh_close(struct lb *lb);

/*
 * Resolve backend id now, in memory (lb->backends[id]: dp.ifindex, the
 * MACs and XLB_BACKEND_RESOLVED, nh, why); a next hop the neighbour
 * table does not know is asked for. The caller writes the entry.
 */
void lb_neigh_resolve(struct lb *lb, __u32 id);

/*
 * Called with every link event the resolver reads (gone: RTM_DELLINK),
 * before the backends are resolved again, so an interface that came back
 * can be attached first.
 */
typedef void (*lb_link_fn)(void *ctx, const struct nl_link *link, bool gone);
void lb_neigh_on_link(struct lb *lb, lb_link_fn fn, void *ctx);

/* Resolve every backend again soon (interfaces or routes changed). */
void lb_neigh_recheck(struct lb *lb);

/* Fill pollfds; returns how many (0 without a resolver). */
int lb_neigh_pollfds(struct lb *lb, struct pollfd *pfds, int max);
/* Handle what poll() reported on them: events, the timer. */
void lb_neigh_process(struct lb *lb, const struct pollfd *pfds, int n);

#endif /* XLB_LB_NEIGH_H */
