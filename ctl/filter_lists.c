// SPDX-License-Identifier: GPL-2.0
/*
 * Allow and deny lists: one LPM trie per list and family, keyed by the
 * direction byte and the address, each entry with an id for its hit
 * counter and pinned spec. xlb_filter_conf tells the data plane whether
 * the allow list of a direction is enforced (non-empty).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "crashpoint.h"
#include "filter.h"
#include "filter_int.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

void entry_key_of(const struct xlb_list_entry *e, struct entry_key *k)
{
	memset(k, 0, sizeof(*k));
	k->list = e->list;
	k->dir = e->dir;
	k->family = e->prefix.family;
	k->plen = e->prefix.plen;
	memcpy(k->addr, e->prefix.addr,
	       e->prefix.family == XLB_FAMILY_V4 ? 4 : 16);
}

static int trie_of(const struct filter *f, const struct xlb_list_entry *e)
{
	bool v4 = e->prefix.family == XLB_FAMILY_V4;

	if (e->list == XLB_LIST_ALLOW)
		return v4 ? f->m.allow4 : f->m.allow6;
	return v4 ? f->m.deny4 : f->m.deny6;
}

/* Write (val != NULL) or delete the entry's trie key. */
static int trie_update(const struct filter *f, const struct xlb_list_entry *e,
		       const struct xlb_list_val *val)
{
	struct xlb_lpm6_key k6 = {};
	struct xlb_lpm4_key k4 = {};
	void *key;
	int ret;

	if (e->prefix.family == XLB_FAMILY_V4) {
		k4.prefixlen = 8 + e->prefix.plen;
		k4.dir = e->dir;
		memcpy(k4.addr, e->prefix.addr, 4);
		key = &k4;
	} else {
		k6.prefixlen = 8 + e->prefix.plen;
		k6.dir = e->dir;
		memcpy(k6.addr, e->prefix.addr, 16);
		key = &k6;
	}
	if (val)
		ret = bpf_map_update_elem(trie_of(f, e), key, val, BPF_ANY);
	else
		ret = bpf_map_delete_elem(trie_of(f, e), key);
	return ret ? -errno : 0;
}

/*
 * Tell the data plane which lists to look at and which shape lists are in
 * use. In a batch, an allow list is never switched on (that waits for
 * filter_batch_end, so entries still to come are not dropped meanwhile),
 * only off when it became empty. A deny list is looked at as soon as it
 * has an entry, and no longer once it has none.
 */
int filter_conf_write(struct filter *f)
{
	struct xlb_filter_conf c = {}, cur = {};
	__u32 zero = 0;

	if (f->batch && bpf_map_lookup_elem(f->m.conf, &zero, &cur))
		return -errno;
	for (int d = 0; d < XLB_DIR_MAX; d++)
		c.allow_entries[d] = f->batch && !cur.allow_entries[d] ?
					     0 :
					     f->allow_entries[d];
	memcpy(c.deny_entries, f->deny_entries, sizeof(c.deny_entries));
	c.shape_gen = f->shape_gen;
	return bpf_map_update_elem(f->m.conf, &zero, &c, BPF_ANY) ? -errno : 0;
}

static const char *entry_str(const struct xlb_list_entry *e, char *buf,
			     size_t len)
{
	char pfx[64];
	int n;

	xlb_format_prefix(&e->prefix, pfx, sizeof(pfx));
	n = snprintf(buf, len, "%s in %s %s", pfx, xlb_list_str(e->list),
		     xlb_dir_str(e->dir));
	return n < 0 ? "" : buf;
}

/* Round robin from f->next_entry, as alloc_rule_id() (filter.c). */
static __u32 alloc_entry_id(struct filter *f)
{
	__u32 from = f->next_entry > 0 ? f->next_entry : 1;

	for (__u32 i = 0; i < f->max_prefixes; i++) {
		__u32 id = (from - 1 + i) % f->max_prefixes + 1;

		if (!f->entry_used[id]) {
			f->next_entry = id + 1;
			return id;
		}
	}
	return 0;
}

void list_spec_of(const struct xlb_list_entry *e, struct xlb_list_spec *s)
{
	*s = (struct xlb_list_spec){
		.in_use = 1,
		.list = e->list,
		.dir = e->dir,
		.family = e->prefix.family,
		.plen = e->prefix.plen,
	};
	memcpy(s->addr, e->prefix.addr, sizeof(s->addr));
}

void entry_of_spec(const struct xlb_list_spec *s, __u32 id,
		   struct xlb_list_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->list = s->list;
	e->dir = s->dir;
	e->prefix.family = s->family;
	e->prefix.plen = s->plen;
	memcpy(e->prefix.addr, s->addr, sizeof(e->prefix.addr));
}

int list_spec_write(struct filter *f, const struct xlb_list_entry *e)
{
	struct xlb_list_spec s;

	list_spec_of(e, &s);
	return bpf_map_update_elem(f->m.list_specs, &e->id, &s, BPF_ANY) ?
		       -errno :
		       0;
}

static int spec_clear(struct filter *f, __u32 id)
{
	struct xlb_list_spec none = {};

	return bpf_map_update_elem(f->m.list_specs, &id, &none, BPF_ANY) ?
		       -errno :
		       0;
}

/* Count e in (+1) or out (-1) of its list, in memory. */
void list_count(struct filter *f, const struct xlb_list_entry *e, int delta)
{
	if (e->list == XLB_LIST_ALLOW)
		f->allow_entries[e->dir] += delta;
	else
		f->deny_entries[e->dir][e->prefix.family] += delta;
}

/*
 * The trie first, then the spec: the trie is what packets meet, and what
 * the restore trusts (filter_reconcile.c). Cut in between, the entry is
 * enforced and the restore writes its spec from the trie; a write that
 * fails takes back what was written, so memory, spec and trie agree.
 */
int list_insert(struct filter *f, struct xlb_list_entry *e, __u32 id, bool zero)
{
	struct xlb_list_val val = { .id = id };
	struct entry_key k;
	int ret = 0;

	e->id = id;
	entry_key_of(e, &k);
	if (zero)
		ret = percpu_zero(f->m.list_stats, id, sizeof(struct xlb_ctr));
	if (!ret)
		ret = trie_update(f, e, &val);
	if (ret)
		return ret;
	crashpoint("list-add");
	ret = list_spec_write(f, e);
	if (!ret)
		ret = keytab_put(&f->entry_index, &k, id);
	if (ret) {
		spec_clear(f, id);
		trie_update(f, e, NULL);
		return ret;
	}
	f->entries[id] = *e;
	f->entry_used[id] = true;
	f->n_entries++;
	/* The trie entry exists before the list is looked at. */
	list_count(f, e, 1);
	if ((e->list == XLB_LIST_ALLOW && f->allow_entries[e->dir] == 1) ||
	    (e->list == XLB_LIST_DENY &&
	     f->deny_entries[e->dir][e->prefix.family] == 1))
		ret = filter_conf_write(f);
	return ret;
}

int filter_list_add(struct filter *f, struct xlb_list_entry *e, char *err,
		    size_t errlen)
{
	struct entry_key k;
	char what[96];
	__u32 id;
	int ret;

	entry_key_of(e, &k);
	if (keytab_get(&f->entry_index, &k, NULL)) {
		ERRF("%s already", entry_str(e, what, sizeof(what)));
		return -EEXIST;
	}
	id = alloc_entry_id(f);
	if (!id) {
		ERRF("no room for another list entry (max_prefixes is %u)",
		     f->max_prefixes);
		return -ENOSPC;
	}
	ret = list_insert(f, e, id, true);
	if (ret)
		ERRF("adding %s: %s", entry_str(e, what, sizeof(what)),
		     strerror(-ret));
	return ret;
}

int filter_list_put_back(struct filter *f, struct xlb_list_entry *e, char *err,
			 size_t errlen)
{
	bool same = e->id && e->id <= f->max_prefixes && !f->entry_used[e->id];
	__u32 id = same ? e->id : alloc_entry_id(f);
	char what[96];
	int ret;

	if (!id) {
		ERRF("no room for another list entry (max_prefixes is %u)",
		     f->max_prefixes);
		return -ENOSPC;
	}
	ret = list_insert(f, e, id, !same);
	if (ret)
		ERRF("putting %s back: %s", entry_str(e, what, sizeof(what)),
		     strerror(-ret));
	return ret;
}

/*
 * The trie first again, then the spec: cut in between, the restore finds
 * a spec without its trie entry and removes it. A trie entry already gone
 * is what deleting wants, not an error.
 */
int filter_list_del(struct filter *f, const struct xlb_list_entry *e, char *err,
		    size_t errlen)
{
	struct entry_key k;
	char what[96];
	__u32 id;
	int ret = 0;

	entry_key_of(e, &k);
	if (!keytab_get(&f->entry_index, &k, &id)) {
		ERRF("%s: no such entry", entry_str(e, what, sizeof(what)));
		return -ENOENT;
	}
	/* A list becoming empty is no longer looked at, first. */
	list_count(f, e, -1);
	if ((e->list == XLB_LIST_ALLOW && f->allow_entries[e->dir] == 0) ||
	    (e->list == XLB_LIST_DENY &&
	     f->deny_entries[e->dir][e->prefix.family] == 0))
		ret = filter_conf_write(f);
	if (!ret) {
		ret = trie_update(f, e, NULL);
		ret = ret == -ENOENT ? 0 : ret;
	}
	crashpoint("list-del");
	if (!ret)
		ret = spec_clear(f, id);
	keytab_del(&f->entry_index, &k);
	f->entry_used[id] = false;
	f->n_entries--;
	if (ret)
		ERRF("removing %s: %s", entry_str(e, what, sizeof(what)),
		     strerror(-ret));
	return ret;
}

__u32 filter_list_find(const struct filter *f, const struct xlb_list_entry *e)
{
	struct entry_key k;
	__u32 id;

	entry_key_of(e, &k);
	return keytab_get(&f->entry_index, &k, &id) ? id : 0;
}

bool filter_lists_block(const struct filter *f, const struct xlb_prefix *addr)
{
	bool allowed = false;

	for (__u32 id = 1; id <= f->max_prefixes; id++) {
		const struct xlb_list_entry *e = &f->entries[id];

		if (!f->entry_used[id] || e->dir != XLB_DIR_INGRESS ||
		    !xlb_prefix_contains(&e->prefix, addr))
			continue;
		if (e->list == XLB_LIST_DENY)
			return true;
		allowed = true;
	}
	return f->allow_entries[XLB_DIR_INGRESS] && !allowed;
}

void filter_batch_begin(struct filter *f)
{
	f->batch = true;
}

int filter_batch_end(struct filter *f)
{
	f->batch = false;
	return filter_conf_write(f);
}

/*
 * Config apply. Rules are matched by content; a new rule whose order a
 * departing rule holds replaces it right there, every other departing
 * rule goes after the additions. List entries: additions, then removals.
 */
static int apply_rules(struct filter *f, const struct xlb_rule *rules, size_t n,
		       bool *keep, char *err, size_t errlen)
{
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		__u32 id = filter_rule_find(f, &rules[i]);

		if (id)
			keep[id] = true;
	}
	for (size_t i = 0; !ret && i < n; i++) {
		struct xlb_rule r = rules[i];
		__u32 taken;

		if (filter_rule_find(f, &r))
			continue;
		if (keytab_get(&f->order_index, &r.order, &taken) &&
		    !keep[taken])
			ret = filter_rule_del(f, taken, err, errlen);
		if (!ret)
			ret = filter_rule_add(f, &r, err, errlen);
		if (!ret)
			keep[r.id] = true;
	}
	for (__u32 id = 1; !ret && id <= f->max_rules; id++)
		if (f->rules[id].in_use && !keep[id])
			ret = filter_rule_del(f, id, err, errlen);
	return ret;
}

static int apply_entries(struct filter *f, const struct xlb_list_entry *es,
			 size_t n, bool *keep, char *err, size_t errlen)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < n; i++) {
		struct xlb_list_entry e = es[i];
		__u32 id = filter_list_find(f, &e);

		if (!id) {
			ret = filter_list_add(f, &e, err, errlen);
			id = e.id;
		}
		if (!ret)
			keep[id] = true;
	}
	for (__u32 id = 1; !ret && id <= f->max_prefixes; id++) {
		struct xlb_list_entry e = f->entries[id];

		if (f->entry_used[id] && !keep[id])
			ret = filter_list_del(f, &e, err, errlen);
	}
	return ret;
}

int filter_apply(struct filter *f, const struct xlb_rule *rules, size_t n_rules,
		 const struct xlb_list_entry *entries, size_t n_entries,
		 char *err, size_t errlen)
{
	bool *keep_rules = calloc(f->max_rules + 1, sizeof(bool));
	bool *keep_entries = calloc(f->max_prefixes + 1, sizeof(bool));
	int ret, end;

	if (!keep_rules || !keep_entries) {
		free(keep_rules);
		free(keep_entries);
		snprintf(err, errlen, "filter: out of memory");
		return -ENOMEM;
	}
	filter_batch_begin(f);
	ret = apply_rules(f, rules, n_rules, keep_rules, err, errlen);
	if (!ret)
		ret = apply_entries(f, entries, n_entries, keep_entries, err,
				    errlen);
	end = filter_batch_end(f);
	free(keep_rules);
	free(keep_entries);
	if (!ret && end) {
		snprintf(err, errlen, "filter: %s", strerror(-end));
		ret = end;
	}
	return ret;
}

/* Does e (ingress) decide about addr: 1 deny, 2 allow, 0 neither? */
static int entry_verdict(const struct xlb_list_entry *e,
			 const struct xlb_prefix *addr)
{
	if (e->dir != XLB_DIR_INGRESS || !xlb_prefix_contains(&e->prefix, addr))
		return 0;
	return e->list == XLB_LIST_DENY ? 1 : 2;
}

bool filter_lists_block_after(const struct filter *f,
			      const struct xlb_prefix *addr,
			      const struct xlb_list_entry *adds, size_t nadd,
			      const struct xlb_list_entry *dels, size_t ndel)
{
	long allow_n = f->allow_entries[XLB_DIR_INGRESS];
	bool denied = false, allowed = false;
	struct keytab gone;
	struct entry_key k;

	if (keytab_init(&gone, sizeof(k)))
		return true; /* cannot tell: treat as blocking */
	for (size_t i = 0; i < ndel; i++) {
		entry_key_of(&dels[i], &k);
		if (keytab_get(&f->entry_index, &k, NULL) &&
		    !keytab_get(&gone, &k, NULL)) {
			keytab_put(&gone, &k, 1);
			if (dels[i].list == XLB_LIST_ALLOW &&
			    dels[i].dir == XLB_DIR_INGRESS)
				allow_n--;
		}
	}
	for (__u32 id = 1; id <= f->max_prefixes; id++) {
		int v;

		if (!f->entry_used[id])
			continue;
		v = entry_verdict(&f->entries[id], addr);
		if (!v)
			continue;
		entry_key_of(&f->entries[id], &k);
		if (keytab_get(&gone, &k, NULL))
			continue;
		denied |= v == 1;
		allowed |= v == 2;
	}
	for (size_t i = 0; i < nadd; i++) {
		int v = entry_verdict(&adds[i], addr);

		denied |= v == 1;
		allowed |= v == 2;
		if (adds[i].list == XLB_LIST_ALLOW &&
		    adds[i].dir == XLB_DIR_INGRESS)
			allow_n++;
	}
	keytab_free(&gone);
	return denied || (allow_n > 0 && !allowed);
}
