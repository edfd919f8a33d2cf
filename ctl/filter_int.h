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

/* The exact-match index key of a list entry. */
struct entry_key {
	__u8 list, dir, family, plen;
	__u8 addr[16];
};

void entry_key_of(const struct xlb_list_entry *e, struct entry_key *k);

#endif /* XLB_FILTER_INT_H */
