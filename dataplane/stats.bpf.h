/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The counters stage: one per-CPU slot per interface and hook, counting
 * packets and bytes by final verdict and by parsed class, and the global
 * per-CPU counters of packets that could not be parsed.
 */
#ifndef XLB_STATS_BPF_H
#define XLB_STATS_BPF_H

#include "maps.bpf.h"

static __always_inline void xlb_ctr_add(struct xlb_ctr *ctr, __u64 bytes)
{
	ctr->packets++;
	ctr->bytes += bytes;
}

/* Count one packet in entry id of a per-CPU map of struct xlb_ctr. */
static __always_inline void xlb_count_ctr(void *map, __u32 id, __u64 bytes)
{
	struct xlb_ctr *c = bpf_map_lookup_elem(map, &id);

	if (c)
		xlb_ctr_add(c, bytes);
}

/* The monitor's settings (monitor.bpf.h); flags 0 when nobody listens. */
static __always_inline const struct xlb_monitor_conf *xlb_mon_conf(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&xlb_monitor_conf, &key);
}

/* Count a packet's reason in xlb_reasons, and nothing else. */
static __always_inline void xlb_reason_inc(__u32 reason)
{
	struct xlb_reason_stats *rs =
		bpf_map_lookup_elem(&xlb_reasons, &reason);

	if (rs)
		rs->packets++;
}

/*
 * Count a packet's reason; while the monitor listens, note it too, for
 * the packet's event. Only for packets that go on to the monitor
 * (xlb_mon_wants(), which takes the note): a note nobody takes would be
 * given to the next packet this CPU hands the monitor.
 */
static __always_inline void xlb_count_reason(__u32 reason)
{
	const struct xlb_monitor_conf *mc = xlb_mon_conf();
	__u32 key = 0;

	xlb_reason_inc(reason);
	if (mc && mc->flags) {
		struct xlb_monitor_cpu *m =
			bpf_map_lookup_elem(&xlb_monitor_cpu, &key);

		if (m)
			m->reason = reason + 1;
	}
}

/*
 * Abort a packet for a reason, counted: every XDP_ABORTED and every
 * TC_ACT_SHOT the programs return has one.
 */
static __always_inline __u32 xlb_abort(__u32 reason)
{
	xlb_count_reason(reason);
	return XLB_VERDICT_ABORTED;
}

/* Count one packet at a hook of the interface in counter slot `slot`. */
static __always_inline void xlb_count(__u32 slot, enum xlb_hook hook,
				      __u32 verdict, __u32 pclass, __u64 bytes)
{
	__u32 key = slot * XLB_HOOK_MAX + hook;
	struct xlb_hook_stats *hs;

	hs = bpf_map_lookup_elem(&xlb_hook_stats, &key);
	if (!hs)
		return;
	/* Explicit bounds for the verifier: both indexes come from
	 * registers it cannot otherwise bound, and the barriers keep clang
	 * from dropping checks it can prove from code the verifier cannot
	 * (a global function's return value; clang 14, kernel 6.18). */
	barrier_var(verdict);
	barrier_var(pclass);
	if (verdict < XLB_VERDICT_MAX)
		xlb_ctr_add(&hs->verdict[verdict], bytes);
	if (pclass < XLB_PCLASS_MAX)
		xlb_ctr_add(&hs->pclass[pclass], bytes);
}

#endif /* XLB_STATS_BPF_H */
