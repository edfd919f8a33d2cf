/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Setup shared by the BPF tests and the benchmarks: the xlb skeleton
 * loaded with private (unpinned) maps of the given filter sizes, and the
 * filter module's view of those maps.
 */
#ifndef XLB_TEST_FIXTURE_H
#define XLB_TEST_FIXTURE_H

#include <errno.h>
#include <sched.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "filter.h"
#include "loader.h"
#include "maps.h"
#include "xlb.skel.h"

/*
 * Keep the test on the CPU it runs on, from before its maps are made:
 * the flow caches, the monitor's notes, the NAT scratch room and the
 * connection tables' LRU lists are per CPU, and BPF_PROG_TEST_RUN runs
 * a program on the caller's CPU (XDP and tc programs have no CPU option
 * there), so a test that follows state across runs must make every run
 * on one CPU. 0 or -errno.
 */
static inline int fixture_pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * The skeleton with its maps sized as xlbd sizes them from `sizes`. The
 * connection timeouts are the defaults.
 */
static inline int fixture_open_sizes(struct xlb **skel,
				     const struct dp_sizes *sizes)
{
	struct xlb_lb_conf lc;
	struct bpf_map *map;
	int ret;

	*skel = xlb__open();
	if (!*skel)
		return -errno;
	bpf_object__for_each_map(map, (*skel)->obj)
		bpf_map__set_pin_path(map, NULL);
	ret = dp_size_maps(*skel, sizes);
	if (!ret)
		ret = xlb__load(*skel);
	maps_lb_conf_default(&lc);
	return ret ? ret :
		     maps_lb_conf_set(bpf_map__fd((*skel)->maps.xlb_lb_conf),
				      &lc);
}

/* The default sizes but the filter's and (unless 0) the connections'. */
static inline int fixture_open(struct xlb **skel, __u32 max_rules,
			       __u32 max_prefixes, __u32 max_conns)
{
	struct dp_sizes sizes;

	dp_sizes_default(&sizes);
	sizes.max_rules = max_rules;
	sizes.max_prefixes = max_prefixes;
	if (max_conns)
		sizes.max_conns = max_conns;
	return fixture_open_sizes(skel, &sizes);
}

static inline struct filter_maps fixture_filter_maps(struct xlb *skel)
{
	return (struct filter_maps){
		.shapes = bpf_map__fd(skel->maps.xlb_shapes),
		.rules = bpf_map__fd(skel->maps.xlb_rules),
		.rule_stats = bpf_map__fd(skel->maps.xlb_rule_stats),
		.rule_specs = bpf_map__fd(skel->maps.xlb_rule_specs),
		.allow4 = bpf_map__fd(skel->maps.xlb_allow4),
		.allow6 = bpf_map__fd(skel->maps.xlb_allow6),
		.deny4 = bpf_map__fd(skel->maps.xlb_deny4),
		.deny6 = bpf_map__fd(skel->maps.xlb_deny6),
		.list_stats = bpf_map__fd(skel->maps.xlb_list_stats),
		.list_specs = bpf_map__fd(skel->maps.xlb_list_specs),
		.conf = bpf_map__fd(skel->maps.xlb_filter_conf),
		.bloom = bpf_map__fd(skel->maps.xlb_rule_bloom),
	};
}

/* The entry program of a hook. */
static inline struct bpf_program *fixture_prog(struct xlb *skel,
					       enum xlb_hook hook)
{
	if (hook == XLB_HOOK_XDP)
		return skel->progs.xlb_xdp;
	return hook == XLB_HOOK_TC_INGRESS ? skel->progs.xlb_tc_ingress :
					     skel->progs.xlb_tc_egress;
}

/*
 * Run a frame of len bytes (at most 1024) once at a hook, XDP as
 * received on ifindex; *verdict gets the program's return value.
 * Returns 0 or -errno of the run.
 */
static inline int fixture_run(struct xlb *skel, enum xlb_hook hook,
			      __u32 ifindex, const __u8 *frame, size_t len,
			      int *verdict)
{
	struct xdp_md xctx = { .data_end = len, .ingress_ifindex = ifindex };
	__u8 out[1024];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	int err;

	if (hook == XLB_HOOK_XDP) {
		opts.ctx_in = &xctx;
		opts.ctx_size_in = sizeof(xctx);
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(fixture_prog(skel, hook)),
				     &opts);
	*verdict = opts.retval;
	return err;
}

#endif /* XLB_TEST_FIXTURE_H */
