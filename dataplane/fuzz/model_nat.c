// SPDX-License-Identifier: GPL-2.0
/*
 * The model's NAT, from docs/lb.md ("NAT: setting up the LB", "The snat
 * pool", "How NAT ports are freed") and docs/design.md. A new flow's
 * address and port are the data plane's choice; the model reads them from
 * the flow's table entry and checks what the docs require: a port of
 * 32768-60999, an address of the VIP's pool (or the backend's route
 * source without one), a port no live flow holds towards that backend and
 * address, a flow's own port when it comes back for it (a reopened flow,
 * a TCP flow without SYN), and a record in xlb_nat_rev naming the flow.
 * Replies to an LB address and port with a record are sent back from the
 * VIP to the client (the FIB's next hop, or the kernel when it has none),
 * record the backend's FIN and RST in the flow that holds the port, and
 * a first fragment's rewrite serves its later fragments.
 */
#include <errno.h>
#include <arpa/inet.h>

#include "model_lb.h"

bool fz_is_snat(const struct fz_model *m, const __be32 *addr, int family)
{
	const struct fz_config *c = m->cfg;

	for (size_t i = 0; i < c->n_backends; i++) {
		const struct fz_backend *b = &c->backends[i];

		if (c->vips[b->vip].mode == XLB_MODE_NAT &&
		    c->vips[b->vip].key.family == family &&
		    fz_addr_eq(b->b.snat, addr, family))
			return true;
	}
	for (size_t i = 0; i < c->n_vips; i++) {
		const struct fz_vip *v = &c->vips[i];

		for (__u32 j = 0; j < v->pool.count; j++)
			if (v->mode == XLB_MODE_NAT &&
			    v->key.family == family &&
			    fz_addr_eq(v->pool.addr[j], addr, family))
				return true;
	}
	return false;
}

static bool flow_eq(const struct xlb_flow_key *a, const struct xlb_flow_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * Does entry c send its flow from key k's LB address and port? Whichever
 * backend it goes to now (docs/lb.md, "How NAT ports are freed"): a flow
 * moved to another backend, which mostly takes the same port there, also
 * keeps its old backend's.
 */
static bool holds(const struct fz_entry *c, const struct xlb_nat_key *k)
{
	return c->port == k->lport && fz_addr_eq(c->snat, k->lb, k->family);
}

/* The entry the data plane judges a flow by: xlb_conns', else xlb_syns'. */
static struct fz_entry *entry_of(struct fz_model *m,
				 const struct xlb_flow_key *k)
{
	struct fz_entry *c = fz_lookup(&m->conns, &m->entries, k);

	return c ? c : fz_lookup(&m->syns, &m->entries, k);
}

static bool held(struct fz_model *m, const struct fz_nat_rec *r)
{
	struct fz_entry *c = entry_of(m, &r->owner);

	return c && holds(c, &r->key);
}

static bool snat_allowed(const struct fz_vip *v, const struct fz_backend *b,
			 const __be32 *snat, int family)
{
	if (!v->pool.count)
		return fz_addr_eq(snat, b->b.snat, family);
	for (__u32 i = 0; i < v->pool.count; i++)
		if (fz_addr_eq(snat, v->pool.addr[i], family))
			return true;
	return false;
}

/* Does flow k have a port towards the backend of key nk, other than it? */
static bool own_port_missed(struct fz_model *m, const struct xlb_nat_key *nk,
			    const struct xlb_flow_key *k)
{
	bool own = false;

	for (size_t i = 0; i < m->recs.n; i++) {
		const struct fz_nat_rec *r = fz_store_at(&m->recs, i);

		if (!flow_eq(&r->owner, k) || r->key.bport != nk->bport ||
		    memcmp(r->key.backend, nk->backend, sizeof(nk->backend)))
			continue;
		if (!memcmp(&r->key, nk, sizeof(*nk)))
			return false;
		own = true;
	}
	return own;
}

/* The data plane's record of port nk must name flow k of VIP id vid. */
static void record_check(struct fz_model *m, const struct xlb_nat_key *nk,
			 const struct xlb_flow_key *k, __u32 vid,
			 struct fz_expect *e)
{
	struct xlb_nat_val v;

	if (m->peek.nat(m->peek.ctx, nk, &v)) {
		fz_why(e, "NAT port %u has no record", ntohs(nk->lport));
		return;
	}
	if (memcmp(v.client, k->src, sizeof(v.client)) ||
	    memcmp(v.vip, k->dst, sizeof(v.vip)) || v.cport != k->sport ||
	    v.vport != k->dport || v.vip_id != vid)
		fz_why(e, "NAT port %u: its record names another flow",
		       ntohs(nk->lport));
}

int fz_nat_take(struct fz_model *m, const struct xlb_flow_key *k, __u32 vi,
		__u32 bi, const struct xlb_conn *dc, bool again,
		struct fz_entry *ne, struct fz_expect *e)
{
	const struct fz_vip *v = &m->cfg->vips[vi];
	const struct fz_backend *b = &m->cfg->backends[bi];
	__u16 port = ntohs(dc->nat_port);
	struct fz_nat_rec rec = { .owner = *k, .vip = vi }, *r;
	struct xlb_nat_key *nk = &rec.key;

	memcpy(ne->snat, dc->snat, sizeof(ne->snat));
	ne->port = dc->nat_port;
	memcpy(nk->backend, b->b.addr, sizeof(nk->backend));
	memcpy(nk->lb, dc->snat, sizeof(nk->lb));
	nk->bport = b->b.port ? b->b.port : k->dport;
	nk->lport = dc->nat_port;
	nk->proto = k->proto;
	nk->family = k->family;
	if (port < NAT_PORT_BASE || port >= NAT_PORT_BASE + NAT_PORT_COUNT)
		fz_why(e, "NAT port %u out of range", port);
	if (!snat_allowed(v, b, dc->snat, k->family))
		fz_why(e, "NAT address neither the pool's nor the route's");
	r = fz_lookup(&m->nat, &m->recs, nk);
	if (r && !flow_eq(&r->owner, k) && held(m, r))
		fz_why(e, "NAT port %u taken from a live flow", port);
	if (again && own_port_missed(m, nk, k))
		fz_why(e, "NAT port %u: the flow had a port of its own", port);
	record_check(m, nk, k, v->id, e);
	return fz_insert(&m->nat, &m->recs, nk, &rec);
}

/* Send a reply on to its client, or pass it when the FIB cannot. */
static int route(struct fz_model *m, const struct fz_frame *fr, int family,
		 const __be32 *client, struct fz_expect *e)
{
	for (int j = 0; j < FZ_NEIGH_CLIENTS; j++) {
		if (!fz_addr_eq(m->neigh[family][j], client, family))
			continue;
		fz_out_macs(e, m->neigh_mac[j], m->if_mac[FZ_IF_XT0]);
		return fz_send(m, fr, m->ifindex[FZ_IF_XT0], e);
	}
	return fz_pass(e, XLB_REASON_LB_UNRESOLVED);
}

/* A later fragment of a reply: rewritten as its first one, if it came. */
static int reply_frag(struct fz_model *m, const struct fz_frame *fr,
		      const struct fz_parse *p, struct fz_expect *e)
{
	struct fz_nat_rec *r;
	struct fz_frag_key k;

	fz_frag_key_of(p, 0, &k);
	r = fz_lookup(&m->nat_frags, &m->frag_recs, &k);
	if (!r)
		return fz_pass(e, XLB_REASON_LB_NAT_FRAG_UNMATCHED);
	fz_out_nat(e, p, r->owner.dst, r->owner.src, 0, 0, false);
	return route(m, fr, p->family, r->owner.src, e);
}

int fz_nat_reply(struct fz_model *m, const struct fz_frame *fr,
		 const struct fz_parse *p, struct fz_expect *e)
{
	struct xlb_nat_key k = { .bport = p->sport,
				 .lport = p->dport,
				 .proto = p->proto,
				 .family = (__u8)p->family };
	__u16 port = ntohs(p->dport);
	struct fz_entry *c;
	struct fz_nat_rec *r;
	struct fz_frag_key fk;
	int v;

	if (!fz_is_snat(m, p->dst, p->family)) {
		e->maybe_frag_unmatched = p->later;
		return FZ_CONTINUE;
	}
	if (p->later)
		return reply_frag(m, fr, p, e);
	if (port < NAT_PORT_BASE || port >= NAT_PORT_BASE + NAT_PORT_COUNT)
		return FZ_CONTINUE;
	memcpy(k.backend, p->src, sizeof(k.backend));
	memcpy(k.lb, p->dst, sizeof(k.lb));
	r = fz_lookup(&m->nat, &m->recs, &k);
	if (!r)
		return FZ_CONTINUE;
	if (p->l4 > L4_OFF_MAX)
		return fz_pass(e, XLB_REASON_LB_HEADERS_TOO_LONG);
	c = fz_lookup(&m->conns, &m->entries, &r->owner);
	if (c && holds(c, &k))
		fz_touch(c, p->tcp_flags, false);
	fz_frag_key_of(p, 0, &fk);
	if (p->frag && fz_insert(&m->nat_frags, &m->frag_recs, &fk, r))
		return -ENOMEM;
	fz_out_nat(e, p, r->owner.dst, r->owner.src, r->owner.dport,
		   r->owner.sport, true);
	v = route(m, fr, p->family, r->owner.src, e);
	fz_tables_check(m, &r->owner, e);
	return v;
}
