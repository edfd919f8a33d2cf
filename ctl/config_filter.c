// SPDX-License-Identifier: GPL-2.0
/*
 * The filter section of the configuration file: the map sizes, the rules
 * and the allow/deny lists. Every value goes through the parsers of
 * rule.c, so the file, the control socket and xlbctl share one grammar and
 * one set of messages, here prefixed with "FILE:LINE: key: ". Duplicate
 * orders and prefixes are caught with a hash set while walking the file,
 * so the first error in file order is reported, even among millions of
 * entries.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "config_int.h"
#include "rule.h"
#include "util.h"

#define NO_DUP SIZE_MAX

/*
 * A set of indices into an array, keyed by klen bytes at koff in each
 * element: open addressing, at most half full. A slot holds index + 1.
 */
struct idx_set {
	__u32 *slot;
	size_t mask;
	const char *base;
	size_t stride, koff, klen;
};

static int set_init(struct idx_set *set, size_t n, const void *base,
		    size_t stride, size_t koff, size_t klen)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	*set = (struct idx_set){ .mask = size - 1,
				 .base = base,
				 .stride = stride,
				 .koff = koff,
				 .klen = klen };
	set->slot = calloc(size, sizeof(*set->slot));
	return set->slot ? 0 : -ENOMEM;
}

static const void *set_key(const struct idx_set *set, size_t idx)
{
	return set->base + idx * set->stride + set->koff;
}

/* FNV-1a. */
static size_t hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h ^ (h >> 32);
}

/* Add element idx; returns the index of an equal one instead, or NO_DUP. */
static size_t set_add(struct idx_set *set, size_t idx)
{
	const void *key = set_key(set, idx);
	size_t i = hash_bytes(key, set->klen) & set->mask;

	for (; set->slot[i]; i = (i + 1) & set->mask)
		if (!memcmp(set_key(set, set->slot[i] - 1), key, set->klen))
			return set->slot[i] - 1;
	set->slot[i] = idx + 1;
	return NO_DUP;
}

static int no_memory(struct parse_ctx *c)
{
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s: %s", c->file,
			 strerror(ENOMEM));
	return -ENOMEM;
}

int cfg_get_int(struct parse_ctx *c, const config_setting_t *s, long long min,
		long long max, long long *out)
{
	const char *key = config_setting_name(s);
	int type = config_setting_type(s);
	long long v = 0;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return cfg_fail(c, s, "%s: expected an integer", key);
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return cfg_fail(c, s, "%s: must be %lld..%lld", key, min, max);
	*out = v;
	return 0;
}

int cfg_get_str(struct parse_ctx *c, const config_setting_t *s,
		const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(c, s, "%s: expected a string",
				config_setting_name(s));
	*out = config_setting_get_string(s);
	return 0;
}

/* Rule keys: each parses one setting into the rule. */
static int rule_order(struct parse_ctx *c, const config_setting_t *s,
		      struct xlb_rule *r)
{
	long long v = 0;
	int err = cfg_get_int(c, s, 0, XLB_ORDER_MAX, &v);

	if (!err)
		r->order = v;
	return err;
}

/* action or hook, as the key says. */
static int rule_word(struct parse_ctx *c, const config_setting_t *s,
		     struct xlb_rule *r)
{
	const char *key = config_setting_name(s);
	char msg[XLB_RULE_ERRLEN];
	const char *str = NULL;
	int err = cfg_get_str(c, s, &str);

	if (err)
		return err;
	if (!strcmp(key, "action"))
		err = xlb_parse_action(str, &r->action, msg, sizeof(msg));
	else
		err = xlb_parse_dir(str, &r->dir, msg, sizeof(msg));
	return err ? cfg_fail(c, s, "%s: %s", key, msg) : 0;
}

/* src or dst, as the key says. */
static int rule_addr(struct parse_ctx *c, const config_setting_t *s,
		     struct xlb_rule *r)
{
	const char *key = config_setting_name(s);
	bool src = !strcmp(key, "src");
	char msg[XLB_RULE_ERRLEN];
	const char *str = NULL;
	int err = cfg_get_str(c, s, &str);

	if (err)
		return err;
	if (xlb_parse_prefix(str, src ? &r->src : &r->dst, msg, sizeof(msg)))
		return cfg_fail(c, s, "%s: %s", key, msg);
	r->fields |= src ? XLB_FIELD_SRC : XLB_FIELD_DST;
	return 0;
}

/* A name or a number as a string, or a number as an integer. */
static int rule_proto(struct parse_ctx *c, const config_setting_t *s,
		      struct xlb_rule *r)
{
	char msg[XLB_RULE_ERRLEN], num[24];
	int type = config_setting_type(s);
	const char *str = num;

	if (type == CONFIG_TYPE_STRING)
		str = config_setting_get_string(s);
	else if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
		snprintf(num, sizeof(num), "%lld", config_setting_get_int64(s));
	else
		return cfg_fail(c, s, "proto: expected a string or an integer");
	if (xlb_parse_proto(str, &r->proto, msg, sizeof(msg)))
		return cfg_fail(c, s, "proto: %s", msg);
	r->fields |= XLB_FIELD_PROTO;
	return 0;
}

/* sport or dport, as the key says. */
static int rule_port(struct parse_ctx *c, const config_setting_t *s,
		     struct xlb_rule *r)
{
	const char *key = config_setting_name(s);
	bool sport = !strcmp(key, "sport");
	int type = config_setting_type(s);
	char msg[XLB_RULE_ERRLEN], num[24];

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return cfg_fail(c, s, "%s: expected an integer", key);
	snprintf(num, sizeof(num), "%lld", config_setting_get_int64(s));
	if (xlb_parse_port(num, sport ? &r->sport : &r->dport, msg,
			   sizeof(msg)))
		return cfg_fail(c, s, "%s: %s", key, msg);
	r->fields |= sport ? XLB_FIELD_SPORT : XLB_FIELD_DPORT;
	return 0;
}

struct rule_key {
	const char *name;
	int (*parse)(struct parse_ctx *c, const config_setting_t *s,
		     struct xlb_rule *r);
};

/* The first two are required. */
static const struct rule_key rule_keys[] = {
	{ "order", rule_order }, { "action", rule_word },
	{ "hook", rule_word },	 { "src", rule_addr },
	{ "dst", rule_addr },	 { "proto", rule_proto },
	{ "sport", rule_port },	 { "dport", rule_port },
};

static int unknown_rule_key(struct parse_ctx *c, const config_setting_t *s)
{
	char known[128] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rule_keys); i++)
		cfg_list_add(known, sizeof(known), rule_keys[i].name);
	return cfg_fail(c, s, "unknown rule key '%s' (known: %s)",
			config_setting_name(s), known);
}

/* One { ... } of the rules list. */
static int parse_rule(struct parse_ctx *c, const config_setting_t *g,
		      struct xlb_rule *r)
{
	char msg[XLB_RULE_ERRLEN];
	const config_setting_t *s;
	unsigned int seen = 0;
	int i, err;
	size_t k;

	if (!config_setting_is_group(g))
		return cfg_fail(c, g,
				"rules: each rule must be a group { ... }");
	memset(r, 0, sizeof(*r));
	r->dir = XLB_DIR_INGRESS;
	for (i = 0; (s = config_setting_get_elem(g, i)); i++) {
		for (k = 0; k < ARRAY_SIZE(rule_keys); k++)
			if (!strcmp(config_setting_name(s), rule_keys[k].name))
				break;
		if (k == ARRAY_SIZE(rule_keys))
			return unknown_rule_key(c, s);
		err = rule_keys[k].parse(c, s, r);
		if (err)
			return err;
		seen |= 1u << k;
	}
	for (k = 0; k < 2; k++)
		if (!(seen & (1u << k)))
			return cfg_fail(c, g, "rule needs an %s",
					rule_keys[k].name);
	if (xlb_rule_check(r, msg, sizeof(msg)) < 0)
		return cfg_fail(c, g, "rule: %s", msg);
	return 0;
}

static int parse_rules(struct parse_ctx *c, const config_setting_t *s)
{
	struct xlb_filter_conf_file *f = &c->conf->filter;
	size_t n = config_setting_length(s), cap, i, dup;
	const config_setting_t *g;
	struct idx_set orders;
	int err = 0;

	if (!config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && n == 0))
		return cfg_fail(c, s,
				"rules: expected a list of groups ( { ... } )");
	cap = n < f->max_rules ? n : f->max_rules;
	f->rules = calloc(cap ? cap : 1, sizeof(*f->rules));
	f->rule_lines = calloc(cap ? cap : 1, sizeof(*f->rule_lines));
	if (!f->rules || !f->rule_lines ||
	    set_init(&orders, cap, f->rules, sizeof(*f->rules),
		     offsetof(struct xlb_rule, order), sizeof(__u32)))
		return no_memory(c);
	for (i = 0; i < n && !err; i++) {
		g = config_setting_get_elem(s, i);
		if (i == f->max_rules) {
			err = cfg_fail(c, g, "rules: more than max_rules (%u)",
				       f->max_rules);
			break;
		}
		err = parse_rule(c, g, &f->rules[i]);
		if (err)
			break;
		f->rule_lines[i] = config_setting_source_line(g);
		dup = set_add(&orders, i);
		if (dup != NO_DUP)
			err = cfg_fail(c, g,
				       "duplicate order %u (first at line %d)",
				       f->rules[i].order, f->rule_lines[dup]);
		f->n_rules++;
	}
	free(orders.slot);
	return err;
}

/* Make room for n more list entries. */
static int grow_entries(struct xlb_filter_conf_file *f, size_t n)
{
	size_t len = f->n_entries + n + 1;
	struct xlb_list_entry *e;
	int *lines;

	e = realloc(f->entries, len * sizeof(*e));
	if (!e)
		return -ENOMEM;
	f->entries = e;
	lines = realloc(f->entry_lines, len * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	f->entry_lines = lines;
	return 0;
}

/* Add the string at s (after line low) to the list being read. */
static int add_entry(struct parse_ctx *c, const config_setting_t *s, int low,
		     struct xlb_list_entry *tmpl, const char *what)
{
	struct xlb_filter_conf_file *f = &c->conf->filter;
	struct xlb_list_entry *e = &f->entries[f->n_entries];
	int line = cfg_str_line(c, s, low);
	char msg[XLB_RULE_ERRLEN];

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail_at(
			c, line, "%s: expected a list of prefix strings", what);
	if (f->n_entries == f->max_prefixes)
		return cfg_fail_at(c, line, "%s: more than max_prefixes (%u)",
				   what, f->max_prefixes);
	*e = *tmpl;
	if (xlb_parse_prefix(config_setting_get_string(s), &e->prefix, msg,
			     sizeof(msg)))
		return cfg_fail_at(c, line, "%s: %s", what, msg);
	f->entry_lines[f->n_entries] = line;
	return 0;
}

/* allow.ingress = [ "prefix", ... ] and the like. */
static int parse_entries(struct parse_ctx *c, const config_setting_t *s,
			 enum xlb_list list, enum xlb_dir dir)
{
	struct xlb_filter_conf_file *f = &c->conf->filter;
	struct xlb_list_entry tmpl = { .list = list, .dir = dir };
	size_t n = config_setting_length(s), room, i, dup;
	int low = config_setting_source_line(s), err = 0;
	char what[32], pfx[64];
	struct idx_set set;

	snprintf(what, sizeof(what), "%s %s", xlb_list_str(list),
		 xlb_dir_str(dir));
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cfg_fail(c, s, "%s: expected a list of prefix strings",
				what);
	room = f->max_prefixes - f->n_entries;
	if (n > room)
		n = room + 1; /* one more, to be refused */
	if (grow_entries(f, n) ||
	    set_init(&set, n, f->entries, sizeof(*f->entries),
		     offsetof(struct xlb_list_entry, prefix),
		     sizeof(struct xlb_prefix)))
		return no_memory(c);
	for (i = 0; i < n && !err; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		err = add_entry(c, e, low, &tmpl, what);
		if (err)
			break;
		dup = set_add(&set, f->n_entries);
		if (dup != NO_DUP) {
			xlb_format_prefix(&f->entries[dup].prefix, pfx,
					  sizeof(pfx));
			err = cfg_fail_at(
				c, f->entry_lines[f->n_entries],
				"duplicate prefix %s in %s (first at line %d)",
				pfx, what, f->entry_lines[dup]);
		}
		f->n_entries++;
		low = config_setting_source_line(e);
	}
	free(set.slot);
	return err;
}

/* allow = { ingress = [ ... ]; egress = [ ... ]; }, and deny alike. */
static int parse_list(struct parse_ctx *c, const config_setting_t *s)
{
	const char *name = config_setting_name(s);
	enum xlb_list list = strcmp(name, "allow") ? XLB_LIST_DENY :
						     XLB_LIST_ALLOW;
	const config_setting_t *e;
	enum xlb_dir dir;
	int i, err;

	if (!config_setting_is_group(s))
		return cfg_fail(
			c, s,
			"%s: expected a group { ingress = [ ... ]; egress = [ ... ]; }",
			name);
	for (i = 0; (e = config_setting_get_elem(s, i)); i++) {
		if (xlb_parse_dir(config_setting_name(e), &dir, NULL, 0))
			return cfg_fail(
				c, e,
				"unknown list key '%s' (known: ingress, egress)",
				config_setting_name(e));
		err = parse_entries(c, e, list, dir);
		if (err)
			return err;
	}
	return 0;
}

/* max_rules and max_prefixes: read before the rest, which they bound. */
static int parse_sizes(struct parse_ctx *c, const config_setting_t *s)
{
	struct xlb_filter_conf_file *f = &c->conf->filter;
	const struct {
		const char *key;
		long long max;
		__u32 *out;
	} sizes[] = {
		{ "max_rules", XLB_CONFIG_MAX_RULES, &f->max_rules },
		{ "max_prefixes", XLB_CONFIG_MAX_PREFIXES, &f->max_prefixes },
	};
	const config_setting_t *e;
	long long v = 0;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		e = config_setting_get_member(s, sizes[i].key);
		if (!e)
			continue;
		err = cfg_get_int(c, e, 1, sizes[i].max, &v);
		if (err)
			return err;
		*sizes[i].out = v;
	}
	return 0;
}

struct filter_key {
	const char *name;
	int (*parse)(struct parse_ctx *c, const config_setting_t *s);
};

/* NULL: read first, by parse_sizes(). */
static const struct filter_key filter_keys[] = {
	{ "max_rules", NULL },	  { "max_prefixes", NULL },
	{ "rules", parse_rules }, { "allow", parse_list },
	{ "deny", parse_list },
};

static int unknown_filter_key(struct parse_ctx *c, const config_setting_t *s)
{
	char known[128] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(filter_keys); i++)
		cfg_list_add(known, sizeof(known), filter_keys[i].name);
	return cfg_fail(c, s, "unknown filter key '%s' (known: %s)",
			config_setting_name(s), known);
}

int cfg_parse_filter(struct parse_ctx *c, const config_setting_t *s)
{
	const config_setting_t *e;
	int i, err;
	size_t k;

	if (!config_setting_is_group(s))
		return cfg_fail(c, s, "filter: expected a group { ... }");
	c->conf->filter.present = true;
	err = parse_sizes(c, s);
	for (i = 0; !err && (e = config_setting_get_elem(s, i)); i++) {
		for (k = 0; k < ARRAY_SIZE(filter_keys); k++)
			if (!strcmp(config_setting_name(e),
				    filter_keys[k].name))
				break;
		if (k == ARRAY_SIZE(filter_keys))
			return unknown_filter_key(c, e);
		if (filter_keys[k].parse)
			err = filter_keys[k].parse(c, e);
	}
	return err;
}

void cfg_filter_defaults(struct xlb_filter_conf_file *f)
{
	f->max_rules = XLB_DEFAULT_MAX_RULES;
	f->max_prefixes = XLB_DEFAULT_MAX_PREFIXES;
}

void cfg_filter_free(struct xlb_filter_conf_file *f)
{
	free(f->rules);
	free(f->rule_lines);
	free(f->entries);
	free(f->entry_lines);
	f->rules = NULL;
	f->rule_lines = NULL;
	f->entries = NULL;
	f->entry_lines = NULL;
	f->n_rules = 0;
	f->n_entries = 0;
}
