/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The load balancer's connection tables: how a flow hashes to a ring slot,
 * how long its entry lives in each state (xlb_lb_conf), and the lookups
 * that find a flow's backend or tell whether a NAT port's owner is still
 * alive. Shared by the stage (lb.bpf.h), the NAT paths (lb_nat.bpf.h) and
 * xlbd's reaper (xlb.bpf.c), so that all of them judge a flow alike.
 */
#ifndef XLB_LB_CONN_BPF_H
#define XLB_LB_CONN_BPF_H

#include "maps.bpf.h"
#include "lb_fwd.bpf.h"

/* How often a flow's last-seen time is refreshed (cache line writes). */
#define XLB_SEEN_GRANULE_NS 1000000000ull

/* One word into a flow hash (MurmurHash3's block step). */
static __always_inline __u32 xlb_hash_word(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51;
	k = k << 15 | k >> 17;
	k *= 0x1b873593;
	h ^= k;
	h = h << 13 | h >> 19;
	return h * 5 + 0xe6546b64;
}

/*
 * Hash a flow to a ring slot (and a NAT port); the same flow always
 * hashes alike. The rotations carry every input bit into the low bits
 * the modulo keeps: a multiply alone never moves high bits down, so
 * flows differing only in their ports or the last bytes of their
 * addresses would share a slot.
 */
static __always_inline __u32 xlb_flow_hash(const struct xlb_flow_key *fk)
{
	__u32 h = 0x9747b28c;

	h = xlb_hash_word(h, fk->src[0]);
	h = xlb_hash_word(h, fk->dst[0]);
	if (fk->family == XLB_FAMILY_V6) {
		for (int i = 1; i < 4; i++) {
			h = xlb_hash_word(h, fk->src[i]);
			h = xlb_hash_word(h, fk->dst[i]);
		}
	}
	h = xlb_hash_word(h, (__u32)fk->sport << 16 | fk->dport);
	h = xlb_hash_word(h, fk->proto);
	/* MurmurHash3's finalizer: every bit moves every bit. */
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static __always_inline bool xlb_backend_usable(const struct xlb_backend *b)
{
	return b && (b->flags & XLB_BACKEND_ACTIVE) &&
	       !(b->flags & XLB_BACKEND_DOWN);
}

/* The time, read once per packet and only when a decision needs it. */
static __always_inline __u64 xlb_now(__u64 *now)
{
	if (!*now)
		*now = bpf_ktime_get_coarse_ns();
	return *now;
}

/* "Never expires": far beyond any timeout, and positive as an __s64. */
#define XLB_CONN_FOREVER (1ull << 62)

/*
 * How long an entry of a flow of protocol proto may stay idle: in
 * xlb_syns (syn), or in xlb_conns by its state. Without xlb_lb_conf
 * (an array's entry is always there: never) every entry lasts.
 */
static __always_inline __u64 xlb_conn_timeout(const struct xlb_conn *c,
					      __u8 proto, bool syn)
{
	__u32 key = 0;
	const struct xlb_lb_conf *lc = bpf_map_lookup_elem(&xlb_lb_conf, &key);

	if (!lc)
		return XLB_CONN_FOREVER;
	if (syn)
		return lc->syn_ns;
	if (proto != IPPROTO_TCP)
		return lc->udp_ns;
	if ((c->state & XLB_CONN_RST) ||
	    (c->state & XLB_CONN_FIN) == XLB_CONN_FIN)
		return lc->closed_ns;
	if (c->state & XLB_CONN_FIN)
		return lc->fin_ns;
	return lc->tcp_ns;
}

/*
 * Is entry c still good? Its seen time may be a little ahead of *now
 * (another CPU wrote it after this packet read the clock): alive.
 */
static __always_inline bool xlb_conn_live(const struct xlb_conn *c, __u8 proto,
					  bool syn, __u64 *now)
{
	return (__s64)(xlb_now(now) - c->seen_ns) <
	       (__s64)xlb_conn_timeout(c, proto, syn);
}

/*
 * A packet of the flow, from its client (in) or its backend: record FIN
 * and RST, and refresh its time, each only when that changes something
 * (a write dirties the entry's cache line for every CPU): the time once
 * XLB_SEEN_GRANULE_NS has passed, or when the state changes, so that a
 * closing flow's timeout counts from its close. An active flow's time
 * thus lags its last packet by less than the granule plus the flow
 * cache's XLB_FCACHE_TTL_JIFFIES (2 s at most, HZ >= 250), which is why
 * the timeouts of flows that may be cached are 3 s at least.
 */
static __always_inline void xlb_conn_touch(struct xlb_conn *c, __u8 flags,
					   bool in, __u64 *now)
{
	__u32 st = 0;

	if (flags & XLB_TCP_FIN)
		st |= in ? XLB_CONN_FIN_IN : XLB_CONN_FIN_OUT;
	if (flags & XLB_TCP_RST)
		st |= XLB_CONN_RST;
	if (st & ~c->state) {
		c->state |= st;
		c->seen_ns = xlb_now(now);
	} else if ((__s64)(xlb_now(now) - c->seen_ns) >
		   (__s64)XLB_SEEN_GRANULE_NS) {
		c->seen_ns = *now;
	}
}

/*
 * The live entry of flow fk in xlb_conns or, for TCP, xlb_syns (*syn
 * says which), or NULL.
 */
static __always_inline struct xlb_conn *
xlb_conn_find(const struct xlb_flow_key *fk, bool *syn, __u64 *now)
{
	struct xlb_conn *c = bpf_map_lookup_elem(&xlb_conns, fk);

	*syn = false;
	if (c && xlb_conn_live(c, fk->proto, false, now))
		return c;
	if (fk->proto != IPPROTO_TCP)
		return NULL;
	c = bpf_map_lookup_elem(&xlb_syns, fk);
	*syn = true;
	if (c && xlb_conn_live(c, fk->proto, true, now))
		return c;
	return NULL;
}

/* The flow that owns a NAT port, as its client sent it. */
static __always_inline void xlb_nat_owner(const struct xlb_nat_key *k,
					  const struct xlb_nat_val *v,
					  struct xlb_flow_key *fk)
{
	__builtin_memcpy(fk->src, v->client, sizeof(fk->src));
	__builtin_memcpy(fk->dst, v->vip, sizeof(fk->dst));
	fk->sport = v->cport;
	fk->dport = v->vport;
	fk->proto = k->proto;
	fk->family = k->family;
	fk->pad = 0;
}

static __always_inline bool xlb_addr_eq(const __be32 *a, const __be32 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* Does entry c send its flow from the LB address and port of key k? */
static __always_inline bool xlb_conn_holds(const struct xlb_conn *c,
					   const struct xlb_nat_key *k)
{
	return c->nat_port == k->lport && xlb_addr_eq(c->snat, k->lb);
}

/*
 * Is the port of NAT entry k -> v (whose tag was read as `tag`) still its
 * owner's? While the owner has a live entry in a connection table that
 * sends it from that address and port, or took the port less than
 * XLB_NAT_GRACE_NS ago (its table entry follows the port's). owner is
 * room for the owner's flow key.
 */
static __always_inline bool xlb_nat_alive(const struct xlb_nat_key *k,
					  const struct xlb_nat_val *v,
					  __u64 tag, struct xlb_flow_key *owner,
					  __u64 *now)
{
	__u32 born = tag >> 32;
	struct xlb_conn *c;
	bool syn;

	if ((__s32)((__u32)(xlb_now(now) >> XLB_NAT_BORN_SHIFT) - born) <
	    (__s32)(XLB_NAT_GRACE_NS >> XLB_NAT_BORN_SHIFT))
		return true;
	xlb_nat_owner(k, v, owner);
	c = xlb_conn_find(owner, &syn, now);
	return c && xlb_conn_holds(c, k);
}

#endif /* XLB_LB_CONN_BPF_H */
