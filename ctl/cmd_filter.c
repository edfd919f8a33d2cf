// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl rule, allow and deny: a table of objects and their {name, fn}
 * verbs, each verb a pure parser that checks its keyword arguments with the
 * typed rule API (rule.h) and builds the daemon's request, addresses and
 * protocols in canonical text form; then filter_run() sends the request
 * and prints the answer. The batch file reader reuses the parsers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cmd_filter.h"
#include "rule.h"
#include "show.h"
#include "util.h"

#define ORDER_MAX ((unsigned long long)XLB_ORDER_MAX)
#define ID_MAX 4294967295ull

/* A prefix in text form: an IPv6 address and "/128". */
#define PREFIX_TEXT_LEN 64

/* One command being parsed: the words after its verb, the request. */
struct parse {
	int argc;
	char **argv;
	enum xlb_list list; /* allow, deny: which list */
	json_t *req;
	struct filter_cmd *cmd;
	char *err;
	size_t errlen;
};

struct verb {
	const char *name;
	int (*fn)(struct parse *p);
	const char *cmd; /* the request's "cmd" */
	enum filter_out out;
	bool batchable, guarded;
};

struct object {
	const char *name;
	const struct verb *verbs;
	size_t n_verbs;
	const char *verb_names; /* for messages */
	bool is_list;
	enum xlb_list list;
};

enum rule_key {
	KEY_ORDER,
	KEY_HOOK,
	KEY_SRC,
	KEY_DST,
	KEY_PROTO,
	KEY_SPORT,
	KEY_DPORT,
	KEY_MAX,
};

static const char *const rule_keys[KEY_MAX] = {
	[KEY_ORDER] = "order", [KEY_HOOK] = "hook",   [KEY_SRC] = "src",
	[KEY_DST] = "dst",     [KEY_PROTO] = "proto", [KEY_SPORT] = "sport",
	[KEY_DPORT] = "dport",
};

static const unsigned int key_field[KEY_MAX] = {
	[KEY_SRC] = XLB_FIELD_SRC,     [KEY_DST] = XLB_FIELD_DST,
	[KEY_PROTO] = XLB_FIELD_PROTO, [KEY_SPORT] = XLB_FIELD_SPORT,
	[KEY_DPORT] = XLB_FIELD_DPORT,
};

/* What a command prints on success without -j (enum filter_out). */
static const show_fn filter_show[] = {
	[FILTER_OUT_NONE] = NULL,
	[FILTER_OUT_ID] = show_rule_id,
	[FILTER_OUT_RULES] = show_rules,
	[FILTER_OUT_ENTRIES] = show_entries,
	[FILTER_OUT_REMOVED] = show_removed,
};

int filter_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int set_prefix(json_t *obj, const char *key, const struct xlb_prefix *p)
{
	char text[PREFIX_TEXT_LEN];

	if (xlb_format_prefix(p, text, sizeof(text)) < 0)
		return -ENOMEM; /* cannot happen with room for any prefix */
	return client_json_set(obj, key, json_string(text));
}

static int find_key(const char *word)
{
	int k;

	for (k = 0; k < KEY_MAX; k++)
		if (!strcmp(word, rule_keys[k]))
			return k;
	return -1;
}

static int rule_value(struct parse *p, struct xlb_rule *r, int key,
		      const char *v)
{
	uint64_t order;
	int ret = 0;

	switch (key) {
	case KEY_ORDER:
		if (parse_u64(v, 0, ORDER_MAX, &order))
			return errf(
				p->err, p->errlen,
				"order '%s' is not a whole number from 0 to %llu",
				v, ORDER_MAX);
		r->order = order;
		break;
	case KEY_HOOK:
		ret = xlb_parse_dir(v, &r->dir, p->err, p->errlen);
		break;
	case KEY_SRC:
		ret = xlb_parse_prefix(v, &r->src, p->err, p->errlen);
		break;
	case KEY_DST:
		ret = xlb_parse_prefix(v, &r->dst, p->err, p->errlen);
		break;
	case KEY_PROTO:
		ret = xlb_parse_proto(v, &r->proto, p->err, p->errlen);
		break;
	case KEY_SPORT:
		ret = xlb_parse_port(v, &r->sport, p->err, p->errlen);
		break;
	case KEY_DPORT:
		ret = xlb_parse_port(v, &r->dport, p->err, p->errlen);
		break;
	}
	return ret ? -EINVAL : 0;
}

/* The action word: exactly one of drop and pass. */
static int rule_action(struct parse *p, struct xlb_rule *r, const char *word,
		       const char **action)
{
	if (*action && !strcmp(*action, word))
		return errf(p->err, p->errlen, "'%s' given twice", word);
	if (*action)
		return errf(p->err, p->errlen, "only one of 'drop' and 'pass'");
	*action = word;
	return xlb_parse_action(word, &r->action, p->err, p->errlen) ? -EINVAL :
								       0;
}

/* Fill r from the words; *seen gets a bit per keyword (enum rule_key). */
static int rule_words(struct parse *p, struct xlb_rule *r, unsigned int *seen)
{
	const char *action = NULL, *w;
	int i, k, ret;

	for (i = 0; i < p->argc; i++) {
		w = p->argv[i];
		if (!strcmp(w, "drop") || !strcmp(w, "pass")) {
			ret = rule_action(p, r, w, &action);
			if (ret)
				return ret;
			continue;
		}
		k = find_key(w);
		if (k < 0)
			return errf(p->err, p->errlen, "unknown argument '%s'",
				    w);
		if (*seen & (1u << k))
			return errf(p->err, p->errlen, "'%s' given twice", w);
		if (i + 1 >= p->argc)
			return errf(p->err, p->errlen, "'%s' needs a value", w);
		*seen |= 1u << k;
		r->fields |= key_field[k];
		ret = rule_value(p, r, k, p->argv[++i]);
		if (ret)
			return ret;
	}
	if (!action)
		return errf(p->err, p->errlen, "missing action: drop or pass");
	return 0;
}

/* The rule as the request's "rule" object, fields in grammar order. */
static int rule_json(json_t *o, const struct xlb_rule *r, bool order)
{
	char proto[8];
	int ret = 0;

	if (order)
		ret = client_json_set(o, "order", json_integer(r->order));
	if (!ret)
		ret = client_json_set(o, "action",
				      json_string(xlb_action_str(r->action)));
	if (!ret)
		ret = client_json_set(o, "hook",
				      json_string(xlb_dir_str(r->dir)));
	if (!ret && (r->fields & XLB_FIELD_SRC))
		ret = set_prefix(o, "src", &r->src);
	if (!ret && (r->fields & XLB_FIELD_DST))
		ret = set_prefix(o, "dst", &r->dst);
	if (!ret && (r->fields & XLB_FIELD_PROTO))
		ret = client_json_set(o, "proto",
				      json_string(xlb_proto_str(
					      r->proto, proto, sizeof(proto))));
	if (!ret && (r->fields & XLB_FIELD_SPORT))
		ret = client_json_set(o, "sport", json_integer(r->sport));
	if (!ret && (r->fields & XLB_FIELD_DPORT))
		ret = client_json_set(o, "dport", json_integer(r->dport));
	return ret;
}

static int rule_add(struct parse *p)
{
	struct xlb_rule r = { .dir = XLB_DIR_INGRESS };
	unsigned int seen = 0;
	json_t *o;
	int ret;

	ret = rule_words(p, &r, &seen);
	if (ret)
		return ret;
	if (xlb_rule_check(&r, p->err, p->errlen) < 0)
		return -EINVAL;
	o = json_object();
	ret = client_json_set(p->req, "rule", o);
	if (!ret)
		ret = rule_json(o, &r, seen & (1u << KEY_ORDER));
	return ret;
}

static int rule_del(struct parse *p)
{
	uint64_t id;

	if (p->argc == 0)
		return errf(p->err, p->errlen, "missing rule id");
	if (p->argc > 1)
		return errf(p->err, p->errlen, "unknown argument '%s'",
			    p->argv[1]);
	if (parse_u64(p->argv[0], 1, ID_MAX, &id))
		return errf(p->err, p->errlen,
			    "rule id '%s' is not a whole number from 1 to %llu",
			    p->argv[0], ID_MAX);
	return client_json_set(p->req, "id", json_integer(id));
}

static int no_args(struct parse *p)
{
	if (p->argc > 0)
		return errf(p->err, p->errlen, "unknown argument '%s'",
			    p->argv[0]);
	return 0;
}

/* "ingress" or "egress", at most one of them. */
static int list_hook(struct parse *p, const char *word, const char **hook,
		     struct xlb_list_entry *e)
{
	if (*hook && !strcmp(*hook, word))
		return errf(p->err, p->errlen, "'%s' given twice", word);
	if (*hook)
		return errf(p->err, p->errlen,
			    "only one of 'ingress' and 'egress'");
	*hook = word;
	return xlb_parse_dir(word, &e->dir, p->err, p->errlen) ? -EINVAL : 0;
}

/* allow/deny add/del: [ingress|egress] PFX [--force], in any order. */
static int list_change(struct parse *p)
{
	struct xlb_list_entry e = { .list = p->list, .dir = XLB_DIR_INGRESS };
	const char *hook = NULL, *prefix = NULL, *w;
	int i, ret = 0;

	for (i = 0; i < p->argc && !ret; i++) {
		w = p->argv[i];
		if (!strcmp(w, "--force")) {
			if (p->cmd->force)
				return errf(p->err, p->errlen,
					    "'--force' given twice");
			p->cmd->force = true;
		} else if (!strcmp(w, "ingress") || !strcmp(w, "egress")) {
			ret = list_hook(p, w, &hook, &e);
		} else if (prefix || w[0] == '-') {
			return errf(p->err, p->errlen, "unknown argument '%s'",
				    w);
		} else {
			prefix = w;
			if (xlb_parse_prefix(w, &e.prefix, p->err, p->errlen))
				return -EINVAL;
		}
	}
	if (ret)
		return ret;
	if (!prefix)
		return errf(p->err, p->errlen, "missing prefix");
	ret = client_json_set(p->req, "hook", json_string(xlb_dir_str(e.dir)));
	if (!ret)
		ret = set_prefix(p->req, "prefix", &e.prefix);
	return ret;
}

static const struct verb rule_verbs[] = {
	{ "add", rule_add, "rule_add", FILTER_OUT_ID, true, false },
	{ "del", rule_del, "rule_del", FILTER_OUT_NONE, true, false },
	{ "list", no_args, "rule_list", FILTER_OUT_RULES, false, false },
	{ "flush", no_args, "rule_flush", FILTER_OUT_REMOVED, true, false },
};

static const struct verb list_verbs[] = {
	{ "add", list_change, "list_add", FILTER_OUT_NONE, true, true },
	{ "del", list_change, "list_del", FILTER_OUT_NONE, true, true },
	{ "list", no_args, "list_list", FILTER_OUT_ENTRIES, false, false },
};

static const struct object objects[] = {
	{ "rule", rule_verbs, ARRAY_SIZE(rule_verbs), "add, del, list, flush",
	  false, 0 },
	{ "allow", list_verbs, ARRAY_SIZE(list_verbs), "add, del, list", true,
	  XLB_LIST_ALLOW },
	{ "deny", list_verbs, ARRAY_SIZE(list_verbs), "add, del, list", true,
	  XLB_LIST_DENY },
};

/* The object and verb, with cmd's flags set from the verb. */
static int find_verb(const char *object, const char *word,
		     struct filter_cmd *cmd, const struct object **obj,
		     const struct verb **verb, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(objects) && !*obj; i++)
		if (!strcmp(object, objects[i].name))
			*obj = &objects[i];
	if (!*obj)
		return filter_errf(err, errlen, "unknown object '%s'", object);
	snprintf(cmd->what, sizeof(cmd->what), "%s", object);
	if (!word)
		return filter_errf(err, errlen, "missing verb (%s)",
				   (*obj)->verb_names);
	for (i = 0; i < (*obj)->n_verbs && !*verb; i++)
		if (!strcmp(word, (*obj)->verbs[i].name))
			*verb = &(*obj)->verbs[i];
	if (!*verb)
		return filter_errf(err, errlen, "unknown verb '%s' (%s)", word,
				   (*obj)->verb_names);
	snprintf(cmd->what, sizeof(cmd->what), "%s %s", object, word);
	cmd->out = (*verb)->out;
	cmd->batchable = (*verb)->batchable;
	cmd->guarded = (*verb)->guarded;
	return 0;
}

int filter_parse(const char *object, int argc, char **argv,
		 struct filter_cmd *cmd, char *err, size_t errlen)
{
	struct parse p = { .cmd = cmd, .err = err, .errlen = errlen };
	const struct object *obj = NULL;
	const struct verb *verb = NULL;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	ret = find_verb(object, argc > 0 ? argv[0] : NULL, cmd, &obj, &verb,
			err, errlen);
	if (ret)
		return ret;
	p.argc = argc - 1;
	p.argv = argv + 1;
	p.list = obj->list;
	p.req = json_pack("{s:s}", "cmd", verb->cmd);
	ret = p.req ? 0 : -ENOMEM;
	if (!ret && obj->is_list)
		ret = client_json_set(p.req, "list",
				      json_string(xlb_list_str(obj->list)));
	if (!ret)
		ret = verb->fn(&p);
	if (!ret) {
		cmd->req = p.req;
		return 0;
	}
	json_decref(p.req);
	cmd->force = false;
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return ret;
}

int filter_guard(json_t *req, bool force, const char *peer)
{
	int ret = client_json_set(req, "force", json_boolean(force));

	if (!ret && peer)
		ret = client_json_set(req, "peer", json_string(peer));
	return ret;
}

int filter_peer(const char *value, char *buf, size_t len)
{
	char word[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (!value)
		return -ENOENT;
	value += strspn(value, " ");
	n = strcspn(value, " %"); /* '%': an IPv6 zone, not ours to keep */
	if (n == 0)
		return -ENOENT;
	if (n >= sizeof(word))
		return -EINVAL;
	memcpy(word, value, n);
	word[n] = '\0';
	if (inet_pton(AF_INET, word, &a4) == 1)
		return inet_ntop(AF_INET, &a4, buf, len) ? 0 : -ENOSPC;
	if (inet_pton(AF_INET6, word, &a6) != 1)
		return -EINVAL;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
		return inet_ntop(AF_INET, &a4, buf, len) ? 0 : -ENOSPC;
	}
	return inet_ntop(AF_INET6, &a6, buf, len) ? 0 : -ENOSPC;
}

const char *filter_ssh_peer(char *buf, size_t len)
{
	return filter_peer(getenv("SSH_CONNECTION"), buf, len) ? NULL : buf;
}

int filter_run(const struct filter_opts *o, const char *object, int argc,
	       char **argv)
{
	char err[FILTER_ERRLEN], peer[FILTER_PEER_LEN];
	struct filter_cmd cmd;
	json_t *data = NULL;
	int ret;

	ret = filter_parse(object, argc, argv, &cmd, err, sizeof(err));
	if (!ret && o->force && !cmd.guarded) {
		json_decref(cmd.req);
		ret = filter_errf(
			err, sizeof(err),
			"'--force' goes with allow/deny add/del or --batch");
	}
	if (ret) {
		fprintf(stderr, "xlbctl: %s: %s\n", cmd.what, err);
		return ret;
	}
	if (cmd.guarded && filter_guard(cmd.req, cmd.force || o->force,
					filter_ssh_peer(peer, sizeof(peer)))) {
		json_decref(cmd.req);
		cmd.req = NULL; /* reported by client_request() */
	}
	ret = client_request(o->socket, cmd.req, &data);
	if (ret)
		return ret;
	if (o->json || filter_show[cmd.out])
		ret = show_print(stdout, o->json, data, filter_show[cmd.out],
				 cmd.what);
	json_decref(data);
	return ret;
}
