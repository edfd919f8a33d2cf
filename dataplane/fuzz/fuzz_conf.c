// SPDX-License-Identifier: GPL-2.0
/*
 * Random configurations, within what xlbd accepts: interfaces with the
 * filter and the load balancer on or off, XDP attached or not; filter
 * rules of random shapes (any subset of src, dst, proto, sport, dport,
 * prefix lengths from /0 to the full address), orders and hooks, checked
 * by the config's own rule checker; allow and deny entries of both hooks
 * and families; DSR and NAT VIPs of both families, one port or all, with
 * snat pools; backends with weights, states, ports and egress interfaces
 * (one outside xlb_tx_ports). Rings are what xlbd makes of the backends:
 * those active, resolved, not down and of weight above 0, by weight.
 */
#include <string.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "gen.h"

#define ORDER_SPAN 1000
#define IFACE_SLOT_FIRST 1
#define V4_PLEN_MAX 32
#define V6_PLEN_MAX 128
#define MAX_WEIGHT 3
#define BACKEND_PORT 8080
#define VIP_ADDRS 8
#define BACKEND_ADDRS 12
#define ROUTE_SNATS 2
#define POOL_ADDRS 8
#define POOL_MAX 3
#define RULE_TRIES 16

static const __u16 vip_ports[] = { 80, 443, 53, 8000 };
#define N_VIP_PORTS (sizeof(vip_ports) / sizeof(vip_ports[0]))

/* A prefix of a random length around a random address of the pools. */
static void random_prefix(struct fz_rng *r, int family, struct xlb_prefix *p)
{
	static const __u8 v4_plens[] = { 8, 16, 24, 28, 32, 32 };
	static const __u8 v6_plens[] = { 32, 48, 64, 112, 128, 128 };
	__be32 addr[4];
	__u32 max = family == XLB_FAMILY_V4 ? V4_PLEN_MAX : V6_PLEN_MAX;

	fz_addr_random(r, family, addr);
	p->family = (__u8)family;
	p->plen = family == XLB_FAMILY_V4 ? v4_plens[fz_below(r, 6)] :
					    v6_plens[fz_below(r, 6)];
	if (fz_one_in(r, 8))
		p->plen = (__u8)fz_below(r, max + 1);
	memcpy(p->addr, addr, sizeof(p->addr));
	for (__u32 i = p->plen; i < max; i++)
		p->addr[i / 8] &= (__u8) ~(0x80 >> (i % 8));
}

static __u8 random_proto(struct fz_rng *r)
{
	static const __u8 protos[] = {
		IPPROTO_TCP, IPPROTO_TCP,  IPPROTO_UDP,
		IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6
	};

	return fz_one_in(r, 8) ? (__u8)fz_next(r) :
				 protos[fz_below(r, sizeof(protos))];
}

static bool order_used(const struct fz_config *c, __u32 order)
{
	for (size_t i = 0; i < c->n_rules; i++)
		if (c->rules[i].order == order)
			return true;
	return false;
}

static void random_rule(struct fz_rng *r, const struct fz_config *c,
			struct xlb_rule *x)
{
	int family = fz_one_in(r, 2) ? XLB_FAMILY_V4 : XLB_FAMILY_V6;
	char err[XLB_RULE_ERRLEN];

	for (int t = 0; t < RULE_TRIES; t++) {
		memset(x, 0, sizeof(*x));
		x->dir = fz_one_in(r, 3) ? XLB_DIR_EGRESS : XLB_DIR_INGRESS;
		x->action = fz_one_in(r, 2) ? XLB_ACTION_DROP : XLB_ACTION_PASS;
		if (fz_one_in(r, 3))
			x->fields |= XLB_FIELD_SRC;
		if (fz_one_in(r, 3))
			x->fields |= XLB_FIELD_DST;
		if (!fz_one_in(r, 3))
			x->fields |= XLB_FIELD_PROTO;
		random_prefix(r, family, &x->src);
		random_prefix(r, family, &x->dst);
		x->proto = random_proto(r);
		x->sport = (__u16)(1 + fz_below(r, 65535));
		x->dport = fz_one_in(r, 2) ? 53 :
					     (__u16)(1 + fz_below(r, 1024));
		if ((x->fields & XLB_FIELD_PROTO) &&
		    (x->proto == IPPROTO_TCP || x->proto == IPPROTO_UDP)) {
			x->fields |= fz_one_in(r, 5) ? XLB_FIELD_SPORT : 0;
			x->fields |= fz_one_in(r, 2) ? XLB_FIELD_DPORT : 0;
		}
		if (xlb_rule_check(x, err, sizeof(err)) >= 0)
			break;
	}
	if (xlb_rule_check(x, err, sizeof(err)) < 0) {
		x->fields = XLB_FIELD_PROTO;
		x->proto = IPPROTO_TCP;
	}
	do
		x->order = fz_below(r, ORDER_SPAN);
	while (order_used(c, x->order));
}

static bool entry_dup(const struct fz_config *c, const struct xlb_list_entry *e)
{
	for (size_t i = 0; i < c->n_entries; i++)
		if (c->entries[i].dir == e->dir &&
		    !memcmp(&c->entries[i].prefix, &e->prefix,
			    sizeof(e->prefix)))
			return true;
	return false;
}

static void random_filter(struct fz_config *c, struct fz_rng *r)
{
	size_t n = fz_below(r, 4) ? fz_below(r, 24) : 0;
	struct xlb_list_entry e;

	for (c->n_rules = 0; c->n_rules < n; c->n_rules++)
		random_rule(r, c, &c->rules[c->n_rules]);
	n = fz_below(r, 3) ? fz_below(r, 10) : 0;
	for (c->n_entries = 0; c->n_entries < n;) {
		memset(&e, 0, sizeof(e));
		e.list = fz_one_in(r, 2) ? XLB_LIST_ALLOW : XLB_LIST_DENY;
		e.dir = fz_one_in(r, 3) ? XLB_DIR_EGRESS : XLB_DIR_INGRESS;
		random_prefix(r,
			      fz_one_in(r, 2) ? XLB_FAMILY_V4 : XLB_FAMILY_V6,
			      &e.prefix);
		if (!entry_dup(c, &e))
			c->entries[c->n_entries++] = e;
	}
}

void fz_conf_backend_net(struct fz_backend *b, const struct fz_net *net)
{
	static const __u8 next_hop[6] = { 0x02, 0xbb, 0, 0, 0, 0 };

	b->b.ifindex = net->ifindex[b->egress];
	memcpy(b->b.dmac, next_hop, sizeof(next_hop));
	b->b.dmac[4] = (__u8)(b->id >> 8);
	b->b.dmac[5] = (__u8)b->id;
	memcpy(b->b.smac, net->mac[b->egress], sizeof(b->b.smac));
}

void fz_conf_ring(struct fz_config *c, __u32 vi)
{
	const __u8 up = XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED;
	struct fz_vip *v = &c->vips[vi];

	v->ring_n = 0;
	for (size_t i = 0; i < c->n_backends; i++) {
		const struct fz_backend *b = &c->backends[i];

		if (b->vip != vi ||
		    (b->b.flags & (up | XLB_BACKEND_DOWN)) != up)
			continue;
		for (__u32 w = 0; w < b->weight && v->ring_n < FZ_RING_MAX; w++)
			v->ring[v->ring_n++] = b->id;
	}
}

static void random_backend(struct fz_config *c, struct fz_rng *r, __u32 vi,
			   __u32 n, const struct fz_net *net)
{
	const struct fz_vip *v = &c->vips[vi];
	struct fz_backend *b = &c->backends[c->n_backends];
	int family = v->key.family;

	memset(b, 0, sizeof(*b));
	b->id = (__u32)c->n_backends++ + 1;
	b->vip = vi;
	b->weight = fz_one_in(r, 10) ? 0 : 1 + fz_below(r, MAX_WEIGHT);
	if (v->mode == XLB_MODE_DSR && fz_one_in(r, 8))
		family = family == XLB_FAMILY_V4 ? XLB_FAMILY_V6 :
						   XLB_FAMILY_V4;
	b->b.family = (__u8)family;
	fz_addr(family, FZ_POOL_BACKEND, 1 + (n + vi) % BACKEND_ADDRS,
		b->b.addr);
	b->b.flags = XLB_BACKEND_ACTIVE;
	b->b.flags |= fz_one_in(r, 8) ? 0 : XLB_BACKEND_RESOLVED;
	b->b.flags |= fz_one_in(r, 16) ? XLB_BACKEND_DOWN : 0;
	if (v->mode == XLB_MODE_NAT && v->key.port && fz_one_in(r, 3))
		b->b.port = htons((__u16)(BACKEND_PORT + fz_below(r, 3)));
	if (v->mode == XLB_MODE_NAT)
		fz_addr(family, FZ_POOL_SNAT, 1 + fz_below(r, ROUTE_SNATS),
			b->b.snat);
	b->egress = fz_one_in(r, 10) ? FZ_IF_XT1 :
				       (fz_one_in(r, 3) ? FZ_IF_XT0 : FZ_IF_LO);
	fz_conf_backend_net(b, net);
}

static bool vip_dup(const struct fz_config *c, const struct xlb_vip_key *k)
{
	for (size_t i = 0; i < c->n_vips; i++)
		if (!memcmp(&c->vips[i].key, k, sizeof(*k)))
			return true;
	return false;
}

static bool vip_id_used(const struct fz_config *c, __u32 id)
{
	for (size_t i = 0; i < c->n_vips; i++)
		if (c->vips[i].id == id)
			return true;
	return false;
}

static void random_pool(struct fz_vip *v, struct fz_rng *r)
{
	__u32 first = fz_below(r, POOL_ADDRS);

	memset(&v->pool, 0, sizeof(v->pool));
	if (v->mode != XLB_MODE_NAT || fz_one_in(r, 2))
		return;
	v->pool.count = 1 + fz_below(r, POOL_MAX);
	for (__u32 i = 0; i < v->pool.count; i++)
		fz_addr(v->key.family, FZ_POOL_SNAT_POOL,
			1 + (first + i) % POOL_ADDRS, v->pool.addr[i]);
}

static void random_vips(struct fz_config *c, struct fz_rng *r,
			const struct fz_net *net)
{
	size_t n = fz_below(r, 5) ? 1 + fz_below(r, FZ_MAX_VIPS) : 0;
	struct fz_vip *v;

	c->n_vips = c->n_backends = 0;
	while (c->n_vips < n) {
		v = &c->vips[c->n_vips];
		memset(v, 0, sizeof(*v));
		v->key.family = fz_one_in(r, 3) ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
		fz_addr(v->key.family, FZ_POOL_VIP, 1 + fz_below(r, VIP_ADDRS),
			v->key.addr);
		v->key.proto = fz_one_in(r, 2) ? IPPROTO_TCP : IPPROTO_UDP;
		if (!fz_one_in(r, 6))
			v->key.port =
				htons(vip_ports[fz_below(r, N_VIP_PORTS)]);
		v->mode = fz_one_in(r, 2) ? XLB_MODE_NAT : XLB_MODE_DSR;
		do
			v->id = fz_below(r, XLB_MAX_VIPS);
		while (vip_id_used(c, v->id));
		if (vip_dup(c, &v->key))
			continue;
		random_pool(v, r);
		for (__u32 b = fz_below(r, FZ_VIP_BACKENDS + 1); b; b--)
			random_backend(c, r, (__u32)c->n_vips, b, net);
		fz_conf_ring(c, (__u32)c->n_vips++);
	}
}

void fz_conf_random(struct fz_config *c, struct fz_rng *r,
		    const struct fz_net *net)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < FZ_IF_XT1; i++) {
		struct fz_iface_conf *ifc = &c->ifs[i];

		ifc->on = !fz_one_in(r, 10);
		ifc->slot = IFACE_SLOT_FIRST + (__u32)i;
		ifc->stages |= fz_one_in(r, 4) ? 0 : XLB_STAGE_FILTER;
		ifc->stages |= fz_one_in(r, 4) ? 0 : XLB_STAGE_LB;
		ifc->attach = fz_one_in(r, 5) ? 0 : XLB_ATTACH_XDP_NATIVE;
	}
	random_filter(c, r);
	random_vips(c, r, net);
}

void fz_conf_apply_event(struct fz_config *c, const struct fz_event *ev)
{
	struct fz_backend *b = &c->backends[ev->backend];

	b->b.flags = ev->flags;
	b->weight = ev->weight;
	fz_conf_ring(c, b->vip);
}

void fz_conf_event(struct fz_config *c, struct fz_rng *r, struct fz_event *ev)
{
	const struct fz_backend *b;
	__u32 what = fz_below(r, 5);

	ev->backend = fz_below(r, (__u32)c->n_backends);
	b = &c->backends[ev->backend];
	ev->flags = b->b.flags;
	ev->weight = b->weight;
	if (what < 2)
		ev->flags ^= XLB_BACKEND_DOWN;
	else if (what < 4)
		ev->flags ^= XLB_BACKEND_RESOLVED;
	else
		ev->weight = fz_below(r, MAX_WEIGHT + 1);
	fz_conf_apply_event(c, ev);
}
