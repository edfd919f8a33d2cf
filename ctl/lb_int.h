/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by lb.c, lb_ring.c and lb_state.c: the rings.
 */
#ifndef XLB_LB_INT_H
#define XLB_LB_INT_H

#include "lb.h"

/* Read VIP vid's XLB_RING_SIZE slots of xlb_ring into ring. */
int lb_ring_read(struct lb *lb, __u32 vid, __u32 *ring);
/* Give VIP vid its mirror: kept from an earlier VIP of the id, or read
 * (zeros when the maps were just loaded). */
int lb_ring_mirror(struct lb *lb, __u32 vid);
/* Compute VIP vid's ring from its mirror and write what changed. */
int lb_ring_sync(struct lb *lb, __u32 vid);

#endif /* XLB_LB_INT_H */
