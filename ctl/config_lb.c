// SPDX-License-Identifier: GPL-2.0
/*
 * The vips section of the configuration file: each VIP (address, port,
 * protocol, mode, health checks, snat pool) with its backends (address,
 * weight, port).
 * Values go through the parsers of lb_parse.c, so the file, the control
 * socket and xlbctl share one grammar and one set of messages, here
 * prefixed with "FILE:LINE: key: ". Limits are those of the data plane: XLB_MAX_VIPS
 * VIPs, 655 backends per VIP (100 ring slots each), and XLB_MAX_BACKENDS
 * backends in all, each (VIP, address) pair taking one backend id.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "config_int.h"
#include "lb_parse.h"
#include "util.h"

/* The VIP being read, and the backends read so far in the section. */
struct vip_ctx {
	struct xlb_vip_conf *v;
	bool has_addr, has_proto;
	size_t *total; /* backends of every VIP before this one */
};

static int vip_address(struct parse_ctx *c, const config_setting_t *s,
		       struct vip_ctx *x)
{
	char msg[XLB_VIP_STRLEN + 64];
	const char *str = NULL;
	int err = cfg_get_str(c, s, &str);

	if (err)
		return err;
	if (xlb_parse_addr(str, &x->v->vip.addr, msg, sizeof(msg)))
		return cfg_fail(c, s, "address: %s", msg);
	x->has_addr = true;
	return 0;
}

static int vip_port(struct parse_ctx *c, const config_setting_t *s,
		    struct vip_ctx *x)
{
	long long v = 0;
	int err = cfg_get_int(c, s, 0, 65535, &v);

	if (!err)
		x->v->vip.port = v;
	return err;
}

static int vip_proto(struct parse_ctx *c, const config_setting_t *s,
		     struct vip_ctx *x)
{
	const char *str = NULL;
	int err = cfg_get_str(c, s, &str);

	if (err)
		return err;
	if (!strcmp(str, "tcp"))
		x->v->vip.proto = IPPROTO_TCP;
	else if (!strcmp(str, "udp"))
		x->v->vip.proto = IPPROTO_UDP;
	else
		return cfg_fail(c, s,
				"proto: expected \"tcp\" or \"udp\", "
				"got \"%s\"",
				str);
	x->has_proto = true;
	return 0;
}

static int vip_mode(struct parse_ctx *c, const config_setting_t *s,
		    struct vip_ctx *x)
{
	char msg[XLB_VIP_STRLEN + 64];
	const char *str = NULL;
	int err = cfg_get_str(c, s, &str);

	if (err)
		return err;
	if (strcmp(str, "dsr") && strcmp(str, "nat"))
		return cfg_fail(c, s,
				"mode: expected \"dsr\" or \"nat\", got \"%s\"",
				str);
	if (xlb_parse_lb_mode(str, &x->v->mode, msg, sizeof(msg)))
		return cfg_fail(c, s, "mode: %s", msg);
	return 0;
}

static int backend_keys(struct parse_ctx *c, const config_setting_t *g,
			struct xlb_backend_conf *b)
{
	char msg[XLB_VIP_STRLEN + 64];
	const config_setting_t *s;
	const char *str, *key;
	bool has_addr = false;
	long long w = 0;
	int i, err = 0;

	for (i = 0; !err && (s = config_setting_get_elem(g, i)); i++) {
		key = config_setting_name(s);
		if (!strcmp(key, "address")) {
			err = cfg_get_str(c, s, &str);
			if (!err &&
			    xlb_parse_addr(str, &b->addr, msg, sizeof(msg)))
				err = cfg_fail(c, s, "address: %s", msg);
			has_addr = true;
		} else if (!strcmp(key, "weight")) {
			err = cfg_get_int(c, s, 0, XLB_WEIGHT_MAX, &w);
			b->weight = w;
		} else if (!strcmp(key, "port")) {
			err = cfg_get_int(c, s, 1, 65535, &w);
			b->port = w;
		} else {
			err = cfg_fail(c, s,
				       "unknown backend key '%s' (known: "
				       "address, weight, port)",
				       key);
		}
	}
	if (!err && !has_addr)
		err = cfg_fail(c, g, "backend needs an address");
	return err;
}

static int vip_backends(struct parse_ctx *c, const config_setting_t *s,
			struct vip_ctx *x)
{
	size_t n = config_setting_length(s);
	struct xlb_vip_conf *v = x->v;
	const config_setting_t *g;

	if (!config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && n == 0))
		return cfg_fail(c, s,
				"backends: expected a list of groups "
				"( { ... } )");
	free(v->backends);
	v->n_backends = 0;
	v->backends = calloc(n ? n : 1, sizeof(*v->backends));
	if (!v->backends)
		return cfg_fail(c, s, "backends: out of memory");
	for (size_t i = 0; i < n; i++) {
		struct xlb_backend_conf *b = &v->backends[i];
		int err;

		g = config_setting_get_elem(s, i);
		if (i == XLB_MAX_BACKENDS_PER_VIP)
			return cfg_fail(c, g,
					"backends: more than %d for one VIP",
					XLB_MAX_BACKENDS_PER_VIP);
		if (!config_setting_is_group(g))
			return cfg_fail(c, g,
					"backends: each backend must be a "
					"group { ... }");
		b->weight = XLB_WEIGHT_DEFAULT;
		b->line = config_setting_source_line(g);
		err = backend_keys(c, g, b);
		if (err)
			return err;
		v->n_backends++;
	}
	return 0;
}

/*
 * A duration as "2s", "0.5s" or "500ms" (decimal, no sign or exponent),
 * in whole milliseconds (rounded), into *ms; -EINVAL when not of that
 * form, -ERANGE when past XLB_HEALTH_DURATION_MAX_MS.
 */
static int parse_duration(const char *s, __u32 *ms)
{
	size_t len = strlen(s), unit = 1, dots = 0;
	char num[32];
	double v;

	if (len > 2 && !strcmp(s + len - 2, "ms"))
		unit = 2;
	else if (len < 2 || s[len - 1] != 's')
		return -EINVAL;
	len -= unit;
	if (len >= sizeof(num))
		return -ERANGE;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	}
	memcpy(num, s, len);
	num[len] = '\0';
	if (dots > 1 || parse_seconds(num, 0, 1e9, &v))
		return -EINVAL;
	v = (unit == 2 ? v : v * 1000) + 0.5; /* rounded by the cast */
	if (v >= XLB_HEALTH_DURATION_MAX_MS + 1.0)
		return -ERANGE;
	*ms = (__u32)v;
	return 0;
}

/* interval or timeout: a duration string of at least min_ms. */
static int health_duration(struct parse_ctx *c, const config_setting_t *s,
			   __u32 min_ms, __u32 *ms)
{
	const char *key = config_setting_name(s), *str = NULL;
	int err = cfg_get_str(c, s, &str);

	if (err)
		return err;
	err = parse_duration(str, ms);
	if (err == -EINVAL)
		return cfg_fail(c, s,
				"%s: expected a duration as \"2s\", \"0.5s\" "
				"or \"500ms\", got \"%s\"",
				key, str);
	if (err || *ms < min_ms)
		return cfg_fail(c, s, "%s: must be %ums..%us", key, min_ms,
				XLB_HEALTH_DURATION_MAX_MS / 1000);
	return 0;
}

/* path: an absolute path of visible ASCII, sent as is. */
static int health_path(struct parse_ctx *c, const config_setting_t *s,
		       struct xlb_health_conf *h)
{
	const char *str = NULL;
	int err = cfg_get_str(c, s, &str);

	if (err)
		return err;
	if (str[0] != '/')
		return cfg_fail(c, s, "path: must start with '/'");
	if (strlen(str) >= sizeof(h->path))
		return cfg_fail(c, s, "path: longer than %zu characters",
				sizeof(h->path) - 1);
	for (const char *p = str; *p; p++)
		if (*p <= ' ' || *p > '~')
			return cfg_fail(c, s,
					"path: only visible ASCII characters, "
					"no spaces (escape them as %%20)");
	strcpy(h->path, str);
	return 0;
}

static int health_type(struct parse_ctx *c, const config_setting_t *s,
		       struct xlb_health_conf *h)
{
	const char *str = NULL;
	int err = cfg_get_str(c, s, &str);

	if (err)
		return err;
	if (!strcmp(str, "tcp"))
		h->type = XLB_HEALTH_TCP;
	else if (!strcmp(str, "http"))
		h->type = XLB_HEALTH_HTTP;
	else
		return cfg_fail(c, s,
				"type: expected \"tcp\" or \"http\", got "
				"\"%s\"",
				str);
	return 0;
}

static const char *const health_known =
	"type, port, path, status, interval, timeout, rise, fall";

/* An integer key of the health group, min..max. */
static int health_int(struct parse_ctx *c, const config_setting_t *s,
		      long long min, long long max, __u32 *out)
{
	long long v = 0;
	int err = cfg_get_int(c, s, min, max, &v);

	if (!err)
		*out = v;
	return err;
}

/* One key of the health group; *http_only is set for path and status. */
static int health_key(struct parse_ctx *c, const config_setting_t *s,
		      struct xlb_health_conf *h, bool *http_only)
{
	const char *key = config_setting_name(s);
	__u32 v = 0;
	int err;

	*http_only = !strcmp(key, "path") || !strcmp(key, "status");
	if (!strcmp(key, "type"))
		return health_type(c, s, h);
	if (!strcmp(key, "path"))
		return health_path(c, s, h);
	if (!strcmp(key, "interval"))
		return health_duration(c, s, XLB_HEALTH_INTERVAL_MIN_MS,
				       &h->interval_ms);
	if (!strcmp(key, "timeout"))
		return health_duration(c, s, XLB_HEALTH_TIMEOUT_MIN_MS,
				       &h->timeout_ms);
	if (!strcmp(key, "rise"))
		return health_int(c, s, 1, XLB_HEALTH_RUN_MAX, &h->rise);
	if (!strcmp(key, "fall"))
		return health_int(c, s, 1, XLB_HEALTH_RUN_MAX, &h->fall);
	if (!strcmp(key, "port")) {
		err = health_int(c, s, 1, 65535, &v);
		h->port = v;
	} else if (!strcmp(key, "status")) {
		err = health_int(c, s, 100, 599, &v);
		h->status = v;
	} else {
		err = cfg_fail(c, s, "unknown health key '%s' (known: %s)", key,
			       health_known);
	}
	return err;
}

/* health = { type = "http"; path = "/healthz"; interval = "2s"; ... } */
static int vip_health(struct parse_ctx *c, const config_setting_t *g,
		      struct vip_ctx *x)
{
	struct xlb_health_conf *h = &x->v->health;
	const config_setting_t *s, *http_key = NULL, *timeout = NULL;
	bool http_only;
	int i, err;

	if (!config_setting_is_group(g))
		return cfg_fail(c, g, "health: expected a group { ... }");
	*h = (struct xlb_health_conf){ .type = XLB_HEALTH_TCP,
				       .status = 200,
				       .interval_ms = 2000,
				       .rise = 2,
				       .fall = 3,
				       .path = "/",
				       .line = config_setting_source_line(g) };
	for (i = 0; (s = config_setting_get_elem(g, i)); i++) {
		err = health_key(c, s, h, &http_only);
		if (err)
			return err;
		if (http_only && !http_key)
			http_key = s;
		if (!strcmp(config_setting_name(s), "timeout"))
			timeout = s;
	}
	if (http_key && h->type != XLB_HEALTH_HTTP)
		return cfg_fail(c, http_key, "%s: only for type \"http\"",
				config_setting_name(http_key));
	if (!timeout)
		h->timeout_ms = h->interval_ms < 1000 ? h->interval_ms : 1000;
	else if (h->timeout_ms > h->interval_ms)
		return cfg_fail(c, timeout,
				"timeout: must not be longer than the "
				"interval (%ums)",
				h->interval_ms);
	return 0;
}

const char *xlb_health_type_str(enum xlb_health_type type)
{
	switch (type) {
	case XLB_HEALTH_TCP:
		return "tcp";
	case XLB_HEALTH_HTTP:
		return "http";
	default:
		return "none";
	}
}

/* snat = [ ... ]: the VIP's own NAT source pool (config_lbgroup.c). */
static int vip_snat(struct parse_ctx *c, const config_setting_t *s,
		    struct vip_ctx *x)
{
	return cfg_parse_snat_list(c, s, &x->v->snat);
}

struct vip_key {
	const char *name;
	int (*parse)(struct parse_ctx *c, const config_setting_t *s,
		     struct vip_ctx *x);
};

static const struct vip_key vip_keys[] = {
	{ "address", vip_address },   { "port", vip_port },
	{ "proto", vip_proto },	      { "mode", vip_mode },
	{ "backends", vip_backends }, { "health", vip_health },
	{ "snat", vip_snat },
};

static int unknown_vip_key(struct parse_ctx *c, const config_setting_t *s)
{
	char known[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(vip_keys); i++)
		cfg_list_add(known, sizeof(known), vip_keys[i].name);
	return cfg_fail(c, s, "unknown VIP key '%s' (known: %s)",
			config_setting_name(s), known);
}

/* The backends as a whole: family, duplicates, the total. */
static int check_backends(struct parse_ctx *c, struct vip_ctx *x)
{
	const struct xlb_vip_conf *v = x->v;
	char vip[XLB_VIP_STRLEN], addr[XLB_VIP_STRLEN];
	char msg[XLB_VIP_STRLEN + 128];

	xlb_format_vip(&v->vip, vip, sizeof(vip));
	for (size_t i = 0; i < v->n_backends; i++) {
		const struct xlb_backend_conf *b = &v->backends[i];

		if (xlb_check_backend_port(&v->vip, v->mode, b->port, msg,
					   sizeof(msg)))
			return cfg_fail_at(c, b->line, "%s", msg);
		xlb_format_addr(&b->addr, addr, sizeof(addr));
		if (b->addr.family != v->vip.addr.family)
			return cfg_fail_at(
				c, b->line, "backend %s is %s, VIP %s is %s",
				addr,
				b->addr.family == XLB_FAMILY_V4 ? "IPv4" :
								  "IPv6",
				vip,
				v->vip.addr.family == XLB_FAMILY_V4 ? "IPv4" :
								      "IPv6");
		for (size_t k = 0; k < i; k++)
			if (!xlb_addr_cmp(&v->backends[k].addr, &b->addr))
				return cfg_fail_at(
					c, b->line,
					"duplicate backend %s in VIP %s "
					"(first at line %d)",
					addr, vip, v->backends[k].line);
		if (++*x->total > XLB_MAX_BACKENDS)
			return cfg_fail_at(c, b->line,
					   "more than %d backends in all VIPs "
					   "(one per VIP and address)",
					   XLB_MAX_BACKENDS);
	}
	return 0;
}

/* One { ... } of the vips list, appended to conf->vips. */
static int parse_vip(struct parse_ctx *c, const config_setting_t *g,
		     size_t *total)
{
	struct xlb_config *conf = c->conf;
	struct vip_ctx x = { .v = &conf->vips[conf->n_vips], .total = total };
	const config_setting_t *s;
	char vip[XLB_VIP_STRLEN];
	size_t k;
	int i, err;

	if (!config_setting_is_group(g))
		return cfg_fail(c, g, "vips: each VIP must be a group { ... }");
	memset(x.v, 0, sizeof(*x.v));
	x.v->mode = XLB_MODE_DSR;
	x.v->line = config_setting_source_line(g);
	conf->n_vips++; /* owned by conf from here: freed on errors */
	for (i = 0; (s = config_setting_get_elem(g, i)); i++) {
		for (k = 0; k < ARRAY_SIZE(vip_keys); k++)
			if (!strcmp(config_setting_name(s), vip_keys[k].name))
				break;
		if (k == ARRAY_SIZE(vip_keys))
			return unknown_vip_key(c, s);
		err = vip_keys[k].parse(c, s, &x);
		if (err)
			return err;
	}
	if (!x.has_addr || !x.has_proto)
		return cfg_fail(c, g, "VIP needs %s",
				x.has_addr ? "a proto" : "an address");
	if (x.v->health.type != XLB_HEALTH_NONE && !x.v->vip.port &&
	    !x.v->health.port)
		return cfg_fail_at(c, x.v->health.line,
				   "health: a VIP of every port needs a "
				   "health port");
	err = cfg_check_vip_snat(c, x.v);
	if (err)
		return err;
	xlb_format_vip(&x.v->vip, vip, sizeof(vip));
	for (size_t j = 0; j + 1 < conf->n_vips; j++)
		if (!xlb_vip_cmp(&conf->vips[j].vip, &x.v->vip))
			return cfg_fail(c, g,
					"duplicate VIP %s (first at line %d)",
					vip, conf->vips[j].line);
	return check_backends(c, &x);
}

int cfg_parse_vips(struct parse_ctx *c, const config_setting_t *s)
{
	size_t n = config_setting_length(s), total = 0;
	const config_setting_t *g;
	int err;

	if (!config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && n == 0))
		return cfg_fail(c, s,
				"vips: expected a list of groups ( { ... } )");
	for (size_t i = 0; i < n; i++) {
		g = config_setting_get_elem(s, i);
		if (c->conf->n_vips == XLB_MAX_VIPS)
			return cfg_fail(c, g,
					"vips: too many VIPs (at most %d)",
					XLB_MAX_VIPS);
		err = parse_vip(c, g, &total);
		if (err)
			return err;
	}
	return 0;
}

void cfg_vips_free(struct xlb_config *conf)
{
	for (size_t i = 0; i < conf->n_vips; i++) {
		free(conf->vips[i].backends);
		conf->vips[i].backends = NULL;
		conf->vips[i].n_backends = 0;
	}
	conf->n_vips = 0;
}
