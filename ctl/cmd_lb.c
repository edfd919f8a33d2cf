// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl vip, backend and conn: a table of objects and their {name, fn}
 * verbs,
 * each verb a pure parser of its words (a VIP and an address in the
 * order the grammar gives them, then keyword-led options) that builds
 * the daemon's request with VIPs and addresses in canonical text form;
 * lb_run() sends it and prints the answer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "cmd_lb.h"
#include "lb_parse.h"
#include "rule.h"
#include "show.h"
#include "util.h"

/* One command being parsed: the words after its verb, the request. */
struct parse {
	int argc;
	char **argv;
	json_t *req;
	char *err;
	size_t errlen;
};

struct verb {
	const char *name;
	int (*fn)(struct parse *p);
	const char *cmd; /* the request's "cmd" */
	enum lb_out out;
};

struct object {
	const char *name;
	const struct verb *verbs;
	size_t n_verbs;
	const char *verb_names; /* for messages */
};

/* The VIP at argv[*i], into the request as "vip". */
static int vip_word(struct parse *p, int *i, struct xlb_vip_addr *v)
{
	char text[XLB_VIP_STRLEN];

	if (*i >= p->argc)
		return errf(p->err, p->errlen, "missing VIP (ADDR:PORT/PROTO)");
	if (xlb_parse_vip(p->argv[(*i)++], v, p->err, p->errlen))
		return -EINVAL;
	xlb_format_vip(v, text, sizeof(text));
	return client_json_set(p->req, "vip", json_string(text));
}

/* A backend address, of the VIP's family (v NULL: any), into the
 * request as key. */
static int addr_value(struct parse *p, const char *word,
		      const struct xlb_vip_addr *v, const char *key)
{
	char text[XLB_VIP_STRLEN], vip[XLB_VIP_STRLEN];
	struct xlb_addr a;

	if (xlb_parse_addr(word, &a, p->err, p->errlen))
		return -EINVAL;
	xlb_format_addr(&a, text, sizeof(text));
	if (v && a.family != v->addr.family) {
		xlb_format_vip(v, vip, sizeof(vip));
		return errf(p->err, p->errlen, "backend %s is %s, VIP %s is %s",
			    text, a.family == XLB_FAMILY_V4 ? "IPv4" : "IPv6",
			    vip,
			    v->addr.family == XLB_FAMILY_V4 ? "IPv4" : "IPv6");
	}
	return client_json_set(p->req, key, json_string(text));
}

/* The backend address at argv[*i], of the VIP's family. */
static int addr_word(struct parse *p, int *i, const struct xlb_vip_addr *v)
{
	if (*i >= p->argc)
		return errf(p->err, p->errlen, "missing backend address");
	return addr_value(p, p->argv[(*i)++], v, "address");
}

/* "KEY VALUE" at argv[*i] (KEY already matched); the value. */
static const char *value_of(struct parse *p, int *i, bool *seen)
{
	const char *key = p->argv[*i];

	if (*seen) {
		errf(p->err, p->errlen, "'%s' given twice", key);
		return NULL;
	}
	if (*i + 1 >= p->argc) {
		errf(p->err, p->errlen, "'%s' needs a value", key);
		return NULL;
	}
	*seen = true;
	*i += 2;
	return p->argv[*i - 1];
}

static int vip_add(struct parse *p)
{
	struct xlb_vip_addr v;
	enum xlb_lb_mode mode = XLB_MODE_DSR;
	bool has_mode = false;
	const char *m;
	int i = 0, ret;

	ret = vip_word(p, &i, &v);
	while (!ret && i < p->argc) {
		if (strcmp(p->argv[i], "mode"))
			return errf(p->err, p->errlen, "unknown argument '%s'",
				    p->argv[i]);
		m = value_of(p, &i, &has_mode);
		if (!m)
			return -EINVAL;
		if (xlb_parse_lb_mode(m, &mode, p->err, p->errlen))
			return -EINVAL;
	}
	if (!ret)
		ret = client_json_set(p->req, "mode",
				      json_string(xlb_lb_mode_str(mode)));
	return ret;
}

/* vip del VIP, backend del VIP ADDR, backend list [VIP]: no options. */
static int no_more(struct parse *p, int i)
{
	return i < p->argc ? errf(p->err, p->errlen, "unknown argument '%s'",
				  p->argv[i]) :
			     0;
}

static int vip_del(struct parse *p)
{
	struct xlb_vip_addr v;
	int i = 0, ret = vip_word(p, &i, &v);

	return ret ? ret : no_more(p, i);
}

static int no_args(struct parse *p)
{
	return no_more(p, 0);
}

/* backend add VIP ADDR [weight N] [port N], backend set VIP ADDR
 * weight N. */
static int backend_change(struct parse *p, bool add)
{
	bool has_weight = false, has_port = false;
	struct xlb_vip_addr v;
	const char *w;
	__u32 weight;
	__u16 port;
	int i = 0, ret;

	ret = vip_word(p, &i, &v);
	if (!ret)
		ret = addr_word(p, &i, &v);
	while (!ret && i < p->argc) {
		if (!strcmp(p->argv[i], "weight")) {
			w = value_of(p, &i, &has_weight);
			if (!w ||
			    xlb_parse_weight(w, &weight, p->err, p->errlen))
				return -EINVAL;
			ret = client_json_set(p->req, "weight",
					      json_integer(weight));
		} else if (add && !strcmp(p->argv[i], "port")) {
			w = value_of(p, &i, &has_port);
			if (!w || xlb_parse_port(w, &port, p->err, p->errlen))
				return -EINVAL;
			ret = client_json_set(p->req, "port",
					      json_integer(port));
		} else {
			return errf(p->err, p->errlen, "unknown argument '%s'",
				    p->argv[i]);
		}
	}
	if (!ret && !add && !has_weight)
		return errf(p->err, p->errlen, "missing 'weight N'");
	return ret;
}

static int backend_add(struct parse *p)
{
	return backend_change(p, true);
}

static int backend_set(struct parse *p)
{
	return backend_change(p, false);
}

static int backend_del(struct parse *p)
{
	struct xlb_vip_addr v;
	int i = 0, ret = vip_word(p, &i, &v);

	if (!ret)
		ret = addr_word(p, &i, &v);
	return ret ? ret : no_more(p, i);
}

/* backend list [VIP], conn flush [VIP]: a VIP or nothing. */
static int vip_or_none(struct parse *p)
{
	struct xlb_vip_addr v;
	int i = 0;

	if (p->argc == 0)
		return 0;
	return vip_word(p, &i, &v) ? -EINVAL : no_more(p, i);
}

/* conn list [VIP] [backend ADDR] [count N] */
static int conn_list(struct parse *p)
{
	bool has_vip = false, has_backend = false, has_count = false;
	struct xlb_vip_addr v;
	const char *w;
	uint64_t n;
	int i = 0, ret = 0;

	if (p->argc > 0 && strcmp(p->argv[0], "backend") &&
	    strcmp(p->argv[0], "count")) {
		ret = vip_word(p, &i, &v);
		has_vip = true;
	}
	while (!ret && i < p->argc) {
		if (!strcmp(p->argv[i], "backend")) {
			w = value_of(p, &i, &has_backend);
			ret = w ? addr_value(p, w, has_vip ? &v : NULL,
					     "backend") :
				  -EINVAL;
		} else if (!strcmp(p->argv[i], "count")) {
			w = value_of(p, &i, &has_count);
			if (!w)
				return -EINVAL;
			if (parse_u64(w, 1, XLB_CONN_LIST_MAX, &n))
				return errf(p->err, p->errlen,
					    "count '%s' is not a whole number "
					    "from 1 to %d",
					    w, XLB_CONN_LIST_MAX);
			ret = client_json_set(p->req, "count", json_integer(n));
		} else {
			return errf(p->err, p->errlen, "unknown argument '%s'",
				    p->argv[i]);
		}
	}
	return ret;
}

static const struct verb vip_verbs[] = {
	{ "add", vip_add, "vip_add", LB_OUT_NONE },
	{ "del", vip_del, "vip_del", LB_OUT_NONE },
	{ "list", no_args, "vip_list", LB_OUT_VIPS },
};

static const struct verb backend_verbs[] = {
	{ "add", backend_add, "backend_add", LB_OUT_NONE },
	{ "set", backend_set, "backend_set", LB_OUT_NONE },
	{ "del", backend_del, "backend_del", LB_OUT_NONE },
	{ "list", vip_or_none, "backend_list", LB_OUT_BACKENDS },
};

static const struct verb conn_verbs[] = {
	{ "list", conn_list, "conn_list", LB_OUT_CONNS },
	{ "flush", vip_or_none, "conn_flush", LB_OUT_FLUSHED },
};

static const struct object objects[] = {
	{ "vip", vip_verbs, ARRAY_SIZE(vip_verbs), "add, del, list" },
	{ "backend", backend_verbs, ARRAY_SIZE(backend_verbs),
	  "add, set, del, list" },
	{ "conn", conn_verbs, ARRAY_SIZE(conn_verbs), "list, flush" },
};

int lb_parse(const char *object, int argc, char **argv, struct lb_cmd *cmd,
	     char *err, size_t errlen)
{
	struct parse p = { .err = err, .errlen = errlen };
	const struct object *obj = NULL;
	const struct verb *verb = NULL;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	snprintf(cmd->what, sizeof(cmd->what), "%s", object);
	for (size_t i = 0; i < ARRAY_SIZE(objects) && !obj; i++)
		if (!strcmp(object, objects[i].name))
			obj = &objects[i];
	if (!obj)
		return errf(p.err, p.errlen, "unknown object '%s'", object);
	if (argc == 0)
		return errf(p.err, p.errlen, "missing verb (%s)",
			    obj->verb_names);
	for (size_t i = 0; i < obj->n_verbs && !verb; i++)
		if (!strcmp(argv[0], obj->verbs[i].name))
			verb = &obj->verbs[i];
	if (!verb)
		return errf(p.err, p.errlen, "unknown verb '%s' (%s)", argv[0],
			    obj->verb_names);
	snprintf(cmd->what, sizeof(cmd->what), "%s %s", object, verb->name);
	cmd->out = verb->out;
	p.argc = argc - 1;
	p.argv = argv + 1;
	p.req = json_pack("{s:s}", "cmd", verb->cmd);
	ret = p.req ? verb->fn(&p) : -ENOMEM;
	if (!ret) {
		cmd->req = p.req;
		return 0;
	}
	json_decref(p.req);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return ret;
}

/* What a command prints on success without -j (enum lb_out). */
static const show_fn lb_show[] = {
	[LB_OUT_NONE] = NULL,
	[LB_OUT_VIPS] = show_vips,
	[LB_OUT_BACKENDS] = show_backends,
	[LB_OUT_CONNS] = show_conns,
	[LB_OUT_FLUSHED] = show_flushed,
};

int lb_run(const char *socket, bool json, const char *object, int argc,
	   char **argv)
{
	char err[LB_CMD_ERRLEN];
	struct lb_cmd cmd;
	json_t *data = NULL;
	int ret;

	ret = lb_parse(object, argc, argv, &cmd, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "xlbctl: %s: %s\n", cmd.what, err);
		return ret;
	}
	ret = client_request(socket, cmd.req, &data);
	if (ret)
		return ret;
	if (json || lb_show[cmd.out])
		ret = show_print(stdout, json, data, lb_show[cmd.out],
				 cmd.what);
	json_decref(data);
	return ret;
}
