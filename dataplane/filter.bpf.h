/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The filter stage: ordered drop/pass rules, then the deny and allow
 * lists. Rules are found by shape (which fields, which prefix lengths):
 * one hash lookup per shape of the packet's direction and family, never a
 * scan over rules; the lowest order among matches decides. Lists are LPM
 * tries keyed by direction and address (source on ingress, destination on
 * egress). Fragments: the rule verdict of a first fragment is remembered
 * for the later ones, which carry no ports.
 */
#ifndef XLB_FILTER_BPF_H
#define XLB_FILTER_BPF_H

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "stats.bpf.h"
#include "xlb_hash.h"

/* A stage's "no verdict, go on" (not an ABI verdict). */
#define XLB_CONTINUE XLB_VERDICT_MAX

/* ICMPv6 neighbour discovery: router/neighbour solicit/advert, redirect. */
#define XLB_ND_FIRST 133
#define XLB_ND_LAST 137

#define XLB_PORT_FIELDS (XLB_FIELD_SPORT | XLB_FIELD_DPORT)

struct xlb_rule_hit {
	__u32 id; /* 0: no rule matched */
	__u32 order;
	__u32 action;
};

/* Could a rule have key k? The counting filter answers no for certain. */
static __always_inline bool xlb_key_maybe(const struct xlb_rule_key *k,
					  __u32 family)
{
	__u32 h = xlb_rule_key_hash(k, family);
	__u32 line = xlb_bloom_line_of(h);
	const struct xlb_bloom_line *b;

	b = bpf_map_lookup_elem(&xlb_rule_bloom, &line);
	return b && b->count[xlb_bloom_pos(h, 0)] &&
	       b->count[xlb_bloom_pos(h, 1)];
}

/* Look the packet up in one shape; keep it in *hit if it beats it. */
static __always_inline void xlb_try_shape(const struct xlb_shape *s,
					  const struct xlb_pkt *pkt,
					  struct xlb_rule_hit *hit)
{
	struct xlb_rule_key k = {};
	struct xlb_rule_val *v;

	k.shape = s->id;
	if (s->fields & XLB_FIELD_PROTO)
		k.proto = pkt->l4_proto;
	if (s->fields & XLB_FIELD_SPORT)
		k.sport = pkt->sport;
	if (s->fields & XLB_FIELD_DPORT)
		k.dport = pkt->dport;
	if (s->fields & XLB_FIELD_SRC)
		for (int j = 0; j < 4; j++)
			k.src[j] = pkt->saddr[j] & s->src_mask[j];
	if (s->fields & XLB_FIELD_DST)
		for (int j = 0; j < 4; j++)
			k.dst[j] = pkt->daddr[j] & s->dst_mask[j];
	if (!xlb_key_maybe(&k, pkt->l3_proto == bpf_htons(ETH_P_IPV6) ?
				       XLB_FAMILY_V6 :
				       XLB_FAMILY_V4))
		return;
	v = bpf_map_lookup_elem(&xlb_rules, &k);
	if (v && (!hit->id || v->order < hit->order)) {
		hit->id = v->id;
		hit->order = v->order;
		hit->action = v->action;
	}
}

/* The state of one walk over the shapes of a direction and family. */
struct xlb_shape_walk {
	const struct xlb_pkt *pkt;
	const struct xlb_shape_list *sl;
	struct xlb_rule_hit hit;
	bool no_ports;
};

/* bpf_loop callback: try shape i; 1 stops the walk. */
static long xlb_shape_step(__u32 i, void *ctx)
{
	struct xlb_shape_walk *w = ctx;
	const struct xlb_shape *s;

	if (i >= XLB_MAX_SHAPES)
		return 1;
	s = &w->sl->shapes[i];
	if (!(w->no_ports && (s->fields & XLB_PORT_FIELDS)))
		xlb_try_shape(s, w->pkt, &w->hit);
	return 0;
}

static long xlb_shape_step1(__u32 i, void *ctx)
{
	return xlb_shape_step(i + 1, ctx);
}

/*
 * The matching rule with the lowest order, if any: every shape of the
 * direction and family is tried. `no_ports` skips shapes with ports. The
 * walk is a bpf_loop (kernel 5.17+): as an unrolled or bounded loop, its
 * branches times the parser's paths exceed the verifier's budget (seen
 * with clang 14 on kernel 6.18).
 */
static __always_inline void xlb_match_rules(const struct xlb_filter_conf *fc,
					    const struct xlb_pkt *pkt,
					    __u32 dir, __u32 family,
					    bool no_ports,
					    struct xlb_rule_hit *hit)
{
	__u32 key = (fc->shape_gen & 1) * XLB_DIR_MAX * XLB_FAMILY_MAX +
		    dir * XLB_FAMILY_MAX + family;
	struct xlb_shape_walk w = { .pkt = pkt, .no_ports = no_ports };
	__u32 n;

	w.sl = bpf_map_lookup_elem(&xlb_shapes, &key);
	if (!w.sl)
		return;
	n = w.sl->count;
	if (n > XLB_MAX_SHAPES)
		n = XLB_MAX_SHAPES;
	if (n >= 1 && !(no_ports && (w.sl->shapes[0].fields & XLB_PORT_FIELDS)))
		xlb_try_shape(&w.sl->shapes[0], pkt, &w.hit);
	if (n > 1)
		bpf_loop(n - 1, xlb_shape_step1, &w, 0);
	*hit = w.hit;
}

/*
 * A fragment's datagram: keyed by what all its fragments name alike
 * (frag_proto), since a later IPv6 fragment whose Fragment header names
 * an extension header has no L4 protocol of its own.
 */
static __always_inline void xlb_frag_key_of(const struct xlb_pkt *pkt,
					    __u32 dir, __u32 family,
					    struct xlb_frag_key *fk)
{
	__builtin_memcpy(fk->src, pkt->saddr, sizeof(fk->src));
	__builtin_memcpy(fk->dst, pkt->daddr, sizeof(fk->dst));
	fk->id = pkt->frag_id;
	fk->proto = pkt->frag_proto;
	fk->family = family;
	fk->dir = dir;
}

/*
 * Rules for a packet: first fragments and whole packets by every shape
 * (a first fragment's result is remembered); later fragments by what
 * their first fragment got, or, when it was not seen, by port-less rules.
 * One call site of the shape walk keeps verification to one pass.
 */
static __always_inline void xlb_rules_for(const struct xlb_filter_conf *fc,
					  const struct xlb_pkt *pkt, __u32 dir,
					  __u32 family,
					  struct xlb_rule_hit *hit)
{
	bool later = pkt->flags & XLB_PKT_LATER_FRAGMENT;
	struct xlb_frag_key fk = {};
	struct xlb_frag_val fv, *seen;

	if (pkt->flags & XLB_PKT_FRAGMENT)
		xlb_frag_key_of(pkt, dir, family, &fk);
	if (later) {
		seen = bpf_map_lookup_elem(&xlb_frags, &fk);
		if (seen) {
			hit->id = seen->rule_id;
			hit->action = seen->action;
			return;
		}
	}
	xlb_match_rules(fc, pkt, dir, family, later, hit);
	if ((pkt->flags & XLB_PKT_FRAGMENT) && !later) {
		fv.rule_id = hit->id;
		fv.action = hit->action;
		bpf_map_update_elem(&xlb_frags, &fk, &fv, BPF_ANY);
	}
}

/* Look addr up in a list's trie for its family; entry id or 0. */
static __always_inline __u32 xlb_list_lookup(void *trie4, void *trie6,
					     __u32 family, __u32 dir,
					     const __be32 *addr)
{
	struct xlb_list_val *v;

	if (family == XLB_FAMILY_V4) {
		struct xlb_lpm4_key k = { .prefixlen = 8 + 32, .dir = dir };

		__builtin_memcpy(k.addr, addr, 4);
		v = bpf_map_lookup_elem(trie4, &k);
	} else {
		struct xlb_lpm6_key k = { .prefixlen = 8 + 128, .dir = dir };

		__builtin_memcpy(k.addr, addr, 16);
		v = bpf_map_lookup_elem(trie6, &k);
	}
	return v ? v->id : 0;
}

static __always_inline enum xlb_verdict xlb_drop(enum xlb_reason reason)
{
	xlb_count_reason(reason);
	return XLB_VERDICT_DROP;
}

/* The lists, for a packet no rule matched. Empty lists cost nothing. */
static __always_inline __u32 xlb_filter_lists(const struct xlb_filter_conf *fc,
					      const struct xlb_pkt *pkt,
					      __u32 dir, __u32 family,
					      __u64 bytes)
{
	const __be32 *addr = dir == XLB_DIR_INGRESS ? pkt->saddr : pkt->daddr;
	__u32 id;

	/* Masked behind a compiler barrier: otherwise clang drops the mask
	 * (it knows dir < 2), and the verifier, which lost that bound in a
	 * 32/64-bit copy, refuses the index (clang 14, kernel 6.18). */
	barrier_var(dir);
	barrier_var(family);
	dir &= 1;
	family &= 1;
	if (fc->deny_entries[dir][family]) {
		id = xlb_list_lookup(&xlb_deny4, &xlb_deny6, family, dir, addr);
		if (id) {
			xlb_count_ctr(&xlb_list_stats, id, bytes);
			return xlb_drop(XLB_REASON_FILTER_DENY);
		}
	}
	if (!fc->allow_entries[dir])
		return XLB_CONTINUE;
	id = xlb_list_lookup(&xlb_allow4, &xlb_allow6, family, dir, addr);
	if (!id)
		return xlb_drop(XLB_REASON_FILTER_NOT_ALLOWED);
	xlb_count_ctr(&xlb_list_stats, id, bytes);
	return XLB_CONTINUE;
}

/*
 * The stage: a drop verdict, or XLB_CONTINUE. A global function, so the
 * verifier checks it once on its own instead of once per parser path:
 * inlined, the three programs took 400,000 verified instructions each
 * and 2.3 s to load (clang 14, kernel 6.18).
 */
__noinline int xlb_filter(const struct xlb_pkt *pkt, __u32 dir, __u64 bytes)
{
	const struct xlb_filter_conf *fc;
	struct xlb_rule_hit hit = {};
	__u32 family, zero = 0;

	if (!pkt || dir >= XLB_DIR_MAX)
		return XLB_CONTINUE;
	/* ARP always passes, cut short too (the parse counted that). */
	if (pkt->l3_proto == bpf_htons(ETH_P_ARP))
		return XLB_CONTINUE;
	if (pkt->pclass == XLB_PCLASS_MALFORMED)
		return xlb_drop(
			pkt->flags & XLB_PKT_FRAGMENT &&
					pkt->reason == XLB_REASON_L4_TRUNCATED ?
				XLB_REASON_FILTER_FRAGMENT :
				XLB_REASON_FILTER_MALFORMED);
	if (pkt->pclass == XLB_PCLASS_OTHER)
		return XLB_CONTINUE;
	if (pkt->pclass == XLB_PCLASS_IPV6_ICMP &&
	    pkt->icmp_type >= XLB_ND_FIRST && pkt->icmp_type <= XLB_ND_LAST &&
	    !(pkt->flags & XLB_PKT_FRAGMENT))
		return XLB_CONTINUE;

	fc = bpf_map_lookup_elem(&xlb_filter_conf, &zero);
	if (!fc)
		return XLB_CONTINUE;
	family = pkt->l3_proto == bpf_htons(ETH_P_IPV6) ? XLB_FAMILY_V6 :
							  XLB_FAMILY_V4;
	xlb_rules_for(fc, pkt, dir, family, &hit);
	if (hit.id) {
		xlb_count_ctr(&xlb_rule_stats, hit.id, bytes);
		if (hit.action == XLB_ACTION_DROP)
			return xlb_drop(XLB_REASON_FILTER_RULE);
		return XLB_CONTINUE;
	}
	return xlb_filter_lists(fc, pkt, dir, family, bytes);
}

#endif /* XLB_FILTER_BPF_H */
