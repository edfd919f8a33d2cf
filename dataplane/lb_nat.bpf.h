/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * NAT mode's own paths: taking a port for a new flow (from the VIP's snat
 * pool or the backend's route source), and translating the backends'
 * replies back, later fragments included.
 *
 * Ports: a new flow's hash picks a start among the pool's addresses x
 * XLB_NAT_PORT_COUNT ports and a step; of XLB_NAT_PORT_TRIES candidates
 * along it, the first that is free, already this flow's, or whose owner
 * is gone (xlb_nat_alive()) is taken. A port is thus free again as soon
 * as its flow's table entry has expired or gone, without anyone deleting
 * its xlb_nat_rev entry; xlbd's reaper deletes the entries no flow takes
 * over, with the same tag protocol (struct xlb_nat_val).
 */
#ifndef XLB_LB_NAT_BPF_H
#define XLB_LB_NAT_BPF_H

#include "lb_conn.bpf.h"
#include "lb_cache.bpf.h"

/* Is NAT entry v that of the flow whose reply entry would be w? */
static __always_inline bool xlb_nat_is(const struct xlb_nat_val *v,
				       const struct xlb_nat_val *w)
{
	return v->cport == w->cport && v->vport == w->vport &&
	       xlb_addr_eq(v->client, w->client) && xlb_addr_eq(v->vip, w->vip);
}

/* A claim's new tag: born now, one more take-over than `old`. */
static __always_inline __u64 xlb_nat_tag(__u64 old, __u64 *now)
{
	return (xlb_now(now) >> XLB_NAT_BORN_SHIFT) << 32 |
	       (__u32)((__u32)old + 1);
}

/*
 * Try to take port k for the flow whose reply entry is v. With `own`,
 * only an entry that is already the flow's will do. owner: room for a
 * flow key.
 */
static __always_inline bool xlb_nat_try(const struct xlb_nat_key *k,
					const struct xlb_nat_val *v, bool own,
					struct xlb_flow_key *owner, __u64 *now)
{
	struct xlb_nat_val *seen = bpf_map_lookup_elem(&xlb_nat_rev, k);
	__u64 tag;

	if (!seen)
		return !own &&
		       !bpf_map_update_elem(&xlb_nat_rev, k, v, BPF_NOEXIST);
	tag = *(volatile __u64 *)&seen->tag;
	if (tag == XLB_NAT_REAPING)
		return false;
	if (xlb_nat_is(seen, v)) {
		/* Its own (a flow made again): born again, so that the
		 * grace covers it until its table entry is back; not if
		 * the reaper marked it meanwhile, to delete it. */
		if (__sync_val_compare_and_swap(&seen->tag, tag,
						xlb_nat_tag(tag, now)) != tag)
			return false;
		seen->vip_id = v->vip_id;
		return true;
	}
	if (own || xlb_nat_alive(k, seen, tag, owner, now))
		return false;
	if (__sync_val_compare_and_swap(&seen->tag, tag,
					xlb_nat_tag(tag, now)) != tag)
		return false; /* taken over, or being reaped, meanwhile */
	__builtin_memcpy(seen->client, v->client, sizeof(v->client));
	__builtin_memcpy(seen->vip, v->vip, sizeof(v->vip));
	seen->cport = v->cport;
	seen->vport = v->vport;
	seen->vip_id = v->vip_id;
	return true;
}

/*
 * Take a port for new flow fk (hash h) of VIP vip to the backend of
 * entry c (c->backend), filling c's snat, snat_slot and nat_port. A flow
 * that is not new to its backend (`again`: TCP without a SYN, whose
 * entry was lost) first looks for the port it had. Returns 0, or -1
 * when no candidate is free. Its keys are in xlb_nat_scratch.
 */
static __always_inline int xlb_nat_take(const struct xlb_flow_key *fk,
					__u32 vip, __u32 h, int again,
					struct xlb_conn *c)
{
	const struct xlb_snat_pool *pool =
		bpf_map_lookup_elem(&xlb_snat_pools, &vip);
	const struct xlb_backend *b;
	struct xlb_nat_scratch *sc;
	__u32 n = pool ? pool->count : 0, span, start, step, id, key = 0;
	__u64 now = 0;

	sc = bpf_map_lookup_elem(&xlb_nat_scratch, &key);
	if (!fk || !c || !sc)
		return -1;
	id = c->backend;
	b = bpf_map_lookup_elem(&xlb_backends, &id);
	if (!b)
		return -1;
	__builtin_memset(&sc->k, 0, sizeof(sc->k));
	__builtin_memset(&sc->v, 0, sizeof(sc->v));
	sc->k.bport = b->port ? b->port : fk->dport;
	sc->k.proto = fk->proto;
	sc->k.family = fk->family;
	__builtin_memcpy(sc->k.backend, b->addr, sizeof(sc->k.backend));
	sc->v.cport = fk->sport;
	sc->v.vport = fk->dport;
	sc->v.vip_id = vip;
	__builtin_memcpy(sc->v.client, fk->src, sizeof(sc->v.client));
	__builtin_memcpy(sc->v.vip, fk->dst, sizeof(sc->v.vip));
	sc->v.tag = xlb_nat_tag(~0u, &now); /* born now, no take-over */
	if (n > XLB_SNAT_MAX)
		n = XLB_SNAT_MAX;
	span = (n ? n : 1) * XLB_NAT_PORT_COUNT;
	start = h % span;
	step = 1 + xlb_hash_word(h, 0x2545f491) % (span - 1);
	for (int pass = again ? 0 : 1; pass < 2; pass++) {
		__u32 pos = start;

		for (int i = 0; i < XLB_NAT_PORT_TRIES; i++) {
			__u32 slot = pos / XLB_NAT_PORT_COUNT;
			const __be32 *lb = b->snat;

			if (pool && n)
				lb = pool->addr[slot & (XLB_SNAT_MAX - 1)];

			__builtin_memcpy(sc->k.lb, lb, sizeof(sc->k.lb));
			sc->k.lport = bpf_htons(XLB_NAT_PORT_BASE +
						pos % XLB_NAT_PORT_COUNT);
			if (xlb_nat_try(&sc->k, &sc->v, pass == 0, &sc->owner,
					&now)) {
				__builtin_memcpy(c->snat, sc->k.lb,
						 sizeof(c->snat));
				c->snat_slot = n ? slot : XLB_SNAT_ROUTE;
				c->nat_port = sc->k.lport;
				return 0;
			}
			pos = (pos + step) % span;
		}
	}
	return -1;
}

#define XLB_AF_INET 2
#define XLB_AF_INET6 10

/*
 * Where a translated reply goes: the kernel's FIB's next hop for
 * rw.daddr (the client) from rw.saddr (the VIP). 0 or the FIB's code.
 */
static __always_inline int
xlb_reply_route(struct xdp_md *ctx, const struct xlb_pkt *pkt, __u8 family,
		const struct xlb_nat_rw *rw, struct bpf_fib_lookup *fib)
{
	fib->ifindex = ctx->ingress_ifindex;
	fib->l4_protocol = pkt->l4_proto;
	fib->sport = rw->sport;
	fib->dport = rw->dport;
	if (family == XLB_FAMILY_V4) {
		fib->family = XLB_AF_INET;
		fib->ipv4_src = rw->saddr[0];
		fib->ipv4_dst = rw->daddr[0];
	} else {
		fib->family = XLB_AF_INET6;
		__builtin_memcpy(fib->ipv6_src, rw->saddr,
				 sizeof(fib->ipv6_src));
		__builtin_memcpy(fib->ipv6_dst, rw->daddr,
				 sizeof(fib->ipv6_dst));
	}
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
}

/* Send a translated reply on, or pass it when the FIB cannot. */
static __always_inline __u32 xlb_reply_send(struct xdp_md *ctx,
					    const struct xlb_pkt *pkt,
					    __u8 family,
					    const struct xlb_nat_rw *rw,
					    struct bpf_fib_lookup *fib)
{
	if (xlb_reply_route(ctx, pkt, family, rw, fib) !=
	    BPF_FIB_LKUP_RET_SUCCESS) {
		xlb_count_reason(XLB_REASON_LB_UNRESOLVED);
		return XLB_VERDICT_PASS;
	}
	return xlb_send(ctx, fib->ifindex, fib->dmac, fib->smac);
}

/* The fragments key of a fragmented reply, as the backend sent it. */
static __always_inline void xlb_reply_frag_key(const struct xlb_pkt *pkt,
					       __u8 family,
					       struct xlb_frag_key *fk)
{
	__builtin_memset(fk, 0, sizeof(*fk));
	__builtin_memcpy(fk->src, pkt->saddr, sizeof(fk->src));
	__builtin_memcpy(fk->dst, pkt->daddr, sizeof(fk->dst));
	fk->id = pkt->frag_id;
	fk->proto = pkt->frag_proto;
	fk->family = family;
}

/*
 * A later fragment of a reply (no ports): rewritten as its first
 * fragment was, addresses only (the L4 checksum is in the first one).
 * Without a record it is passed to the kernel, counted: it may be the
 * LB's own, or its first fragment may not have come yet.
 */
static __always_inline __u32 xlb_reply_frag(struct xdp_md *ctx,
					    const struct xlb_pkt *pkt,
					    __u8 family, __u64 bytes,
					    struct xlb_nat_scratch *sc)
{
	struct xlb_vip_stats *vs;
	struct xlb_nat_frag *f;
	struct xlb_nat_rw rw = {};

	xlb_reply_frag_key(pkt, family, &sc->frag);
	f = bpf_map_lookup_elem(&xlb_nat_frags, &sc->frag);
	if (!f) {
		xlb_count_reason(XLB_REASON_LB_NAT_FRAG_UNMATCHED);
		return XLB_VERDICT_PASS;
	}
	__builtin_memcpy(rw.saddr, f->vip, sizeof(rw.saddr));
	__builtin_memcpy(rw.daddr, f->client, sizeof(rw.daddr));
	vs = bpf_map_lookup_elem(&xlb_vip_stats, &f->vip_id);
	if (xlb_nat_rewrite_l3(ctx, pkt, rw.saddr, rw.daddr) < 0)
		return xlb_abort(XLB_REASON_LB_REWRITE_TRUNCATED);
	if (vs)
		xlb_ctr_add(&vs->fwd, bytes);
	__builtin_memset(&sc->fib, 0, sizeof(sc->fib));
	return xlb_reply_send(ctx, pkt, family, &rw, &sc->fib);
}

/* A first fragment's record, for the later ones. */
static __always_inline void xlb_reply_frag_put(const struct xlb_pkt *pkt,
					       __u8 family,
					       const struct xlb_nat_val *v,
					       struct xlb_nat_scratch *sc)
{
	xlb_reply_frag_key(pkt, family, &sc->frag);
	__builtin_memset(&sc->fv, 0, sizeof(sc->fv));
	__builtin_memcpy(sc->fv.client, v->client, sizeof(sc->fv.client));
	__builtin_memcpy(sc->fv.vip, v->vip, sizeof(sc->fv.vip));
	sc->fv.vip_id = v->vip_id;
	bpf_map_update_elem(&xlb_nat_frags, &sc->frag, &sc->fv, BPF_ANY);
}

/*
 * A NAT reply: from a backend, to an snat address and a NAT port (a TCP
 * or UDP packet for no VIP, to an address whose hint says XLB_HINT_SNAT).
 * It is sent back from the VIP to the client, through the next hop the
 * kernel's FIB gives for the client; without a resolved neighbour it is
 * passed to the kernel, which routes it. The reply also keeps its flow's
 * table entry alive and records the backend's FIN or RST there. Replies
 * sent on are remembered in the reply cache. A global function, like
 * xlb_lb().
 */
__noinline int xlb_lb_reply(struct xdp_md *ctx, const struct xlb_pkt *pkt,
			    __u64 bytes)
{
	struct xlb_nat_scratch *sc;
	struct xlb_vip_stats *vs;
	struct xlb_nat_val *v;
	struct xlb_nat_rw rw;
	struct xlb_conn *c;
	__u32 port, gen, verdict, key = 0;
	union xlb_fkey fk;
	__u64 now = 0;
	__u8 family;
	bool syn;

	sc = bpf_map_lookup_elem(&xlb_nat_scratch, &key);
	if (!ctx || !pkt || !sc)
		return XLB_CONTINUE;
	family = xlb_family_of(pkt);
	if (pkt->flags & XLB_PKT_LATER_FRAGMENT)
		return xlb_reply_frag(ctx, pkt, family, bytes, sc);
	port = bpf_ntohs(pkt->dport);
	if (port < XLB_NAT_PORT_BASE ||
	    port >= XLB_NAT_PORT_BASE + XLB_NAT_PORT_COUNT)
		return XLB_CONTINUE;
	__builtin_memset(&sc->k, 0, sizeof(sc->k));
	sc->k.bport = pkt->sport;
	sc->k.lport = pkt->dport;
	sc->k.proto = pkt->l4_proto;
	sc->k.family = family;
	__builtin_memcpy(sc->k.backend, pkt->saddr, sizeof(sc->k.backend));
	__builtin_memcpy(sc->k.lb, pkt->daddr, sizeof(sc->k.lb));
	gen = xlb_vip_gen();
	v = bpf_map_lookup_elem(&xlb_nat_rev, &sc->k);
	if (!v)
		return XLB_CONTINUE;
	if (pkt->l4_off > XLB_L4_OFF_MAX) {
		xlb_count_reason(XLB_REASON_LB_HEADERS_TOO_LONG);
		return XLB_VERDICT_PASS;
	}
	__builtin_memcpy(rw.saddr, v->vip, sizeof(rw.saddr));
	__builtin_memcpy(rw.daddr, v->client, sizeof(rw.daddr));
	rw.sport = v->vport;
	rw.dport = v->cport;
	xlb_nat_owner(&sc->k, v, &sc->owner);
	/* Only an established flow's time and end: a SYN-only flow lives
	 * by its client's SYNs, or the backend's SYN-ACKs to a flood's
	 * sources would keep their ports for as long as it resends them. */
	c = xlb_conn_find(&sc->owner, &syn, &now);
	if (c && !syn && xlb_conn_holds(c, &sc->k))
		xlb_conn_touch(c, pkt->tcp_flags, false, &now);
	if (pkt->flags & XLB_PKT_FRAGMENT)
		xlb_reply_frag_put(pkt, family, v, sc);
	vs = bpf_map_lookup_elem(&xlb_vip_stats, &v->vip_id);
	if (xlb_nat_rewrite(ctx, pkt, rw.saddr, rw.daddr, rw.sport, rw.dport))
		return xlb_abort(XLB_REASON_LB_REWRITE_TRUNCATED);
	if (vs)
		xlb_ctr_add(&vs->fwd, bytes);
	__builtin_memset(&sc->fib, 0, sizeof(sc->fib));
	verdict = xlb_reply_send(ctx, pkt, family, &rw, &sc->fib);
	if (verdict == XLB_VERDICT_PASS || (pkt->flags & XLB_PKT_FRAGMENT) ||
	    (pkt->tcp_flags & XLB_TCP_STATEFUL))
		return verdict;
	xlb_fkey_of(pkt, family, &fk);
	xlb_rcache_put(&fk, gen, v->vip_id, &rw, &sc->fib);
	return verdict;
}

#endif /* XLB_LB_NAT_BPF_H */
