/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What the benchmarks' BPF programs (bench.bpf.c) and their userspace
 * share: the template frame bench_restore starts every iteration from.
 */
#ifndef XLB_BENCH_ABI_H
#define XLB_BENCH_ABI_H

#include <linux/types.h>

/* The largest template frame, a power of two. */
#define BENCH_FRAME_MAX 128

/* bench_frames value (key 0). */
struct bench_frame {
	__u32 len;
	/* Non-zero: offsets of the 2 bytes bench_restore sets to its run
	 * counter (the end of the source address) and of the source port,
	 * which gets 1024 + the counter's upper half. */
	__u16 vary_addr_off;
	__u16 vary_port_off;
	__u32 vary_mod; /* non-zero: the counter modulo this, flows in turn */
	__u32 pad;
	union {
		__u64 words[BENCH_FRAME_MAX / 8];
		__u8 bytes[BENCH_FRAME_MAX];
	};
};

_Static_assert(sizeof(struct bench_frame) == 16 + BENCH_FRAME_MAX,
	       "bench_frame size");

#endif /* XLB_BENCH_ABI_H */
