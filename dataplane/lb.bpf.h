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
 * options are rare enough to leave to the stack.
 */
#ifndef XLB_LB_BPF_H
#define XLB_LB_BPF_H

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "stats.bpf.h"
#include "filter.bpf.h"
#include "xlb_hash.h"
#include "csum.bpf.h"

#define XLB_TCP_FIN 0x01
#define XLB_TCP_SYN 0x02
#define XLB_TCP_RST 0x04
#define XLB_TCP_ACK 0x10

/* How often a flow's last-seen time is refreshed (cache line writes). */
#define XLB_SEEN_GRANULE_NS 1000000000ull

/* ICMP types that carry the packet that caused them. */
#define XLB_ICMP_DEST_UNREACH 3
#define XLB_ICMP_TIME_EXCEEDED 11
#define XLB_ICMPV6_DEST_UNREACH 1
#define XLB_ICMPV6_PKT_TOOBIG 2
#define XLB_ICMPV6_TIME_EXCEED 3

/* Hash a flow to a ring slot; the same flow always hashes alike. */
static __always_inline __u32 xlb_flow_hash(const struct xlb_flow_key *fk)
{
	__u32 h = 0x9747b28c;

	h = (h ^ fk->src[0]) * 0x9e3779b1;
	h = (h ^ fk->dst[0]) * 0x9e3779b1;
	if (fk->family == XLB_FAMILY_V6) {
		for (int i = 1; i < 4; i++) {
			h = (h ^ fk->src[i]) * 0x9e3779b1;
			h = (h ^ fk->dst[i]) * 0x9e3779b1;
		}
	}
	h = (h ^ ((__u32)fk->sport << 16 | fk->dport)) * 0x9e3779b1;
	h = (h ^ fk->proto) * 0x9e3779b1;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
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

/* What a NAT rewrite puts in the IP and L4 headers. */
struct xlb_nat_rw {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
};

/*
 * Rewrite addresses and ports, updating the IPv4 header checksum and the
 * TCP/UDP checksum (which covers the addresses through its pseudo
 * header) incrementally. A UDP/IPv4 checksum of 0 means none and stays
 * 0; a computed 0 is sent as 0xffff. Returns 0 or -1 (headers not in the
 * frame, which the parse has already ruled out).
 */
static __always_inline int xlb_nat_rewrite(struct xdp_md *ctx,
					   const struct xlb_pkt *pkt,
					   const struct xlb_nat_rw *rw)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	/* Offsets are within the first 512 bytes; masks bound them. */
	__be16 *ports = data + (pkt->l4_off & 0x1ff);
	__sum16 *l4sum = NULL;

	if (pkt->l4_proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)ports;

		if ((void *)(th + 1) > data_end)
			return -1;
		l4sum = &th->check;
	} else {
		struct udphdr *uh = (void *)ports;

		if ((void *)(uh + 1) > data_end)
			return -1;
		if (uh->check || pkt->l3_proto == bpf_htons(ETH_P_IPV6))
			l4sum = &uh->check;
	}
	if (pkt->l3_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = data + (pkt->l3_off & 0x3f);

		if ((void *)(iph + 1) > data_end)
			return -1;
		xlb_csum_replace4(&iph->check, iph->saddr, rw->saddr[0]);
		xlb_csum_replace4(&iph->check, iph->daddr, rw->daddr[0]);
		if (l4sum) {
			xlb_csum_replace4(l4sum, iph->saddr, rw->saddr[0]);
			xlb_csum_replace4(l4sum, iph->daddr, rw->daddr[0]);
		}
		iph->saddr = rw->saddr[0];
		iph->daddr = rw->daddr[0];
	} else {
		struct ipv6hdr *ip6h = data + (pkt->l3_off & 0x3f);
		__be32 *s, *d;

		if ((void *)(ip6h + 1) > data_end)
			return -1;
		s = (__be32 *)&ip6h->saddr;
		d = (__be32 *)&ip6h->daddr;
		for (int i = 0; i < 4; i++) {
			if (l4sum) {
				xlb_csum_replace4(l4sum, s[i], rw->saddr[i]);
				xlb_csum_replace4(l4sum, d[i], rw->daddr[i]);
			}
			s[i] = rw->saddr[i];
			d[i] = rw->daddr[i];
		}
	}
	if (l4sum) {
		xlb_csum_replace2(l4sum, ports[0], rw->sport);
		xlb_csum_replace2(l4sum, ports[1], rw->dport);
		if (pkt->l4_proto == IPPROTO_UDP && !*l4sum)
			*l4sum = 0xffff;
	}
	ports[0] = rw->sport;
	ports[1] = rw->dport;
	return 0;
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

/* Leave through the next hop of ifindex with these MACs. */
static __always_inline __u32 xlb_send(struct xdp_md *ctx, __u32 ifindex,
				      const __u8 *dmac, const __u8 *smac)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XLB_VERDICT_ABORTED;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	if (ifindex == ctx->ingress_ifindex)
		return XLB_VERDICT_TX;
	if (bpf_redirect_map(&xlb_tx_ports, ifindex, 0) == XDP_REDIRECT)
		return XLB_VERDICT_REDIRECT;
	return XLB_VERDICT_ABORTED;
}

/*
 * Send the frame to backend id. DSR rewrites the MACs only; NAT also
 * sends it from the backend's snat address and the flow's port to the
 * backend's address and port.
 */
static __always_inline __u32 xlb_forward(struct xdp_md *ctx,
					 const struct xlb_pkt *pkt, __u32 id,
					 const struct xlb_vip *vip,
					 const struct xlb_conn *c, __u64 bytes)
{
	const struct xlb_backend *b = bpf_map_lookup_elem(&xlb_backends, &id);
	__u32 vip_id = vip->id;
	struct xlb_vip_stats *vs = bpf_map_lookup_elem(&xlb_vip_stats, &vip_id);
	struct xlb_nat_rw rw;

	if (!b || !(b->flags & XLB_BACKEND_RESOLVED)) {
		xlb_count_reason(XLB_REASON_LB_UNRESOLVED);
		return XLB_VERDICT_PASS;
	}
	if (vip->mode == XLB_MODE_NAT) {
		__builtin_memcpy(rw.saddr, b->snat, sizeof(rw.saddr));
		__builtin_memcpy(rw.daddr, b->addr, sizeof(rw.daddr));
		rw.sport = c->nat_port;
		rw.dport = b->port ? b->port : pkt->dport;
		if (xlb_nat_rewrite(ctx, pkt, &rw))
			return XLB_VERDICT_ABORTED;
	}
	if (vs)
		xlb_ctr_add(&vs->fwd, bytes);
	xlb_count_ctr(&xlb_backend_stats, id, bytes);
	return xlb_send(ctx, b->ifindex, b->dmac, b->smac);
}

/* The VIP of a destination, looked up only where the hints say one may be. */
static __always_inline const struct xlb_vip *
xlb_vip_of(const __be32 *addr, __be16 port, __u8 proto, __u8 family)
{
	struct xlb_vip_key k = { .port = port,
				 .proto = proto,
				 .family = family };
	__u32 h = xlb_addr_hash(addr, family), line = xlb_hint_line(h);
	const struct xlb_bloom_line *hints;
	const struct xlb_vip *vip;
	__u8 hint;

	hints = bpf_map_lookup_elem(&xlb_vip_hints, &line);
	if (!hints)
		return NULL;
	hint = hints->count[xlb_hint_pos(h)];
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

static __always_inline void xlb_vip_count(__u32 vip_id, bool hit, bool fresh)
{
	struct xlb_vip_stats *vs = bpf_map_lookup_elem(&xlb_vip_stats, &vip_id);

	if (!vs)
		return;
	if (hit)
		vs->conn_hits++;
	else
		vs->conn_misses++;
	if (fresh)
		vs->new_flows++;
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

/* An ICMP error for a VIP flow goes where the flow goes. */
static __always_inline int xlb_lb_icmp(struct xdp_md *ctx,
				       const struct xlb_pkt *pkt, __u64 bytes)
{
	struct xlb_flow_key fk = {};
	const struct xlb_vip *vip;
	__u32 id;

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
	return xlb_forward(ctx, pkt, id, vip, &c, bytes);
}

#define XLB_AF_INET 2
#define XLB_AF_INET6 10

/*
 * A NAT reply: from a backend, to an snat address and a NAT port. It is
 * sent back from the VIP to the client, through the next hop the kernel's
 * FIB gives for the client; without a resolved neighbour it is passed to
 * the kernel, which routes it.
 */
static __always_inline int xlb_nat_reply(struct xdp_md *ctx,
					 const struct xlb_pkt *pkt, __u8 family,
					 __u64 bytes)
{
	__u32 h = xlb_addr_hash(pkt->daddr, family), line = xlb_hint_line(h);
	struct xlb_nat_key k = { .bport = pkt->sport,
				 .lport = pkt->dport,
				 .proto = pkt->l4_proto,
				 .family = family };
	const struct xlb_bloom_line *hints;
	struct bpf_fib_lookup fib = {};
	struct xlb_vip_stats *vs;
	struct xlb_nat_val *v;
	struct xlb_nat_rw rw;
	__u32 port = bpf_ntohs(pkt->dport);
	int rc;

	hints = bpf_map_lookup_elem(&xlb_vip_hints, &line);
	if (!hints || !(hints->count[xlb_hint_pos(h)] & XLB_HINT_SNAT) ||
	    port < XLB_NAT_PORT_BASE ||
	    port >= XLB_NAT_PORT_BASE + XLB_NAT_PORT_COUNT)
		return XLB_CONTINUE;
	__builtin_memcpy(k.backend, pkt->saddr, sizeof(k.backend));
	__builtin_memcpy(k.lb, pkt->daddr, sizeof(k.lb));
	v = bpf_map_lookup_elem(&xlb_nat_rev, &k);
	if (!v)
		return XLB_CONTINUE;
	__builtin_memcpy(rw.saddr, v->vip, sizeof(rw.saddr));
	__builtin_memcpy(rw.daddr, v->client, sizeof(rw.daddr));
	rw.sport = v->vport;
	rw.dport = v->cport;
	vs = bpf_map_lookup_elem(&xlb_vip_stats, &v->vip_id);
	if (xlb_nat_rewrite(ctx, pkt, &rw))
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
	return xlb_send(ctx, fib.ifindex, fib.dmac, fib.smac);
}

/*
 * The stage: a verdict, or XLB_CONTINUE for packets that are not for a
 * VIP. A global function, verified on its own (see xlb_filter()).
 */
__noinline int xlb_lb(struct xdp_md *ctx, const struct xlb_pkt *pkt,
		      __u64 bytes)
{
	struct xlb_flow_key fk = {};
	const struct xlb_vip *vip;
	__u32 id = XLB_NO_BACKEND;
	struct xlb_conn c = {};
	__u64 now = 0;
	bool hit;

	if (!ctx || !pkt || pkt->pclass == XLB_PCLASS_MALFORMED)
		return XLB_CONTINUE;
	if (xlb_is_icmp_error(pkt))
		return xlb_lb_icmp(ctx, pkt, bytes);
	if (pkt->l4_proto != IPPROTO_TCP && pkt->l4_proto != IPPROTO_UDP)
		return XLB_CONTINUE;
	fk.family = pkt->l3_proto == bpf_htons(ETH_P_IPV6) ? XLB_FAMILY_V6 :
							     XLB_FAMILY_V4;
	vip = xlb_vip_of(pkt->daddr, pkt->dport, pkt->l4_proto, fk.family);
	if (!vip)
		return xlb_nat_reply(ctx, pkt, fk.family, bytes);
	if (pkt->flags & XLB_PKT_FRAGMENT) {
		xlb_count_reason(XLB_REASON_LB_FRAGMENT);
		return XLB_VERDICT_PASS;
	}
	if (pkt->flags & XLB_PKT_IP_OPTIONS) {
		xlb_count_reason(XLB_REASON_LB_IP_OPTIONS);
		return XLB_VERDICT_PASS;
	}
	__builtin_memcpy(fk.src, pkt->saddr, sizeof(fk.src));
	__builtin_memcpy(fk.dst, pkt->daddr, sizeof(fk.dst));
	fk.sport = pkt->sport;
	fk.dport = pkt->dport;
	fk.proto = pkt->l4_proto;
	id = xlb_conn_backend(&fk, vip->id, pkt->tcp_flags, &now, &c);
	hit = id != XLB_NO_BACKEND;
	if (!hit)
		id = xlb_new_flow(&fk, vip, pkt->tcp_flags, &now, &c);
	xlb_vip_count(vip->id, hit, !hit && id != XLB_NO_BACKEND);
	if (id == XLB_NO_BACKEND) {
		xlb_count_reason(XLB_REASON_LB_NO_BACKEND);
		return XLB_VERDICT_DROP;
	}
	return xlb_forward(ctx, pkt, id, vip, &c, bytes);
}

#endif /* XLB_LB_BPF_H */
