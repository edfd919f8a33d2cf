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
 * their next packets go without a table lookup.
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

/* How often a flow's last-seen time is refreshed (cache line writes). */
#define XLB_SEEN_GRANULE_NS 1000000000ull

/* ICMP types that carry the packet that caused them. */
#define XLB_ICMP_DEST_UNREACH 3
#define XLB_ICMP_TIME_EXCEEDED 11
#define XLB_ICMPV6_DEST_UNREACH 1
#define XLB_ICMPV6_PKT_TOOBIG 2
#define XLB_ICMPV6_TIME_EXCEED 3

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

/*
 * Is a table entry still good for this packet? An open TCP flow leaves
 * the table by LRU only, so its packets need no clock.
 */
static __always_inline bool xlb_conn_fresh(const struct xlb_conn *c, __u8 proto,
					   __u64 *now)
{
	__u64 idle;

	if (proto == IPPROTO_TCP && !(c->state & XLB_CONN_CLOSING))
		return true;
	idle = xlb_now(now) - c->seen_ns;
	if (c->state & XLB_CONN_CLOSING)
		return idle < XLB_CLOSING_TIMEOUT_NS;
	return idle < XLB_UDP_TIMEOUT_NS;
}

/* Record FIN/RST, and refresh the age where age matters. */
static __always_inline void xlb_conn_touch(struct xlb_conn *c, __u8 proto,
					   __u8 flags, __u64 *now)
{
	if (flags & (XLB_TCP_FIN | XLB_TCP_RST))
		c->state |= XLB_CONN_CLOSING;
	if (proto == IPPROTO_TCP && !(c->state & XLB_CONN_CLOSING))
		return;
	if (xlb_now(now) - c->seen_ns > XLB_SEEN_GRANULE_NS)
		c->seen_ns = *now;
}

/*
 * The flow's backend from the tables: xlb_conns, then (TCP) xlb_syns,
 * where a handshake's second packet promotes the flow. XLB_NO_BACKEND
 * when the flow is new, stale, or its backend went away or down.
 */
static __always_inline __u32 xlb_conn_backend(const struct xlb_flow_key *fk,
					      __u32 vip, __u8 flags, __u64 *now,
					      struct xlb_conn *out)
{
	struct xlb_conn *c = bpf_map_lookup_elem(&xlb_conns, fk);
	const struct xlb_backend *b;
	struct xlb_conn up;

	/* A closing flow's entry is gone for a SYN: a new connection on
	 * its port, placed afresh (its next packets must not find it). */
	if (c && (c->state & XLB_CONN_CLOSING) && (flags & XLB_TCP_SYN) &&
	    !(flags & XLB_TCP_ACK)) {
		bpf_map_delete_elem(&xlb_conns, fk);
		c = NULL;
	}
	/* An entry of another VIP (its backend ids reused since) is stale. */
	if (c && c->vip == vip && xlb_conn_fresh(c, fk->proto, now)) {
		b = bpf_map_lookup_elem(&xlb_backends, &c->backend);
		if (xlb_backend_usable(b)) {
			xlb_conn_touch(c, fk->proto, flags, now);
			*out = *c;
			return c->backend;
		}
	}
	if (fk->proto != IPPROTO_TCP)
		return XLB_NO_BACKEND;
	c = bpf_map_lookup_elem(&xlb_syns, fk);
	if (!c || c->vip != vip ||
	    xlb_now(now) - c->seen_ns > XLB_SYN_TIMEOUT_NS)
		return XLB_NO_BACKEND;
	b = bpf_map_lookup_elem(&xlb_backends, &c->backend);
	if (!xlb_backend_usable(b))
		return XLB_NO_BACKEND;
	if (!(flags & XLB_TCP_SYN) || (flags & XLB_TCP_ACK)) {
		/* The handshake goes on: the flow is established. */
		up = *c;
		up.seen_ns = *now;
		if (flags & (XLB_TCP_FIN | XLB_TCP_RST))
			up.state |= XLB_CONN_CLOSING;
		bpf_map_update_elem(&xlb_conns, fk, &up, BPF_ANY);
		bpf_map_delete_elem(&xlb_syns, fk);
		*out = up;
		return up.backend;
	}
	*out = *c;
	return c->backend;
}

/* A new flow: its backend from the ring, remembered in a table. */
static __always_inline __be16 xlb_nat_port(const struct xlb_flow_key *fk,
					   const struct xlb_vip *vip,
					   __u32 backend);

static __always_inline __u32 xlb_new_flow(const struct xlb_flow_key *fk,
					  const struct xlb_vip *vip, __u8 flags,
					  __u64 *now, struct xlb_conn *out)
{
	__u32 slot =
		vip->id * XLB_RING_SIZE + xlb_flow_hash(fk) % XLB_RING_SIZE;
	struct xlb_conn c = { .vip = vip->id, .seen_ns = xlb_now(now) };
	__u32 *id = bpf_map_lookup_elem(&xlb_ring, &slot);

	if (!id || *id == XLB_NO_BACKEND)
		return XLB_NO_BACKEND;
	c.backend = *id;
	if (flags & (XLB_TCP_FIN | XLB_TCP_RST))
		c.state = XLB_CONN_CLOSING;
	if (vip->mode == XLB_MODE_NAT) {
		c.nat_port = xlb_nat_port(fk, vip, c.backend);
		if (!c.nat_port)
			return XLB_NO_BACKEND;
	}
	*out = c;
	if (fk->proto == IPPROTO_TCP && (flags & XLB_TCP_SYN) &&
	    !(flags & XLB_TCP_ACK))
		bpf_map_update_elem(&xlb_syns, fk, &c, BPF_ANY);
	else
		bpf_map_update_elem(&xlb_conns, fk, &c, BPF_ANY);
	return c.backend;
}

/*
 * The LB's port for a new NAT flow towards a backend: a hash of the flow
 * picks a start in the range, and the first port whose reply key is free
 * (or already this flow's) is taken and its reply entry written. 0 when
 * XLB_NAT_PORT_TRIES ports in a row are taken.
 */
static __always_inline __be16 xlb_nat_port(const struct xlb_flow_key *fk,
					   const struct xlb_vip *vip,
					   __u32 backend)
{
	const struct xlb_backend *b =
		bpf_map_lookup_elem(&xlb_backends, &backend);
	struct xlb_nat_key k = { .proto = fk->proto, .family = fk->family };
	struct xlb_nat_val v = { .cport = fk->sport,
				 .vport = fk->dport,
				 .vip_id = vip->id };
	__u32 start = xlb_flow_hash(fk) % XLB_NAT_PORT_COUNT;
	struct xlb_nat_val *seen;

	if (!b)
		return 0;
	__builtin_memcpy(k.backend, b->addr, sizeof(k.backend));
	__builtin_memcpy(k.lb, b->snat, sizeof(k.lb));
	k.bport = b->port ? b->port : fk->dport;
	__builtin_memcpy(v.client, fk->src, sizeof(v.client));
	__builtin_memcpy(v.vip, fk->dst, sizeof(v.vip));
	for (int i = 0; i < XLB_NAT_PORT_TRIES; i++) {
		k.lport = bpf_htons(XLB_NAT_PORT_BASE +
				    (start + i) % XLB_NAT_PORT_COUNT);
		seen = bpf_map_lookup_elem(&xlb_nat_rev, &k);
		if (seen &&
		    (seen->cport != v.cport || seen->client[0] != v.client[0] ||
		     seen->client[1] != v.client[1] ||
		     seen->client[2] != v.client[2] ||
		     seen->client[3] != v.client[3]))
			continue;
		bpf_map_update_elem(&xlb_nat_rev, &k, &v, BPF_ANY);
		return k.lport;
	}
	return 0;
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

/* Send the frame to backend id, or pass it when its next hop is unknown. */
static __always_inline __u32 xlb_forward(struct xdp_md *ctx,
					 const struct xlb_pkt *pkt, __u32 id,
					 const struct xlb_vip *vip,
					 struct xlb_vip_stats *vs,
					 __be16 nat_port, __u64 bytes)
{
	const struct xlb_backend *b = bpf_map_lookup_elem(&xlb_backends, &id);

	if (!b || !(b->flags & XLB_BACKEND_RESOLVED)) {
		xlb_count_reason(XLB_REASON_LB_UNRESOLVED);
		return XLB_VERDICT_PASS;
	}
	return xlb_deliver(ctx, pkt, b, id, vs, vip->mode == XLB_MODE_NAT,
			   nat_port, bytes);
}

/*
 * The flow an ICMP error is about. Its inner packet is one the backend
 * sent from the VIP to the client, so the flow is that packet reversed.
 * Returns the inner protocol, or 0 when the error is not about a TCP or
 * UDP packet the frame holds whole enough to read the ports of.
 */
static __always_inline __u8 xlb_icmp_flow(struct xdp_md *ctx,
					  const struct xlb_pkt *pkt,
					  struct xlb_flow_key *fk)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	/* Headers end well within 512 bytes; the mask bounds the offset. */
	void *inner =
		data + (pkt->l4_off & 0x1ff) + sizeof(struct xlb_icmp_hdr);
	__be16 *ports;
	__u8 proto;

	if (pkt->l3_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ih = inner;

		if ((void *)(ih + 1) > data_end || ih->ihl != 5)
			return 0;
		proto = ih->protocol;
		ports = (void *)(ih + 1);
		fk->src[0] = ih->daddr;
		fk->dst[0] = ih->saddr;
		fk->family = XLB_FAMILY_V4;
	} else {
		struct ipv6hdr *ih = inner;

		if ((void *)(ih + 1) > data_end)
			return 0;
		proto = ih->nexthdr;
		ports = (void *)(ih + 1);
		__builtin_memcpy(fk->src, &ih->daddr, sizeof(fk->src));
		__builtin_memcpy(fk->dst, &ih->saddr, sizeof(fk->dst));
		fk->family = XLB_FAMILY_V6;
	}
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
	    (void *)(ports + 2) > data_end)
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
	struct xlb_conn c = {};
	__u64 now = 0;

	id = xlb_conn_backend(&fk, vip->id, 0, &now, &c);
	if (id == XLB_NO_BACKEND) {
		xlb_count_reason(XLB_REASON_LB_ICMP_UNMATCHED);
		return XLB_VERDICT_PASS;
	}
	vip_id = vip->id;
	return xlb_forward(ctx, pkt, id, vip,
			   bpf_map_lookup_elem(&xlb_vip_stats, &vip_id), 0,
			   bytes);
}

#define XLB_AF_INET 2
#define XLB_AF_INET6 10

/*
 * A NAT reply: from a backend, to an snat address and a NAT port (a TCP
 * or UDP packet for no VIP, to an address whose hint says XLB_HINT_SNAT).
 * It is sent back from the VIP to the client, through the next hop the
 * kernel's FIB gives for the client; without a resolved neighbour it is
 * passed to the kernel, which routes it. Replies sent on are remembered
 * in the flow cache. A global function, like xlb_lb().
 */
__noinline int xlb_lb_reply(struct xdp_md *ctx, const struct xlb_pkt *pkt,
			    __u64 bytes)
{
	struct bpf_fib_lookup fib = {};
	struct xlb_nat_key k = {};
	struct xlb_vip_stats *vs;
	struct xlb_nat_val *v;
	struct xlb_nat_rw rw;
	union xlb_fkey fk;
	__u32 port, gen;
	__u8 family;
	int rc;

	if (!ctx || !pkt)
		return XLB_CONTINUE;
	family = xlb_family_of(pkt);
	k.bport = pkt->sport;
	k.lport = pkt->dport;
	k.proto = pkt->l4_proto;
	k.family = family;
	port = bpf_ntohs(pkt->dport);
	if (port < XLB_NAT_PORT_BASE ||
	    port >= XLB_NAT_PORT_BASE + XLB_NAT_PORT_COUNT)
		return XLB_CONTINUE;
	__builtin_memcpy(k.backend, pkt->saddr, sizeof(k.backend));
	__builtin_memcpy(k.lb, pkt->daddr, sizeof(k.lb));
	gen = xlb_vip_gen();
	v = bpf_map_lookup_elem(&xlb_nat_rev, &k);
	if (!v)
		return XLB_CONTINUE;
	__builtin_memcpy(rw.saddr, v->vip, sizeof(rw.saddr));
	__builtin_memcpy(rw.daddr, v->client, sizeof(rw.daddr));
	rw.sport = v->vport;
	rw.dport = v->cport;
	vs = bpf_map_lookup_elem(&xlb_vip_stats, &v->vip_id);
	if (xlb_nat_rewrite(ctx, pkt, rw.saddr, rw.daddr, rw.sport, rw.dport))
		return XLB_VERDICT_ABORTED;
	if (vs)
		xlb_ctr_add(&vs->fwd, bytes);
	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = pkt->l4_proto;
	fib.sport = rw.sport;
	fib.dport = rw.dport;
	if (family == XLB_FAMILY_V4) {
		fib.family = XLB_AF_INET;
		fib.ipv4_src = rw.saddr[0];
		fib.ipv4_dst = rw.daddr[0];
	} else {
		fib.family = XLB_AF_INET6;
		__builtin_memcpy(fib.ipv6_src, rw.saddr, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, rw.daddr, sizeof(fib.ipv6_dst));
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		xlb_count_reason(XLB_REASON_LB_UNRESOLVED);
		return XLB_VERDICT_PASS;
	}
	xlb_fkey_of(pkt, family, &fk);
	xlb_rcache_put(&fk, gen, v->vip_id, &rw, &fib);
	return xlb_send(ctx, fib.ifindex, fib.dmac, fib.smac);
}

/*
 * A TCP or UDP packet for a VIP (hint: its destination's hint byte, as
 * the stage read it), through the tables: a verdict, or
 * XLB_CONTINUE when there is no VIP for it after all. Flows it forwards
 * are remembered in the flow cache. A global function, verified on its
 * own (see xlb_filter()).
 */
__noinline int xlb_lb(struct xdp_md *ctx, const struct xlb_pkt *pkt, __u8 hint,
		      __u64 bytes)
{
	const struct xlb_vip *vip;
	struct xlb_vip_stats *vs;
	struct xlb_conn c = {};
	union xlb_fkey fk;
	__u32 id, gen, v;
	__u64 now = 0;
	bool hit;

	if (!ctx || !pkt)
		return XLB_CONTINUE;
	xlb_fkey_of(pkt, xlb_family_of(pkt), &fk);
	/* Before the lookups: an entry made from a VIP that is being
	 * deleted then carries the generation its deletion ends. */
	gen = xlb_vip_gen();
	vip = xlb_vip_lookup(hint, pkt->daddr, pkt->dport, pkt->l4_proto,
			     fk.k.family);
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
	id = xlb_conn_backend(&fk.k, vip->id, pkt->tcp_flags, &now, &c);
	hit = id != XLB_NO_BACKEND;
	if (!hit)
		id = xlb_new_flow(&fk.k, vip, pkt->tcp_flags, &now, &c);
	vs = xlb_vip_count(vip->id, hit, !hit && id != XLB_NO_BACKEND);
	if (id == XLB_NO_BACKEND) {
		xlb_count_reason(XLB_REASON_LB_NO_BACKEND);
		return XLB_VERDICT_DROP;
	}
	v = xlb_forward(ctx, pkt, id, vip, vs, c.nat_port, bytes);
	/* Only flows in xlb_conns that are not closing are cached; a
	 * packet that changes a flow's state ends its entry. */
	if (pkt->tcp_flags & XLB_TCP_STATEFUL)
		xlb_fcache_drop(&fk);
	else if ((v == XLB_VERDICT_TX || v == XLB_VERDICT_REDIRECT) &&
		 !(c.state & XLB_CONN_CLOSING))
		xlb_fcache_put(&fk, gen, vip, id, c.nat_port);
	return v;
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
	bool whole = !(pkt->flags & (XLB_PKT_FRAGMENT | XLB_PKT_IP_OPTIONS));
	__u32 v = XLB_CONTINUE;
	union xlb_fkey fk;
	__u8 hint;

	if (pkt->pclass == XLB_PCLASS_MALFORMED)
		return XLB_CONTINUE;
	if (pkt->l4_proto != IPPROTO_TCP && pkt->l4_proto != IPPROTO_UDP)
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
