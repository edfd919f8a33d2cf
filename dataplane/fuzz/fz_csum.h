/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internet checksums summed from scratch (RFC 1071), for the generator's
 * frames and the model's expected ones: one's complement sums of 16-bit
 * big-endian words, an odd last byte padded with zero.
 */
#ifndef XLB_FUZZ_CSUM_H
#define XLB_FUZZ_CSUM_H

#include <stddef.h>
#include <linux/types.h>

static inline __u64 fz_sum16(const __u8 *b, size_t len, __u64 s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (__u32)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (__u32)(b[len - 1] << 8);
	return s;
}

static inline __u16 fz_fold(__u64 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

static inline void fz_put16(__u8 *b, __u16 v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static inline __u16 fz_get16(const __u8 *b)
{
	return (__u16)(b[0] << 8 | b[1]);
}

#endif /* XLB_FUZZ_CSUM_H */
