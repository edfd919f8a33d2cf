/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The packet monitor: while xlbd has a listener (xlb_monitor_conf.flags
 * set), the entry programs put an event in the xlb_monitor ring buffer
 * for every dropped or aborted packet and, with XLB_MON_ALL, for one in
 * `sample` of the others: where it was seen, the verdict, the reason
 * counted for it (xlb_count_reason() notes it in xlb_monitor_cpu), its
 * addresses and ports, its VIP and backend, and its first bytes as it
 * leaves. With nobody listening the cost is the load of the flags.
 */
#ifndef XLB_MONITOR_BPF_H
#define XLB_MONITOR_BPF_H

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "stats.bpf.h"
#include "lb.bpf.h"

static __always_inline bool xlb_verdict_dropped(__u32 v)
{
	return v == XLB_VERDICT_DROP || v == XLB_VERDICT_ABORTED;
}

/*
 * Does the monitor want an event for a packet of verdict v? Called for
 * every packet: with the monitor off, one load. With it on, the reason
 * noted for this packet is taken (*reason) and cleared for the next.
 */
static __always_inline bool xlb_mon_wants(__u32 v, __u32 *reason)
{
	const struct xlb_monitor_conf *mc = xlb_mon_conf();
	struct xlb_monitor_cpu *m;
	__u32 key = 0;

	if (!mc || !mc->flags)
		return false;
	m = bpf_map_lookup_elem(&xlb_monitor_cpu, &key);
	if (!m)
		return false;
	*reason = m->reason;
	m->reason = 0;
	if (xlb_verdict_dropped(v))
		return true;
	if (!(mc->flags & XLB_MON_ALL))
		return false;
	return mc->sample <= 1 || ++m->seq % mc->sample == 0;
}

/* The VIP and backend ids of a packet's flow, from the tables. */
static __always_inline void xlb_mon_flow(const struct xlb_pkt *pkt,
					 struct xlb_mon_event *e)
{
	struct xlb_flow_key fk = {};
	const struct xlb_vip *vip;
	struct xlb_nat_key nk = {};
	struct xlb_nat_val *nv;
	struct xlb_conn *c;
	__u64 now = 0;
	bool syn;

	e->vip = XLB_MON_NONE;
	e->backend = XLB_MON_NONE;
	if (pkt->l4_proto != IPPROTO_TCP && pkt->l4_proto != IPPROTO_UDP)
		return;
	__builtin_memcpy(fk.src, pkt->saddr, sizeof(fk.src));
	__builtin_memcpy(fk.dst, pkt->daddr, sizeof(fk.dst));
	fk.sport = pkt->sport;
	fk.dport = pkt->dport;
	fk.proto = pkt->l4_proto;
	fk.family = e->family;
	vip = xlb_vip_of(fk.dst, fk.dport, fk.proto, fk.family);
	if (!vip) {
		/* A NAT reply: its flow is the port's owner. */
		__builtin_memcpy(nk.backend, fk.src, sizeof(nk.backend));
		__builtin_memcpy(nk.lb, fk.dst, sizeof(nk.lb));
		nk.bport = fk.sport;
		nk.lport = fk.dport;
		nk.proto = fk.proto;
		nk.family = fk.family;
		nv = bpf_map_lookup_elem(&xlb_nat_rev, &nk);
		if (!nv)
			return;
		e->vip = nv->vip_id;
		xlb_nat_owner(&nk, nv, &fk);
	} else {
		e->vip = vip->id;
	}
	c = xlb_conn_find(&fk, &syn, &now);
	if (c && c->vip == e->vip)
		e->backend = c->backend;
}

/* Fill an event of a packet in the parse x, its frame len bytes long. */
static __always_inline void xlb_mon_fill(struct xlb_mon_event *e,
					 const struct xlb_pkt *pkt,
					 __u32 ifindex, __u32 len, __u32 hv)
{
	e->ts_ns = bpf_ktime_get_ns();
	e->ifindex = ifindex;
	e->len = len;
	e->hook = hv >> 16;
	e->verdict = hv >> 8;
	e->reason = hv;
	e->pclass = pkt->pclass;
	e->proto = pkt->l4_proto;
	e->family = xlb_family_of(pkt);
	e->sport = pkt->sport;
	e->dport = pkt->dport;
	e->pad = 0;
	__builtin_memcpy(e->saddr, pkt->saddr, sizeof(e->saddr));
	__builtin_memcpy(e->daddr, pkt->daddr, sizeof(e->daddr));
	if (pkt->pclass == XLB_PCLASS_MALFORMED ||
	    pkt->pclass == XLB_PCLASS_ARP || pkt->pclass == XLB_PCLASS_OTHER) {
		e->vip = XLB_MON_NONE;
		e->backend = XLB_MON_NONE;
		return;
	}
	xlb_mon_flow(pkt, e);
}

_Static_assert((XLB_MON_SNAPLEN & (XLB_MON_SNAPLEN - 1)) == 0,
	       "XLB_MON_SNAPLEN: a power of two");

/*
 * The bytes of the frame (len >= 1) an event holds: 1 to
 * XLB_MON_SNAPLEN. The last steps are in asm so that the verifier sees
 * the bounds of the very register the helper gets (clang 14 otherwise
 * passes the unclamped copy).
 */
static __always_inline __u32 xlb_mon_caplen(__u32 len)
{
	__u64 cap = len < XLB_MON_SNAPLEN ? len : XLB_MON_SNAPLEN;

	asm volatile("%[c] += -1; %[c] &= %[m]; %[c] += 1"
		     : [c] "+r"(cap)
		     : [m] "i"(XLB_MON_SNAPLEN - 1));
	return cap;
}

/* A reserved event, or NULL (counted as lost) when the ring is full. */
static __always_inline struct xlb_mon_event *xlb_mon_reserve(void)
{
	struct xlb_mon_event *e =
		bpf_ringbuf_reserve(&xlb_monitor, sizeof(*e), 0);
	struct xlb_monitor_cpu *m;
	__u32 key = 0;

	m = bpf_map_lookup_elem(&xlb_monitor_cpu, &key);
	if (m) {
		if (e)
			m->events++;
		else
			m->lost++;
	}
	return e;
}

/*
 * An event for a packet at the XDP hook. hv: hook << 16 | verdict << 8 |
 * reason byte. A global function: the monitor's instructions are
 * verified once, apart from the pipeline's.
 */
__noinline int xlb_mon_xdp(struct xdp_md *ctx, const struct xlb_pkt *pkt,
			   __u32 hv)
{
	struct xlb_mon_event *e;
	__u32 len, cap;

	if (!ctx || !pkt)
		return 0;
	len = ctx->data_end - ctx->data;
	e = xlb_mon_reserve();
	if (!e)
		return 0;
	xlb_mon_fill(e, pkt, ctx->ingress_ifindex, len, hv);
	cap = xlb_mon_caplen(len);
	if (bpf_xdp_load_bytes(ctx, 0, e->data, cap))
		cap = 0;
	e->cap_len = cap;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The same at a tc hook. */
__noinline int xlb_mon_tc(struct __sk_buff *skb, const struct xlb_pkt *pkt,
			  __u32 hv)
{
	struct xlb_mon_event *e;
	__u32 len, cap;

	if (!skb || !pkt)
		return 0;
	len = skb->len;
	e = xlb_mon_reserve();
	if (!e)
		return 0;
	xlb_mon_fill(e, pkt, skb->ifindex, len, hv);
	cap = xlb_mon_caplen(len);
	if (bpf_skb_load_bytes(skb, 0, e->data, cap))
		cap = 0;
	e->cap_len = cap;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The hv argument of xlb_mon_xdp()/xlb_mon_tc(). */
static __always_inline __u32 xlb_mon_hv(enum xlb_hook hook, __u32 verdict,
					__u32 reason)
{
	return (__u32)hook << 16 | (verdict & 0xff) << 8 |
	       (reason ? (reason - 1) & 0xff : XLB_MON_NO_REASON);
}

#endif /* XLB_MONITOR_BPF_H */
