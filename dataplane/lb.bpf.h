/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The load balancer stage, in XDP. A packet for a VIP is pinned to a
 * backend by its flow: looked up in the connection tables, or given one
 * from the VIP's Maglev ring (a new flow). In DSR mode the frame is
 * rewritten at L2 only (next-hop and interface MACs); in NAT mode it is
 * also sent from the LB's address and a port of its own to the backend's
 * address, and replies are translated back. Either way it leaves through
 * the receiving interface (XDP_TX) or another (XDP_REDIRECT through
 * xlb_tx_ports).
 * ICMP errors about a VIP flow (fragmentation needed, packet too big)
 * go to the flow's backend. IP fragments and IPv4 options for a VIP are
 * passed to the kernel and counted: a fragment has no ports to hash, and
 * options are rare enough to leave to the stack. Flows the tables send
 * on are remembered in the flow caches (lb_cache.bpf.h), through which
 * their next packets go without a table lookup. How long a flow's entry
 * lives is in lb_conn.bpf.h; NAT's ports and replies in lb_nat.bpf.h.
 */
#ifndef XLB_LB_BPF_H
#define XLB_LB_BPF_H

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "stats.bpf.h"
#include "filter.bpf.h"
#include "xlb_hash.h"
#include "lb_fwd.bpf.h"
#include "lb_cache.bpf.h"
#include "lb_conn.bpf.h"
#include "lb_nat.bpf.h"

/* ICMP types that carry the packet that caused them. */
#define XLB_ICMP_DEST_UNREACH 3
#define XLB_ICMP_TIME_EXCEEDED 11
#define XLB_ICMPV6_DEST_UNREACH 1
#define XLB_ICMPV6_PKT_TOOBIG 2
#define XLB_ICMPV6_TIME_EXCEED 3

/* xlb_new_flow()'s "no free NAT port" (XLB_NO_BACKEND: an empty ring). */
#define XLB_NAT_FULL (XLB_NO_BACKEND - 1)

static __always_inline bool xlb_bare_syn(__u8 flags)
{
	return (flags & XLB_TCP_SYN) && !(flags & XLB_TCP_ACK);
}

/*
 * The flow's backend from the tables: xlb_conns, then (TCP) xlb_syns,
 * where a handshake's second packet promotes the flow: the client's own
 * (from_client), never an ICMP error about the flow. XLB_NO_BACKEND
 * when the flow is new, expired, of another VIP (whose ids have been
 * reused since), or its backend went away or down. The packet is
 * counted in the entry; *out gets a copy of it, *cp the entry itself when
 * it is in xlb_conns (NULL otherwise). *reopen: the packet is a bare SYN
 * on the ports of a flow that has shown its end, whose entry it deleted.
 */
static __always_inline __u32 xlb_conn_backend(
	const struct xlb_flow_key *fk, __u32 vip, __u8 flags, bool from_client,
	__u64 *now, struct xlb_conn *out, struct xlb_conn **cp, bool *reopen)
{
	struct xlb_conn *c = bpf_map_lookup_elem(&xlb_conns, fk);
	const struct xlb_backend *b;

	*cp = NULL;
	*reopen = false;
	/* A flow that has shown its end is gone for a bare SYN: a new
	 * connection on its ports, placed afresh (its next packets must
	 * not find the old entry). */
	if (c && (c->state & (XLB_CONN_FIN | XLB_CONN_RST)) &&
	    xlb_bare_syn(flags)) {
		bpf_map_delete_elem(&xlb_conns, fk);
		*reopen = true;
		c = NULL;
	}
	if (c && c->vip == vip && xlb_conn_live(c, fk->proto, false, now)) {
		b = bpf_map_lookup_elem(&xlb_backends, &c->backend);
		if (xlb_backend_usable(b)) {
			xlb_conn_touch(c, flags, true, now);
			__sync_fetch_and_add(&c->packets, 1);
			*out = *c;
			*cp = c;
			return c->backend;
		}
	}
	if (fk->proto != IPPROTO_TCP)
		return XLB_NO_BACKEND;
	c = bpf_map_lookup_elem(&xlb_syns, fk);
	if (!c || c->vip != vip || !xlb_conn_live(c, fk->proto, true, now))
		return XLB_NO_BACKEND;
	b = bpf_map_lookup_elem(&xlb_backends, &c->backend);
	if (!xlb_backend_usable(b))
		return XLB_NO_BACKEND;
	xlb_conn_touch(c, flags, true, now);
	if (from_client && !xlb_bare_syn(flags)) {
		/* The handshake goes on: the flow is established, its entry
		 * moved (this CPU alone moves it: a flow's packets come in on
		 * one queue). */
		c->packets++;
		bpf_map_update_elem(&xlb_conns, fk, c, BPF_ANY);
		*out = *c;
		bpf_map_delete_elem(&xlb_syns, fk);
		return out->backend;
	}
	__sync_fetch_and_add(&c->packets, 1);
	*out = *c;
	return c->backend;
}

/*
 * A new flow: its backend from the ring, remembered in a table (*c, as
 * written), and in NAT mode a port of its own. XLB_NO_BACKEND for an
 * empty ring, XLB_NAT_FULL when no port is free.
 *
 * A TCP flow without a SYN (its entry was lost), and one reopened (see
 * xlb_conn_backend()), first look for the NAT port the flow had. The
 * reopened one must: an RST or FIN ends the flow cache entry of the CPU
 * that sees it only, so for up to XLB_FCACHE_TTL_JIFFIES the other CPUs
 * may send the new connection's packets with the old one's port (which
 * no other flow can have taken meanwhile: the old entry held it).
 */
static __always_inline __u32 xlb_new_flow(const struct xlb_flow_key *fk,
					  const struct xlb_vip *vip, __u8 flags,
					  bool reopen, __u64 *now,
					  struct xlb_conn *c)
{
	__u32 h = xlb_flow_hash(fk);
	__u32 slot = vip->id * XLB_RING_SIZE + h % XLB_RING_SIZE;
	__u32 *id = bpf_map_lookup_elem(&xlb_ring, &slot);
	struct xlb_backend_stats *bs;

	if (!id || *id == XLB_NO_BACKEND)
		return XLB_NO_BACKEND;
	*c = (struct xlb_conn){ .backend = *id,
				.vip = vip->id,
				.seen_ns = xlb_now(now),
				.created_ns = *now,
				.packets = 1,
				.snat_slot = XLB_SNAT_ROUTE };
	xlb_conn_touch(c, flags, true, now);
	if (vip->mode == XLB_MODE_NAT &&
	    xlb_nat_take(fk, vip->id, h,
			 reopen || (fk->proto == IPPROTO_TCP &&
				    !(flags & XLB_TCP_SYN)),
			 c))
		return XLB_NAT_FULL;
	if (fk->proto == IPPROTO_TCP && xlb_bare_syn(flags))
		bpf_map_update_elem(&xlb_syns, fk, c, BPF_ANY);
	else
		bpf_map_update_elem(&xlb_conns, fk, c, BPF_ANY);
	bs = bpf_map_lookup_elem(&xlb_backend_stats, &c->backend);
	if (bs)
		bs->new_flows++;
	return c->backend;
}

/* The hint byte of a destination address: XLB_HINT_* flags, or 0. */
static __always_inline __u8 xlb_hint_of(const __be32 *addr, __u8 family)
{
	__u32 h = xlb_addr_hash(addr, family), line = xlb_hint_line(h);
	const struct xlb_bloom_line *hints;

	hints = bpf_map_lookup_elem(&xlb_vip_hints, &line);
	return hints ? hints->count[xlb_hint_pos(h)] : 0;
}

/*
 * The VIP of a destination whose hint byte is hint, looked up only where
 * the hint says one may be.
 */
static __always_inline const struct xlb_vip *
xlb_vip_lookup(__u8 hint, const __be32 *addr, __be16 port, __u8 proto,
	       __u8 family)
{
	struct xlb_vip_key k = { .port = port,
				 .proto = proto,
				 .family = family };
	const struct xlb_vip *vip;

	if (!(hint & (XLB_HINT_PORT | XLB_HINT_ALL_PORTS)))
		return NULL;
	__builtin_memcpy(k.addr, addr, sizeof(k.addr));
	if (hint & XLB_HINT_PORT) {
		vip = bpf_map_lookup_elem(&xlb_vips, &k);
		if (vip)
			return vip;
	}
	if (!(hint & XLB_HINT_ALL_PORTS))
		return NULL;
	k.port = 0;
	return bpf_map_lookup_elem(&xlb_vips, &k);
}

/* The same, hint and all, for a destination out of a packet's payload. */
static __always_inline const struct xlb_vip *
xlb_vip_of(const __be32 *addr, __be16 port, __u8 proto, __u8 family)
{
	return xlb_vip_lookup(xlb_hint_of(addr, family), addr, port, proto,
			      family);
}

/* Count a packet's table lookup for its VIP; the VIP's counters. */
static __always_inline struct xlb_vip_stats *xlb_vip_count(__u32 vip_id,
							   bool hit, bool fresh)
{
	struct xlb_vip_stats *vs = bpf_map_lookup_elem(&xlb_vip_stats, &vip_id);

	if (!vs)
		return NULL;
	if (hit)
		vs->conn_hits++;
	else
		vs->conn_misses++;
	if (fresh)
		vs->new_flows++;
	return vs;
}

/*
 * Send the frame to backend id as table entry c says, or pass it when
 * its next hop is unknown. *cacheable: the flow cache may send the
 * flow's next packets alike (its NAT address is where the cache finds
 * it: in the pool slot it names, or the backend's route source).
 */
static __always_inline __u32 xlb_forward(struct xdp_md *ctx,
					 const struct xlb_pkt *pkt, __u32 id,
					 const struct xlb_vip *vip,
					 struct xlb_vip_stats *vs,
					 const struct xlb_conn *c, __u64 bytes,
					 bool *cacheable)
{
	const struct xlb_backend *b = bpf_map_lookup_elem(&xlb_backends, &id);
	const __be32 *snat = NULL, *cached;

	*cacheable = false;
	if (!b || !(b->flags & XLB_BACKEND_RESOLVED)) {
		xlb_count_reason(XLB_REASON_LB_UNRESOLVED);
		return XLB_VERDICT_PASS;
	}
	*cacheable = true;
	if (vip->mode == XLB_MODE_NAT) {
		snat = c->snat;
		cached = xlb_snat_of(vip->id, c->snat_slot, b);
		*cacheable = cached && xlb_addr_eq(cached, snat);
	}
	return xlb_deliver(ctx, pkt, b, id, vs, snat, c->nat_port, bytes);
}

/*
 * The flow an ICMP error is about. Its inner packet is one the backend
 * sent from the VIP to the client, so the flow is that packet reversed.
 * Returns the inner protocol, or 0 when the error is not about a TCP or
 * UDP packet the error's datagram holds whole enough to read the ports
 * of (link padding after it is not part of it).
 */
static __always_inline __u8 xlb_icmp_flow(struct xdp_md *ctx,
					  const struct xlb_pkt *pkt,
					  struct xlb_flow_key *fk)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 off = pkt->l4_off, need = sizeof(struct xlb_icmp_hdr) + 4;
	__be16 *ports;
	void *inner;
	__u8 proto;

	barrier_var(off);
	if (off > XLB_L4_OFF_MAX) {
		xlb_count_reason(XLB_REASON_LB_HEADERS_TOO_LONG);
		return 0;
	}
	inner = data + off + sizeof(struct xlb_icmp_hdr);

	if (pkt->l3_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ih = inner;

		if ((void *)(ih + 1) > data_end || ih->ihl != 5)
			return 0;
		proto = ih->protocol;
		ports = (void *)(ih + 1);
		need += sizeof(*ih);
		fk->src[0] = ih->daddr;
		fk->dst[0] = ih->saddr;
		fk->family = XLB_FAMILY_V4;
	} else {
		struct ipv6hdr *ih = inner;

		if ((void *)(ih + 1) > data_end)
			return 0;
		proto = ih->nexthdr;
		ports = (void *)(ih + 1);
		need += sizeof(*ih);
		__builtin_memcpy(fk->src, &ih->daddr, sizeof(fk->src));
		__builtin_memcpy(fk->dst, &ih->saddr, sizeof(fk->dst));
		fk->family = XLB_FAMILY_V6;
	}
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
	    (void *)(ports + 2) > data_end || need > pkt->l4_len)
		return 0;
	fk->sport = ports[1];
	fk->dport = ports[0];
	fk->proto = proto;
	return proto;
}

static __always_inline bool xlb_is_icmp_error(const struct xlb_pkt *pkt)
{
	if (pkt->flags & XLB_PKT_FRAGMENT)
		return false;
	if (pkt->pclass == XLB_PCLASS_IPV4_ICMP)
		return pkt->icmp_type == XLB_ICMP_DEST_UNREACH ||
		       pkt->icmp_type == XLB_ICMP_TIME_EXCEEDED;
	if (pkt->pclass == XLB_PCLASS_IPV6_ICMP)
		return pkt->icmp_type == XLB_ICMPV6_DEST_UNREACH ||
		       pkt->icmp_type == XLB_ICMPV6_PKT_TOOBIG ||
		       pkt->icmp_type == XLB_ICMPV6_TIME_EXCEED;
	return false;
}

/*
 * An ICMP error for a VIP flow goes where the flow goes. A global
 * function, like xlb_lb().
 */
__noinline int xlb_lb_icmp(struct xdp_md *ctx, const struct xlb_pkt *pkt,
			   __u64 bytes)
{
	struct xlb_flow_key fk = {};
	const struct xlb_vip *vip;
	__u32 id, vip_id;

	if (!ctx || !pkt)
		return XLB_CONTINUE;
	if (!xlb_icmp_flow(ctx, pkt, &fk))
		return XLB_CONTINUE;
	vip = xlb_vip_of(fk.dst, fk.dport, fk.proto, fk.family);
	/* NAT flows' errors reach the LB about its own packets to the
	 * backend; they are left to the kernel. */
	if (!vip || vip->mode != XLB_MODE_DSR)
		return XLB_CONTINUE;
	struct xlb_conn c = {}, *cp;
	bool cacheable, reopen;
	__u64 now = 0;

	id = xlb_conn_backend(&fk, vip->id, 0, false, &now, &c, &cp, &reopen);
	if (id == XLB_NO_BACKEND) {
		xlb_count_reason(XLB_REASON_LB_ICMP_UNMATCHED);
		return XLB_VERDICT_PASS;
	}
	vip_id = vip->id;
	return xlb_forward(ctx, pkt, id, vip,
			   bpf_map_lookup_elem(&xlb_vip_stats, &vip_id), &c,
			   bytes, &cacheable);
}

/*
 * A TCP or UDP packet for a VIP (hint: its destination's hint byte, as
 * the stage read it), through the tables: a verdict, or XLB_CONTINUE
 * when there is no VIP for it after all. Flows it forwards are
 * remembered in the flow cache. A global function, verified on its own
 * (see xlb_filter()); its flow key and entry are in xlb_nat_scratch.
 */
__noinline int xlb_lb(struct xdp_md *ctx, const struct xlb_pkt *pkt, __u8 hint,
		      __u64 bytes)
{
	const struct xlb_vip *vip;
	struct xlb_nat_scratch *sc;
	struct xlb_vip_stats *vs;
	union xlb_fkey *fk;
	bool hit, cacheable = false, reopen;
	__u32 id, gen, v, key = 0;
	struct xlb_conn *cp;
	__u64 now = 0;

	sc = bpf_map_lookup_elem(&xlb_nat_scratch, &key);
	if (!ctx || !pkt || !sc)
		return XLB_CONTINUE;
	fk = &sc->fk;
	xlb_fkey_of(pkt, xlb_family_of(pkt), fk);
	/* Before the lookups: an entry made from a VIP that is being
	 * deleted then carries the generation its deletion ends. */
	gen = xlb_vip_gen();
	vip = xlb_vip_lookup(hint, pkt->daddr, pkt->dport, pkt->l4_proto,
			     fk->k.family);
	if (!vip)
		return XLB_CONTINUE;
	if (pkt->flags & XLB_PKT_FRAGMENT) {
		xlb_count_reason(XLB_REASON_LB_FRAGMENT);
		return XLB_VERDICT_PASS;
	}
	if (pkt->flags & XLB_PKT_IP_OPTIONS) {
		xlb_count_reason(XLB_REASON_LB_IP_OPTIONS);
		return XLB_VERDICT_PASS;
	}
	if (vip->mode == XLB_MODE_NAT && pkt->l4_off > XLB_L4_OFF_MAX) {
		xlb_count_reason(XLB_REASON_LB_HEADERS_TOO_LONG);
		return XLB_VERDICT_PASS;
	}
	id = xlb_conn_backend(&fk->k, vip->id, pkt->tcp_flags, true, &now,
			      &sc->c, &cp, &reopen);
	hit = id != XLB_NO_BACKEND;
	if (!hit)
		id = xlb_new_flow(&fk->k, vip, pkt->tcp_flags, reopen, &now,
				  &sc->c);
	vs = xlb_vip_count(vip->id, hit, !hit && id < XLB_NAT_FULL);
	if (id == XLB_NO_BACKEND) {
		xlb_count_reason(XLB_REASON_LB_NO_BACKEND);
		v = XLB_VERDICT_DROP;
	} else if (id == XLB_NAT_FULL) {
		xlb_count_reason(XLB_REASON_LB_NAT_EXHAUSTED);
		if (vs)
			vs->nat_exhausted++;
		v = XLB_VERDICT_DROP;
	} else {
		v = xlb_forward(ctx, pkt, id, vip, vs, &sc->c, bytes,
				&cacheable);
	}
	/* Only flows in xlb_conns that have not shown their end are
	 * cached, as sent; any other packet through the tables ends its
	 * flow's entry: one that changes the flow's state (a bare SYN that
	 * reopens it, dropped or not), and one the tables gave another
	 * backend (its old one down) but that was not sent, lest the entry
	 * send the flow back there once it is up. */
	if (!(pkt->tcp_flags & XLB_TCP_STATEFUL) &&
	    (v == XLB_VERDICT_TX || v == XLB_VERDICT_REDIRECT) && cacheable &&
	    !(sc->c.state & (XLB_CONN_FIN | XLB_CONN_RST)))
		xlb_fcache_put(fk, gen, vip, id, &sc->c, cp);
	else
		xlb_fcache_drop(fk, cp);
	return v;
}

/*
 * May the packet be a TCP or UDP one? A later IPv6 fragment whose
 * Fragment header names an extension header may be: its protocol is in
 * the first fragment only (a NAT reply's is found by its datagram).
 */
static __always_inline bool xlb_maybe_tcp_udp(const struct xlb_pkt *pkt)
{
	return pkt->l4_proto == IPPROTO_TCP || pkt->l4_proto == IPPROTO_UDP ||
	       ((pkt->flags & XLB_PKT_LATER_FRAGMENT) &&
		xlb_ipv6_is_ext(pkt->l4_proto));
}

/*
 * The stage, as the entry programs run it: a verdict, or XLB_CONTINUE
 * for packets that are not the load balancer's. Flows in the cache are
 * sent on inline; packets to an address with no hint (no VIP, no NAT
 * source) end here without a call; the rest go through the tables in
 * xlb_lb() (VIPs), then xlb_lb_reply() (NAT replies), or xlb_lb_icmp().
 */
static __always_inline __u32 xlb_lb_stage(struct xdp_md *ctx,
					  const struct xlb_pkt *pkt,
					  __u64 bytes)
{
	bool whole = !(pkt->flags & (XLB_PKT_FRAGMENT | XLB_PKT_IP_OPTIONS)) &&
		     pkt->l4_off <= XLB_L4_OFF_MAX;
	__u32 v = XLB_CONTINUE;
	union xlb_fkey fk;
	__u8 hint;

	if (pkt->pclass == XLB_PCLASS_MALFORMED)
		return XLB_CONTINUE;
	if (!xlb_maybe_tcp_udp(pkt))
		return xlb_is_icmp_error(pkt) ? xlb_lb_icmp(ctx, pkt, bytes) :
						XLB_CONTINUE;
	xlb_fkey_of(pkt, xlb_family_of(pkt), &fk);
	if (whole) {
		v = xlb_lb_cached(ctx, pkt, &fk, bytes);
		if (v != XLB_LB_MISS)
			return v;
		v = XLB_CONTINUE;
	}
	hint = xlb_hint_of(pkt->daddr, fk.k.family);
	if (hint & (XLB_HINT_PORT | XLB_HINT_ALL_PORTS))
		v = xlb_lb(ctx, pkt, hint, bytes);
	if (v != XLB_CONTINUE || !(hint & XLB_HINT_SNAT))
		return v;
	if (whole) {
		v = xlb_reply_cached(ctx, pkt, &fk, bytes);
		if (v != XLB_LB_MISS)
			return v;
	}
	return xlb_lb_reply(ctx, pkt, bytes);
}

#endif /* XLB_LB_BPF_H */
