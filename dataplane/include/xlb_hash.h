/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The hash of a rule key into the rule filter's counters (xlb_rule_bloom),
 * computed the same way by the data plane and by xlbd: word-wise
 * multiply-xorshift, then a full finaliser; cheap in BPF. A key has two
 * counters in one 64-byte line (a blocked Bloom filter with k = 2).
 */
#ifndef XLB_HASH_H
#define XLB_HASH_H

#include <linux/types.h>

#include "xlb_abi.h"

#define XLB_KEY_WORDS (sizeof(struct xlb_rule_key) / 4)

/*
 * The hash of a rule key of a family: IPv4 keys hash only the words an
 * IPv4 key can hold (shape, proto and ports, src[0], dst[0]).
 */
static inline __u32 xlb_rule_key_hash(const struct xlb_rule_key *k,
				      __u32 family)
{
	const __u32 *w = (const __u32 *)k;
	__u32 h = 0x811c9dc5;

	if (family == XLB_FAMILY_V4) {
		h = (h ^ w[0]) * 0x9e3779b1;
		h = (h ^ w[1]) * 0x9e3779b1;
		h = (h ^ w[2]) * 0x9e3779b1;
		h = (h ^ k->src[0]) * 0x9e3779b1;
		h = (h ^ k->dst[0]) * 0x9e3779b1;
	} else {
		for (unsigned int i = 0; i < XLB_KEY_WORDS; i++)
			h = (h ^ w[i]) * 0x9e3779b1;
	}
	/* murmur3's finaliser: every output bit depends on every input. */
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/* The hash of an address for the VIP hints: its line and byte. */
static inline __u32 xlb_addr_hash(const __be32 *a, __u32 family)
{
	__u32 h = 0x811c9dc5;

	h = (h ^ a[0]) * 0x9e3779b1;
	if (family == XLB_FAMILY_V6) {
		h = (h ^ a[1]) * 0x9e3779b1;
		h = (h ^ a[2]) * 0x9e3779b1;
		h = (h ^ a[3]) * 0x9e3779b1;
	}
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	return h;
}

static inline __u32 xlb_hint_line(__u32 h)
{
	return (h >> 6) % XLB_VIP_HINT_LINES;
}

static inline __u32 xlb_hint_pos(__u32 h)
{
	return h % XLB_BLOOM_LINE;
}

/* Where a hash's counters are: one line, two counters within it. */
static inline __u32 xlb_bloom_line_of(__u32 h)
{
	return (h >> 12) % XLB_BLOOM_LINES;
}

static inline __u32 xlb_bloom_pos(__u32 h, int which)
{
	return (h >> (which * 6)) % XLB_BLOOM_LINE;
}

#endif /* XLB_HASH_H */
