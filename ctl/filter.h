/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter's control side: rules and allow/deny list entries held in
 * memory, indexed, and written to the data plane's maps so that every
 * change is atomic for the packets (a rule's key is in place before its
 * shape is listed; a shape list is replaced whole). The specs are also
 * written to pinned maps, from which a restarted daemon restores them
 * with the same ids.
 */
#ifndef XLB_FILTER_H
#define XLB_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "keytab.h"
#include "rule.h"

struct filter_maps {
	int shapes, rules, rule_stats, rule_specs;
	int allow4, allow6, deny4, deny6, list_stats, list_specs, conf;
	int bloom;
};

/* A shape of one direction and family, with the rules that use it. */
struct filter_shape {
	__u32 id;
	__u8 fields, src_plen, dst_plen;
	__u32 nrules;
};

struct filter_rule {
	bool in_use;
	int family; /* enum xlb_family, or XLB_FAMILY_MAX for both */
	struct xlb_rule r;
};

struct filter {
	struct filter_maps m;
	__u32 max_rules, max_prefixes;
	struct filter_rule *rules; /* [max_rules + 1], by id */
	struct xlb_list_entry *entries; /* [max_prefixes + 1], by id */
	bool *entry_used;
	struct keytab entry_index; /* list spec -> entry id */
	struct keytab order_index; /* order -> rule id */
	struct filter_shape shapes[XLB_DIR_MAX][XLB_FAMILY_MAX][XLB_MAX_SHAPES];
	__u32 nshapes[XLB_DIR_MAX][XLB_FAMILY_MAX];
	__u32 next_shape_id;
	__u32 shadowed; /* rules whose key another rule holds */
	__u32 shape_gen; /* the generation of xlb_shapes in use */
	__u64 gen_switched_ns; /* when shape_gen last changed */
	__u32 deny_entries[XLB_DIR_MAX][XLB_FAMILY_MAX];
	__u8 *bloom; /* the counts of xlb_rule_bloom, mirrored */
	__u32 n_rules, n_entries;
	/* Where the search for a free id starts: ids go round robin. */
	__u32 next_rule, next_entry;
	__u32 allow_entries[XLB_DIR_MAX];
	/* In a batch, an allow list that becomes non-empty is enforced only
	 * at its end, so entries still to come are not dropped meanwhile. */
	bool batch;
};

#define FILTER_ERRLEN 256

/*
 * Set up over the maps and restore what their specs hold (the pinned
 * state of an earlier daemon). Returns 0 or -errno with err set.
 */
int filter_open(struct filter *f, const struct filter_maps *m, __u32 max_rules,
		__u32 max_prefixes, char *err, size_t errlen);
void filter_close(struct filter *f);

/* Add r (r->id set on success). Order 0..; must be unused. */
int filter_rule_add(struct filter *f, struct xlb_rule *r, char *err,
		    size_t errlen);
int filter_rule_del(struct filter *f, __u32 id, char *err, size_t errlen);
/* Remove every rule; returns how many. */
int filter_rule_flush(struct filter *f);
/* The order a rule added without one gets: 10 past the highest. */
__u32 filter_next_order(const struct filter *f);

int filter_list_add(struct filter *f, struct xlb_list_entry *e, char *err,
		    size_t errlen);
int filter_list_del(struct filter *f, const struct xlb_list_entry *e, char *err,
		    size_t errlen);

/* One change of a batch, parsed, not yet applied. */
enum filter_change_kind {
	FILTER_RULE_ADD,
	FILTER_RULE_DEL,
	FILTER_RULE_FLUSH,
	FILTER_LIST_ADD,
	FILTER_LIST_DEL,
};

struct filter_change {
	enum filter_change_kind kind;
	bool has_order; /* rule add: an order was given */
	struct xlb_rule rule; /* rule add */
	__u32 id; /* rule del */
	struct xlb_list_entry entry; /* list add, list del */
	__u32 removed; /* rule flush, once made: the rules it removed */
};

/*
 * Check a batch against the filter as it is and as the batch changes it,
 * in order: orders taken, rules and entries that do not exist or already
 * do, room in the maps and in the shape lists. Nothing is changed. On an
 * error, *bad is the index of the change that would fail.
 */
int filter_batch_check(const struct filter *f, const struct filter_change *ch,
		       size_t n, size_t *bad, char *err, size_t errlen);

/* Group changes: see `batch` above. end writes what was deferred. */
void filter_batch_begin(struct filter *f);
int filter_batch_end(struct filter *f);

/*
 * A journal entry of a batch (filter_journal.c): the change about to be
 * made, and what undoing it needs. TXN_OP_SIZE bytes.
 */
struct filter_journal {
	__u32 kind; /* enum filter_change_kind + 1; 0: an unused entry */
	__u32 id; /* the id of the rule or list entry a deletion takes */
	union {
		struct xlb_rule_spec rule; /* rule add, rule del */
		struct xlb_list_spec entry; /* list add, list del */
	};
};

/* Write j to the batch's journal; 0 or -errno. */
typedef int (*filter_log_fn)(void *ctx, const struct filter_journal *j);

/* The journal entries a batch may need: one per change, and for a flush
 * one per rule it may remove. */
size_t filter_batch_room(const struct filter *f,
			 const struct filter_change *ops, size_t n);

/*
 * Make a checked batch of changes, each handed to log before it is made
 * (a rule flush as one deletion per rule), as one filter batch. *done
 * gets how many were made. Returns 0, or -errno with err set: undo what
 * was journaled then with filter_batch_undo().
 */
int filter_batch_apply(struct filter *f, struct filter_change *ops, size_t n,
		       filter_log_fn log, void *ctx, size_t *done, char *err,
		       size_t errlen);

/* Undo n journaled changes, the last first, whether each was made whole,
 * in part or not at all. Returns 0 or -errno with err set. */
int filter_batch_undo(struct filter *f, const struct filter_journal *js,
		      size_t n, char *err, size_t errlen);

/*
 * Make the filter hold exactly the rules and entries of a config file's
 * filter section, changing only the difference (kept rules keep their
 * ids and counters). Returns 0 or -errno with err set.
 */
int filter_apply(struct filter *f, const struct xlb_rule *rules, size_t n_rules,
		 const struct xlb_list_entry *entries, size_t n_entries,
		 char *err, size_t errlen);

/* Would traffic from addr be dropped by the ingress lists? */
bool filter_lists_block(const struct filter *f, const struct xlb_prefix *addr);

/* The same after adding `adds` and removing `dels` (a pending batch). */
bool filter_lists_block_after(const struct filter *f,
			      const struct xlb_prefix *addr,
			      const struct xlb_list_entry *adds, size_t nadd,
			      const struct xlb_list_entry *dels, size_t ndel);

/* JSON for rule_list, list_list and the stats "filter" object. */
json_t *filter_rules_json(struct filter *f);
json_t *filter_list_json(struct filter *f, enum xlb_list list);
json_t *filter_hits_json(struct filter *f);

/* Find a rule equal to r (all but id); its id, or 0. */
__u32 filter_rule_find(const struct filter *f, const struct xlb_rule *r);
/* Find a list entry equal to e; its id, or 0. */
__u32 filter_list_find(const struct filter *f, const struct xlb_list_entry *e);

#endif /* XLB_FILTER_H */
