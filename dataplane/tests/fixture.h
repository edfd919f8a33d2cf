/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Setup shared by the BPF tests and the benchmarks: the xlb skeleton
 * loaded with private (unpinned) maps of the given filter sizes, and the
 * filter module's view of those maps.
 */
#ifndef XLB_TEST_FIXTURE_H
#define XLB_TEST_FIXTURE_H

#include <errno.h>

#include <bpf/libbpf.h>

#include "filter.h"
#include "loader.h"
#include "maps.h"
#include "xlb.skel.h"

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

#endif /* XLB_TEST_FIXTURE_H */
