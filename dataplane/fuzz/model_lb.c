// SPDX-License-Identifier: GPL-2.0
/*
 * The model's load balancer stage for clients' packets and ICMP errors,
 * from docs/design.md ("The load balancer stage") and docs/lb.md. A TCP
 * or UDP packet for a VIP (its address, protocol and port, else the VIP
 * of every port of the address) is passed, counted, when it is a
 * fragment or carries IPv4 options (or, in NAT mode, when its L4 header
 * starts beyond 1,024 bytes). Otherwise it follows its flow: its entry in
 * xlb_conns, else (TCP) in xlb_syns, each good while its backend is
 * active and not down; a bare SYN on a flow that has shown its end (a
 * FIN or an RST) starts it anew. A new flow takes the backend of a ring
 * slot (the model reads which from the data plane's table and checks it
 * is in the ring), stays in xlb_syns while it has sent only SYNs, and in
 * NAT mode takes a port (model_nat.c). An unresolved backend gets nothing:
 * the packet is passed. An ICMP error about a DSR flow (its inner packet
 * reversed) goes where the flow goes, and moves it from no table to
 * another: only the client's packets do that.
 */
#include <errno.h>
#include <arpa/inet.h>

#include "model_lb.h"

#define ICMP_HDR_LEN 8
#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_TIME_EXCEED 3
#define IPV4_HDR_LEN 20
#define IPV4_PLAIN_IHL 5
#define IPV6_HDR_LEN 40
#define PORTS_LEN 4

/* The VIP of a destination: its exact key, else every port's; or -1. */
static int vip_of(const struct fz_config *c, const __be32 *addr, __be16 port,
		  __u8 proto, int family)
{
	int all = -1;

	for (size_t i = 0; i < c->n_vips; i++) {
		const struct xlb_vip_key *k = &c->vips[i].key;

		if (k->family != family || k->proto != proto ||
		    !fz_addr_eq(k->addr, addr, family))
			continue;
		if (k->port == port)
			return (int)i;
		if (!k->port)
			all = (int)i;
	}
	return all;
}

static int backend_index(const struct fz_config *c, __u32 id)
{
	for (size_t i = 0; i < c->n_backends; i++)
		if (c->backends[i].id == id)
			return (int)i;
	return -1;
}

static bool in_ring(const struct fz_vip *v, __u32 id)
{
	for (__u32 i = 0; i < v->ring_n; i++)
		if (v->ring[i] == id)
			return true;
	return false;
}

static bool usable(const struct fz_model *m, const struct fz_entry *c, __u32 vi)
{
	__u8 f = m->cfg->backends[c->backend].b.flags;

	return c->vip == vi && (f & XLB_BACKEND_ACTIVE) &&
	       !(f & XLB_BACKEND_DOWN);
}

int fz_send(struct fz_model *m, const struct fz_frame *fr, __u32 ifindex,
	    struct fz_expect *e)
{
	if (ifindex == m->ifindex[fr->ifc])
		return XLB_VERDICT_TX;
	if (ifindex == m->tx_port)
		return XLB_VERDICT_REDIRECT;
	e->reasons[XLB_REASON_LB_TX_PORT_MISSING]++;
	return XLB_VERDICT_ABORTED;
}

static int forward(struct fz_model *m, const struct fz_frame *fr,
		   const struct fz_parse *p, __u32 vi, const struct fz_entry *c,
		   struct fz_expect *e)
{
	const struct fz_backend *b = &m->cfg->backends[c->backend];

	if (!(b->b.flags & XLB_BACKEND_RESOLVED))
		return fz_pass(e, XLB_REASON_LB_UNRESOLVED);
	if (m->cfg->vips[vi].mode == XLB_MODE_NAT)
		fz_out_nat(e, p, c->snat, b->b.addr, c->port,
			   b->b.port ? b->b.port : p->dport, true);
	fz_out_macs(e, b->b.dmac, b->b.smac);
	return fz_send(m, fr, b->b.ifindex, e);
}

static int new_flow(struct fz_model *m, const struct fz_frame *fr,
		    const struct fz_parse *p, __u32 vi,
		    const struct xlb_flow_key *k, bool reopen,
		    struct fz_expect *e)
{
	const struct fz_vip *v = &m->cfg->vips[vi];
	bool syn = fz_bare_syn(p), again;
	struct fz_entry ne = { .vip = vi };
	struct xlb_conn dc;
	int bi;

	if (!v->ring_n)
		return fz_drop(e, XLB_REASON_LB_NO_BACKEND);
	if (m->peek.flow(m->peek.ctx, k, syn, &dc))
		return fz_why(e, "a new flow is not in %s",
			      syn ? "xlb_syns" : "xlb_conns");
	bi = backend_index(m->cfg, dc.backend);
	if (bi < 0 || !in_ring(v, dc.backend))
		return fz_why(e, "new flow: backend %u is not in its ring",
			      dc.backend);
	ne.backend = (__u32)bi;
	fz_touch(&ne, p->tcp_flags, true);
	again = reopen ||
		(p->proto == IPPROTO_TCP && !(p->tcp_flags & TCP_SYN));
	if (v->mode == XLB_MODE_NAT &&
	    fz_nat_take(m, k, vi, ne.backend, &dc, again, &ne, e))
		return -ENOMEM;
	if (fz_insert(syn ? &m->syns : &m->conns, &m->entries, k, &ne))
		return -ENOMEM;
	return forward(m, fr, p, vi, &ne, e);
}

static void flow_key(const struct fz_parse *p, struct xlb_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, p->src, sizeof(k->src));
	memcpy(k->dst, p->dst, sizeof(k->dst));
	k->sport = p->sport;
	k->dport = p->dport;
	k->proto = p->proto;
	k->family = (__u8)p->family;
}

/* A TCP or UDP packet of a VIP's flow (docs/design.md, "Flows"). */
static int client(struct fz_model *m, const struct fz_frame *fr,
		  const struct fz_parse *p, __u32 vi, struct fz_expect *e)
{
	struct xlb_flow_key k;
	struct fz_entry *c, *s, moved;
	bool reopen = false;

	if (p->frag)
		return fz_pass(e, XLB_REASON_LB_FRAGMENT);
	if (p->options)
		return fz_pass(e, XLB_REASON_LB_IP_OPTIONS);
	if (m->cfg->vips[vi].mode == XLB_MODE_NAT && p->l4 > L4_OFF_MAX)
		return fz_pass(e, XLB_REASON_LB_HEADERS_TOO_LONG);
	flow_key(p, &k);
	c = fz_lookup(&m->conns, &m->entries, &k);
	if (c && (c->state & (XLB_CONN_FIN | XLB_CONN_RST)) && fz_bare_syn(p)) {
		keytab_del(&m->conns, &k);
		reopen = true;
		c = NULL;
	}
	if (c && usable(m, c, vi)) {
		fz_touch(c, p->tcp_flags, true);
		return forward(m, fr, p, vi, c, e);
	}
	s = p->proto == IPPROTO_TCP ? fz_lookup(&m->syns, &m->entries, &k) :
				      NULL;
	if (!s || !usable(m, s, vi))
		return new_flow(m, fr, p, vi, &k, reopen, e);
	fz_touch(s, p->tcp_flags, true);
	if (fz_bare_syn(p))
		return forward(m, fr, p, vi, s, e);
	/* The handshake goes on: the flow moves to xlb_conns. */
	moved = *s;
	keytab_del(&m->syns, &k);
	if (fz_insert(&m->conns, &m->entries, &k, &moved))
		return -ENOMEM;
	return forward(m, fr, p, vi, &moved, e);
}

/* The flow an ICMP error is about, its inner packet reversed; 0 or -1. */
static int icmp_flow(const __u8 *f, const struct fz_parse *p,
		     struct xlb_flow_key *k)
{
	size_t in = p->l4 + ICMP_HDR_LEN, hl;
	const __u8 *h = f + in;
	__u8 proto;

	memset(k, 0, sizeof(*k));
	if (p->family == XLB_FAMILY_V4) {
		if (in + IPV4_HDR_LEN > p->end ||
		    (h[0] & 0xf) != IPV4_PLAIN_IHL)
			return -1;
		hl = IPV4_HDR_LEN;
		proto = h[9];
		memcpy(k->src, h + 16, 4);
		memcpy(k->dst, h + 12, 4);
	} else {
		if (in + IPV6_HDR_LEN > p->end)
			return -1;
		hl = IPV6_HDR_LEN;
		proto = h[6];
		memcpy(k->src, h + 24, 16);
		memcpy(k->dst, h + 8, 16);
	}
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
	    in + hl + PORTS_LEN > p->end)
		return -1;
	memcpy(&k->sport, h + hl + 2, 2);
	memcpy(&k->dport, h + hl, 2);
	k->proto = proto;
	k->family = (__u8)p->family;
	return 0;
}

static bool icmp_error(const struct fz_parse *p)
{
	if (p->frag)
		return false;
	if (p->pclass == XLB_PCLASS_IPV4_ICMP)
		return p->icmp_type == ICMP_DEST_UNREACH ||
		       p->icmp_type == ICMP_TIME_EXCEEDED;
	if (p->pclass == XLB_PCLASS_IPV6_ICMP)
		return p->icmp_type == ICMPV6_DEST_UNREACH ||
		       p->icmp_type == ICMPV6_PKT_TOOBIG ||
		       p->icmp_type == ICMPV6_TIME_EXCEED;
	return false;
}

static int icmp(struct fz_model *m, const struct fz_frame *fr,
		const struct fz_parse *p, struct fz_expect *e)
{
	struct xlb_flow_key k;
	struct fz_entry *c;
	int vi, v;

	if (p->l4 > L4_OFF_MAX) {
		e->reasons[XLB_REASON_LB_HEADERS_TOO_LONG]++;
		return FZ_CONTINUE;
	}
	if (icmp_flow(fr->data, p, &k))
		return FZ_CONTINUE;
	vi = vip_of(m->cfg, k.dst, k.dport, k.proto, k.family);
	if (vi < 0 || m->cfg->vips[vi].mode != XLB_MODE_DSR)
		return FZ_CONTINUE;
	c = fz_lookup(&m->conns, &m->entries, &k);
	if ((!c || !usable(m, c, (__u32)vi)) && k.proto == IPPROTO_TCP)
		c = fz_lookup(&m->syns, &m->entries, &k);
	if (c && usable(m, c, (__u32)vi))
		v = forward(m, fr, p, (__u32)vi, c, e);
	else
		v = fz_pass(e, XLB_REASON_LB_ICMP_UNMATCHED);
	fz_tables_check(m, &k, e);
	return v;
}

/*
 * May it be TCP or UDP? A later IPv6 fragment whose Fragment header names
 * an extension header may: only its first fragment says (docs/design.md,
 * NAT replies' fragments).
 */
static bool maybe_tcp_udp(const struct fz_parse *p)
{
	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
	       (p->family == XLB_FAMILY_V6 && p->later &&
		fz_ipv6_ext(p->proto));
}

int fz_lb(struct fz_model *m, const struct fz_frame *fr,
	  const struct fz_parse *p, struct fz_expect *e)
{
	struct xlb_flow_key k;
	int vi, v;

	if (p->pclass == XLB_PCLASS_MALFORMED)
		return FZ_CONTINUE;
	if (!maybe_tcp_udp(p))
		return icmp_error(p) ? icmp(m, fr, p, e) : FZ_CONTINUE;
	vi = vip_of(m->cfg, p->dst, p->dport, p->proto, p->family);
	if (vi < 0)
		return fz_nat_reply(m, fr, p, e);
	v = client(m, fr, p, (__u32)vi, e);
	if (!p->frag && !p->options) {
		flow_key(p, &k);
		fz_tables_check(m, &k, e);
	}
	return v;
}

/* One table's entry of flow k, the data plane's against the model's. */
static void entry_check(struct fz_model *m, const struct xlb_flow_key *k,
			bool syns, struct fz_expect *e)
{
	const struct fz_config *cfg = m->cfg;
	struct fz_entry *me =
		fz_lookup(syns ? &m->syns : &m->conns, &m->entries, k);
	const char *t = syns ? "xlb_syns" : "xlb_conns";
	struct xlb_conn dc;
	bool has = !m->peek.flow(m->peek.ctx, k, syns, &dc);
	__u32 bid, vid;

	if (!me != !has) {
		fz_why(e, "%s %s the flow", t, has ? "holds" : "lacks");
		return;
	}
	if (!me)
		return;
	bid = cfg->backends[me->backend].id;
	vid = cfg->vips[me->vip].id;
	if (dc.backend != bid || dc.vip != vid || dc.state != me->state)
		fz_why(e, "%s: backend %u vip %u state %#x, want %u %u %#x", t,
		       dc.backend, dc.vip, dc.state, bid, vid, me->state);
	else if (cfg->vips[me->vip].mode == XLB_MODE_NAT &&
		 (dc.nat_port != me->port ||
		  !fz_addr_eq(dc.snat, me->snat, k->family)))
		fz_why(e, "%s: NAT port %u, want %u", t, ntohs(dc.nat_port),
		       ntohs(me->port));
}

void fz_tables_check(struct fz_model *m, const struct xlb_flow_key *k,
		     struct fz_expect *e)
{
	entry_check(m, k, false, e);
	if (k->proto == IPPROTO_TCP)
		entry_check(m, k, true, e);
}
