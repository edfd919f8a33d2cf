// SPDX-License-Identifier: GPL-2.0
/*
 * Next hops of the backends. For each: the route to it (RTM_GETROUTE)
 * gives the egress interface, which must carry xlb's XDP program, and a
 * gateway if the backend is not on link; the neighbour entry of the next
 * hop on that interface gives the destination MAC, the interface its
 * source MAC. A next hop the table does not know, or knows only as
 * stale, is asked for with NTF_USE (the kernel resolves or confirms it
 * as it would for a packet, and creates no permanent entry); the answer
 * comes as a neighbour event. Unresolved backends are retried with a
 * growing delay, and every backend is resolved again every 30 s and
 * whenever links or routes change. Each change is one whole write of
 * the backend's entry; a backend enters its VIP's ring once resolved
 * and leaves it when its next hop fails. A lookup that fails (xlbd out
 * of descriptors or memory, netlink not answering) is no answer: the
 * backend keeps what it had and every backend is looked up again after
 * a delay that grows while lookups keep failing.
 */
#include <errno.h>
#include <stdarg.h>
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
#include "log.h"
#include "maps.h"
#include "netlink.h"
#include "util.h"

#define NSEC_PER_SEC 1000000000ull
#define TICK_S 1
#define REFRESH_NS (30 * NSEC_PER_SEC)
#define RETRY_MAX_S 30
/* After a failed lookup, every backend is looked up again this soon,
 * doubling up to RETRY_MAX_S while lookups keep failing. */
#define FAULT_RETRY_MIN_MS 1000
#define EVENT_RCVBUF (1 << 20)
/* States whose MAC can be used (the kernel's NUD_VALID). */
#define NUD_HAS_MAC                                                          \
	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | \
	 NUD_DELAY)

struct lb_neigh {
	struct mnl_socket *ev; /* neighbour, link and route events */
	int timer; /* every TICK_S */
	bool recheck; /* links or routes changed: resolve all again */
	__u64 next_refresh_ns;
	struct fault fault; /* lookups that failed: all again after it */
	lb_link_fn on_link; /* told of every link event, or NULL */
	void *link_ctx;
};

static int af_of(__u8 family)
{
	return family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;
}

static const char *ifname_of(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "ifindex %d", ifindex);
	return buf;
}

static bool mac_valid(const __u8 *mac)
{
	static const __u8 zero[6];

	return memcmp(mac, zero, sizeof(zero)) && !(mac[0] & 1);
}

/* Not resolved, and why; tried again after a growing delay. */
static void __attribute__((format(printf, 2, 3)))
unresolved(struct lb_backend *b, const char *fmt, ...)
{
	/* 1, 2, 4, 8, 16, then every RETRY_MAX_S seconds. */
	__u64 delay = b->tries < 5 ? 1u << b->tries : RETRY_MAX_S;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->why, sizeof(b->why), fmt, ap);
	va_end(ap);
	b->dp.flags &= ~XLB_BACKEND_RESOLVED;
	b->retry_ns = now_ns() + delay * NSEC_PER_SEC;
	b->tries++;
}

/* Does xlb drive ifindex with XDP (so it can send frames there)? */
static bool xdp_egress(struct lb *lb, int ifindex)
{
	struct xlb_iface ifc;

	return !maps_iface_get(lb->m.ifaces, ifindex, &ifc) &&
	       (ifc.attach & (XLB_ATTACH_XDP_NATIVE | XLB_ATTACH_XDP_GENERIC));
}

/* Does ifindex run the lb stage (so NAT replies there are translated)? */
static bool lb_ingress(struct lb *lb, int ifindex)
{
	struct xlb_iface ifc;

	return !maps_iface_get(lb->m.ifaces, ifindex, &ifc) &&
	       (ifc.stages & XLB_STAGE_LB);
}

/*
 * Does the kernel forward on ifindex? bpf_fib_lookup(), which routes NAT
 * replies to the clients, answers nothing otherwise: IPv4 asks the
 * interface's forwarding, IPv6 the namespace's. 1 or 0, or -errno when
 * the setting could not be read.
 */
static int forwarding(int family, int ifindex)
{
	char path[128], ifname[IF_NAMESIZE], c = '0';
	FILE *f;

	if (family == XLB_FAMILY_V4)
		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv4/conf/%s/forwarding",
			 ifname_of(ifindex, ifname));
	else
		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv6/conf/all/forwarding");
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

/*
 * What the mode asks of the route: DSR keeps the VIP as destination, so
 * the backend must be on link (a gateway would route the frame by the
 * VIP); NAT sends from the route's source address, and the replies come
 * back to it on the same interface, which must translate them. 0, or
 * -ENOENT with b unresolved, or another -errno when a lookup failed.
 */
static int mode_fits(struct lb *lb, struct lb_backend *b,
		     const struct nl_route *r, const char *a, char *ifname)
{
	int ret;

	if (lb->vips[b->vip].mode != XLB_MODE_NAT) {
		memset(b->dp.snat, 0, sizeof(b->dp.snat));
		if (!r->gw_family)
			return 0;
		unresolved(b,
			   "%s is reached through a gateway; DSR backends "
			   "must be on a link of this host (or use nat)",
			   a);
		return -ENOENT;
	}
	ifname_of(r->oif, ifname);
	if (!r->has_src) {
		unresolved(b, "the route to %s has no source address", a);
		return -ENOENT;
	}
	if (!lb_ingress(lb, r->oif)) {
		unresolved(b,
			   "NAT replies from %s arrive on %s, which does not "
			   "run the load balancer (lb = true)",
			   a, ifname);
		return -ENOENT;
	}
	ret = forwarding(b->addr.family, r->oif);
	if (ret < 0)
		return ret;
	if (!ret) {
		if (b->addr.family == XLB_FAMILY_V4)
			unresolved(b,
				   "forwarding is off on %s, so NAT replies "
				   "cannot be routed (sysctl "
				   "net.ipv4.conf.%s.forwarding=1)",
				   ifname, ifname);
		else
			unresolved(b, "IPv6 forwarding is off, so NAT replies "
				      "cannot be routed (sysctl "
				      "net.ipv6.conf.all.forwarding=1)");
		return -ENOENT;
	}
	if (memcmp(b->dp.snat, r->src, sizeof(r->src))) {
		memcpy(b->dp.snat, r->src, sizeof(r->src));
		lb->hints_dirty = true; /* a new address to take replies on */
	}
	return 0;
}

/*
 * Can xlb send to b along route r? 0 with the interface in link, -ENOENT
 * with b unresolved (and why), another -errno when a lookup failed.
 */
static int route_fits(struct lb *lb, struct lb_backend *b,
		      const struct nl_route *r, struct nl_link *link,
		      const char *a, char *ifname)
{
	int ret;

	if (r->type == RTN_LOCAL) {
		unresolved(b, "%s is an address of this host", a);
		return -ENOENT;
	}
	if (r->type != RTN_UNICAST || !r->oif || r->via) {
		unresolved(b,
			   "the route to %s is not a unicast route "
			   "through an Ethernet interface",
			   a);
		return -ENOENT;
	}
	if (!xdp_egress(lb, r->oif)) {
		unresolved(b,
			   "%s is reached through %s, which has no XDP "
			   "program of xlb's",
			   a, ifname_of(r->oif, ifname));
		return -ENOENT;
	}
	ret = nl_link_get(NULL, r->oif, link);
	if (ret && !nl_err_is_answer(ret))
		return ret;
	if (ret || !link->has_mac) {
		unresolved(b, "%s has no Ethernet address",
			   ifname_of(r->oif, ifname));
		return -ENOENT;
	}
	return mode_fits(lb, b, r, a, ifname);
}

/*
 * The route: egress interface (with its MAC) and next hop, in b. 0, or
 * -ENOENT with b unresolved, or another -errno when a lookup failed
 * (b is then half-made: the caller restores it).
 */
static int route(struct lb *lb, struct lb_backend *b, char *ifname)
{
	char a[XLB_VIP_STRLEN];
	struct nl_route r;
	struct nl_link link;
	int ret;

	xlb_format_addr(&b->addr, a, sizeof(a));
	b->nh_known = false;
	ret = nl_route_get(af_of(b->addr.family), b->addr.addr, &r);
	if (ret && !nl_err_is_answer(ret))
		return ret;
	if (ret) {
		unresolved(b, "no route to %s: %s", a, strerror(-ret));
		ret = -ENOENT;
	} else {
		ret = route_fits(lb, b, &r, &link, a, ifname);
	}
	if (ret == -ENOENT)
		b->dp.ifindex = 0;
	if (ret)
		return ret;
	ifname_of(r.oif, ifname);
	b->nh_known = true;
	b->nh.family = b->addr.family;
	memcpy(b->nh.addr, r.gw_family ? r.gw : b->addr.addr,
	       sizeof(b->nh.addr));
	if (b->dp.ifindex != (__u32)r.oif ||
	    memcmp(b->dp.smac, link.mac, sizeof(link.mac))) {
		/* Another interface: the old next hop's MAC is no good. */
		b->dp.flags &= ~XLB_BACKEND_RESOLVED;
		b->dp.ifindex = r.oif;
		memcpy(b->dp.smac, link.mac, sizeof(link.mac));
	}
	return 0;
}

/*
 * Look b's next hop up; confirm: ask the kernel to confirm a stale entry
 * too. 0 or -ENOENT (resolved or not, as the kernel answered), or
 * another -errno when a lookup failed.
 */
static int lookup(struct lb *lb, struct lb_backend *b, bool confirm)
{
	char ifname[IF_NAMESIZE], nh[XLB_VIP_STRLEN];
	struct xlb_addr old_nh = b->nh;
	bool known = b->nh_known; /* not after a restart */
	int af = af_of(b->addr.family), ret;
	struct nl_neigh n;

	ret = route(lb, b, ifname);
	if (ret)
		return ret;
	/* The same next hop as before: its MAC stands until it fails. */
	if (known && xlb_addr_cmp(&old_nh, &b->nh))
		b->dp.flags &= ~XLB_BACKEND_RESOLVED;
	xlb_format_addr(&b->nh, nh, sizeof(nh));
	ret = nl_neigh_get(b->dp.ifindex, af, b->nh.addr, &n);
	if (ret && !nl_err_is_answer(ret))
		return ret;
	if (!ret && (n.state & NUD_HAS_MAC) && n.has_mac && mac_valid(n.mac)) {
		memcpy(b->dp.dmac, n.mac, sizeof(n.mac));
		b->dp.flags |= XLB_BACKEND_RESOLVED;
		b->why[0] = '\0';
		b->tries = 0;
		if (confirm && (n.state & NUD_STALE))
			nl_neigh_use(b->dp.ifindex, af, b->nh.addr);
		return 0;
	}
	nl_neigh_use(b->dp.ifindex, af, b->nh.addr);
	if (!ret && (n.state & NUD_FAILED))
		b->dp.flags &= ~XLB_BACKEND_RESOLVED;
	if (b->dp.flags & XLB_BACKEND_RESOLVED)
		return 0; /* forgotten by the table, being asked again */
	if (!ret && (n.state & NUD_FAILED))
		unresolved(b, "next hop %s on %s does not answer", nh, ifname);
	else
		unresolved(b, "waiting for the MAC of next hop %s on %s", nh,
			   ifname);
	return -ENOENT;
}

/*
 * Resolve b as lookup() does. A lookup that failed (out of descriptors
 * or memory, netlink not answering) says nothing about the backend: it
 * keeps what it had, and the resolver tries again later. 0, or that
 * lookup's -errno.
 */
static int resolve(struct lb *lb, struct lb_backend *b, bool confirm)
{
	struct lb_backend was = *b;
	int ret = lookup(lb, b, confirm);

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
			 v, a, ifname_of(b->dp.ifindex, ifname), m[0], m[1],
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
		    af_of(b->nh.family) != n->family ||
		    memcmp(b->nh.addr, n->addr, n->family == AF_INET ? 4 : 16))
			continue;
		snapshot(lb, id, &was);
		if (!n->deleted && (n->state & NUD_HAS_MAC) && n->has_mac &&
		    mac_valid(n->mac)) {
			memcpy(b->dp.dmac, n->mac, sizeof(n->mac));
			b->dp.flags |= XLB_BACKEND_RESOLVED;
			b->why[0] = '\0';
			b->tries = 0;
		} else if (!n->deleted && (n->state & NUD_FAILED)) {
			xlb_format_addr(&b->nh, nh, sizeof(nh));
			unresolved(b, "next hop %s on %s does not answer", nh,
				   ifname_of(n->ifindex, ifname));
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
