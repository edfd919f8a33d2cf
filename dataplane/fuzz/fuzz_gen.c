// SPDX-License-Identifier: GPL-2.0
/*
 * What frame comes next. A share of the frames follow the configuration
 * and the model's state, so that the load balancer's paths are walked:
 * packets of VIP flows (new ones and flows already seen, TCP flags of a
 * connection's life), backends' answers to the NAT ports the model knows,
 * ICMP errors about those flows. The rest are drawn at random: other
 * ethertypes, ARP (whole and cut), IPv6 neighbour discovery, IP packets
 * of any protocol to and from the pools, with options, fragments and
 * extension chains. Any frame may get VLAN tags and link padding, and a
 * share of them are mutated once built (fuzz_mutate.c).
 */
#include <string.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "gen.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define CLIENT_PORT_BASE 1024
#define CLIENT_PORTS 48
#define FAR_CLIENT_FIRST 100
#define ND_FIRST 133
#define ND_TYPES 5
#define FRAG_UNIT 8
#define LONG_EXT_UNITS 40
#define ETH_P_OTHER_FIRST 0x0900
#define TPID_8021Q 0x8100
#define TPID_8021AD 0x88a8
/* Random ports are mostly well known, so port rules and VIPs meet them. */
static const __u16 ports[] = { 22, 53, 80, 443, 8000, 8080 };
#define N_PORTS (sizeof(ports) / sizeof(ports[0]))

static const __u8 tcp_flags[] = {
	TCP_SYN,	   TCP_SYN,	      TCP_ACK,		 TCP_ACK,
	TCP_ACK,	   TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST,
	TCP_RST | TCP_ACK, TCP_SYN | TCP_ACK, TCP_SYN | TCP_FIN, 0,
};

static __u8 random_flags(struct fz_rng *r)
{
	if (fz_one_in(r, 16))
		return (__u8)fz_next(r);
	return tcp_flags[fz_below(r, sizeof(tcp_flags))];
}

static __be16 random_port(struct fz_rng *r)
{
	if (fz_one_in(r, 4))
		return htons((__u16)(1 + fz_below(r, 65535)));
	return htons(ports[fz_below(r, N_PORTS)]);
}

void fz_gen_reset(struct fz_gen *g, const struct fz_config *cfg)
{
	g->cfg = cfg;
	g->n_flows = 0;
	g->n_pending = 0;
}

/* A client of a VIP's family: with a neighbour, without, or far away. */
static void random_client(struct fz_rng *r, int family, __be32 *addr)
{
	__u32 n = fz_below(r, 8);

	if (n < 5)
		fz_addr(family, FZ_POOL_CLIENT,
			1 + fz_below(r, FZ_NEIGH_CLIENTS), addr);
	else if (n < 7)
		fz_addr(family, FZ_POOL_CLIENT,
			FAR_CLIENT_FIRST + fz_below(r, 8), addr);
	else
		fz_addr(family, FZ_POOL_FAR, 1 + fz_below(r, 4), addr);
}

/* A flow of a VIP the generator has sent before, or a new one. */
static const struct fz_gen_flow *vip_flow(struct fz_gen *g)
{
	struct fz_rng *r = g->rng;
	const struct fz_vip *v;
	struct fz_gen_flow *f;

	if (g->n_flows && !fz_one_in(r, 3))
		return &g->flows[fz_below(r, (__u32)g->n_flows)];
	f = &g->flows[g->n_flows < FZ_GEN_FLOWS ? g->n_flows++ :
						  fz_below(r, FZ_GEN_FLOWS)];
	f->vip = fz_below(r, (__u32)g->cfg->n_vips);
	v = &g->cfg->vips[f->vip];
	random_client(r, v->key.family, f->client);
	f->cport = htons((__u16)(CLIENT_PORT_BASE + fz_below(r, CLIENT_PORTS)));
	f->vport = v->key.port ? v->key.port : random_port(r);
	return f;
}

/* IPv6 extension headers before the L4 header; `lng`: over a KB. */
static void add_exts(struct fz_rng *r, struct fz_pkt *p, int n, bool lng)
{
	static const __u8 types[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
				      IPPROTO_DSTOPTS, IPPROTO_AH,
				      IPPROTO_DSTOPTS };

	for (int i = 0; i < n && p->n_ext < FZ_EXT_MAX; i++) {
		p->ext[p->n_ext] = types[fz_below(r, sizeof(types))];
		p->ext_units[p->n_ext++] =
			(__u8)(lng ? LONG_EXT_UNITS : fz_below(r, 4));
	}
}

/*
 * Make p a first fragment, or a lone later one; a first one's later
 * fragment is held back to come after it (or, now and then, never).
 */
static void fragment(struct fz_gen *g, struct fz_pkt *p)
{
	struct fz_rng *r = g->rng;
	struct fz_pkt *later;
	int at = p->n_ext;

	p->frag_id = (__u32)fz_next(r);
	if (p->family == XLB_FAMILY_V6) {
		if (p->n_ext < FZ_EXT_MAX - 1)
			at = (int)fz_below(r, (__u32)p->n_ext + 1);
		memmove(p->ext + at + 1, p->ext + at, (size_t)(p->n_ext - at));
		memmove(p->ext_units + at + 1, p->ext_units + at,
			(size_t)(p->n_ext - at));
		p->ext[at] = IPPROTO_FRAGMENT;
		p->n_ext++;
	}
	p->frag = fz_one_in(r, 4) ? FZ_FRAG_LATER : FZ_FRAG_FIRST;
	p->frag_off = (__u16)(1 + fz_below(r, 64));
	p->frag_next = at + 1 < p->n_ext ? p->ext[at + 1] : p->proto;
	if (p->frag == FZ_FRAG_LATER) {
		p->payload = FRAG_UNIT * (1 + fz_below(r, 8));
		return;
	}
	if (fz_one_in(r, 5))
		p->l4_cut = 1 + fz_below(r, 19);
	if (g->n_pending == FZ_GEN_PENDING || fz_one_in(r, 8))
		return;
	later = &g->pending[g->n_pending++];
	*later = *p;
	later->inner = NULL;
	later->frag = FZ_FRAG_LATER;
	later->payload = FRAG_UNIT * (1 + fz_below(r, 8));
}

/* How often vary() makes each variation of an IP header: one in n. */
struct odds {
	__u32 options; /* IPv4 options */
	__u32 exts; /* IPv6 extension headers ... */
	__u32 max_exts; /* ... up to this many */
	__u32 lng; /* ... and of them, over a KB long */
	__u32 frag; /* a fragment */
};

static void vary(struct fz_gen *g, struct fz_pkt *p, const struct odds *o)
{
	struct fz_rng *r = g->rng;

	if (p->family == XLB_FAMILY_V4 && fz_one_in(r, o->options))
		p->optlen = 4 * (1 + fz_below(r, 10));
	if (p->family == XLB_FAMILY_V6 && fz_one_in(r, o->exts))
		add_exts(r, p, 1 + (int)fz_below(r, o->max_exts),
			 fz_one_in(r, o->lng));
	if (fz_one_in(r, o->frag))
		fragment(g, p);
}

/* A client's packet of a VIP flow. */
static void vip_packet(struct fz_gen *g, struct fz_pkt *p)
{
	struct fz_rng *r = g->rng;
	const struct fz_gen_flow *f = vip_flow(g);
	const struct fz_vip *v = &g->cfg->vips[f->vip];

	p->family = v->key.family;
	memcpy(p->src, f->client, sizeof(p->src));
	memcpy(p->dst, v->key.addr, sizeof(p->dst));
	p->proto = v->key.proto;
	p->sport = f->cport;
	p->dport = f->vport;
	p->tcp_flags = random_flags(r);
	p->payload = fz_below(r, 64);
	vary(g, p, &(const struct odds){ 24, 16, 4, 3, 24 });
}

/* A backend's answer to a NAT port the model knows (or a port near it). */
static void reply_packet(struct fz_gen *g, struct fz_pkt *p)
{
	struct fz_rng *r = g->rng;
	struct fz_store *recs = &g->model->recs;
	const struct fz_nat_rec *rec =
		fz_store_at(recs, fz_below(r, (__u32)recs->n));
	const struct xlb_nat_key *k = &rec->key;

	p->family = k->family;
	memcpy(p->src, k->backend, sizeof(p->src));
	memcpy(p->dst, k->lb, sizeof(p->dst));
	p->proto = k->proto;
	p->sport = k->bport;
	p->dport = k->lport;
	if (fz_one_in(r, 16))
		p->dport = htons((__u16)(ntohs(k->lport) + fz_below(r, 3) - 1));
	p->tcp_flags = random_flags(r);
	p->payload = fz_below(r, 64);
	if (p->family == XLB_FAMILY_V6 && fz_one_in(r, 24))
		add_exts(r, p, 1, fz_one_in(r, 2));
	if (fz_one_in(r, 16))
		fragment(g, p);
}

/* An ICMP error about a VIP flow (its backend's answer inside). */
static void icmp_error(struct fz_gen *g, struct fz_pkt *p, struct fz_pkt *in)
{
	static const __u8 v4_types[] = { 3, 3, 11, 8 };
	static const __u8 v6_types[] = { 1, 2, 2, 3, 128 };
	struct fz_rng *r = g->rng;
	const struct fz_gen_flow *f = vip_flow(g);
	const struct fz_vip *v = &g->cfg->vips[f->vip];

	memset(in, 0, sizeof(*in));
	in->family = p->family = v->key.family;
	memcpy(in->src, v->key.addr, sizeof(in->src));
	memcpy(in->dst, f->client, sizeof(in->dst));
	in->proto = fz_one_in(r, 8) ? IPPROTO_ICMP : v->key.proto;
	in->sport = f->vport;
	in->dport = f->cport;
	in->tcp_flags = TCP_ACK;
	in->payload = fz_below(r, 16);
	if (p->family == XLB_FAMILY_V4 && fz_one_in(r, 12))
		in->optlen = 4;
	if (p->family == XLB_FAMILY_V6 && fz_one_in(r, 12))
		add_exts(r, in, 1, false);
	fz_addr_random(r, p->family, p->src);
	memcpy(p->dst, v->key.addr, sizeof(p->dst));
	if (fz_one_in(r, 6))
		fz_addr_random(r, p->family, p->dst);
	p->proto = p->family == XLB_FAMILY_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	p->icmp_type = p->family == XLB_FAMILY_V4 ?
			       v4_types[fz_below(r, sizeof(v4_types))] :
			       v6_types[fz_below(r, sizeof(v6_types))];
	p->inner = in;
	if (fz_one_in(r, 6))
		p->inner_len = fz_below(r, 48);
	if (p->family == XLB_FAMILY_V6 && fz_one_in(r, 16))
		add_exts(r, p, 3, true);
}

/* An IP packet of any protocol (of family p->family) between addresses
 * of the pools. */
static void ip_packet(struct fz_gen *g, struct fz_pkt *p, struct fz_pkt *in)
{
	static const __u8 protos[] = { IPPROTO_TCP,  IPPROTO_TCP,
				       IPPROTO_UDP,  IPPROTO_UDP,
				       IPPROTO_ICMP, IPPROTO_ICMPV6,
				       IPPROTO_GRE,  IPPROTO_SCTP };
	struct fz_rng *r = g->rng;

	fz_addr_random(r, p->family, p->src);
	fz_addr_random(r, p->family, p->dst);
	p->proto = fz_one_in(r, 8) ? (__u8)fz_next(r) :
				     protos[fz_below(r, sizeof(protos))];
	p->sport = random_port(r);
	p->dport = random_port(r);
	p->tcp_flags = random_flags(r);
	p->icmp_type = (__u8)fz_below(r, 4) == 0 ? ND_FIRST + fz_below(r, 8) :
						   (__u8)fz_below(r, 12);
	p->payload = fz_below(r, 96);
	vary(g, p, &(const struct odds){ 8, 5, 7, 12, 8 });
	if (fz_one_in(r, 8)) {
		memset(in, 0, sizeof(*in));
		in->family = p->family;
		fz_addr_random(r, p->family, in->src);
		fz_addr_random(r, p->family, in->dst);
		in->proto = fz_one_in(r, 2) ? IPPROTO_TCP : IPPROTO_UDP;
		in->sport = random_port(r);
		in->dport = random_port(r);
		p->inner = in;
	}
}

/* Neither IP nor ARP; or ARP, whole or cut. */
static void link_frame(struct fz_rng *r, struct fz_pkt *p)
{
	p->family = -1;
	p->arp = fz_one_in(r, 2);
	p->ethertype = (__u16)(ETH_P_OTHER_FIRST + fz_below(r, 256));
	p->payload = fz_below(r, 64);
	if (p->arp && fz_one_in(r, 3))
		p->arp_cut = 1 + fz_below(r, 8);
}

/* Tags, padding; then where the frame is run. */
static void place(struct fz_rng *r, struct fz_pkt *p, struct fz_frame *fr)
{
	static const __u8 vlans[] = { 0, 0, 0, 0, 0, 0, 0, 0,
				      0, 0, 0, 0, 1, 1, 2, 3 };
	__u32 h = fz_below(r, 10), i = fz_below(r, 20);

	p->vlans = vlans[fz_below(r, sizeof(vlans))];
	for (int t = 0; t < p->vlans; t++)
		p->tpid[t] = fz_one_in(r, 2) ? TPID_8021Q : TPID_8021AD;
	if (fz_one_in(r, 10))
		p->pad = 1 + fz_below(r, 40);
	if (fr->kind >= FZ_K_ICMP_ERR)
		h = h < 9 ? 0 : h;
	fr->hook = h < 6 ? XLB_HOOK_XDP :
			   (h < 8 ? XLB_HOOK_TC_INGRESS : XLB_HOOK_TC_EGRESS);
	fr->ifc = i < 13 ? FZ_IF_LO : (i < 19 ? FZ_IF_XT0 : FZ_IF_XT1);
}

static __u32 choose(struct fz_gen *g, struct fz_pkt *p, struct fz_pkt *in)
{
	struct fz_rng *r = g->rng;
	__u32 n = fz_below(r, 100);

	if (g->n_pending && n < 8) {
		size_t i = fz_below(r, (__u32)g->n_pending);

		*p = g->pending[i];
		g->pending[i] = g->pending[--g->n_pending];
		return FZ_K_FRAG;
	}
	if (n < 45 && g->cfg->n_vips) {
		vip_packet(g, p);
		return FZ_K_VIP;
	}
	if (n < 60 && g->model->recs.n) {
		reply_packet(g, p);
		return FZ_K_REPLY;
	}
	if (n < 66 && g->cfg->n_vips) {
		icmp_error(g, p, in);
		return FZ_K_ICMP_ERR;
	}
	if (n < 74) {
		link_frame(r, p);
		return p->arp ? FZ_K_ARP : FZ_K_OTHER;
	}
	p->family = n < 77 || fz_one_in(r, 2) ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	ip_packet(g, p, in);
	if (n < 77) {
		/* Neighbour discovery, which the filter always passes. */
		p->proto = IPPROTO_ICMPV6;
		p->icmp_type = (__u8)(ND_FIRST + fz_below(r, ND_TYPES));
	}
	return p->family == XLB_FAMILY_V4 ? FZ_K_IPV4 : FZ_K_IPV6;
}

void fz_gen_frame(struct fz_gen *g, struct fz_frame *fr)
{
	struct fz_pkt p, in;
	size_t len;

	memset(&p, 0, sizeof(p));
	fr->kind = choose(g, &p, &in);
	if (p.frag)
		fr->kind = FZ_K_FRAG;
	place(g->rng, &p, fr);
	len = fz_build(&p, g->rng, fr->data, sizeof(fr->data));
	fr->len = (__u32)(len < FZ_FRAME_MIN ? FZ_FRAME_MIN : len);
	fr->mutated = false;
	if (fz_one_in(g->rng, 6))
		fz_mutate(fr, g->rng);
}
