// SPDX-License-Identifier: GPL-2.0
/*
 * Checking a batch of filter changes before any is applied, so that a
 * batch the daemon refuses changes nothing: the changes are played
 * against a model of the filter (which orders are taken, which rule ids
 * and list entries exist, how full the maps and shape lists are), in
 * order, so a batch may delete a rule and reuse its order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "filter_int.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

/* What a batch has done so far, beside the filter it started from. */
struct model {
	struct keytab orders; /* order -> 1 taken, 0 freed by the batch */
	struct keytab gone; /* rule id -> deleted by the batch */
	struct keytab entries; /* entry key -> 1 added, 0 deleted */
	bool flushed; /* every rule from before is gone */
	long rules, prefixes; /* how many after the changes so far */
	/* New shapes per hook and family: fields and prefix lengths. */
	__u32 new_shapes[XLB_DIR_MAX][XLB_FAMILY_MAX];
	struct keytab shapes; /* (dir, fam, fields, plens) -> 1 */
};

struct shape_key {
	__u8 dir, fam, fields, src_plen, dst_plen;
};

static bool order_taken(const struct filter *f, struct model *m, __u32 order)
{
	__u32 v, id;

	if (keytab_get(&m->orders, &order, &v))
		return v;
	if (m->flushed || !keytab_get(&f->order_index, &order, &id))
		return false;
	return !keytab_get(&m->gone, &id, NULL);
}

static bool rule_exists(const struct filter *f, struct model *m, __u32 id)
{
	return id > 0 && id <= f->max_rules && f->rules[id].in_use &&
	       !m->flushed && !keytab_get(&m->gone, &id, NULL);
}

static bool entry_exists(const struct filter *f, struct model *m,
			 const struct xlb_list_entry *e)
{
	struct entry_key k;
	__u32 v;

	entry_key_of(e, &k);
	if (keytab_get(&m->entries, &k, &v))
		return v;
	return keytab_get(&f->entry_index, &k, NULL);
}

/* Would the rule need a shape beyond the 32 of a hook and family? */
static int shape_room(const struct filter *f, struct model *m,
		      const struct xlb_rule *r, int family, char *err,
		      size_t errlen)
{
	int lo, hi;

	rule_families(family, &lo, &hi);
	for (int fam = lo; fam < hi; fam++) {
		struct shape_key sk = {
			r->dir, fam, r->fields,
			r->fields & XLB_FIELD_SRC ? r->src.plen : 0,
			r->fields & XLB_FIELD_DST ? r->dst.plen : 0
		};

		if (shape_find((struct filter *)f, r->dir, fam, r) ||
		    keytab_get(&m->shapes, &sk, NULL))
			continue;
		if (f->nshapes[r->dir][fam] + m->new_shapes[r->dir][fam] >=
		    XLB_MAX_SHAPES) {
			ERRF("too many rule shapes for %s (at most %d)",
			     xlb_dir_str(r->dir), XLB_MAX_SHAPES);
			return -ENOSPC;
		}
		m->new_shapes[r->dir][fam]++;
		if (keytab_put(&m->shapes, &sk, 1))
			return -ENOMEM;
	}
	return 0;
}

static int check_rule_add(const struct filter *f, struct model *m,
			  const struct filter_change *c, char *err,
			  size_t errlen)
{
	int family = xlb_rule_check(&c->rule, err, errlen);
	__u32 order = c->rule.order;

	if (family < 0)
		return family;
	if (c->has_order && order_taken(f, m, order)) {
		ERRF("order %u is taken", order);
		return -EEXIST;
	}
	if (++m->rules > f->max_rules) {
		ERRF("no room for another rule (max_rules is %u)",
		     f->max_rules);
		return -ENOSPC;
	}
	if (c->has_order && keytab_put(&m->orders, &order, 1))
		return -ENOMEM;
	return shape_room(f, m, &c->rule, family, err, errlen);
}

static int check_rule_del(const struct filter *f, struct model *m, __u32 id,
			  char *err, size_t errlen)
{
	__u32 freed = 0;

	if (!rule_exists(f, m, id)) {
		ERRF("no rule %u", id);
		return -ENOENT;
	}
	m->rules--;
	return keytab_put(&m->gone, &id, 1) ||
			       keytab_put(&m->orders, &f->rules[id].r.order,
					  freed) ?
		       -ENOMEM :
		       0;
}

static int check_list(const struct filter *f, struct model *m,
		      const struct filter_change *c, char *err, size_t errlen)
{
	bool add = c->kind == FILTER_LIST_ADD;
	struct entry_key k;
	char pfx[64];

	xlb_format_prefix(&c->entry.prefix, pfx, sizeof(pfx));
	if (entry_exists(f, m, &c->entry) == add) {
		ERRF("%s %s in %s %s", pfx, add ? "is already" : "is not",
		     xlb_list_str(c->entry.list), xlb_dir_str(c->entry.dir));
		return add ? -EEXIST : -ENOENT;
	}
	m->prefixes += add ? 1 : -1;
	if (m->prefixes > f->max_prefixes) {
		ERRF("no room for another list entry (max_prefixes is %u)",
		     f->max_prefixes);
		return -ENOSPC;
	}
	entry_key_of(&c->entry, &k);
	return keytab_put(&m->entries, &k, add) ? -ENOMEM : 0;
}

static int check_one(const struct filter *f, struct model *m,
		     const struct filter_change *c, char *err, size_t errlen)
{
	switch (c->kind) {
	case FILTER_RULE_ADD:
		return check_rule_add(f, m, c, err, errlen);
	case FILTER_RULE_DEL:
		return check_rule_del(f, m, c->id, err, errlen);
	case FILTER_RULE_FLUSH:
		/* Every rule goes, those the batch added too. */
		m->flushed = true;
		m->rules = 0;
		keytab_free(&m->orders);
		return keytab_init(&m->orders, sizeof(__u32));
	default:
		return check_list(f, m, c, err, errlen);
	}
}

int filter_batch_check(const struct filter *f, const struct filter_change *ch,
		       size_t n, size_t *bad, char *err, size_t errlen)
{
	struct model m = { .rules = f->n_rules, .prefixes = f->n_entries };
	int ret = 0;

	if (keytab_init(&m.orders, sizeof(__u32)) ||
	    keytab_init(&m.gone, sizeof(__u32)) ||
	    keytab_init(&m.entries, sizeof(struct entry_key)) ||
	    keytab_init(&m.shapes, sizeof(struct shape_key))) {
		ERRF("out of memory");
		ret = -ENOMEM;
	}
	for (size_t i = 0; !ret && i < n; i++) {
		ret = check_one(f, &m, &ch[i], err, errlen);
		*bad = i;
	}
	keytab_free(&m.orders);
	keytab_free(&m.gone);
	keytab_free(&m.entries);
	keytab_free(&m.shapes);
	return ret;
}
