/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference load balancer (bench_ref.bpf.c) on the benchmarks' side:
 * loading it with its VIP, backends and ring; reading its counters; and
 * the flows that benchmark rows take in turn (bench_tuples), their
 * sources shuffled so that the order flows are made in, and the order
 * they are visited in, owe nothing to how they lie in memory.
 */
#ifndef XLB_BENCH_REF_H
#define XLB_BENCH_REF_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_abi.h"
#include "bench/bench_ref.skel.h"

/* The sources of the flows in turn: 198.19.0.0/16, port base and up. */
#define BENCH_TUPLE_NET 0xc6130000u
#define BENCH_TUPLE_PORT 30000
#define BENCH_TUPLE_HOSTS 65536

/* The reference with the VIP vip:port and `backends` backends sharing
 * its ring, every one reached with dmac from smac. */
static inline int bench_ref_open(struct bench_ref **ref, const char *vip,
				 __u16 port, __u32 backends, const __u8 *dmac,
				 const __u8 *smac)
{
	int fd, ret;

	*ref = bench_ref__open();
	if (!*ref)
		return -errno;
	inet_pton(AF_INET, vip, (void *)&(*ref)->rodata->ref_vip);
	(*ref)->rodata->ref_vip_port = htons(port);
	ret = bench_ref__load(*ref);
	if (ret)
		return ret;
	fd = bpf_map__fd((*ref)->maps.ref_backends);
	for (__u32 i = 0; i < backends && i < REF_BACKENDS; i++) {
		struct ref_backend b;

		memcpy(b.dmac, dmac, ETH_ALEN);
		memcpy(b.smac, smac, ETH_ALEN);
		if (bpf_map_update_elem(fd, &i, &b, BPF_ANY))
			return -errno;
	}
	fd = bpf_map__fd((*ref)->maps.ref_ring);
	for (__u32 i = 0; i < REF_RING_SIZE; i++) {
		__u32 b = i % backends;

		if (bpf_map_update_elem(fd, &i, &b, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The reference's counters, summed over CPUs, into out[REF_STATS]. */
static inline int bench_ref_counts(struct bench_ref *ref, __u64 *out)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 v[ncpu];

	for (__u32 s = 0; s < REF_STATS; s++) {
		if (bpf_map_lookup_elem(bpf_map__fd(ref->maps.ref_stats), &s,
					v))
			return -errno;
		out[s] = 0;
		for (int c = 0; c < ncpu; c++)
			out[s] += v[c];
	}
	return 0;
}

/* A step of xorshift32: the shuffles' numbers, the same every run. */
static inline __u32 bench_rand(__u32 *state)
{
	__u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/*
 * bench_tuples[0 .. n) := the sources of flows 0 .. n - 1 in an order
 * shuffled from seed (Fisher-Yates): the same n flows for any seed.
 */
static inline int bench_tuples_shuffled(int fd, __u32 n, __u32 seed)
{
	struct bench_tuple *t = calloc(n, sizeof(*t));
	__u32 *keys = calloc(n, sizeof(*keys)), count = n;
	int ret = 0;

	if (!t || !keys || n > BENCH_TUPLES_MAX) {
		ret = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < n; i++) {
		keys[i] = i;
		t[i].saddr = htonl(BENCH_TUPLE_NET | i % BENCH_TUPLE_HOSTS);
		t[i].sport = htons(BENCH_TUPLE_PORT + i / BENCH_TUPLE_HOSTS);
	}
	for (__u32 i = n - 1; i > 0; i--) {
		__u32 j = bench_rand(&seed) % (i + 1);
		struct bench_tuple x = t[i];

		t[i] = t[j];
		t[j] = x;
	}
	if (bpf_map_update_batch(fd, keys, t, &count, NULL))
		ret = -errno;
out:
	free(t);
	free(keys);
	return ret;
}

#endif /* XLB_BENCH_REF_H */
