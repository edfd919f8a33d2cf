// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The reference load balancer of the benchmarks, never attached by xlbd:
 * the least an L4 balancer in XDP does, to measure xlb against in the
 * same run. It parses Ethernet, IPv4 and TCP or UDP; a packet for its one
 * VIP looks its 5-tuple up in one LRU hash (common LRU, as a one-table
 * balancer would size it); on a miss it takes the backend from one read
 * of its ring (the tuple's hash modulo the ring's size) and inserts the
 * flow; then it rewrites the MACs and sends the packet back (XDP_TX).
 * Its per-CPU counters say what each packet did, so that a benchmark row
 * can prove the path it measured.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bench_abi.h"

/* The hash's multiplier: 2^32 over the golden ratio, odd. */
#define REF_HASH_MUL 0x9e3779b1u
#define REF_HASH_SHIFT 15

/* 5-tuple -> backend id: the flows, written by ref_lb on a miss. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, REF_FLOWS);
	__type(key, struct ref_flow);
	__type(value, __u32);
} ref_flows SEC(".maps");

/* Slot -> backend id: the ring, written by the benchmark. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, REF_RING_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} ref_ring SEC(".maps");

/* Backend id -> its MACs, written by the benchmark. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, REF_BACKENDS);
	__type(key, __u32);
	__type(value, struct ref_backend);
} ref_backends SEC(".maps");

/* enum ref_stat -> packets, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REF_STATS);
	__type(key, __u32);
	__type(value, __u64);
} ref_stats SEC(".maps");

/* The VIP, network order, set before load. */
const volatile __be32 ref_vip;
const volatile __be16 ref_vip_port;

static __always_inline void count(__u32 stat)
{
	__u64 *n = bpf_map_lookup_elem(&ref_stats, &stat);

	if (n)
		(*n)++;
}

static __always_inline __u32 mix(__u32 h, __u32 v)
{
	h = (h ^ v) * REF_HASH_MUL;
	return h ^ (h >> REF_HASH_SHIFT);
}

static __always_inline __u32 hash(const struct ref_flow *f)
{
	__u32 h = mix(0, f->saddr);

	h = mix(h, f->daddr);
	h = mix(h, (__u32)f->sport << 16 | f->dport);
	return mix(h, f->proto);
}

/* Fill f from the packet; -1 when it is not IPv4 TCP or UDP. */
static __always_inline int parse(void *data, void *data_end, struct ref_flow *f)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *l4; /* the ports lie alike in TCP and UDP */

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	if (ip->ihl != sizeof(*ip) / 4 ||
	    (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
		return -1;
	l4 = (void *)(ip + 1);
	if ((void *)(l4 + 1) > data_end)
		return -1;
	f->saddr = ip->saddr;
	f->daddr = ip->daddr;
	f->sport = l4->source;
	f->dport = l4->dest;
	f->proto = ip->protocol;
	return 0;
}

SEC("xdp")
int ref_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ref_flow f = {};
	const struct ref_backend *b;
	__u32 *id, slot, backend;

	if (parse(data, data_end, &f) || f.daddr != ref_vip ||
	    f.dport != ref_vip_port) {
		count(REF_PASS);
		return XDP_PASS;
	}
	id = bpf_map_lookup_elem(&ref_flows, &f);
	if (id) {
		backend = *id;
		count(REF_HITS);
	} else {
		slot = hash(&f) % REF_RING_SIZE;
		id = bpf_map_lookup_elem(&ref_ring, &slot);
		if (!id)
			return XDP_ABORTED;
		backend = *id;
		bpf_map_update_elem(&ref_flows, &f, &backend, BPF_ANY);
		count(REF_INSERTS);
	}
	b = bpf_map_lookup_elem(&ref_backends, &backend);
	if (!b)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_dest, b->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, b->smac, ETH_ALEN);
	count(REF_TX);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
