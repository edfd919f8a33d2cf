/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by filter.c, filter_lists.c and filter_state.c.
 */
#ifndef XLB_FILTER_INT_H
#define XLB_FILTER_INT_H

#include "filter.h"

/* Network-order masks of a prefix length, for 4 words. */
void prefix_mask(unsigned int plen, __be32 mask[4]);
/* Zero entry id of a per-CPU map whose values are `size` bytes. */
int percpu_zero(int fd, __u32 id, size_t size);
/* Publish every shape list (double-buffered, see shapes_publish). */
int shapes_publish(struct filter *f);
/* Write xlb_filter_conf: list counts (see filter_lists.c) and shape_gen. */
int filter_conf_write(struct filter *f);
/* Count a rule key in (+1) or out (-1) of the counting filter. */
int bloom_add(struct filter *f, const struct xlb_rule_key *k, int fam,
	      int delta);
/* The same on a mirror of the counters only. */
void bloom_count(__u8 *bloom, const struct xlb_rule_key *k, int fam, int delta);

/* Rule keys and shapes (filter.c). */
void rule_families(int family, int *lo, int *hi);
void rule_key(const struct filter_shape *s, const struct xlb_rule *r,
	      struct xlb_rule_key *k);
bool shape_fits(const struct filter_shape *s, const struct xlb_rule *r);
struct filter_shape *shape_find(struct filter *f, int dir, int fam,
				const struct xlb_rule *r);
struct filter_shape *shape_new(struct filter *f, int dir, int fam,
			       const struct xlb_rule *r);
void shape_remove(struct filter *f, int dir, int fam, struct filter_shape *s);
int key_write(struct filter *f, const struct xlb_rule_key *k,
	      const struct xlb_rule *r);

/* A rule as its pinned spec holds it, and back (returns the family). */
void rule_spec_of(const struct xlb_rule *r, int family,
		  struct xlb_rule_spec *s);
int rule_of_spec(const struct xlb_rule_spec *s, __u32 id, struct xlb_rule *r);
/* Install rule r under the free id (its order free, its shapes room):
 * spec, keys, shapes, memory. zero: a new rule's hit counter zeroed. */
int rule_insert(struct filter *f, struct xlb_rule *r, int family, __u32 id,
		bool zero);

/* A deleted rule back under its id (r->id), with its hit counter, where
 * its id and order are free and its shapes have room (an undo). */
int filter_rule_put_back(struct filter *f, struct xlb_rule *r, int family,
			 char *err, size_t errlen);

/* A list entry as its pinned spec holds it, and back. */
void list_spec_of(const struct xlb_list_entry *e, struct xlb_list_spec *s);
void entry_of_spec(const struct xlb_list_spec *s, __u32 id,
		   struct xlb_list_entry *e);
int list_spec_write(struct filter *f, const struct xlb_list_entry *e);
/* Count e in (+1) or out (-1) of its list's entries, in memory. */
void list_count(struct filter *f, const struct xlb_list_entry *e, int delta);
/* Add list entry e (not listed yet) under the free id: trie, spec,
 * memory. zero: a new entry's hit counter zeroed. */
int list_insert(struct filter *f, struct xlb_list_entry *e, __u32 id,
		bool zero);

/* A deleted list entry back, under its id (e->id) if that is free. */
int filter_list_put_back(struct filter *f, struct xlb_list_entry *e, char *err,
			 size_t errlen);

/* Restore (filter_reconcile.c): make the lists' specs and tries agree,
 * the tries trusted; then make the rule maps what the rules make them. */
int reconcile_lists(struct filter *f);
int reconcile_rules(struct filter *f);

/* The exact-match index key of a list entry. */
struct entry_key {
	__u8 list, dir, family, plen;
	__u8 addr[16];
};

void entry_key_of(const struct xlb_list_entry *e, struct entry_key *k);

#endif /* XLB_FILTER_INT_H */
