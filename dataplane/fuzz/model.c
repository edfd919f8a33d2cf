// SPDX-License-Identifier: GPL-2.0
/*
 * The reference model's pipeline (docs/design.md, "The pipeline"): an
 * interface without a record passes everything, counted as unknown; the
 * frame is parsed once, its class counted at the hook and a malformed
 * one's reason; the filter runs where the interface enables it (at XDP,
 * at tc ingress only without XDP, at tc egress for egress rules), then the
 * load balancer, in XDP only. Also the model's state: the tables it keeps
 * as keytabs over growable arrays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Room for the first items of a store. */
#define STORE_FIRST 256

int fz_store_init(struct fz_store *s, size_t size)
{
	s->size = size;
	s->n = 0;
	s->cap = STORE_FIRST;
	s->items = calloc(s->cap, size);
	return s->items ? 0 : -ENOMEM;
}

void fz_store_free(struct fz_store *s)
{
	free(s->items);
	s->items = NULL;
}

int fz_store_add(struct fz_store *s)
{
	if (s->n == s->cap) {
		void *items = realloc(s->items, 2 * s->cap * s->size);

		if (!items)
			return -ENOMEM;
		s->items = items;
		s->cap *= 2;
	}
	memset(fz_store_at(s, s->n), 0, s->size);
	return (int)s->n++;
}

void *fz_lookup(const struct keytab *t, struct fz_store *s, const void *key)
{
	__u32 i;

	return keytab_get(t, key, &i) ? fz_store_at(s, i) : NULL;
}

int fz_insert(struct keytab *t, struct fz_store *s, const void *key,
	      const void *item)
{
	__u32 i;
	int n;

	if (!keytab_get(t, key, &i)) {
		n = fz_store_add(s);
		if (n < 0 || keytab_put(t, key, (__u32)n))
			return -ENOMEM;
		i = (__u32)n;
	}
	memcpy(fz_store_at(s, i), item, s->size);
	return 0;
}

static void tables_free(struct fz_model *m)
{
	keytab_free(&m->frags);
	keytab_free(&m->conns);
	keytab_free(&m->syns);
	keytab_free(&m->nat);
	keytab_free(&m->nat_frags);
	fz_store_free(&m->entries);
	fz_store_free(&m->recs);
	fz_store_free(&m->frag_recs);
}

static int tables_init(struct fz_model *m)
{
	if (keytab_init(&m->frags, sizeof(struct fz_frag_key)) ||
	    keytab_init(&m->conns, sizeof(struct xlb_flow_key)) ||
	    keytab_init(&m->syns, sizeof(struct xlb_flow_key)) ||
	    keytab_init(&m->nat, sizeof(struct xlb_nat_key)) ||
	    keytab_init(&m->nat_frags, sizeof(struct fz_frag_key)) ||
	    fz_store_init(&m->entries, sizeof(struct fz_entry)) ||
	    fz_store_init(&m->recs, sizeof(struct fz_nat_rec)) ||
	    fz_store_init(&m->frag_recs, sizeof(struct fz_nat_rec)))
		return -ENOMEM;
	return 0;
}

int fz_model_init(struct fz_model *m, __u32 max_rules, __u32 max_prefixes)
{
	m->max_rules = max_rules;
	m->max_prefixes = max_prefixes;
	m->rule_hits = calloc(max_rules + 1, sizeof(*m->rule_hits));
	m->entry_hits = calloc(max_prefixes + 1, sizeof(*m->entry_hits));
	if (!m->rule_hits || !m->entry_hits)
		return -ENOMEM;
	return tables_init(m);
}

void fz_model_free(struct fz_model *m)
{
	tables_free(m);
	free(m->rule_hits);
	free(m->entry_hits);
	m->rule_hits = m->entry_hits = NULL;
}

int fz_model_reset(struct fz_model *m, struct fz_config *cfg)
{
	m->cfg = cfg;
	memset(m->rule_hits, 0, (m->max_rules + 1) * sizeof(*m->rule_hits));
	memset(m->entry_hits, 0,
	       (m->max_prefixes + 1) * sizeof(*m->entry_hits));
	tables_free(m);
	return tables_init(m);
}

/* Does the filter run at this hook of interface ifc? */
static bool filter_here(const struct fz_iface_conf *ifc, enum xlb_hook hook)
{
	if (!(ifc->stages & XLB_STAGE_FILTER))
		return false;
	if (hook == XLB_HOOK_TC_INGRESS)
		return !(ifc->attach &
			 (XLB_ATTACH_XDP_NATIVE | XLB_ATTACH_XDP_GENERIC));
	return true;
}

int fz_model_run(struct fz_model *m, const struct fz_frame *fr,
		 struct fz_expect *e)
{
	const struct fz_iface_conf *ifc = &m->cfg->ifs[fr->ifc];
	int dir = fr->hook == XLB_HOOK_TC_EGRESS ? XLB_DIR_EGRESS :
						   XLB_DIR_INGRESS;
	int v = FZ_CONTINUE;
	struct fz_parse p;

	memset(e, 0, sizeof(*e));
	e->pclass = -1;
	e->out_len = fr->len;
	memcpy(e->out, fr->data, fr->len);
	e->verdict = XLB_VERDICT_PASS;
	e->check_out = true;
	if (!ifc->on) {
		e->reasons[XLB_REASON_UNKNOWN_IFACE]++;
		return 0;
	}
	fz_parse(fr->data, fr->len, &p);
	if (p.reason >= 0)
		e->reasons[p.reason]++;
	e->pclass = p.pclass;
	e->filtered = filter_here(ifc, fr->hook);
	if (e->filtered)
		v = fz_filter(m, &p, dir, fr->len, e);
	if (v == FZ_CONTINUE && fr->hook == XLB_HOOK_XDP &&
	    (ifc->stages & XLB_STAGE_LB))
		v = fz_lb(m, fr, &p, e);
	if (v < 0)
		return v;
	e->verdict = v == FZ_CONTINUE ? XLB_VERDICT_PASS : v;
	e->check_out = e->verdict != XLB_VERDICT_DROP &&
		       e->verdict != XLB_VERDICT_ABORTED;
	return 0;
}
