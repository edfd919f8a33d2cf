/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink over libmnl: links by name or index, with their state, their
 * Ethernet address and the XDP program the kernel reports on them; the
 * route to an address; neighbour entries, looked up, asked for, and
 * parsed from events. Requests go out on one socket kept open.
 */
#ifndef XLB_NETLINK_H
#define XLB_NETLINK_H

#include <stdbool.h>
#include <linux/types.h>

#include "xlb_abi.h"

/*
 * Is err (a -errno of the calls below) the kernel's answer about what
 * was asked (no route, no such link or entry) rather than a failure to
 * ask (out of descriptors, memory or buffers, no reply)?
 */
bool nl_err_is_answer(int err);

struct nl_link {
	int ifindex;
	char name[XLB_IFNAMSIZ];
	bool up;
	__u32 mtu;
	__u8 xdp_attached; /* XDP_ATTACHED_* from linux/if_link.h */
	__u32 xdp_prog_id;
	bool has_mac; /* an Ethernet address (IFLA_ADDRESS of 6 bytes) */
	__u8 mac[6];
};

/* Look a link up by name (ifindex 0) or by index; -ENODEV if absent. */
int nl_link_get(const char *name, int ifindex, struct nl_link *link);

/* The route the kernel takes to an address (RTM_GETROUTE). */
struct nl_route {
	int family; /* AF_INET or AF_INET6, as asked */
	__u8 type; /* RTN_UNICAST, RTN_LOCAL, ... */
	int oif;
	int gw_family; /* 0: no gateway, the address is on link */
	__u8 gw[16];
	bool via; /* a gateway of the other family (RTA_VIA) */
	bool has_src; /* src: the address this host sends from (RTA_PREFSRC) */
	__u8 src[16];
};

/* addr is 4 or 16 bytes; -ENETUNREACH and the like when there is none. */
int nl_route_get(int family, const void *addr, struct nl_route *r);

/* A neighbour table entry, or an event about one. */
struct nl_neigh {
	int ifindex;
	int family;
	__u8 addr[16];
	__u16 state; /* NUD_* */
	bool deleted; /* RTM_DELNEIGH */
	bool has_mac;
	__u8 mac[6];
};

/* The entry for addr on ifindex; -ENOENT when the table has none. */
int nl_neigh_get(int ifindex, int family, const void *addr, struct nl_neigh *n);
/*
 * Have the kernel resolve addr on ifindex (creating an entry that is not
 * permanent) or confirm a stale entry, as a packet to it would (NTF_USE).
 */
int nl_neigh_use(int ifindex, int family, const void *addr);

struct nlmsghdr;
/* An RTM_NEWNEIGH or RTM_DELNEIGH message; -EAFNOSUPPORT if not IP. */
int nl_neigh_parse(const struct nlmsghdr *nlh, struct nl_neigh *n);
/* An RTM_NEWLINK or RTM_DELLINK message; -EINVAL if malformed. */
int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *link);

#endif /* XLB_NETLINK_H */
