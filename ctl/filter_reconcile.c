// SPDX-License-Identifier: GPL-2.0
/*
 * The restore's reconcile: the specs a dying daemon left pinned are
 * checked against the maps packets meet, never one side trusted blindly.
 * List entries: the tries are the truth (an entry is written to its trie
 * before its spec and taken out of it first), so a trie entry without a
 * spec gets one written from it, a spec without its trie entry is
 * removed, a trie entry naming another id than its prefix's spec is
 * pointed at it; what cannot be told apart is removed and reported.
 * Rules: the specs are the truth (a spec is written before its keys and
 * cleared after them), so the keys, the counting filter and the shapes
 * are derived from them again, rewriting only what is wrong.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "filter.h"
#include "filter_int.h"
#include "log.h"
#include "util.h"
#include "xlb_hash.h"

/* The four tries, as (list, family) pairs. */
static const struct {
	enum xlb_list list;
	__u8 family;
} tries[] = {
	{ XLB_LIST_ALLOW, XLB_FAMILY_V4 },
	{ XLB_LIST_ALLOW, XLB_FAMILY_V6 },
	{ XLB_LIST_DENY, XLB_FAMILY_V4 },
	{ XLB_LIST_DENY, XLB_FAMILY_V6 },
};

union lpm_key {
	struct xlb_lpm4_key k4;
	struct xlb_lpm6_key k6;
};

/* What a list reconcile found. */
struct list_fix {
	bool *seen; /* by id: a trie entry names this spec */
	union lpm_key *stray; /* trie keys to remove, after the walk */
	size_t n_stray, cap_stray;
	__u32 adopted, repointed, removed;
};

static int trie_fd(const struct filter *f, enum xlb_list list, __u8 family)
{
	if (list == XLB_LIST_ALLOW)
		return family == XLB_FAMILY_V4 ? f->m.allow4 : f->m.allow6;
	return family == XLB_FAMILY_V4 ? f->m.deny4 : f->m.deny6;
}

/* The list entry a trie key stands for (id 0). */
static void entry_of_key(const union lpm_key *k, enum xlb_list list,
			 __u8 family, struct xlb_list_entry *e)
{
	bool v4 = family == XLB_FAMILY_V4;
	__u32 prefixlen = v4 ? k->k4.prefixlen : k->k6.prefixlen;

	memset(e, 0, sizeof(*e));
	e->list = list;
	e->dir = v4 ? k->k4.dir : k->k6.dir;
	e->prefix.family = family;
	e->prefix.plen = prefixlen - 8;
	memcpy(e->prefix.addr, v4 ? k->k4.addr : k->k6.addr, v4 ? 4 : 16);
}

static int stray_add(struct list_fix *fx, const union lpm_key *k)
{
	if (fx->n_stray == fx->cap_stray) {
		size_t cap = fx->cap_stray ? 2 * fx->cap_stray : 64;
		union lpm_key *n = realloc(fx->stray, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		fx->stray = n;
		fx->cap_stray = cap;
	}
	fx->stray[fx->n_stray++] = *k;
	return 0;
}

/* A spec written from a trie entry (its add was cut before the spec). */
static int adopt(struct filter *f, struct list_fix *fx,
		 struct xlb_list_entry *e, __u32 id)
{
	struct entry_key k;
	int ret;

	e->id = id;
	entry_key_of(e, &k);
	ret = list_spec_write(f, e);
	if (!ret)
		ret = keytab_put(&f->entry_index, &k, id);
	if (ret)
		return ret;
	f->entries[id] = *e;
	f->entry_used[id] = true;
	f->n_entries++;
	list_count(f, e, 1);
	if (id >= f->next_entry)
		f->next_entry = id + 1;
	fx->seen[id] = true;
	fx->adopted++;
	return 0;
}

/* One trie entry: agree with its prefix's spec, or get one. */
static int check_key(struct filter *f, struct list_fix *fx, int fd,
		     const union lpm_key *key, struct xlb_list_entry *e,
		     __u32 id)
{
	struct xlb_list_val val;
	struct entry_key k;
	__u32 have;

	entry_key_of(e, &k);
	if (keytab_get(&f->entry_index, &k, &have)) {
		fx->seen[have] = true;
		if (have == id)
			return 0;
		val.id = have;
		fx->repointed++;
		return bpf_map_update_elem(fd, key, &val, BPF_ANY) ? -errno : 0;
	}
	if (id == 0 || id > f->max_prefixes || f->entry_used[id])
		return stray_add(fx, key);
	return adopt(f, fx, e, id);
}

static int walk_trie(struct filter *f, struct list_fix *fx, int i)
{
	int fd = trie_fd(f, tries[i].list, tries[i].family);
	union lpm_key key, next;
	struct xlb_list_entry e;
	struct xlb_list_val val;
	void *prev = NULL;
	int ret = 0;

	memset(&key, 0, sizeof(key));
	memset(&next, 0, sizeof(next));
	while (!ret && !bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &val)) {
			entry_of_key(&next, tries[i].list, tries[i].family, &e);
			ret = check_key(f, fx, fd, &next, &e, val.id);
		}
		key = next;
		prev = &key;
	}
	for (size_t j = 0; !ret && j < fx->n_stray; j++)
		if (bpf_map_delete_elem(fd, &fx->stray[j]) && errno != ENOENT)
			ret = -errno;
	fx->removed += fx->n_stray;
	fx->n_stray = 0;
	return ret;
}

/* Specs no trie entry names: their entries are not enforced, so gone. */
static int drop_unseen(struct filter *f, struct list_fix *fx)
{
	struct xlb_list_spec none = {};
	struct entry_key k;

	for (__u32 id = 1; id <= f->max_prefixes; id++) {
		if (!f->entry_used[id] || fx->seen[id])
			continue;
		if (bpf_map_update_elem(f->m.list_specs, &id, &none, BPF_ANY))
			return -errno;
		entry_key_of(&f->entries[id], &k);
		keytab_del(&f->entry_index, &k);
		list_count(f, &f->entries[id], -1);
		f->entry_used[id] = false;
		f->n_entries--;
		fx->removed++;
	}
	return 0;
}

int reconcile_lists(struct filter *f)
{
	struct list_fix fx = {};
	int ret = 0;

	fx.seen = calloc(f->max_prefixes + 1, sizeof(*fx.seen));
	if (!fx.seen)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < ARRAY_SIZE(tries); i++)
		ret = walk_trie(f, &fx, i);
	if (!ret)
		ret = drop_unseen(f, &fx);
	if (!ret && (fx.adopted || fx.repointed || fx.removed))
		log_warn("filter: list entries cut short by a dying daemon: "
			 "%u written back from the tries, %u tries pointed at "
			 "their spec, %u not enforced or unknown removed",
			 fx.adopted, fx.repointed, fx.removed);
	free(fx.seen);
	free(fx.stray);
	return ret;
}

/* Index a rule's key in one family: the lowest order holds it. */
static int index_key(struct filter *f, struct keytab *holders, __u32 id,
		     int fam)
{
	const struct xlb_rule *r = &f->rules[id].r;
	struct filter_shape *s = shape_find(f, r->dir, fam, r);
	struct xlb_rule_key k;
	__u32 cur;

	if (!s) {
		if (f->nshapes[r->dir][fam] == XLB_MAX_SHAPES)
			return -ENOSPC;
		s = shape_new(f, r->dir, fam, r);
	}
	s->nrules++;
	rule_key(s, r, &k);
	if (keytab_get(holders, &k, &cur)) {
		f->shadowed++;
		if (f->rules[cur].r.order < r->order)
			return 0;
	}
	return keytab_put(holders, &k, id);
}

/* The family of the shape with this id (shape ids are unique). */
static int shape_family(const struct filter *f, __u32 id)
{
	for (int dir = 0; dir < XLB_DIR_MAX; dir++)
		for (int fam = 0; fam < XLB_FAMILY_MAX; fam++)
			for (__u32 i = 0; i < f->nshapes[dir][fam]; i++)
				if (f->shapes[dir][fam][i].id == id)
					return fam;
	return XLB_FAMILY_V6;
}

/* The counting filter's counts for exactly the held keys, all written. */
static int sync_bloom(struct filter *f, struct keytab *holders)
{
	memset(f->bloom, 0, (size_t)XLB_BLOOM_LINES * XLB_BLOOM_LINE);
	for (size_t i = 0; i < holders->cap; i++) {
		const struct xlb_rule_key *k =
			(const void *)(holders->keys + i * holders->keylen);

		if (holders->used[i])
			bloom_count(f->bloom, k, shape_family(f, k->shape), 1);
	}
	for (__u32 line = 0; line < XLB_BLOOM_LINES; line++)
		if (bpf_map_update_elem(f->m.bloom, &line,
					&f->bloom[line * XLB_BLOOM_LINE],
					BPF_ANY))
			return -errno;
	return 0;
}

/* Delete the map's keys no rule holds; write the holders that differ. */
static int sync_keys(struct filter *f, struct keytab *holders)
{
	struct xlb_rule_key k, next;
	struct xlb_rule_val v;
	void *prev = NULL;
	__u32 id;
	int ret = sync_bloom(f, holders);

	if (ret)
		return ret;
	while (!bpf_map_get_next_key(f->m.rules, prev, &next)) {
		if (!keytab_get(holders, &next, NULL))
			bpf_map_delete_elem(f->m.rules, &next);
		k = next;
		prev = &k;
	}
	for (size_t i = 0; !ret && i < holders->cap; i++) {
		const struct xlb_rule_key *hk;

		if (!holders->used[i])
			continue;
		hk = (const void *)(holders->keys + i * holders->keylen);
		id = holders->vals[i];
		if (bpf_map_lookup_elem(f->m.rules, hk, &v) || v.id != id ||
		    v.order != f->rules[id].r.order)
			ret = key_write(f, hk, &f->rules[id].r);
	}
	return ret;
}

/*
 * Re-derive what the rule maps must hold from the restored rules and
 * make them hold exactly that: shapes counted anew (empty ones dropped,
 * missing ones made), each key held by its lowest-order rule, stray keys
 * removed. What is already right is not rewritten.
 */
int reconcile_rules(struct filter *f)
{
	struct keytab holders;
	int ret;

	if (keytab_init(&holders, sizeof(struct xlb_rule_key)))
		return -ENOMEM;
	for (int dir = 0; dir < XLB_DIR_MAX; dir++)
		for (int fam = 0; fam < XLB_FAMILY_MAX; fam++)
			for (__u32 i = 0; i < f->nshapes[dir][fam]; i++)
				f->shapes[dir][fam][i].nrules = 0;
	f->shadowed = 0;
	ret = 0;
	for (__u32 id = 1; !ret && id <= f->max_rules; id++) {
		int lo, hi;

		if (!f->rules[id].in_use)
			continue;
		rule_families(f->rules[id].family, &lo, &hi);
		for (int fam = lo; !ret && fam < hi; fam++)
			ret = index_key(f, &holders, id, fam);
	}
	if (!ret)
		ret = sync_keys(f, &holders);
	for (int dir = 0; dir < XLB_DIR_MAX; dir++)
		for (int fam = 0; fam < XLB_FAMILY_MAX; fam++)
			for (__u32 i = f->nshapes[dir][fam]; i-- > 0;)
				if (!f->shapes[dir][fam][i].nrules)
					shape_remove(f, dir, fam,
						     &f->shapes[dir][fam][i]);
	if (!ret)
		ret = shapes_publish(f);
	keytab_free(&holders);
	return ret;
}
