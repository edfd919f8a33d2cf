// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Programs for the benchmarks only, never attached by xlbd:
 * - bench_restore writes a template frame over the frame it is given
 *   (optionally with a source address and port from a run counter, for
 *   a new flow each time or flows in turn, or with the source of the
 *   next flow of bench_tuples) and tail-calls the program under test,
 *   so that each iteration of a
 *   BPF_PROG_TEST_RUN `repeat` sees the original frame even when the
 *   program rewrites it;
 * - bench_drop is a plain XDP_DROP, bench_tx a plain XDP_TX (the frame
 *   goes back as it came);
 * - bench_trafgen is a traffic generator for BPF_PROG_TEST_RUN's live
 *   frames mode: it gives every frame the source of one of `gen_flows`
 *   flows and redirects it out of `gen_ifindex`;
 * - bench_amp is the generator where live frames are refused: attached
 *   to one end of a veth pair whose other end sends every frame back
 *   (bench_tx), it gives each frame that comes round the source of the
 *   next flow and broadcasts it through bench_amp_ports: a copy out of
 *   the generator's interface (slot 0), the frame itself round the loop
 *   again (slot 1). A few frames seeded into the loop become a stream.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bench_abi.h"

/* 0 -> struct bench_frame: the frame every iteration starts from. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_frame);
} bench_frames SEC(".maps");

/* i -> the source of flow i: flows in turn, visited in index order
 * (a sequential read) whatever order their sources are in. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_TUPLES_MAX);
	__type(key, __u32);
	__type(value, struct bench_tuple);
} bench_tuples SEC(".maps");

/* 0 -> the program under test. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

/* 0 -> frames generated on this CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_gen_seq SEC(".maps");

/* 0 -> the generator's interface, 1 -> the loop's: bench_amp's outputs. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} bench_amp_ports SEC(".maps");

/* Runs of bench_restore so far: the source of a varied frame. */
__u32 bench_seq;

/* The generator's output interface, number of flows and field offsets. */
__u32 gen_ifindex;
__u32 gen_flows = 1;
__u32 gen_addr_off;
__u32 gen_port_off;

/* Write 2 bytes at off (< BENCH_FRAME_MAX) if they are inside the frame. */
static __always_inline void put16(void *data, void *data_end, __u32 off,
				  __u16 val)
{
	__u8 *p = data + (off & (BENCH_FRAME_MAX - 1));

	if ((void *)(p + 2) > data_end)
		return;
	p[0] = val >> 8;
	p[1] = val;
}

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct bench_frame *f;
	__u64 *dst = data;
	__u32 zero = 0, i, off;

	/* The template: whole words, then the last bytes (the frame is as
	 * long as the template, at most BENCH_FRAME_MAX). */
	f = bpf_map_lookup_elem(&bench_frames, &zero);
	if (!f)
		return XDP_ABORTED;
#pragma clang loop unroll(full)
	for (i = 0; i < BENCH_FRAME_MAX / 8; i++) {
		if ((void *)(dst + i + 1) > data_end)
			break;
		dst[i] = f->words[i];
	}
#pragma clang loop unroll(full)
	for (__u32 j = 0; j < 7; j++) {
		__u8 *p;

		off = i * 8 + j;
		if (off >= BENCH_FRAME_MAX)
			break;
		p = data + off;
		if ((void *)(p + 1) > data_end)
			break;
		*p = f->bytes[off];
	}
	if (f->vary_tuples) {
		__u32 k = bench_seq % f->vary_mod;
		const struct bench_tuple *t;

		t = bpf_map_lookup_elem(&bench_tuples, &k);
		if (!t)
			return XDP_ABORTED;
		put16(data, data_end, f->vary_addr_off,
		      bpf_ntohl(t->saddr) >> 16);
		put16(data, data_end, f->vary_addr_off + 2,
		      bpf_ntohl(t->saddr));
		put16(data, data_end, f->vary_port_off, bpf_ntohs(t->sport));
	} else if (f->vary_addr_off) {
		__u32 n = f->vary_mod ? bench_seq % f->vary_mod : bench_seq;

		put16(data, data_end, f->vary_addr_off, n);
		put16(data, data_end, f->vary_port_off, 1024 + (n >> 16));
	}
	bench_seq++;
	bpf_tail_call(ctx, &bench_target, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int bench_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

/* Give the frame the source of this CPU's next flow; -1 without the
 * CPU's counter. */
static __always_inline int next_flow(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, flow;
	__u64 *seq;

	seq = bpf_map_lookup_elem(&bench_gen_seq, &zero);
	if (!seq)
		return -1;
	flow = *seq % gen_flows;
	(*seq)++;
	/* Each CPU sends its own flows: a port per CPU. */
	put16(data, data_end, gen_addr_off, flow);
	put16(data, data_end, gen_port_off, 1024 + bpf_get_smp_processor_id());
	return 0;
}

SEC("xdp")
int bench_trafgen(struct xdp_md *ctx)
{
	if (next_flow(ctx))
		return XDP_ABORTED;
	return bpf_redirect(gen_ifindex, 0);
}

/* Set by userspace to end bench_amp's loop: the frames are dropped. */
__u32 amp_stop;

SEC("xdp")
int bench_amp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	/* Only the seeded IPv4 frames go round, nothing the kernel sent. */
	if (amp_stop || (void *)(eth + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	if (next_flow(ctx))
		return XDP_ABORTED;
	return bpf_redirect_map(&bench_amp_ports, 0, BPF_F_BROADCAST);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
