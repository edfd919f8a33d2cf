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

/*
 * Make the hints exactly those of `keys`, writing only the lines that
 * change. To add a VIP, call this with the new set before writing the
 * VIP; to remove one, after deleting it: a VIP is never without its hint.
 */
int lb_hints_write(int fd, const struct xlb_vip_key *keys, size_t n);

#endif /* XLB_LB_HINTS_H */
