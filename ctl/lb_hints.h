/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VIP hints (xlb_vip_hints): one byte per address hash telling the
 * data plane whether a destination may be a VIP, so packets for no VIP
 * cost no map call.
 */
#ifndef XLB_LB_HINTS_H
#define XLB_LB_HINTS_H

#include <stddef.h>

#include "xlb_abi.h"

/* An address of the LB that NAT flows leave from (a backend's snat). */
struct lb_hint_addr {
	__be32 addr[4];
	__u8 family;
};

/*
 * Make the hints exactly those of the VIP `keys` and the NAT source
 * addresses `snat`, writing only the lines that change. To add a VIP (or
 * a NAT backend), call this with the new sets before writing it; to
 * remove one, after deleting it: nothing is ever without its hint.
 */
int lb_hints_write(int fd, const struct xlb_vip_key *keys, size_t n,
		   const struct lb_hint_addr *snat, size_t nsnat);

#endif /* XLB_LB_HINTS_H */
