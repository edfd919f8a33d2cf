/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The load balancer's flow caches: per-CPU arrays (inlined lookups) of
 * what the tables (hash lookups: calls that cost more than the rest of
 * the path) said about a flow a moment ago. A packet whose flow is there
 * is sent on from the entry program itself, without the VIP lookup, the
 * table lookups or a call to the stage's global functions.
 *
 * An entry is trusted only while all of these hold, checked per packet:
 * - its key is the packet's flow, whole;
 * - the VIP generation is the one it was made in (xlbd bumps it after
 *   every change to the VIPs, so a deleted VIP's flows stop at once);
 * - it is younger than XLB_FCACHE_TTL_JIFFIES (a second at HZ 250). Then
 *   the packet goes through the tables again, which refreshes the LRU
 *   entries and the idle times the timeouts are judged by, and makes a
 *   new entry;
 * - for a client's flow: the packet carries no SYN, FIN or RST (those
 *   change a flow's state in the tables, and end its entry), and the
 *   backend is active,
 *   resolved and not down (read from xlb_backends, so a backend going
 *   down moves its flows, and a new next hop is used, at once).
 * Entries are made only for flows in xlb_conns that are not closing
 * (never for SYN-only flows, so a SYN flood does not touch the cache)
 * and for NAT replies whose next hop the kernel's FIB resolved. A
 * client's packet through the tables that makes no entry ends the
 * flow's: the tables may have moved the flow off a backend that comes
 * back later.
 */
#ifndef XLB_LB_CACHE_BPF_H
#define XLB_LB_CACHE_BPF_H

#include "lb_fwd.bpf.h"

/* The cache's "not here": the packet goes through the tables. */
#define XLB_LB_MISS (XLB_VERDICT_MAX + 1)

/* Packets with these TCP flags change a flow's state: tables only. */
#define XLB_TCP_STATEFUL (XLB_TCP_SYN | XLB_TCP_FIN | XLB_TCP_RST)

static __always_inline __u8 xlb_family_of(const struct xlb_pkt *pkt)
{
	return pkt->l3_proto == bpf_htons(ETH_P_IPV6) ? XLB_FAMILY_V6 :
							XLB_FAMILY_V4;
}

/* The last word of a flow key. */
union xlb_fkey_tail {
	struct {
		__be16 sport;
		__be16 dport;
		__u8 proto;
		__u8 family;
		__u16 pad;
	};
	__u64 w;
};

_Static_assert(sizeof(union xlb_fkey) == sizeof(struct xlb_flow_key) &&
		       __builtin_offsetof(struct xlb_flow_key, sport) == 32 &&
		       __builtin_offsetof(struct xlb_flow_key, dport) == 34 &&
		       __builtin_offsetof(struct xlb_flow_key, proto) == 36 &&
		       __builtin_offsetof(struct xlb_flow_key, family) == 37,
	       "xlb_fkey: a flow key, its last word xlb_fkey_tail");

/*
 * The packet's flow key. Written as whole words only, so that clang
 * keeps it in registers (struct xlb_pkt aligns the addresses for that).
 */
static __always_inline void xlb_fkey_of(const struct xlb_pkt *pkt, __u8 family,
					union xlb_fkey *fk)
{
	union xlb_fkey_tail t = { .sport = pkt->sport,
				  .dport = pkt->dport,
				  .proto = pkt->l4_proto,
				  .family = family };

	__builtin_memcpy(&fk->w[0], pkt->saddr, 2 * sizeof(__u64));
	__builtin_memcpy(&fk->w[2], pkt->daddr, 2 * sizeof(__u64));
	fk->w[4] = t.w;
}

/*
 * Multiply-shift over the key's words. The top bits give a flow's first
 * slot, the next ones its second slot (and a reply's one slot).
 */
static __always_inline __u64 xlb_fkey_hash(const union xlb_fkey *fk)
{
	__u64 h = (fk->w[0] ^ fk->w[1]) * 0x9e3779b97f4a7c15ull;

	return (h ^ fk->w[2] ^ fk->w[3] ^ fk->w[4]) * 0xc2b2ae3d27d4eb4full;
}

/* The first slot of this CPU's region of the flow cache. */
static __always_inline __u32 xlb_fcache_region(void)
{
	return bpf_get_smp_processor_id() << XLB_FCACHE_BITS;
}

/* A flow's first (which 0) or second slot in the region of one CPU. */
static __always_inline struct xlb_flow_cache *
xlb_fcache_slot(__u32 region, __u64 h, int which)
{
	__u32 slot = region | ((h >> (64 - (which + 1) * XLB_FCACHE_BITS)) &
			       (XLB_FCACHE_SLOTS - 1));

	return bpf_map_lookup_elem(&xlb_flow_cache, &slot);
}

static __always_inline bool xlb_key_is(const __u64 *key_words,
				       const union xlb_fkey *fk)
{
	return key_words[0] == fk->w[0] && key_words[1] == fk->w[1] &&
	       key_words[2] == fk->w[2] && key_words[3] == fk->w[3] &&
	       key_words[4] == fk->w[4];
}

/* The VIP generation in force (see XLB_VIP_GEN_LINE). */
static __always_inline __u32 xlb_vip_gen(void)
{
	__u32 line = XLB_VIP_GEN_LINE;
	const struct xlb_vip_gen *g =
		bpf_map_lookup_elem(&xlb_vip_hints, &line);

	return g ? g->gen : 0;
}

/* The jiffies entries expire by: their low 32 bits (wrap-safe). */
static __always_inline __u32 xlb_jiffies(void)
{
	return (__u32)bpf_jiffies64();
}

/* Was an entry made in generation gen and is it young enough? */
static __always_inline bool xlb_cache_fresh(__u32 gen, __u32 expires)
{
	return gen == xlb_vip_gen() && (__s32)(expires - xlb_jiffies()) > 0;
}

/*
 * The LB address a NAT flow of VIP vip leaves from towards backend b:
 * slot `slot` of the VIP's pool, or XLB_SNAT_ROUTE for the backend's
 * route source. NULL when the pool has no such slot.
 */
static __always_inline const __be32 *xlb_snat_of(__u32 vip, __u8 slot,
						 const struct xlb_backend *b)
{
	const struct xlb_snat_pool *p;

	if (slot == XLB_SNAT_ROUTE)
		return b->snat;
	p = bpf_map_lookup_elem(&xlb_snat_pools, &vip);
	if (!p || slot >= XLB_SNAT_MAX)
		return NULL;
	return p->addr[slot & (XLB_SNAT_MAX - 1)];
}

/* The slot holding flow fk, whatever its state, or NULL. */
static __always_inline struct xlb_flow_cache *
xlb_fcache_find(const union xlb_fkey *fk, __u64 h)
{
	__u32 region = xlb_fcache_region();
	struct xlb_flow_cache *e = xlb_fcache_slot(region, h, 0);

	if (e && xlb_key_is(e->key_words, fk))
		return e;
	e = xlb_fcache_slot(region, h, 1);
	if (e && xlb_key_is(e->key_words, fk))
		return e;
	return NULL;
}

/*
 * The slot for a new entry of flow fk: the one already holding it (a
 * flow is never in both), else a slot not in use (no flow, or stale),
 * else the older of the two.
 */
static __always_inline struct xlb_flow_cache *
xlb_fcache_victim(const union xlb_fkey *fk, __u64 h)
{
	__u32 region = xlb_fcache_region();
	struct xlb_flow_cache *e1 = xlb_fcache_slot(region, h, 0);
	struct xlb_flow_cache *e2 = xlb_fcache_slot(region, h, 1);

	if (!e1 || !e2)
		return NULL;
	if (xlb_key_is(e1->key_words, fk))
		return e1;
	if (xlb_key_is(e2->key_words, fk))
		return e2;
	if (!xlb_cache_fresh(e1->vip_gen, e1->expires))
		return e1;
	if (!xlb_cache_fresh(e2->vip_gen, e2->expires))
		return e2;
	return e1->expires <= e2->expires ? e1 : e2;
}

/*
 * Add the packets entry e sent for its flow to the flow's table entry c
 * (if the entry is that flow's and c is known), and start counting anew.
 */
static __always_inline void xlb_fcache_fold(struct xlb_flow_cache *e,
					    const union xlb_fkey *fk,
					    struct xlb_conn *c)
{
	if (!e->packets)
		return;
	if (c && xlb_key_is(e->key_words, fk))
		__sync_fetch_and_add(&c->packets, (__u64)e->packets);
	e->packets = 0;
}

/*
 * Forget flow fk (c: its table entry, or NULL): its state changes (SYN,
 * FIN or RST) in the tables.
 */
static __always_inline void xlb_fcache_drop(const union xlb_fkey *fk,
					    struct xlb_conn *c)
{
	struct xlb_flow_cache *e = xlb_fcache_find(fk, xlb_fkey_hash(fk));

	if (!e)
		return;
	xlb_fcache_fold(e, fk, c);
	e->expires = xlb_jiffies();
}

/*
 * Remember that flow fk goes to backend id of VIP vip as table entry c
 * (a copy) says; cp is the table's entry itself, or NULL.
 */
static __always_inline void xlb_fcache_put(const union xlb_fkey *fk, __u32 gen,
					   const struct xlb_vip *vip, __u32 id,
					   const struct xlb_conn *c,
					   struct xlb_conn *cp)
{
	struct xlb_flow_cache *e = xlb_fcache_victim(fk, xlb_fkey_hash(fk));

	if (!e)
		return;
	xlb_fcache_fold(e, fk, cp);
	for (int i = 0; i < 5; i++)
		e->key_words[i] = fk->w[i];
	e->expires = xlb_jiffies() + XLB_FCACHE_TTL_JIFFIES;
	e->vip_gen = gen;
	e->backend = id;
	e->vip = vip->id;
	e->mode = vip->mode;
	e->nat_port = c->nat_port;
	e->snat_slot = c->snat_slot;
}

static __always_inline struct xlb_reply_cache *
xlb_rcache_slot(const union xlb_fkey *fk)
{
	__u32 slot = xlb_fkey_hash(fk) >> (64 - XLB_RCACHE_BITS);

	return bpf_map_lookup_elem(&xlb_reply_cache, &slot);
}

/* Remember how NAT reply fk is rewritten and where it is sent. */
static __always_inline void xlb_rcache_put(const union xlb_fkey *fk, __u32 gen,
					   __u32 vip,
					   const struct xlb_nat_rw *rw,
					   const struct bpf_fib_lookup *fib)
{
	struct xlb_reply_cache *e = xlb_rcache_slot(fk);

	if (!e)
		return;
	for (int i = 0; i < 5; i++)
		e->key_words[i] = fk->w[i];
	e->expires = xlb_jiffies() + XLB_FCACHE_TTL_JIFFIES;
	e->vip_gen = gen;
	e->vip = vip;
	e->rw = *rw;
	e->ifindex = fib->ifindex;
	__builtin_memcpy(e->dmac, fib->dmac, ETH_ALEN);
	__builtin_memcpy(e->smac, fib->smac, ETH_ALEN);
}

/*
 * A client's packet through the cache: a verdict, or XLB_LB_MISS. The
 * packet is TCP or UDP, neither a fragment nor with IPv4 options.
 */
static __always_inline __u32 xlb_lb_cached(struct xdp_md *ctx,
					   const struct xlb_pkt *pkt,
					   const union xlb_fkey *fk,
					   __u64 bytes)
{
	struct xlb_flow_cache *e = xlb_fcache_find(fk, xlb_fkey_hash(fk));
	const struct xlb_backend *b;
	struct xlb_vip_stats *vs;
	const __be32 *snat = NULL;
	__u32 id, vip;

	if (!e || !xlb_cache_fresh(e->vip_gen, e->expires) ||
	    (pkt->tcp_flags & XLB_TCP_STATEFUL))
		return XLB_LB_MISS;
	id = e->backend;
	b = bpf_map_lookup_elem(&xlb_backends, &id);
	if (!b || (b->flags & (XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED |
			       XLB_BACKEND_DOWN)) !=
			  (XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED))
		return XLB_LB_MISS;
	vip = e->vip;
	if (e->mode == XLB_MODE_NAT) {
		snat = xlb_snat_of(vip, e->snat_slot, b);
		if (!snat)
			return XLB_LB_MISS;
	}
	e->packets++;
	vs = bpf_map_lookup_elem(&xlb_vip_stats, &vip);
	if (vs)
		vs->conn_hits++;
	return xlb_deliver(ctx, pkt, b, id, vs, snat, e->nat_port, bytes);
}

/* A NAT reply through the cache: a verdict, or XLB_LB_MISS. */
static __always_inline __u32 xlb_reply_cached(struct xdp_md *ctx,
					      const struct xlb_pkt *pkt,
					      const union xlb_fkey *fk,
					      __u64 bytes)
{
	const struct xlb_reply_cache *e = xlb_rcache_slot(fk);
	struct xlb_vip_stats *vs;
	__u32 vip;

	if (!e || !xlb_key_is(e->key_words, fk) ||
	    !xlb_cache_fresh(e->vip_gen, e->expires) ||
	    (pkt->tcp_flags & XLB_TCP_STATEFUL))
		return XLB_LB_MISS;
	if (xlb_nat_rewrite(ctx, pkt, e->rw.saddr, e->rw.daddr, e->rw.sport,
			    e->rw.dport))
		return xlb_abort(XLB_REASON_LB_REWRITE_TRUNCATED);
	vip = e->vip;
	vs = bpf_map_lookup_elem(&xlb_vip_stats, &vip);
	if (vs)
		xlb_ctr_add(&vs->fwd, bytes);
	return xlb_send(ctx, e->ifindex, e->dmac, e->smac);
}

#endif /* XLB_LB_CACHE_BPF_H */
