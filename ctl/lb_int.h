/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by lb.c, lb_ring.c, lb_snat.c and lb_state.c: the
 * rings and the NAT source pools.
 */
#ifndef XLB_LB_INT_H
#define XLB_LB_INT_H

#include "lb.h"
#include "lb_hints.h"

/* Read VIP vid's XLB_RING_SIZE slots of xlb_ring into ring. */
int lb_ring_read(struct lb *lb, __u32 vid, __u32 *ring);
/* Give VIP vid its mirror: kept from an earlier VIP of the id, or read
 * (zeros when the maps were just loaded). */
int lb_ring_mirror(struct lb *lb, __u32 vid);
/* Compute VIP vid's ring from its mirror and write what changed. */
int lb_ring_sync(struct lb *lb, __u32 vid);

/* Write the staged pools (lb_vip_set_snat()), the hints before them. */
int lb_snat_sync(struct lb *lb);
/* VIP vid, deleted: its pool zeroed (write the hints after). */
int lb_snat_clear(struct lb *lb, __u32 vid);
/* VIP vid's pool from xlb_snat_pools, for a restart. */
void lb_snat_restore(struct lb *lb, __u32 vid);
/* The addresses of every NAT VIP's pool, those staged too, into out
 * (room for 2 * XLB_MAX_VIPS * XLB_SNAT_MAX); how many. */
size_t lb_snat_addrs(const struct lb *lb, struct lb_hint_addr *out);

#endif /* XLB_LB_INT_H */
