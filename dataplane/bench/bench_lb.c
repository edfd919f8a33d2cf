// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Load balancer benchmark (DSR): ns per packet of xlb's XDP program for a
 * new TCP flow (SYN), an established TCP flow, an established UDP flow,
 * an established IPv6 flow and a packet for no VIP, beside the
 * parse-and-drop floor measured the same way in the same run.
 *
 * The stage rewrites frames, and BPF_PROG_TEST_RUN's `repeat` does not
 * restore the frame between iterations. Two methods, each stated:
 * - established flows and non-VIP packets: `repeat`, after checking that
 *   the frame the stage sends is byte for byte the frame it is given
 *   again (DSR writes the same MACs each time, and the flow's state does
 *   not change), so every iteration sees the restored frame;
 * - new flows: one run per packet, each a fresh copy of the frame with a
 *   new source, against the floor measured one run per packet too (the
 *   per-run overhead, with cold caches, is in both).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lb_hints.h"
#include "log.h"
#include "floor.skel.h"
#include "fixture.h"
#include "frames.h"

#define ITERATIONS 200000
#define REPEAT 2000000
#define RUNS 5
#define BACKENDS 100
#define CONNS 1048576

static struct xlb *skel;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * One-packet runs: median over RUNS of the mean in-kernel ns; `vary`
 * makes every packet a new flow by changing its source address and port.
 */
static double measure(int prog_fd, const struct frame_spec *p, bool vary)
{
	struct xdp_md ctx = { .ingress_ifindex = 1 };
	__u8 frame[256], out[256];
	size_t len = frame_build(frame, p);
	double ns[RUNS];

	ctx.data_end = len;
	for (int r = 0; r < RUNS; r++) {
		__u64 total = 0;

		for (__u32 i = 0; i < ITERATIONS; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
				    .data_size_in = len, .data_out = out,
				    .data_size_out = sizeof(out),
				    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
				    .repeat = 1);
			__u32 n = r * ITERATIONS + i;

			if (vary) {
				/* source 198.19.x.y, port from n */
				frame[ETH_HLEN + 13] = 19;
				frame[ETH_HLEN + 14] = n >> 16;
				frame[ETH_HLEN + 15] = n >> 8;
				frame[ETH_HLEN + 20] = n;
				frame[ETH_HLEN + 21] = n >> 8 | 0x80;
			}
			if (bpf_prog_test_run_opts(prog_fd, &opts))
				return -1;
			total += opts.duration;
		}
		ns[r] = (double)total / ITERATIONS;
	}
	qsort(ns, RUNS, sizeof(ns[0]), cmp_double);
	return ns[RUNS / 2];
}

/*
 * `repeat` runs of a frame the stage leaves as it is: run it once, feed
 * the output back, and check the output then equals its input. Returns
 * the median ns over RUNS, or -1 if the frame would change.
 */
static double measure_repeat(int prog_fd, const struct frame_spec *p)
{
	struct xdp_md ctx = { .ingress_ifindex = 1 };
	__u8 frame[256], out[256];
	size_t len = frame_build(frame, p);
	double ns[RUNS];

	ctx.data_end = len;
	for (int r = -1; r < RUNS; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = len, .data_out = out,
			    .data_size_out = sizeof(out), .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx),
			    .repeat = r < 0 ? 1 : REPEAT);

		if (bpf_prog_test_run_opts(prog_fd, &opts))
			return -1;
		if (r < 0) {
			/* the first pass rewrites; from then on, no change */
			memcpy(frame, out, len);
			continue;
		}
		if (opts.data_size_out != len || memcmp(frame, out, len))
			return -1;
		ns[r] = opts.duration;
	}
	qsort(ns, RUNS, sizeof(ns[0]), cmp_double);
	return ns[RUNS / 2];
}

/* The same with the interface's stages set to `stages`, then back. */
static double measure_stages(int prog_fd, const struct frame_spec *p,
			     __u32 stages)
{
	int fd = bpf_map__fd(skel->maps.xlb_ifaces);
	struct xlb_iface ifc;
	__u32 lo = 1, saved;
	double ns;

	if (bpf_map_lookup_elem(fd, &lo, &ifc))
		return -1;
	saved = ifc.stages;
	ifc.stages = stages;
	bpf_map_update_elem(fd, &lo, &ifc, BPF_ANY);
	ns = measure_repeat(prog_fd, p);
	ifc.stages = saved;
	bpf_map_update_elem(fd, &lo, &ifc, BPF_ANY);
	return ns;
}

static int setup(void)
{
	struct xlb_iface ifc = { .stages = XLB_STAGE_LB,
				 .attach = XLB_ATTACH_XDP_NATIVE,
				 .active = 1 };
	static __u32 keys[XLB_RING_SIZE], vals[XLB_RING_SIZE];
	const char *vips[] = { "198.18.0.10", "198.18.0.11", "2001:db8::10" };
	const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_TCP };
	struct xlb_vip_key all[3];
	__u32 lo = 1, count;
	int ret = fixture_open(&skel, 64, 64, CONNS);

	for (__u32 id = 0; !ret && id < 2 * BACKENDS; id++) {
		struct xlb_backend b = {
			.flags = XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED,
			.ifindex = 1,
			.family = id < BACKENDS ? XLB_FAMILY_V4 : XLB_FAMILY_V6,
			.dmac = { 2, 0xbb, 0, 0, id >> 8, id },
			.smac = { 2, 0xaa, 0, 0, 0, 1 },
		};

		ret = bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_backends),
					  &id, &b, BPF_ANY);
	}
	for (__u32 v = 0; !ret && v < 3; v++) {
		struct xlb_vip_key k = { .port = htons(80),
					 .proto = protos[v] };
		struct xlb_vip val = { .id = v, .mode = XLB_MODE_DSR };

		k.family = v == 2 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
		inet_pton(v == 2 ? AF_INET6 : AF_INET, vips[v], k.addr);
		for (__u32 i = 0; i < XLB_RING_SIZE; i++) {
			keys[i] = v * XLB_RING_SIZE + i;
			vals[i] = (v == 2 ? BACKENDS : 0) + i % BACKENDS;
		}
		count = XLB_RING_SIZE;
		all[v] = k;
		ret = bpf_map_update_batch(bpf_map__fd(skel->maps.xlb_ring), keys, vals, &count, NULL) ?:
			      lb_hints_write(bpf_map__fd(skel->maps.xlb_vip_hints), all, v + 1, NULL, 0) ?:
			      bpf_map_update_elem(
				      bpf_map__fd(skel->maps.xlb_vips), &k,
				      &val, BPF_ANY);
	}
	return ret   ?:
		       bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ifaces),
					   &lo, &ifc, BPF_ANY);
}

int main(void)
{
	static const struct {
		const char *name;
		struct frame_spec p;
		bool vary;
	} cases[] = {
		{ "SYN, new flow",
		  { "198.18.5.1", "198.18.0.10", IPPROTO_TCP, 40000, 80 },
		  true },
		{ "TCP, established flow",
		  { "198.18.5.1", "198.18.0.10", IPPROTO_TCP, 40000, 80,
		    .tcp_flags = 0x10 } },
		{ "UDP, established flow",
		  { "198.18.5.1", "198.18.0.11", IPPROTO_UDP, 40000, 80 } },
		{ "IPv6 TCP, established flow",
		  { "2001:db8:5::1", "2001:db8::10", IPPROTO_TCP, 40000, 80,
		    .tcp_flags = 0x10 } },
		{ "not for a VIP",
		  { "198.18.5.1", "198.18.0.99", IPPROTO_TCP, 40000, 80 } },
	};
	static const struct frame_spec floor_pkt = { "198.18.5.1",
						     "198.18.0.10", IPPROTO_TCP,
						     40000, 80 };
	struct floor *fl;
	double floor_ns, floor1_ns;
	int xdp, floor_fd;

	log_set_level(LOG_WARNING);
	if (geteuid() != 0) {
		fprintf(stderr, "bench_lb: needs root\n");
		return 1;
	}
	fl = floor__open_and_load();
	if (!fl || setup()) {
		fprintf(stderr, "bench_lb: setup: %s\n", strerror(errno));
		return 1;
	}
	xdp = bpf_program__fd(skel->progs.xlb_xdp);
	floor_fd = bpf_program__fd(fl->progs.xlb_floor);
	floor_ns = measure_repeat(floor_fd, &floor_pkt);
	floor1_ns = measure(floor_fd, &floor_pkt, false);
	printf("lb (DSR): ns/packet; %d backends per VIP, %d-flow table\n",
	       BACKENDS, CONNS);
	printf("  repeat %d (frame checked to come out as it went in), "
	       "median of %d:\n",
	       REPEAT, RUNS);
	printf("  %-32s %7.1f\n", "parse-and-drop floor", floor_ns);
	printf("  %-32s %7.1f\n", "counters only (lb off)",
	       measure_stages(xdp, &cases[4].p, 0));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double ns;

		if (cases[i].vary)
			continue;
		ns = measure_repeat(xdp, &cases[i].p);
		printf("  %-32s %7.1f   (%.2f x floor)\n", cases[i].name, ns,
		       ns / floor_ns);
	}
	printf("  one run per packet, each a fresh frame, mean of %d, "
	       "median of %d:\n",
	       ITERATIONS, RUNS);
	printf("  %-32s %7.1f\n", "parse-and-drop floor", floor1_ns);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double ns;

		if (!cases[i].vary)
			continue;
		ns = measure(xdp, &cases[i].p, true);
		printf("  %-32s %7.1f   (floor + %.1f)\n", cases[i].name, ns,
		       ns - floor1_ns);
	}
	floor__destroy(fl);
	xlb__destroy(skel);
	return 0;
}
