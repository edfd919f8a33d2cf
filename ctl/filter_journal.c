// SPDX-License-Identifier: GPL-2.0
/*
 * Filter changes made as one transaction: each change of a batch is
 * handed to a journal (the batch's, txn.c) before it is made, with what
 * undoing it needs (the spec and id of a rule or entry it deletes; a rule
 * flush is one deletion per rule), and a batch that fails part-way, or
 * that a dying daemon left, is undone from its journal, last change
 * first. Undoing is by content, and each step checks whether its change
 * was made at all, so a change cut in the middle is undone too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crashpoint.h"
#include "filter.h"
#include "filter_int.h"
#include "txn.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

_Static_assert(sizeof(struct filter_journal) == TXN_OP_SIZE,
	       "filter_journal is a journal entry");

/* Make one change (a rule added without an order gets the next one). */
static int change_apply(struct filter *f, struct filter_change *op, char *err,
			size_t errlen)
{
	switch (op->kind) {
	case FILTER_RULE_ADD:
		if (!op->has_order)
			op->rule.order = filter_next_order(f);
		op->has_order = true;
		return filter_rule_add(f, &op->rule, err, errlen);
	case FILTER_RULE_DEL:
		return filter_rule_del(f, op->id, err, errlen);
	case FILTER_RULE_FLUSH:
		op->removed = filter_rule_flush(f);
		return 0;
	case FILTER_LIST_ADD:
		return filter_list_add(f, &op->entry, err, errlen);
	default:
		return filter_list_del(f, &op->entry, err, errlen);
	}
}

size_t filter_batch_room(const struct filter *f,
			 const struct filter_change *ops, size_t n)
{
	size_t room = 0, adds = 0;

	for (size_t i = 0; i < n; i++) {
		adds += ops[i].kind == FILTER_RULE_ADD;
		room += ops[i].kind == FILTER_RULE_FLUSH ? f->n_rules + adds :
							   1;
	}
	return room;
}

static void journal_rule(struct filter_journal *j, enum filter_change_kind kind,
			 const struct xlb_rule *r, int family)
{
	memset(j, 0, sizeof(*j));
	j->kind = kind + 1;
	j->id = r->id;
	rule_spec_of(r, family, &j->rule);
}

/* The journal entry of op, about to be made. */
static int journal_of(const struct filter *f, const struct filter_change *op,
		      struct filter_journal *j)
{
	char why[FILTER_ERRLEN];
	int family;

	switch (op->kind) {
	case FILTER_RULE_ADD:
		family = xlb_rule_check(&op->rule, why, sizeof(why));
		if (family < 0)
			return family;
		journal_rule(j, op->kind, &op->rule, family);
		j->id = 0;
		return 0;
	case FILTER_RULE_DEL:
		if (op->id == 0 || op->id > f->max_rules ||
		    !f->rules[op->id].in_use)
			return -ENOENT;
		journal_rule(j, op->kind, &f->rules[op->id].r,
			     f->rules[op->id].family);
		return 0;
	default:
		memset(j, 0, sizeof(*j));
		j->kind = op->kind + 1;
		j->id = filter_list_find(f, &op->entry);
		list_spec_of(&op->entry, &j->entry);
		return 0;
	}
}

/* A flush, one journaled deletion per rule. */
static int flush_logged(struct filter *f, struct filter_change *op,
			filter_log_fn log, void *ctx, char *err, size_t errlen)
{
	struct filter_journal j;
	int ret = 0;

	op->removed = 0;
	for (__u32 id = 1; !ret && id <= f->max_rules; id++) {
		if (!f->rules[id].in_use)
			continue;
		journal_rule(&j, FILTER_RULE_DEL, &f->rules[id].r,
			     f->rules[id].family);
		ret = log(ctx, &j);
		if (ret)
			ERRF("writing the batch's journal: %s", strerror(-ret));
		if (!ret)
			ret = filter_rule_del(f, id, err, errlen);
		op->removed += !ret;
	}
	return ret;
}

static int change_logged(struct filter *f, struct filter_change *op,
			 filter_log_fn log, void *ctx, char *err, size_t errlen)
{
	struct filter_journal j;
	int ret;

	if (op->kind == FILTER_RULE_FLUSH)
		return flush_logged(f, op, log, ctx, err, errlen);
	/* The order a rule gets is known before it is journaled. */
	if (op->kind == FILTER_RULE_ADD && !op->has_order) {
		op->rule.order = filter_next_order(f);
		op->has_order = true;
	}
	/* Only a change to be refused has no entry: it says why below. */
	if (journal_of(f, op, &j))
		return change_apply(f, op, err, errlen);
	ret = log(ctx, &j);
	if (ret) {
		ERRF("writing the batch's journal: %s", strerror(-ret));
		return ret;
	}
	crashpoint("batch-op");
	return change_apply(f, op, err, errlen);
}

int filter_batch_apply(struct filter *f, struct filter_change *ops, size_t n,
		       filter_log_fn log, void *ctx, size_t *done, char *err,
		       size_t errlen)
{
	int ret = 0, end;
	size_t i;

	filter_batch_begin(f);
	for (i = 0; !ret && i < n; i++)
		ret = change_logged(f, &ops[i], log, ctx, err, errlen);
	end = filter_batch_end(f);
	*done = ret ? i - 1 : i;
	if (!ret && end) {
		ERRF("filter: %s", strerror(-end));
		ret = end;
	}
	return ret;
}

/* Undo a rule's addition: the rule of that content goes, if it came. */
static int undo_rule_add(struct filter *f, const struct filter_journal *j,
			 char *err, size_t errlen)
{
	struct xlb_rule r;
	__u32 id;

	rule_of_spec(&j->rule, 0, &r);
	id = filter_rule_find(f, &r);
	return id ? filter_rule_del(f, id, err, errlen) : 0;
}

/* Undo a rule's deletion: back with its id and counter, if it went. */
static int undo_rule_del(struct filter *f, const struct filter_journal *j,
			 char *err, size_t errlen)
{
	struct xlb_rule r;
	int family = rule_of_spec(&j->rule, j->id, &r);

	if (filter_rule_find(f, &r) == j->id)
		return 0;
	return filter_rule_put_back(f, &r, family, err, errlen);
}

static int undo_one(struct filter *f, const struct filter_journal *j, char *err,
		    size_t errlen)
{
	struct xlb_list_entry e;

	switch (j->kind - 1) {
	case FILTER_RULE_ADD:
		return undo_rule_add(f, j, err, errlen);
	case FILTER_RULE_DEL:
		return undo_rule_del(f, j, err, errlen);
	case FILTER_LIST_ADD:
		entry_of_spec(&j->entry, 0, &e);
		return filter_list_find(f, &e) ?
			       filter_list_del(f, &e, err, errlen) :
			       0;
	case FILTER_LIST_DEL:
		entry_of_spec(&j->entry, j->id, &e);
		return filter_list_find(f, &e) ?
			       0 :
			       filter_list_put_back(f, &e, err, errlen);
	default:
		ERRF("unknown journal entry kind %u", j->kind);
		return -EINVAL;
	}
}

int filter_batch_undo(struct filter *f, const struct filter_journal *js,
		      size_t n, char *err, size_t errlen)
{
	int ret = 0, end;

	filter_batch_begin(f);
	for (size_t i = n; !ret && i-- > 0;)
		ret = undo_one(f, &js[i], err, errlen);
	end = filter_batch_end(f);
	if (!ret && end) {
		ERRF("filter: %s", strerror(-end));
		ret = end;
	}
	return ret;
}
