// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The benchmarks' floor: the same single parse as xlb's programs, then
 * XDP_DROP. What xlb's XDP program costs beyond this is its stages.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "parse.bpf.h"

SEC("xdp")
int xlb_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xlb_pkt pkt = {};

	xlb_parse(data, data_end, &pkt);
	/* Keep the parse from being optimised away. */
	return pkt.pclass == XLB_PCLASS_MAX ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
