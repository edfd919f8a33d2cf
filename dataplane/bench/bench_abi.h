/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What the benchmarks' BPF programs (bench.bpf.c, bench_ref.bpf.c) and
 * their userspace share: the template frame bench_restore starts every
 * iteration from, the flows it can take sources from, and the reference
 * load balancer's records and counters.
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
	/* Non-zero: the whole source address (4 bytes at vary_addr_off)
	 * and port come from bench_tuples[counter % vary_mod]. */
	__u32 vary_tuples;
	union {
		__u64 words[BENCH_FRAME_MAX / 8];
		__u8 bytes[BENCH_FRAME_MAX];
	};
};

_Static_assert(sizeof(struct bench_frame) == 16 + BENCH_FRAME_MAX,
	       "bench_frame size");

/* Most flows bench_tuples holds. */
#define BENCH_TUPLES_MAX 1048576

/* bench_tuples value: an IPv4 source, network order. */
struct bench_tuple {
	__be32 saddr;
	__be16 sport;
	__u16 pad;
};

_Static_assert(sizeof(struct bench_tuple) == 8, "bench_tuple size");

/* The reference load balancer (bench_ref.bpf.c): its flow table's size,
 * its ring's and its backends'. */
#define REF_FLOWS 1048576
#define REF_RING_SIZE 65537
#define REF_BACKENDS 128

/* ref_backends value: the MACs a packet to that backend leaves with. */
struct ref_backend {
	__u8 dmac[6];
	__u8 smac[6];
};

/* ref_flows key: an IPv4 5-tuple. */
struct ref_flow {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u8 proto;
	__u8 pad[3];
};

_Static_assert(sizeof(struct ref_flow) == 16, "ref_flow size");

/* ref_stats slots (per CPU): what the reference did with each packet. */
enum ref_stat {
	REF_HITS, /* flow found in ref_flows, forwarded */
	REF_INSERTS, /* flow not found: backend from the ring, inserted */
	REF_TX, /* sent back out (XDP_TX) */
	REF_PASS, /* not for the VIP, or not IPv4 TCP/UDP */
	REF_STATS
};

#endif /* XLB_BENCH_ABI_H */
