// SPDX-License-Identifier: GPL-2.0
/*
 * The model's filter stage, from docs/filter.md: frames that are not IP,
 * ARP (whole or cut) and unfragmented IPv6 neighbour discovery pass; an IP
 * packet that cannot be parsed is dropped (a first fragment too short for
 * its L4 header as filter_fragment); then the rules of the hook, the
 * lowest order among those that match deciding; then the deny list and a
 * non-empty allow list, by source on ingress and destination on egress,
 * the longest matching prefix counting the hit. A first fragment's rule
 * is remembered for the later ones; a later fragment whose first was not
 * seen meets the rules without ports only.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "model.h"

/* ICMPv6 neighbour discovery: router and neighbour solicitations and
 * advertisements, redirects. */
#define ND_FIRST 133
#define ND_LAST 137

#define PORT_FIELDS (XLB_FIELD_SPORT | XLB_FIELD_DPORT)

void fz_frag_key_of(const struct fz_parse *p, int dir, struct fz_frag_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, p->src, sizeof(k->src));
	memcpy(k->dst, p->dst, sizeof(k->dst));
	k->id = p->frag_id;
	k->proto = p->family == XLB_FAMILY_V6 && p->frag ? p->frag_next :
							   p->proto;
	k->family = (__u8)p->family;
	k->dir = (__u8)dir;
}

bool fz_prefix_has(const struct xlb_prefix *pfx, int fam, const __be32 *addr)
{
	const __u8 *a = (const __u8 *)addr;

	if (pfx->family != fam)
		return false;
	for (unsigned int i = 0; i < pfx->plen; i++) {
		__u8 bit = 0x80 >> (i % 8);

		if ((a[i / 8] & bit) != (pfx->addr[i / 8] & bit))
			return false;
	}
	return true;
}

/* The family a rule applies to: its addresses', icmp's; -1 for both. */
static int rule_family(const struct xlb_rule *r)
{
	if (r->fields & XLB_FIELD_SRC)
		return r->src.family;
	if (r->fields & XLB_FIELD_DST)
		return r->dst.family;
	if ((r->fields & XLB_FIELD_PROTO) && r->proto == IPPROTO_ICMP)
		return XLB_FAMILY_V4;
	if ((r->fields & XLB_FIELD_PROTO) && r->proto == IPPROTO_ICMPV6)
		return XLB_FAMILY_V6;
	return -1;
}

static bool rule_matches(const struct xlb_rule *r, const struct fz_parse *p,
			 bool no_ports)
{
	int fam = rule_family(r);

	if (fam >= 0 && fam != p->family)
		return false;
	if (no_ports && (r->fields & PORT_FIELDS))
		return false;
	if ((r->fields & XLB_FIELD_SRC) &&
	    !fz_prefix_has(&r->src, p->family, p->src))
		return false;
	if ((r->fields & XLB_FIELD_DST) &&
	    !fz_prefix_has(&r->dst, p->family, p->dst))
		return false;
	if ((r->fields & XLB_FIELD_PROTO) && r->proto != p->proto)
		return false;
	if ((r->fields & XLB_FIELD_SPORT) && r->sport != ntohs(p->sport))
		return false;
	return !(r->fields & XLB_FIELD_DPORT) || r->dport == ntohs(p->dport);
}

/* The index of the matching rule with the lowest order, or -1. */
static int best_rule(const struct fz_config *c, const struct fz_parse *p,
		     int dir, bool no_ports)
{
	int best = -1;

	for (size_t i = 0; i < c->n_rules; i++) {
		const struct xlb_rule *r = &c->rules[i];

		if ((int)r->dir != dir || !rule_matches(r, p, no_ports))
			continue;
		if (best < 0 || r->order < c->rules[best].order)
			best = (int)i;
	}
	return best;
}

/* The rule that decides about p (its index), or -1: see the head. */
static int rules_for(struct fz_model *m, const struct fz_parse *p, int dir)
{
	struct fz_frag_key k;
	__u32 seen;
	int best;

	fz_frag_key_of(p, dir, &k);
	if (p->later) {
		if (keytab_get(&m->frags, &k, &seen))
			return (int)seen - 1;
		return best_rule(m->cfg, p, dir, true);
	}
	best = best_rule(m->cfg, p, dir, false);
	if (p->frag && keytab_put(&m->frags, &k, (__u32)(best + 1)))
		return -ENOMEM;
	return best;
}

/* The entry of a list with the longest prefix holding addr, or -1. */
static int longest(const struct fz_config *c, enum xlb_list list, int dir,
		   int fam, const __be32 *addr)
{
	int best = -1;

	for (size_t i = 0; i < c->n_entries; i++) {
		const struct xlb_list_entry *e = &c->entries[i];

		if (e->list != list || (int)e->dir != dir ||
		    !fz_prefix_has(&e->prefix, fam, addr))
			continue;
		if (best < 0 || e->prefix.plen > c->entries[best].prefix.plen)
			best = (int)i;
	}
	return best;
}

static bool list_empty(const struct fz_config *c, enum xlb_list list, int dir)
{
	for (size_t i = 0; i < c->n_entries; i++)
		if (c->entries[i].list == list && (int)c->entries[i].dir == dir)
			return false;
	return true;
}

static int drop(struct fz_expect *e, int reason)
{
	e->reasons[reason]++;
	return XLB_VERDICT_DROP;
}

static void hit(struct xlb_ctr *ctrs, __u32 id, __u32 bytes)
{
	ctrs[id].packets++;
	ctrs[id].bytes += bytes;
}

/* Steps 4 and 5 of docs/filter.md: the deny list, then the allow list. */
static int lists(struct fz_model *m, const struct fz_parse *p, int dir,
		 __u32 bytes, struct fz_expect *e)
{
	const struct fz_config *c = m->cfg;
	const __be32 *addr = dir == XLB_DIR_INGRESS ? p->src : p->dst;
	int i = longest(c, XLB_LIST_DENY, dir, p->family, addr);

	if (i >= 0) {
		hit(m->entry_hits, c->entries[i].id, bytes);
		return drop(e, XLB_REASON_FILTER_DENY);
	}
	if (list_empty(c, XLB_LIST_ALLOW, dir))
		return FZ_CONTINUE;
	i = longest(c, XLB_LIST_ALLOW, dir, p->family, addr);
	if (i < 0)
		return drop(e, XLB_REASON_FILTER_NOT_ALLOWED);
	hit(m->entry_hits, c->entries[i].id, bytes);
	return FZ_CONTINUE;
}

int fz_filter(struct fz_model *m, const struct fz_parse *p, int dir,
	      __u32 bytes, struct fz_expect *e)
{
	const struct xlb_rule *r;
	int i;

	if (p->pclass == XLB_PCLASS_MALFORMED) {
		/* A cut ARP header is still ARP, which always passes. */
		if (p->reason == XLB_REASON_ARP_TRUNCATED)
			return FZ_CONTINUE;
		return drop(e, p->frag && p->reason == XLB_REASON_L4_TRUNCATED ?
				       XLB_REASON_FILTER_FRAGMENT :
				       XLB_REASON_FILTER_MALFORMED);
	}
	if (p->pclass == XLB_PCLASS_ARP || p->pclass == XLB_PCLASS_OTHER)
		return FZ_CONTINUE;
	if (p->pclass == XLB_PCLASS_IPV6_ICMP && !p->frag &&
	    p->icmp_type >= ND_FIRST && p->icmp_type <= ND_LAST)
		return FZ_CONTINUE;
	i = rules_for(m, p, dir);
	if (i == -ENOMEM)
		return i;
	if (i < 0)
		return lists(m, p, dir, bytes, e);
	r = &m->cfg->rules[i];
	hit(m->rule_hits, r->id, bytes);
	if (r->action == XLB_ACTION_DROP)
		return drop(e, XLB_REASON_FILTER_RULE);
	return FZ_CONTINUE;
}
