/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink over libmnl: links by name or index, with their state and the
 * XDP program the kernel reports on them.
 */
#ifndef XLB_NETLINK_H
#define XLB_NETLINK_H

#include <stdbool.h>
#include <linux/types.h>

#include "xlb_abi.h"

struct nl_link {
	int ifindex;
	char name[XLB_IFNAMSIZ];
	bool up;
	__u32 mtu;
	__u8 xdp_attached; /* XDP_ATTACHED_* from linux/if_link.h */
	__u32 xdp_prog_id;
};

/* Look a link up by name (ifindex 0) or by index; -ENODEV if absent. */
int nl_link_get(const char *name, int ifindex, struct nl_link *link);

#endif /* XLB_NETLINK_H */
