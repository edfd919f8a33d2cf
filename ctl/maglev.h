/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev consistent hashing for the load balancer's control plane, pure
 * (no system calls, no BPF): from a VIP's current lookup table ("ring")
 * and its new backends with weights, compute the new table so that every
 * backend owns its weighted share of slots to within one slot, and only
 * the slots that must change do: those of removed or draining backends
 * and the excess of backends above their new share. Slots a backend gains
 * follow its own Maglev permutation, so they are spread over the table.
 * docs/lb.md ("Maglev") describes the algorithm.
 */
#ifndef XLB_MAGLEV_H
#define XLB_MAGLEV_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* The ring size the daemon uses for every VIP (a prime; XLB_RING_SIZE). */
#define MAGLEV_RING_SIZE 65537
/* A slot that no backend owns (XLB_NO_BACKEND); never a backend id. */
#define MAGLEV_EMPTY 0xffffffffu
/* Balance within 1% needs at least this many slots per backend. */
#define MAGLEV_SLOTS_PER_BACKEND 100
/* Backends one VIP may have with MAGLEV_RING_SIZE slots (655); the
 * caller refuses more. */
#define MAGLEV_MAX_BACKENDS (MAGLEV_RING_SIZE / MAGLEV_SLOTS_PER_BACKEND)
/* The smallest table maglev_size_for() returns (a prime). */
#define MAGLEV_MIN_SIZE 1009

/*
 * A backend: its id (what the table holds), its weight (0: no slots, for
 * draining) and the stable byte string its permutation is hashed from
 * (the daemon passes the backend's address bytes and port).
 */
struct maglev_backend {
	__u32 id;
	__u32 weight;
	const void *key;
	size_t key_len;
};

/*
 * Compute the m-slot table for backends b[0..n-1] (any order) from the
 * previous table prev (NULL: build from scratch, the same as a prev of
 * MAGLEV_EMPTY slots). prev and table may be the same array (an in-place
 * update) or must not overlap. Slots of ids missing from b, or with
 * weight 0, are reassigned; with no backend of non-zero weight every slot
 * becomes MAGLEV_EMPTY. The result depends only on prev and the set of
 * backends. Returns 0; -EINVAL when table is NULL, m is not a prime, b is
 * NULL with n > 0, an id is MAGLEV_EMPTY or repeated, or a key is NULL
 * with a non-zero length; -ENOMEM. On error table is untouched.
 */
int maglev_update(const __u32 *prev, __u32 *table, __u32 m,
		  const struct maglev_backend *b, size_t n);

/* Backend b's permutation over m slots: slot j is (offset + j * skip) % m. */
void maglev_permutation(const struct maglev_backend *b, __u32 m, __u32 *offset,
			__u32 *skip);

/* Number of slots at which tables a and b (m slots each) differ. */
size_t maglev_diff(const __u32 *a, const __u32 *b, __u32 m);

/* Number of slots of table (m slots) that backend id owns. */
__u32 maglev_count(const __u32 *table, __u32 m, __u32 id);

bool maglev_is_prime(__u32 m);

/*
 * The smallest prime at least MAGLEV_SLOTS_PER_BACKEND * n and at least
 * MAGLEV_MIN_SIZE; 0 when no 32-bit prime is that large.
 */
__u32 maglev_size_for(size_t n);

#endif /* XLB_MAGLEV_H */
