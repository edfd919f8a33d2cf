/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Incremental Internet checksum updates (RFC 1624: HC' = ~(~HC + ~m + m')),
 * for rewriting addresses and ports without summing the packet again.
 * Values are in network byte order throughout; one's complement sums do
 * not care about byte order as long as both sides use the same.
 */
#ifndef XLB_CSUM_BPF_H
#define XLB_CSUM_BPF_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/*
 * The difference a rewrite makes: the sum of ~old and new over every
 * rewritten word, carried in 64 bits and folded once, then applied to
 * each checksum that covers those words (the IPv4 header's, and the
 * TCP/UDP one through its pseudo header). Cheaper than replacing each
 * 16-bit half in each checksum in turn.
 */
static __always_inline __u64 xlb_csum_diff4(__u64 acc, __be32 from, __be32 to)
{
	return acc + (__u32)~from + (__u32)to;
}

static __always_inline __u64 xlb_csum_diff2(__u64 acc, __be16 from, __be16 to)
{
	return acc + (__u16)~from + (__u16)to;
}

/* Fold a 64-bit one's complement sum to 16 bits. */
static __always_inline __u16 xlb_csum_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* HC' = ~(~HC + diff), diff being the sum of ~m + m' over the words. */
static __always_inline void xlb_csum_apply(__sum16 *sum, __u64 diff)
{
	*sum = (__sum16)~xlb_csum_fold((__u16) ~(__u16)*sum + diff);
}

#endif /* XLB_CSUM_BPF_H */
