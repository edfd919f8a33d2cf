// SPDX-License-Identifier: GPL-2.0
/*
 * The filter's lifetime and views: open (restoring rules and entries from
 * their pinned specs, so ids survive a restart, then reconciled with the
 * maps, filter_reconcile.c), the specs' encoding of rules, close, and the
 * JSON of rules, list entries and hit counters. Large maps are read in
 * batches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "filter.h"
#include "filter_int.h"
#include "log.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)
#define BATCH 4096

/*
 * Call fn for every entry of an array map (keys 0..max-1) in batches;
 * values of per-CPU maps come as ncpus consecutive values.
 */
static int array_each(int fd, __u32 max, size_t vsize, int ncpus,
		      void (*fn)(void *ctx, __u32 key, const void *val),
		      void *ctx)
{
	size_t stride = ncpus > 1 ? ((vsize + 7) & ~7ul) * ncpus : vsize;
	__u32 *keys = calloc(BATCH, sizeof(*keys));
	char *vals = calloc(BATCH, stride);
	__u32 in = 0, out, count;
	bool first = true;
	int ret = 0;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	while (!ret) {
		count = BATCH;
		ret = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys,
					   vals, &count, NULL);
		if (ret && errno != ENOENT) {
			ret = -errno;
			break;
		}
		for (__u32 i = 0; i < count; i++)
			if (keys[i] < max)
				fn(ctx, keys[i], vals + i * stride);
		if (ret)
			break; /* ENOENT: that was the last batch */
		in = out;
		first = false;
	}
	ret = ret == -ENOENT || (ret && errno == ENOENT) ? 0 : ret;
out:
	free(keys);
	free(vals);
	return ret;
}

void rule_spec_of(const struct xlb_rule *r, int family, struct xlb_rule_spec *s)
{
	*s = (struct xlb_rule_spec){
		.in_use = 1,
		.order = r->order,
		.action = r->action,
		.dir = r->dir,
		.family = family,
		.fields = r->fields,
		.src_plen = r->src.plen,
		.dst_plen = r->dst.plen,
		.proto = r->proto,
		.sport = htons(r->sport),
		.dport = htons(r->dport),
	};
	memcpy(s->src, r->src.addr, sizeof(s->src));
	memcpy(s->dst, r->dst.addr, sizeof(s->dst));
}

int rule_of_spec(const struct xlb_rule_spec *s, __u32 id, struct xlb_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->order = s->order;
	r->action = s->action;
	r->dir = s->dir;
	r->fields = s->fields;
	r->proto = s->proto;
	r->sport = ntohs(s->sport);
	r->dport = ntohs(s->dport);
	r->src.plen = s->src_plen;
	r->dst.plen = s->dst_plen;
	r->src.family = r->dst.family =
		s->family == XLB_FAMILY_MAX ? XLB_FAMILY_V4 : s->family;
	memcpy(r->src.addr, s->src, sizeof(r->src.addr));
	memcpy(r->dst.addr, s->dst, sizeof(r->dst.addr));
	return s->family;
}

static void restore_rule(void *ctx, __u32 id, const void *val)
{
	const struct xlb_rule_spec *s = val;
	struct filter *f = ctx;
	struct filter_rule *fr;

	if (!s->in_use || id == 0 || id > f->max_rules)
		return;
	fr = &f->rules[id];
	memset(fr, 0, sizeof(*fr));
	fr->in_use = true;
	fr->family = rule_of_spec(s, id, &fr->r);
	keytab_put(&f->order_index, &s->order, id);
	f->n_rules++;
	if (id >= f->next_rule)
		f->next_rule = id + 1;
}

static void restore_entry(void *ctx, __u32 id, const void *val)
{
	const struct xlb_list_spec *s = val;
	struct filter *f = ctx;
	struct xlb_list_entry *e;
	struct entry_key k;

	if (!s->in_use || id == 0 || id > f->max_prefixes)
		return;
	e = &f->entries[id];
	entry_of_spec(s, id, e);
	entry_key_of(e, &k);
	keytab_put(&f->entry_index, &k, id);
	f->entry_used[id] = true;
	f->n_entries++;
	list_count(f, e, 1);
	if (id >= f->next_entry)
		f->next_entry = id + 1;
}

/* Shapes as the data plane has them (the generation in use), with ids. */
static void restore_shapes(struct filter *f)
{
	struct xlb_filter_conf fc = {};
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(f->m.conf, &zero, &fc))
		f->shape_gen = fc.shape_gen & 1;
	f->next_shape_id = 1;
	for (int dir = 0; dir < XLB_DIR_MAX; dir++) {
		for (int fam = 0; fam < XLB_FAMILY_MAX; fam++) {
			struct xlb_shape_list sl;
			__u32 key =
				f->shape_gen * XLB_DIR_MAX * XLB_FAMILY_MAX +
				dir * XLB_FAMILY_MAX + fam;

			f->nshapes[dir][fam] = 0;
			if (bpf_map_lookup_elem(f->m.shapes, &key, &sl))
				continue;
			for (__u32 i = 0; i < sl.count && i < XLB_MAX_SHAPES;
			     i++) {
				struct filter_shape *s =
					&f->shapes[dir][fam][i];

				*s = (struct filter_shape){
					.id = sl.shapes[i].id,
					.fields = sl.shapes[i].fields,
					.src_plen = sl.shapes[i].src_plen,
					.dst_plen = sl.shapes[i].dst_plen,
				};
				if (s->id >= f->next_shape_id)
					f->next_shape_id = s->id + 1;
				f->nshapes[dir][fam]++;
			}
		}
	}
}

int filter_open(struct filter *f, const struct filter_maps *m, __u32 max_rules,
		__u32 max_prefixes, char *err, size_t errlen)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->m = *m;
	f->max_rules = max_rules;
	f->max_prefixes = max_prefixes;
	f->rules = calloc(max_rules + 1, sizeof(*f->rules));
	f->entries = calloc(max_prefixes + 1, sizeof(*f->entries));
	f->entry_used = calloc(max_prefixes + 1, sizeof(*f->entry_used));
	f->bloom = calloc(XLB_BLOOM_LINES, XLB_BLOOM_LINE);
	if (!f->rules || !f->entries || !f->entry_used || !f->bloom ||
	    keytab_init(&f->entry_index, sizeof(struct entry_key)) ||
	    keytab_init(&f->order_index, sizeof(__u32))) {
		filter_close(f);
		ERRF("filter: out of memory");
		return -ENOMEM;
	}
	ret = array_each(m->rule_specs, max_rules + 1,
			 sizeof(struct xlb_rule_spec), 1, restore_rule, f);
	if (!ret)
		ret = array_each(m->list_specs, max_prefixes + 1,
				 sizeof(struct xlb_list_spec), 1, restore_entry,
				 f);
	if (!ret)
		ret = reconcile_lists(f);
	if (!ret) {
		restore_shapes(f);
		ret = reconcile_rules(f);
	}
	if (ret) {
		ERRF("restoring the filter from its maps: %s", strerror(-ret));
		filter_close(f);
		return ret;
	}
	if (f->n_rules || f->n_entries)
		log_info("filter: restored %u rules and %u list entries",
			 f->n_rules, f->n_entries);
	return 0;
}

void filter_close(struct filter *f)
{
	free(f->rules);
	free(f->entries);
	free(f->entry_used);
	free(f->bloom);
	keytab_free(&f->entry_index);
	keytab_free(&f->order_index);
	memset(f, 0, sizeof(*f));
}

struct ctr_sums {
	struct xlb_ctr *sum;
	int ncpus;
};

static void add_ctrs(void *ctx, __u32 id, const void *val)
{
	struct ctr_sums *cs = ctx;
	const struct xlb_ctr *per = val;

	for (int c = 0; c < cs->ncpus; c++) {
		cs->sum[id].packets += per[c].packets;
		cs->sum[id].bytes += per[c].bytes;
	}
}

/* Hit counters of every id of a per-CPU stats map, summed; free() it. */
static struct xlb_ctr *read_hits(int fd, __u32 max)
{
	struct ctr_sums cs = { .ncpus = libbpf_num_possible_cpus() };

	if (cs.ncpus <= 0)
		return NULL;
	cs.sum = calloc(max + 1, sizeof(*cs.sum));
	if (cs.sum && array_each(fd, max + 1, sizeof(struct xlb_ctr), cs.ncpus,
				 add_ctrs, &cs)) {
		free(cs.sum);
		return NULL;
	}
	return cs.sum;
}

static json_t *hits_json(const struct xlb_ctr *c)
{
	return json_pack("{s:I, s:I}", "packets", (json_int_t)c->packets,
			 "bytes", (json_int_t)c->bytes);
}

static json_t *rule_json(const struct xlb_rule *r, const struct xlb_ctr *hit)
{
	json_t *o = json_pack("{s:i, s:I, s:s, s:s}", "id", (int)r->id, "order",
			      (json_int_t)r->order, "action",
			      xlb_action_str(r->action), "hook",
			      xlb_dir_str(r->dir));
	char buf[64];

	if (r->fields & XLB_FIELD_SRC) {
		xlb_format_prefix(&r->src, buf, sizeof(buf));
		json_object_set_new(o, "src", json_string(buf));
	}
	if (r->fields & XLB_FIELD_DST) {
		xlb_format_prefix(&r->dst, buf, sizeof(buf));
		json_object_set_new(o, "dst", json_string(buf));
	}
	if (r->fields & XLB_FIELD_PROTO)
		json_object_set_new(
			o, "proto",
			json_string(xlb_proto_str(r->proto, buf, sizeof(buf))));
	if (r->fields & XLB_FIELD_SPORT)
		json_object_set_new(o, "sport", json_integer(r->sport));
	if (r->fields & XLB_FIELD_DPORT)
		json_object_set_new(o, "dport", json_integer(r->dport));
	json_object_set_new(o, "hits", hits_json(hit));
	return o;
}

static const struct filter *sort_f;

static int cmp_rules(const void *a, const void *b)
{
	const struct xlb_rule *x = &sort_f->rules[*(const __u32 *)a].r;
	const struct xlb_rule *y = &sort_f->rules[*(const __u32 *)b].r;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

json_t *filter_rules_json(struct filter *f)
{
	struct xlb_ctr *hits = read_hits(f->m.rule_stats, f->max_rules);
	__u32 *ids = calloc(f->n_rules + 1, sizeof(*ids));
	json_t *a = json_array();
	__u32 n = 0;

	for (__u32 id = 1; ids && id <= f->max_rules && n < f->n_rules; id++)
		if (f->rules[id].in_use)
			ids[n++] = id;
	sort_f = f;
	if (ids)
		qsort(ids, n, sizeof(*ids), cmp_rules);
	for (__u32 i = 0; hits && ids && i < n; i++)
		json_array_append_new(a, rule_json(&f->rules[ids[i]].r,
						   &hits[ids[i]]));
	free(ids);
	free(hits);
	return json_pack("{s:o}", "rules", a);
}

json_t *filter_list_json(struct filter *f, enum xlb_list list)
{
	struct xlb_ctr *hits = read_hits(f->m.list_stats, f->max_prefixes);
	json_t *a = json_array();
	char buf[64];

	for (__u32 id = 1; hits && id <= f->max_prefixes; id++) {
		const struct xlb_list_entry *e = &f->entries[id];

		if (!f->entry_used[id] || e->list != list)
			continue;
		xlb_format_prefix(&e->prefix, buf, sizeof(buf));
		json_array_append_new(
			a, json_pack("{s:i, s:s, s:s, s:o}", "id", (int)id,
				     "hook", xlb_dir_str(e->dir), "prefix", buf,
				     "hits", hits_json(&hits[id])));
	}
	free(hits);
	return json_pack("{s:o}", "entries", a);
}

/* {"ID": hits} for the ids with hits. */
static json_t *nonzero_json(const struct xlb_ctr *hits, __u32 max,
			    const bool *used, const struct filter_rule *rules)
{
	json_t *o = json_object();
	char id[16];

	for (__u32 i = 1; hits && i <= max; i++) {
		if (!hits[i].packets || (used && !used[i]) ||
		    (rules && !rules[i].in_use))
			continue;
		snprintf(id, sizeof(id), "%u", i);
		json_object_set_new(o, id, hits_json(&hits[i]));
	}
	return o;
}

json_t *filter_hits_json(struct filter *f)
{
	struct xlb_ctr *rh = read_hits(f->m.rule_stats, f->max_rules);
	struct xlb_ctr *lh = read_hits(f->m.list_stats, f->max_prefixes);
	json_t *o = json_pack(
		"{s:o, s:o}", "rules",
		nonzero_json(rh, f->max_rules, NULL, f->rules), "lists",
		nonzero_json(lh, f->max_prefixes, f->entry_used, NULL));

	free(rh);
	free(lh);
	return o;
}
