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

static __always_inline __u16 xlb_csum16_add(__u16 sum, __u16 v)
{
	__u32 s = (__u32)sum + v;

	return (__u16)(s + (s >> 16));
}

/* Replace 16 bits of the data a checksum covers. */
static __always_inline void xlb_csum_replace2(__sum16 *sum, __be16 from,
					      __be16 to)
{
	__u16 s = ~(__u16)*sum;

	s = xlb_csum16_add(s, ~(__u16)from);
	s = xlb_csum16_add(s, (__u16)to);
	*sum = (__sum16)~s;
}

/* Replace 32 bits (an IPv4 address, or a word of an IPv6 one). */
static __always_inline void xlb_csum_replace4(__sum16 *sum, __be32 from,
					      __be32 to)
{
	xlb_csum_replace2(sum, (__be16)(from >> 16), (__be16)(to >> 16));
	xlb_csum_replace2(sum, (__be16)from, (__be16)to);
}

#endif /* XLB_CSUM_BPF_H */
