// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket requests of the filter: rules, allow/deny entries and
 * batches of both. Requests carry rules in their text forms; they are
 * parsed with the same rule.c as the config file and xlbctl, so every
 * path gives the same errors. A batch is validated whole before any of
 * it is applied, and applied as one filter batch and one transaction
 * (xlbd_filter_batch()): all of it or, after a failure or a crash, none.
 * A single change is a batch of one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "log.h"
#include "util.h"
#include "xlbd.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

static const char *const rule_keys[] = { "order", "action", "hook",  "src",
					 "dst",	  "proto",  "sport", "dport" };
static const char *const entry_keys[] = { "cmd",    "list",  "hook",
					  "prefix", "force", "peer" };

/* Refuse keys outside `known`, so a misspelt field is not ignored. */
static int known_keys(json_t *o, const char *const *known, size_t n,
		      const char *what, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		size_t i;

		for (i = 0; i < n && strcmp(key, known[i]); i++)
			;
		if (i == n) {
			ERRF("unknown %s key '%s'", what, key);
			return -EINVAL;
		}
	}
	return 0;
}

static int json_port(json_t *o, const char *key, unsigned int bit,
		     unsigned int *fields, __u16 *port, char *err,
		     size_t errlen)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!v)
		return 0;
	n = json_is_integer(v) ? json_integer_value(v) : -1;
	if (n < 1 || n > 65535) {
		ERRF("%s: must be 1..65535", key);
		return -EINVAL;
	}
	*port = n;
	*fields |= bit;
	return 0;
}

static int json_prefix(json_t *o, const char *key, unsigned int bit,
		       unsigned int *fields, struct xlb_prefix *p, char *err,
		       size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_string(v)) {
		ERRF("%s: expected a string", key);
		return -EINVAL;
	}
	*fields |= bit;
	return xlb_parse_prefix(json_string_value(v), p, err, errlen);
}

static int json_proto(json_t *o, struct xlb_rule *r, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, "proto");
	char num[16];

	if (!v)
		return 0;
	r->fields |= XLB_FIELD_PROTO;
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		return xlb_parse_proto(num, &r->proto, err, errlen);
	}
	if (!json_is_string(v)) {
		ERRF("proto: expected a string");
		return -EINVAL;
	}
	return xlb_parse_proto(json_string_value(v), &r->proto, err, errlen);
}

/* A rule from its request object; order 0 with *has_order false. */
static int rule_from_json(json_t *o, struct xlb_rule *r, bool *has_order,
			  char *err, size_t errlen)
{
	const char *action = json_string_value(json_object_get(o, "action"));
	const char *hook = json_string_value(json_object_get(o, "hook"));
	json_t *order = json_object_get(o, "order");
	int ret;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(o)) {
		ERRF("rule: expected an object");
		return -EINVAL;
	}
	ret = known_keys(o, rule_keys, ARRAY_SIZE(rule_keys), "rule", err,
			 errlen);
	if (ret)
		return ret;
	*has_order = order != NULL;
	if (order &&
	    (!json_is_integer(order) || json_integer_value(order) < 0 ||
	     json_integer_value(order) > 4294967294ll)) {
		ERRF("order: must be 0..4294967294");
		return -EINVAL;
	}
	r->order = order ? json_integer_value(order) : 0;
	if (!action) {
		ERRF("rule: action (drop or pass) is required");
		return -EINVAL;
	}
	ret = xlb_parse_action(action, &r->action, err, errlen);
	if (!ret && hook)
		ret = xlb_parse_dir(hook, &r->dir, err, errlen);
	if (!ret)
		ret = json_prefix(o, "src", XLB_FIELD_SRC, &r->fields, &r->src,
				  err, errlen);
	if (!ret)
		ret = json_prefix(o, "dst", XLB_FIELD_DST, &r->fields, &r->dst,
				  err, errlen);
	if (!ret)
		ret = json_proto(o, r, err, errlen);
	if (!ret)
		ret = json_port(o, "sport", XLB_FIELD_SPORT, &r->fields,
				&r->sport, err, errlen);
	if (!ret)
		ret = json_port(o, "dport", XLB_FIELD_DPORT, &r->fields,
				&r->dport, err, errlen);
	if (!ret) {
		int fam = xlb_rule_check(r, err, errlen);

		ret = fam < 0 ? fam : 0;
	}
	return ret;
}

static int entry_from_json(json_t *o, struct xlb_list_entry *e, char *err,
			   size_t errlen)
{
	const char *list = json_string_value(json_object_get(o, "list"));
	const char *hook = json_string_value(json_object_get(o, "hook"));
	const char *prefix = json_string_value(json_object_get(o, "prefix"));
	int ret = known_keys(o, entry_keys, ARRAY_SIZE(entry_keys), "entry",
			     err, errlen);

	memset(e, 0, sizeof(*e));
	if (ret)
		return ret;
	if (!list || (strcmp(list, "allow") && strcmp(list, "deny"))) {
		ERRF("list: allow or deny");
		return -EINVAL;
	}
	e->list = strcmp(list, "allow") ? XLB_LIST_DENY : XLB_LIST_ALLOW;
	if (hook) {
		ret = xlb_parse_dir(hook, &e->dir, err, errlen);
		if (ret)
			return ret;
	}
	if (!prefix) {
		ERRF("prefix: required");
		return -EINVAL;
	}
	return xlb_parse_prefix(prefix, &e->prefix, err, errlen);
}

/* A change from its request object (the grammar of the single requests). */
static int op_from_json(json_t *req, struct filter_change *op, char *err,
			size_t errlen)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	json_t *id;

	memset(op, 0, sizeof(*op));
	if (!cmd) {
		ERRF("missing cmd");
		return -EINVAL;
	}
	if (!strcmp(cmd, "rule_add")) {
		op->kind = FILTER_RULE_ADD;
		return rule_from_json(json_object_get(req, "rule"), &op->rule,
				      &op->has_order, err, errlen);
	}
	if (!strcmp(cmd, "rule_del")) {
		op->kind = FILTER_RULE_DEL;
		id = json_object_get(req, "id");
		if (!json_is_integer(id) || json_integer_value(id) < 1 ||
		    json_integer_value(id) > 0xffffffffll) {
			ERRF("rule_del: id must be a positive integer");
			return -EINVAL;
		}
		op->id = json_integer_value(id);
		return 0;
	}
	if (!strcmp(cmd, "rule_flush")) {
		op->kind = FILTER_RULE_FLUSH;
		return 0;
	}
	if (!strcmp(cmd, "list_add") || !strcmp(cmd, "list_del")) {
		op->kind = strcmp(cmd, "list_add") ? FILTER_LIST_DEL :
						     FILTER_LIST_ADD;
		return entry_from_json(req, &op->entry, err, errlen);
	}
	ERRF("'%s' cannot be part of a filter change", cmd);
	return -EINVAL;
}

/* The reply to a single change, once made. */
static json_t *op_reply(const struct filter_change *op)
{
	switch (op->kind) {
	case FILTER_RULE_ADD:
		return json_pack("{s:i, s:I}", "id", (int)op->rule.id, "order",
				 (json_int_t)op->rule.order);
	case FILTER_RULE_FLUSH:
		return json_pack("{s:i}", "removed", (int)op->removed);
	case FILTER_LIST_ADD:
		return json_pack("{s:i}", "id", (int)op->entry.id);
	default:
		return json_object();
	}
}

/*
 * The lockout guard: refuse list changes that would start dropping the
 * SSH client the request came from ("peer"), unless "force" is set.
 */
static int guard(struct filter *f, json_t *req, const struct filter_change *ops,
		 size_t n, char *err, size_t errlen)
{
	const char *peer = json_string_value(json_object_get(req, "peer"));
	struct xlb_list_entry *adds, *dels;
	size_t na = 0, nd = 0;
	struct xlb_prefix p;
	bool block;

	if (!peer || json_is_true(json_object_get(req, "force")))
		return 0;
	if (xlb_parse_prefix(peer, &p, err, errlen))
		return -EINVAL;
	adds = calloc(n + 1, sizeof(*adds));
	dels = calloc(n + 1, sizeof(*dels));
	for (size_t i = 0; adds && dels && i < n; i++) {
		if (ops[i].kind == FILTER_LIST_ADD)
			adds[na++] = ops[i].entry;
		else if (ops[i].kind == FILTER_LIST_DEL)
			dels[nd++] = ops[i].entry;
	}
	block = !adds || !dels ||
		(!filter_lists_block(f, &p) &&
		 filter_lists_block_after(f, &p, adds, na, dels, nd));
	free(adds);
	free(dels);
	if (block) {
		ERRF("this would cut off %s, where this session comes from "
		     "(SSH_CONNECTION): allow it first, or repeat with --force",
		     peer);
		return -EPERM;
	}
	return 0;
}

static int code_of(int ret)
{
	return ret == -EINVAL || ret == -EEXIST || ret == -ENOENT ||
			       ret == -EPERM || ret == -ENOSPC ?
		       API_USAGE :
		       API_FAILED;
}

/* One change, a batch of one: all of it made or none (a flush too). */
static json_t *cmd_change(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	struct filter_change op;
	size_t bad;
	int ret;

	ret = op_from_json(req, &op, e->msg, sizeof(e->msg));
	if (!ret)
		ret = guard(&d->filter, req, &op, 1, e->msg, sizeof(e->msg));
	if (!ret)
		ret = xlbd_filter_batch(d, &op, 1, &bad, e->msg,
					sizeof(e->msg));
	if (ret) {
		e->code = code_of(ret);
		return NULL;
	}
	return op_reply(&op);
}

/* Parse every op of a batch; on an error, its index in *bad. */
static int batch_parse(json_t *ops_json, struct filter_change *ops, size_t *bad,
		       char *err, size_t errlen)
{
	char why[FILTER_ERRLEN];
	json_t *v;
	size_t i;

	json_array_foreach(ops_json, i, v) {
		if (op_from_json(v, &ops[i], why, sizeof(why))) {
			snprintf(err, errlen, "%s", why);
			*bad = i;
			return -EINVAL;
		}
	}
	return 0;
}

static json_t *cmd_batch(void *ctx, json_t *req, struct api_error *e)
{
	json_t *ops_json = json_object_get(req, "ops");
	size_t n = json_array_size(ops_json), bad = 0;
	struct xlbd *d = ctx;
	struct filter_change *ops;
	int ret;

	e->code = API_USAGE;
	if (!json_is_array(ops_json)) {
		snprintf(e->msg, sizeof(e->msg), "batch: ops must be an array");
		return NULL;
	}
	ops = calloc(n + 1, sizeof(*ops));
	if (!ops) {
		snprintf(e->msg, sizeof(e->msg), "batch: out of memory");
		e->code = API_FAILED;
		return NULL;
	}
	ret = batch_parse(ops_json, ops, &bad, e->msg, sizeof(e->msg));
	if (!ret)
		ret = filter_batch_check(&d->filter, ops, n, &bad, e->msg,
					 sizeof(e->msg));
	if (!ret)
		ret = guard(&d->filter, req, ops, n, e->msg, sizeof(e->msg));
	if (ret) {
		if (ret != -EPERM)
			e->extra = json_pack("{s:I}", "index", (json_int_t)bad);
		e->code = code_of(ret);
		free(ops);
		return NULL;
	}
	ret = xlbd_filter_batch(d, ops, n, &bad, e->msg, sizeof(e->msg));
	free(ops);
	if (!ret)
		return json_pack("{s:I}", "applied", (json_int_t)n);
	e->code = code_of(ret);
	e->extra = json_pack("{s:I}", "index", (json_int_t)bad);
	return NULL;
}

static json_t *cmd_rule_list(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;

	(void)req;
	(void)e;
	return filter_rules_json(&d->filter);
}

static json_t *cmd_list_list(void *ctx, json_t *req, struct api_error *e)
{
	const char *list = json_string_value(json_object_get(req, "list"));
	struct xlbd *d = ctx;

	if (!list || (strcmp(list, "allow") && strcmp(list, "deny"))) {
		snprintf(e->msg, sizeof(e->msg), "list: allow or deny");
		e->code = API_USAGE;
		return NULL;
	}
	return filter_list_json(&d->filter, strcmp(list, "allow") ?
						    XLB_LIST_DENY :
						    XLB_LIST_ALLOW);
}

const struct api_cmd filter_cmds[] = {
	{ "rule_add", cmd_change },	{ "rule_del", cmd_change },
	{ "rule_flush", cmd_change },	{ "list_add", cmd_change },
	{ "list_del", cmd_change },	{ "rule_list", cmd_rule_list },
	{ "list_list", cmd_list_list }, { "batch", cmd_batch },
};

const size_t filter_n_cmds = ARRAY_SIZE(filter_cmds);
