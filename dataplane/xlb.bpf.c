// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The entry programs: one XDP program for every interface xlbd drives and
 * one tc program per direction (clsact, direct action). Each parses the
 * packet once and runs the interface's stages over that parse as a flat
 * pipeline; the counters stage always runs and records the final verdict.
 * Only the entries translate xlb verdicts into XDP_* and TC_ACT_* codes.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "xlb_abi.h"
#include "parse.bpf.h"
#include "maps.bpf.h"
#include "stats.bpf.h"
#include "filter.bpf.h"
#include "lb.bpf.h"
#include "monitor.bpf.h"

/* Linear bytes the tc programs need to parse every header xlb reads. */
#define XLB_TC_PULL_LEN 256

/* What the pipeline knows of one packet at one hook. */
struct xlb_ctx {
	struct xlb_pkt pkt;
	const struct xlb_iface *iface;
	enum xlb_hook hook;
	__u64 bytes;
};

/*
 * Does the filter run at this hook? Ingress filtering happens once: at
 * XDP, or at tc ingress when the interface has no XDP program.
 */
static __always_inline bool xlb_filter_here(const struct xlb_iface *ifc,
					    enum xlb_hook hook)
{
	if (!(ifc->stages & XLB_STAGE_FILTER))
		return false;
	if (hook == XLB_HOOK_TC_INGRESS)
		return !(ifc->attach &
			 (XLB_ATTACH_XDP_NATIVE | XLB_ATTACH_XDP_GENERIC));
	return true;
}

/*
 * Run the interface's stages over one parse and return the verdict. Each
 * stage returns a verdict or XLB_CONTINUE; the counters stage records
 * whatever the outcome is. The load balancer runs in XDP only (xdp is
 * NULL for tc), where it can send frames back out or redirect them.
 */
static __always_inline enum xlb_verdict
xlb_pipeline(struct xlb_ctx *x, struct xdp_md *xdp, void *data, void *data_end)
{
	const struct xlb_iface *ifc = x->iface;
	__u32 v = XLB_CONTINUE;

	if (xlb_parse(data, data_end, &x->pkt))
		xlb_count_reason(x->pkt.reason);

	if (xlb_filter_here(ifc, x->hook))
		v = xlb_filter(&x->pkt,
			       x->hook == XLB_HOOK_TC_EGRESS ? XLB_DIR_EGRESS :
							       XLB_DIR_INGRESS,
			       x->bytes);
	if (v == XLB_CONTINUE && xdp && (ifc->stages & XLB_STAGE_LB))
		v = xlb_lb_stage(xdp, &x->pkt, x->bytes);
	if (v >= XLB_CONTINUE)
		v = XLB_VERDICT_PASS;

	xlb_count(ifc->slot, x->hook, v, x->pkt.pclass, x->bytes);
	return v;
}

/*
 * A build for the upgrade test (XLB_BUILD_VARIANT set) differs from the
 * normal one in one instruction per program, maps unchanged.
 */
#ifdef XLB_BUILD_VARIANT
#define XLB_VARIANT_MARK() \
	asm volatile("r0 = %[v]" ::[v] "i"(XLB_BUILD_VARIANT) : "r0")
#else
#define XLB_VARIANT_MARK() \
	do {               \
	} while (0)
#endif

/*
 * Interface record of ifindex, or NULL (counted) when xlbd has none. Such
 * a packet ends here, before the monitor: its reason is not noted for it.
 */
static __always_inline const struct xlb_iface *xlb_iface_of(__u32 ifindex)
{
	const struct xlb_iface *ifc =
		bpf_map_lookup_elem(&xlb_ifaces, &ifindex);

	if (ifc && ifc->active)
		return ifc;
	xlb_reason_inc(XLB_REASON_UNKNOWN_IFACE);
	return NULL;
}

static __always_inline int xlb_xdp_action(enum xlb_verdict v)
{
	switch (v) {
	case XLB_VERDICT_DROP:
		return XDP_DROP;
	case XLB_VERDICT_TX:
		return XDP_TX;
	case XLB_VERDICT_REDIRECT:
		return XDP_REDIRECT;
	case XLB_VERDICT_ABORTED:
		return XDP_ABORTED;
	default:
		return XDP_PASS;
	}
}

static __always_inline int xlb_tc_action(enum xlb_verdict v)
{
	switch (v) {
	case XLB_VERDICT_DROP:
	case XLB_VERDICT_ABORTED:
		return TC_ACT_SHOT;
	case XLB_VERDICT_REDIRECT:
		return TC_ACT_REDIRECT;
	default:
		return TC_ACT_OK;
	}
}

SEC("xdp")
int xlb_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xlb_ctx x = { .hook = XLB_HOOK_XDP };

	__u32 v, reason = 0;

	XLB_VARIANT_MARK();
	x.iface = xlb_iface_of(ctx->ingress_ifindex);
	if (!x.iface)
		return XDP_PASS;
	x.bytes = data_end - data;
	v = xlb_pipeline(&x, ctx, data, data_end);
	if (xlb_mon_wants(v, &reason))
		xlb_mon_xdp(ctx, &x.pkt, xlb_mon_hv(x.hook, v, reason));
	return xlb_xdp_action(v);
}

static __always_inline int xlb_tc(struct __sk_buff *skb, enum xlb_hook hook)
{
	struct xlb_ctx x = { .hook = hook };
	__u32 want, v, reason = 0;
	void *data, *data_end;

	XLB_VARIANT_MARK();
	x.iface = xlb_iface_of(skb->ifindex);
	if (!x.iface)
		return TC_ACT_OK;
	x.bytes = skb->len;

	/* Headers may sit in paged data; make the first bytes linear. A
	 * failed pull leaves a shorter window, which parses as truncated. */
	want = skb->len < XLB_TC_PULL_LEN ? skb->len : XLB_TC_PULL_LEN;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (data + want > data_end)
		bpf_skb_pull_data(skb, want);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	v = xlb_pipeline(&x, NULL, data, data_end);
	if (xlb_mon_wants(v, &reason))
		xlb_mon_tc(skb, &x.pkt, xlb_mon_hv(hook, v, reason));
	return xlb_tc_action(v);
}

SEC("tc")
int xlb_tc_ingress(struct __sk_buff *skb)
{
	return xlb_tc(skb, XLB_HOOK_TC_INGRESS);
}

SEC("tc")
int xlb_tc_egress(struct __sk_buff *skb)
{
	return xlb_tc(skb, XLB_HOOK_TC_EGRESS);
}

/* One entry of xlbd's reaper: judged, and deleted when dead and asked. */
static __always_inline __u32 xlb_reap_one(__u32 table, bool reap,
					  struct xlb_reap_entry *re, __u64 *now)
{
	struct xlb_flow_key fk, owner;
	struct xlb_nat_key nk;
	struct xlb_nat_val *v;
	struct xlb_conn *c;
	void *map;
	__u64 tag;

	if (table == XLB_REAP_NAT) {
		nk = re->nat;
		v = bpf_map_lookup_elem(&xlb_nat_rev, &nk);
		if (!v)
			return XLB_REAP_GONE;
		tag = *(volatile __u64 *)&v->tag;
		if (tag != re->tag)
			return XLB_REAP_GONE;
		if (xlb_nat_alive(&nk, v, tag, &owner, now))
			return XLB_REAP_ALIVE;
		if (!reap)
			return XLB_REAP_DEAD;
		if (__sync_val_compare_and_swap(&v->tag, tag,
						XLB_NAT_REAPING) != tag)
			return XLB_REAP_GONE;
		bpf_map_delete_elem(&xlb_nat_rev, &nk);
		return XLB_REAP_DELETED;
	}
	fk = re->flow;
	map = table == XLB_REAP_SYNS ? (void *)&xlb_syns : (void *)&xlb_conns;
	c = bpf_map_lookup_elem(map, &fk);
	if (!c)
		return XLB_REAP_GONE;
	if (xlb_conn_live(c, fk.proto, table == XLB_REAP_SYNS, now))
		return XLB_REAP_ALIVE;
	if (!reap)
		return XLB_REAP_DEAD;
	bpf_map_delete_elem(map, &fk);
	return XLB_REAP_DELETED;
}

struct xlb_reap_loop {
	struct xlb_reap_args *a;
	__u64 now;
	__u32 deleted;
};

/* bpf_loop()'s step: entry i of the batch. */
static long xlb_reap_step(__u32 i, struct xlb_reap_loop *l)
{
	struct xlb_reap_args *a = l->a;
	struct xlb_reap_entry *re;
	__u32 r;

	if (i >= a->count)
		return 1;
	barrier_var(i);
	if (i >= XLB_REAP_BATCH)
		return 1;
	re = &a->e[i];
	r = xlb_reap_one(a->table, a->reap, re, &l->now);
	re->result = r;
	l->deleted += r == XLB_REAP_DELETED;
	return 0;
}

/*
 * xlbd's reaper (lb_conns.c), run through BPF_PROG_TEST_RUN on the batch
 * xlbd put in xlb_reap_buf: each entry's result written back there, and
 * the number deleted returned. (A syscall program's context cannot be
 * read at a varying offset, so the batch is in a map; bpf_loop() has the
 * verifier walk one entry, not each of the batch.)
 */
SEC("syscall")
int xlb_reap(void *ctx)
{
	__u32 key = 0;
	/* Syscall programs have no coarse clock: the fine one, which
	 * xlb_now() then never reads again (the verifier sees bit 0 set,
	 * so it never reaches the coarse clock's call either). */
	struct xlb_reap_loop l = { .now = bpf_ktime_get_ns() | 1 };

	l.a = bpf_map_lookup_elem(&xlb_reap_buf, &key);
	if (!l.a)
		return 0;
	l.a->now_ns = l.now;
	bpf_loop(XLB_REAP_BATCH, xlb_reap_step, &l, 0);
	return l.deleted;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
