// SPDX-License-Identifier: GPL-2.0
/*
 * Next hops of the backends, kept: each is looked up (lb_route.c) and a
 * next hop the kernel is asked to resolve (NTF_USE: it resolves or
 * confirms it as it would for a packet, and creates no permanent entry)
 * answers as a neighbour event. Unresolved backends are retried with a
 * growing delay, and every backend is resolved again every 30 s and
 * whenever links or routes change. Each change is one whole write of
 * the backend's entry; a backend enters its VIP's ring once resolved
 * and leaves it when its next hop fails. A lookup that fails (xlbd out
 * of descriptors or memory, netlink not answering) is no answer: the
 * backend keeps what it had and every backend is looked up again after
 * a delay that grows while lookups keep failing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "fault.h"
#include "lb_neigh.h"
#include "lb_route.h"
#include "log.h"
#include "maps.h"
#include "netlink.h"
#include "util.h"

#define NSEC_PER_SEC 1000000000ull
#define TICK_S 1
#define REFRESH_NS (30 * NSEC_PER_SEC)
/* After a failed lookup, every backend is looked up again this soon,
 * doubling up to RETRY_MAX_S while lookups keep failing. */
#define FAULT_RETRY_MIN_MS 1000
#define EVENT_RCVBUF (1 << 20)

struct lb_neigh {
	struct mnl_socket *ev; /* neighbour, link and route events */
	int timer; /* every TICK_S */
	bool recheck; /* links or routes changed: resolve all again */
	__u64 next_refresh_ns;
	struct fault fault; /* lookups that failed: all again after it */
	lb_link_fn on_link; /* told of every link event, or NULL */
	void *link_ctx;
};

/*
 * Resolve b as lb_route_lookup() does. A lookup that failed (out of descriptors
 * or memory, netlink not answering) says nothing about the backend: it
 * keeps what it had, and the resolver tries again later. 0, or that
 * lookup's -errno.
 */
static int resolve(struct lb *lb, struct lb_backend *b, bool confirm)
{
	struct lb_backend was = *b;
	int ret = lb_route_lookup(lb, b, confirm);

	if (!ret || ret == -ENOENT)
		return 0;
	*b = was;
	if (!(b->dp.flags & XLB_BACKEND_RESOLVED) && !b->why[0])
		snprintf(b->why, sizeof(b->why),
			 "its next hop could not be looked up yet (see the "
			 "log)");
	return ret;
}

/* After lookups: one that failed backs the resolver off, and it looks
 * every backend up again at the end of the delay; all: every backend
 * was looked up, so none that failed before is left waiting. */
static void looked_up(struct lb *lb, int ret, bool all)
{
	struct lb_neigh *n = lb->neigh;
	__u64 now = now_ns();

	if (!ret) {
		if (all)
			fault_ok(&n->fault);
		return;
	}
	fault_hit(&n->fault, -ret, now);
	fault_back_off(&n->fault, now);
}

void lb_neigh_resolve(struct lb *lb, __u32 id)
{
	looked_up(lb, resolve(lb, &lb->backends[id], false), false);
}

static void log_change(struct lb *lb, __u32 id)
{
	const struct lb_backend *b = &lb->backends[id];
	char a[XLB_VIP_STRLEN], v[XLB_VIP_STRLEN], ifname[IF_NAMESIZE];
	const __u8 *m = b->dp.dmac;

	xlb_format_addr(&b->addr, a, sizeof(a));
	xlb_format_vip(&lb->vips[b->vip].vip, v, sizeof(v));
	if (b->dp.flags & XLB_BACKEND_RESOLVED)
		log_info("lb: %s backend %s: next hop on %s, "
			 "%02x:%02x:%02x:%02x:%02x:%02x",
			 v, a, lb_ifname_of(b->dp.ifindex, ifname), m[0], m[1],
			 m[2], m[3], m[4], m[5]);
	else
		log_warn("lb: %s backend %s unresolved: %s", v, a, b->why);
}

/* A backend as it was before resolving it again. */
struct before {
	struct xlb_backend dp;
	bool in_ring;
	char why[sizeof(((struct lb_backend *)0)->why)];
};

static void snapshot(struct lb *lb, __u32 id, struct before *was)
{
	was->dp = lb->backends[id].dp;
	was->in_ring = lb_backend_in_ring(lb, id);
	memcpy(was->why, lb->backends[id].why, sizeof(was->why));
}

/* After backend id changed from was: write it, log it, mark its ring. */
static void changed(struct lb *lb, __u32 id, const struct before *was)
{
	struct lb_backend *b = &lb->backends[id];
	int ret;

	if (memcmp(&was->dp, &b->dp, sizeof(b->dp))) {
		ret = lb_backend_write(lb, id);
		if (ret)
			log_err("lb: writing backend %u: %s", id,
				strerror(-ret));
	}
	if ((was->dp.flags ^ b->dp.flags) & XLB_BACKEND_RESOLVED ||
	    memcmp(was->dp.dmac, b->dp.dmac, sizeof(b->dp.dmac)) ||
	    strcmp(was->why, b->why))
		log_change(lb, id);
	if (was->in_ring != lb_backend_in_ring(lb, id))
		lb->vips[b->vip].dirty = true;
}

static void commit(struct lb *lb)
{
	char err[LB_ERRLEN];

	if (lb_commit(lb, err, sizeof(err)))
		log_err("lb: %s", err);
}

/* Resolve again: all, or (all false) the unresolved ones due a retry. */
static void pass(struct lb *lb, bool all)
{
	__u64 now = now_ns();
	int failed = 0, ret;

	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		struct lb_backend *b = &lb->backends[id];
		struct before was;

		if (!b->in_use || b->leaving)
			continue;
		if (!all &&
		    ((b->dp.flags & XLB_BACKEND_RESOLVED) || now < b->retry_ns))
			continue;
		snapshot(lb, id, &was);
		ret = resolve(lb, b, all);
		failed = ret ? ret : failed;
		changed(lb, id, &was);
	}
	commit(lb);
	looked_up(lb, failed, all);
}

void lb_neigh_recheck(struct lb *lb)
{
	if (!lb->neigh)
		return;
	pass(lb, true);
	lb->neigh->next_refresh_ns = now_ns() + REFRESH_NS;
}

/* A neighbour event: the backends whose next hop it is. */
static void on_neigh(struct lb *lb, const struct nl_neigh *n)
{
	char ifname[IF_NAMESIZE], nh[XLB_VIP_STRLEN];

	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		struct lb_backend *b = &lb->backends[id];
		struct before was;

		if (!b->in_use || b->leaving || !b->nh_known ||
		    b->dp.ifindex != (__u32)n->ifindex ||
		    lb_af_of(b->nh.family) != n->family ||
		    memcmp(b->nh.addr, n->addr, n->family == AF_INET ? 4 : 16))
			continue;
		snapshot(lb, id, &was);
		if (!n->deleted && (n->state & NUD_HAS_MAC) && n->has_mac &&
		    lb_mac_valid(n->mac)) {
			memcpy(b->dp.dmac, n->mac, sizeof(n->mac));
			b->dp.flags |= XLB_BACKEND_RESOLVED;
			b->why[0] = '\0';
			b->tries = 0;
		} else if (!n->deleted && (n->state & NUD_FAILED)) {
			xlb_format_addr(&b->nh, nh, sizeof(nh));
			lb_unresolved(b, "next hop %s on %s does not answer",
				      nh, lb_ifname_of(n->ifindex, ifname));
		}
		changed(lb, id, &was);
	}
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct lb *lb = data;
	struct nl_link link;
	struct nl_neigh n;

	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		if (!nl_neigh_parse(nlh, &n))
			on_neigh(lb, &n);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (lb->neigh->on_link && !nl_link_parse(nlh, &link))
			lb->neigh->on_link(lb->neigh->link_ctx, &link,
					   nlh->nlmsg_type == RTM_DELLINK);
		lb->neigh->recheck = true;
		break;
	default: /* routes */
		lb->neigh->recheck = true;
	}
	return MNL_CB_OK;
}

void lb_neigh_on_link(struct lb *lb, lb_link_fn fn, void *ctx)
{
	if (!lb->neigh)
		return;
	lb->neigh->on_link = fn;
	lb->neigh->link_ctx = ctx;
}

static void read_events(struct lb *lb)
{
	static char buf[1 << 16];
	int len;

	while ((len = mnl_socket_recvfrom(lb->neigh->ev, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, len, 0, 0, event_cb, lb);
	if (len < 0 && errno == ENOBUFS) /* events lost: look again */
		lb->neigh->recheck = true;
	commit(lb);
}

static void tick(struct lb *lb)
{
	struct lb_neigh *n = lb->neigh;
	__u64 expirations;

	if (read(n->timer, &expirations, sizeof(expirations)) < 0)
		return;
	if (n->recheck || now_ns() >= n->next_refresh_ns ||
	    (n->fault.failing && fault_due(&n->fault, now_ns()))) {
		n->recheck = false;
		lb_neigh_recheck(lb);
	} else {
		pass(lb, false);
	}
}

int lb_neigh_pollfds(struct lb *lb, struct pollfd *pfds, int max)
{
	if (!lb->neigh || max < LB_NEIGH_POLLFDS)
		return 0;
	pfds[0] = (struct pollfd){ .fd = mnl_socket_get_fd(lb->neigh->ev),
				   .events = POLLIN };
	pfds[1] = (struct pollfd){ .fd = lb->neigh->timer, .events = POLLIN };
	return LB_NEIGH_POLLFDS;
}

void lb_neigh_process(struct lb *lb, const struct pollfd *pfds, int n)
{
	if (!lb->neigh || n < LB_NEIGH_POLLFDS)
		return;
	if (pfds[0].revents)
		read_events(lb);
	if (pfds[1].revents)
		tick(lb);
}

static int open_events(struct lb_neigh *n)
{
	unsigned int groups = RTMGRP_NEIGH | RTMGRP_LINK | RTMGRP_IPV4_ROUTE |
			      RTMGRP_IPV6_ROUTE;
	int size = EVENT_RCVBUF;

	n->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!n->ev)
		return -errno;
	setsockopt(mnl_socket_get_fd(n->ev), SOL_SOCKET, SO_RCVBUF, &size,
		   sizeof(size));
	return mnl_socket_bind(n->ev, groups, MNL_SOCKET_AUTOPID) ? -errno : 0;
}

int lb_neigh_open(struct lb *lb, char *err, size_t errlen)
{
	struct itimerspec its = { .it_interval = { .tv_sec = TICK_S },
				  .it_value = { .tv_sec = TICK_S } };
	struct lb_neigh *n = calloc(1, sizeof(*n));
	int ret;

	if (!n) {
		snprintf(err, errlen, "lb: out of memory");
		return -ENOMEM;
	}
	n->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ret = n->timer < 0 ? -errno : open_events(n);
	if (!ret && timerfd_settime(n->timer, 0, &its, NULL))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "lb: neighbour events: %s",
			 strerror(-ret));
		lb->neigh = n;
		lb_neigh_close(lb);
		return ret;
	}
	n->next_refresh_ns = now_ns() + REFRESH_NS;
	fault_init(&n->fault, "lb: next-hop lookups",
		   "backends keep their next hops and stay in their rings; "
		   "every backend is looked up again soon",
		   FAULT_RETRY_MIN_MS, RETRY_MAX_S * 1000);
	lb->neigh = n;
	return 0;
}

void lb_neigh_close(struct lb *lb)
{
	struct lb_neigh *n = lb->neigh;

	if (!n)
		return;
	if (n->ev)
		mnl_socket_close(n->ev);
	if (n->timer >= 0)
		close(n->timer);
	free(n);
	lb->neigh = NULL;
}
