// SPDX-License-Identifier: GPL-2.0
/*
 * Looking a backend's next hop up: the route to it (RTM_GETROUTE) gives
 * the egress interface, which must carry xlb's XDP program, and a
 * gateway if the backend is not on link; what the VIP's mode asks of
 * that route is checked; the neighbour entry of the next hop on that
 * interface gives the destination MAC, the interface its source MAC. A
 * next hop the table does not know, or knows only as stale, is asked for
 * with NTF_USE. Each result is the kernel's answer (resolved, or not and
 * why) or a failure to ask, which lb_neigh.c keeps apart.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "lb_route.h"
#include "maps.h"
#include "netlink.h"
#include "util.h"

#define NSEC_PER_SEC 1000000000ull

int lb_af_of(__u8 family)
{
	return family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;
}

const char *lb_ifname_of(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "ifindex %d", ifindex);
	return buf;
}

bool lb_mac_valid(const __u8 *mac)
{
	static const __u8 zero[6];

	return memcmp(mac, zero, sizeof(zero)) && !(mac[0] & 1);
}

void lb_unresolved(struct lb_backend *b, const char *fmt, ...)
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
			 lb_ifname_of(ifindex, ifname));
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
		lb_unresolved(b,
			      "%s is reached through a gateway; DSR backends "
			      "must be on a link of this host (or use nat)",
			      a);
		return -ENOENT;
	}
	lb_ifname_of(r->oif, ifname);
	if (!r->has_src) {
		lb_unresolved(b, "the route to %s has no source address", a);
		return -ENOENT;
	}
	if (!lb_ingress(lb, r->oif)) {
		lb_unresolved(
			b,
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
			lb_unresolved(b,
				      "forwarding is off on %s, so NAT replies "
				      "cannot be routed (sysctl "
				      "net.ipv4.conf.%s.forwarding=1)",
				      ifname, ifname);
		else
			lb_unresolved(b,
				      "IPv6 forwarding is off, so NAT replies "
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
		lb_unresolved(b, "%s is an address of this host", a);
		return -ENOENT;
	}
	if (r->type != RTN_UNICAST || !r->oif || r->via) {
		lb_unresolved(b,
			      "the route to %s is not a unicast route "
			      "through an Ethernet interface",
			      a);
		return -ENOENT;
	}
	if (!xdp_egress(lb, r->oif)) {
		lb_unresolved(b,
			      "%s is reached through %s, which has no XDP "
			      "program of xlb's",
			      a, lb_ifname_of(r->oif, ifname));
		return -ENOENT;
	}
	ret = nl_link_get(NULL, r->oif, link);
	if (ret && !nl_err_is_answer(ret))
		return ret;
	if (ret || !link->has_mac) {
		lb_unresolved(b, "%s has no Ethernet address",
			      lb_ifname_of(r->oif, ifname));
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
	ret = nl_route_get(lb_af_of(b->addr.family), b->addr.addr, &r);
	if (ret && !nl_err_is_answer(ret))
		return ret;
	if (ret) {
		lb_unresolved(b, "no route to %s: %s", a, strerror(-ret));
		ret = -ENOENT;
	} else {
		ret = route_fits(lb, b, &r, &link, a, ifname);
	}
	if (ret == -ENOENT)
		b->dp.ifindex = 0;
	if (ret)
		return ret;
	lb_ifname_of(r.oif, ifname);
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

int lb_route_lookup(struct lb *lb, struct lb_backend *b, bool confirm)
{
	char ifname[IF_NAMESIZE], nh[XLB_VIP_STRLEN];
	struct xlb_addr old_nh = b->nh;
	bool known = b->nh_known; /* not after a restart */
	int af = lb_af_of(b->addr.family), ret;
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
	if (!ret && (n.state & NUD_HAS_MAC) && n.has_mac &&
	    lb_mac_valid(n.mac)) {
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
		lb_unresolved(b, "next hop %s on %s does not answer", nh,
			      ifname);
	else
		lb_unresolved(b, "waiting for the MAC of next hop %s on %s", nh,
			      ifname);
	return -ENOENT;
}
