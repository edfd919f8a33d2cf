// modules: filter filter_lists filter_state keytab rule maps loader config config_filter config_text log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Filter benchmark: ns per packet of xlb's XDP program with the filter
 * enabled, through BPF_PROG_TEST_RUN, with 0, 1,000 and 100,000 rules
 * and then 1,000,000 list prefixes, beside the parse-and-drop floor
 * measured in the same run. The filter does not rewrite packets, so
 * `repeat` runs the same frame every time (no restore needed). Each
 * figure is the median of several runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "filter.h"
#include "log.h"
#include "floor.skel.h"
#include "fixture.h"
#include "frames.h"

#define REPEAT 2000000
#define RUNS 7
#define MAX_RULES 100000
#define MAX_PREFIXES 1000000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median ns/packet of prog on frame over RUNS runs of REPEAT. */
static double measure(int prog_fd, const __u8 *frame, size_t len)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = 1 };
	double ns[RUNS];

	for (int r = 0; r < RUNS; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = REPEAT);

		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			perror("test run");
			return -1;
		}
		ns[r] = opts.duration;
	}
	qsort(ns, RUNS, sizeof(ns[0]), cmp_double);
	return ns[RUNS / 2];
}

/* n rules of one shape (src /32, drop), none matching the frame. */
static int add_rules(struct filter *f, __u32 from, __u32 to)
{
	char err[FILTER_ERRLEN];

	for (__u32 i = from; i < to; i++) {
		struct xlb_rule r = {
			.order = 1000 + i,
			.action = XLB_ACTION_DROP,
			.fields = XLB_FIELD_SRC,
			.src = { .family = XLB_FAMILY_V4, .plen = 32 },
		};
		__u32 a = 0xc6128000 + i; /* 198.18.128.0 + i, and on */

		r.src.addr[0] = a >> 24;
		r.src.addr[1] = a >> 16;
		r.src.addr[2] = a >> 8;
		r.src.addr[3] = a;
		if (filter_rule_add(f, &r, err, sizeof(err))) {
			fprintf(stderr, "rule %u: %s\n", i, err);
			return -1;
		}
	}
	return 0;
}

/*
 * n deny prefixes, none holding the frame's source: 100,000 IPv4 /32s
 * from 198.18.1.0 up, the rest IPv6 /128s in 2001:db8:9::/48.
 */
static int add_prefixes(struct filter *f, __u32 n)
{
	char err[FILTER_ERRLEN];
	int ret;

	filter_batch_begin(f);
	for (__u32 i = 0; i < n; i++) {
		struct xlb_list_entry e = { .list = XLB_LIST_DENY };
		__u32 v4 = 0xc6120100 + i; /* 198.18.1.0 + i */

		if (i < 100000) {
			e.prefix = (struct xlb_prefix){
				.family = XLB_FAMILY_V4,
				.plen = 32,
				.addr = { v4 >> 24, v4 >> 16, v4 >> 8, v4 }
			};
		} else {
			e.prefix = (struct xlb_prefix){
				.family = XLB_FAMILY_V6,
				.plen = 128,
				.addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 9, 0, 0, 0,
					  0, 0, 0, i >> 24, i >> 16, i >> 8, i }
			};
		}
		if (filter_list_add(f, &e, err, sizeof(err))) {
			fprintf(stderr, "prefix %u: %s\n", i, err);
			filter_batch_end(f);
			return -1;
		}
	}
	ret = filter_batch_end(f);
	return ret;
}

int main(void)
{
	struct xlb_iface ifc = { .slot = 0,
				 .stages = XLB_STAGE_FILTER,
				 .attach = XLB_ATTACH_XDP_NATIVE,
				 .active = 1 };
	double floor_ns, counters, zero, k1, k100, m1;
	struct floor *fl = NULL;
	struct filter_maps m;
	struct filter f;
	struct xlb *skel;
	char err[FILTER_ERRLEN];
	__u8 frame[128];
	size_t len;
	__u32 lo = 1;
	int xdp;

	log_set_level(LOG_WARNING);
	if (geteuid() != 0) {
		fprintf(stderr, "bench_filter: needs root\n");
		return 1;
	}
	if (fixture_open(&skel, MAX_RULES, MAX_PREFIXES, 0) ||
	    !(fl = floor__open_and_load())) {
		fprintf(stderr, "bench_filter: loading: %s\n", strerror(errno));
		return 1;
	}
	m = fixture_filter_maps(skel);
	if (filter_open(&f, &m, MAX_RULES, MAX_PREFIXES, err, sizeof(err)) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ifaces), &lo, &ifc,
				BPF_ANY)) {
		fprintf(stderr, "bench_filter: %s\n", err);
		return 1;
	}
	/* UDP 198.18.0.1 -> 198.18.0.2: matches no rule, no list entry. */
	len = frame_ipv4_udp(frame);
	xdp = bpf_program__fd(skel->progs.xlb_xdp);

	floor_ns = measure(bpf_program__fd(fl->progs.xlb_floor), frame, len);
	ifc.stages = 0;
	bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ifaces), &lo, &ifc,
			    BPF_ANY);
	counters = measure(xdp, frame, len);
	ifc.stages = XLB_STAGE_FILTER;
	bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ifaces), &lo, &ifc,
			    BPF_ANY);
	zero = measure(xdp, frame, len);
	if (add_rules(&f, 0, 1000))
		return 1;
	k1 = measure(xdp, frame, len);
	if (add_rules(&f, 1000, 100000))
		return 1;
	k100 = measure(xdp, frame, len);
	if (add_prefixes(&f, MAX_PREFIXES))
		return 1;
	m1 = measure(xdp, frame, len);

	printf("filter: ns/packet, BPF_PROG_TEST_RUN, median of %d runs of "
	       "%d; the frame is not rewritten, so it is not restored\n",
	       RUNS, REPEAT);
	printf("  %-44s %7.1f\n", "parse-and-drop floor", floor_ns);
	printf("  %-44s %7.1f\n", "counters only (filter off)", counters);
	printf("  %-44s %7.1f\n", "filter, 0 rules", zero);
	printf("  %-44s %7.1f\n", "filter, 1,000 rules (one shape)", k1);
	printf("  %-44s %7.1f\n", "filter, 100,000 rules (one shape)", k100);
	printf("  %-44s %7.1f\n", "filter, 100,000 rules + 1,000,000 prefixes",
	       m1);
	printf("  100k rules / 0 rules: %.2f (target <= 1.20)\n", k100 / zero);
	printf("  100k rules / floor:   %.2f (target <= 4)\n", k100 / floor_ns);
	printf("  1M prefixes / floor:  %.2f\n", m1 / floor_ns);
	printf("  shapes in use: %u; rules: %u; prefixes: %u\n",
	       f.nshapes[XLB_DIR_INGRESS][XLB_FAMILY_V4], f.n_rules,
	       f.n_entries);
	filter_close(&f);
	floor__destroy(fl);
	xlb__destroy(skel);
	return 0;
}
