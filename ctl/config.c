// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file: libconfig reads the syntax, then a table of
 * top-level sections, each with its own parser, walks the settings in file
 * order and fills struct xlb_config. Every key is checked (unknown keys are
 * errors), the first problem is reported once as "FILE:LINE: reason" and
 * nothing is returned as valid unless the whole file is. The interfaces
 * section is parsed here, the filter section in config_filter.c, the
 * vips section in config_lb.c, the lb group and the global snat list in
 * config_lbgroup.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "config_int.h"
#include "util.h"

/* A string value of a key and what it stands for. */
struct choice {
	const char *str;
	unsigned int val;
};

static const struct choice xdp_modes[] = {
	{ "native", XLB_XDP_NATIVE },
	{ "generic", XLB_XDP_GENERIC },
	{ "off", XLB_XDP_OFF },
};

static const struct choice tc_dirs[] = {
	{ "ingress", XLB_TC_INGRESS },
	{ "egress", XLB_TC_EGRESS },
	{ "both", XLB_TC_BOTH },
	{ "off", XLB_TC_OFF },
};

/* The stages an interface can switch on, and whether this version has them. */
struct stage {
	const char *key;
	unsigned int flag;
	bool available;
};

static const struct stage stages[] = {
	{ "filter", XLB_STAGE_FILTER, true },
	{ "lb", XLB_STAGE_LB, true },
};

static void vreport(char *err, size_t errlen, const char *file, int line,
		    const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%d: ", file, line);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
}

int cfg_fail_at(struct parse_ctx *c, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c->err, c->errlen, c->file, line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cfg_fail(struct parse_ctx *c, const config_setting_t *s, const char *fmt,
	     ...)
{
	const char *file = config_setting_source_file(s);
	va_list ap;

	va_start(ap, fmt);
	vreport(c->err, c->errlen, file ? file : c->file, cfg_line(c, s), fmt,
		ap);
	va_end(ap);
	return -EINVAL;
}

static const char *choice_str(const struct choice *tab, size_t n,
			      unsigned int val)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].val == val)
			return tab[i].str;
	return "?";
}

/* Format the choices as: "a", "b" or "c". */
static void choices_list(const struct choice *tab, size_t n, char *buf,
			 size_t len)
{
	size_t i, off = 0;
	const char *sep;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		sep = i == 0 ? "" : ", ";
		if (i > 0 && i + 1 == n)
			sep = " or ";
		w = snprintf(buf + off, len - off, "%s\"%s\"", sep, tab[i].str);
		if (w < 0)
			return;
		off += w;
	}
}

void cfg_list_add(char *buf, size_t len, const char *name)
{
	size_t off = strlen(buf);

	snprintf(buf + off, len - off, "%s%s", off ? ", " : "", name);
}

static int parse_choice(struct parse_ctx *c, const config_setting_t *s,
			const struct choice *tab, size_t n, unsigned int *out)
{
	const char *key = config_setting_name(s);
	const char *str;
	char expected[128];
	size_t i;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(c, s, "%s: expected a string", key);
	str = config_setting_get_string(s);
	for (i = 0; i < n; i++) {
		if (!strcmp(str, tab[i].str)) {
			*out = tab[i].val;
			return 0;
		}
	}
	choices_list(tab, n, expected, sizeof(expected));
	return cfg_fail(c, s, "%s: expected %s, got \"%s\"", key, expected,
			str);
}

/* Interface names as the kernel accepts them (dev_valid_name). */
static int parse_name(struct parse_ctx *c, const config_setting_t *s,
		      struct xlb_iface_conf *iface)
{
	const char *name, *p;
	size_t len;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(c, s, "name: expected a string");
	name = config_setting_get_string(s);
	len = strlen(name);
	if (len == 0)
		return cfg_fail(c, s, "name: must not be empty");
	if (len >= XLB_IFNAMSIZ)
		return cfg_fail(c, s, "name: '%s' is longer than %d characters",
				name, XLB_IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return cfg_fail(
			c, s, "name: '%s' is not a valid interface name", name);
	for (p = name; *p; p++) {
		if (*p == '/' || *p == ':')
			return cfg_fail(c, s,
					"name: '%s' must not contain '%c'",
					name, *p);
		if (isspace((unsigned char)*p))
			return cfg_fail(
				c, s, "name: '%s' must not contain whitespace",
				name);
	}
	memcpy(iface->name, name, len + 1);
	return 0;
}

static int parse_xdp(struct parse_ctx *c, const config_setting_t *s,
		     struct xlb_iface_conf *iface)
{
	unsigned int mode;
	int err;

	err = parse_choice(c, s, xdp_modes, ARRAY_SIZE(xdp_modes), &mode);
	if (err)
		return err;
	iface->xdp = mode;
	return 0;
}

static int parse_tc(struct parse_ctx *c, const config_setting_t *s,
		    struct xlb_iface_conf *iface)
{
	return parse_choice(c, s, tc_dirs, ARRAY_SIZE(tc_dirs), &iface->tc);
}

/* filter = true|false, lb = true|false: the key names the stage. */
static int parse_stage(struct parse_ctx *c, const config_setting_t *s,
		       struct xlb_iface_conf *iface)
{
	const char *key = config_setting_name(s);
	const struct stage *st = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stages); i++)
		if (!strcmp(key, stages[i].key))
			st = &stages[i];
	if (!st)
		return -EINVAL; /* iface_keys names only stages here */
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_fail(c, s, "%s: expected true or false", key);
	if (!config_setting_get_bool(s))
		return 0;
	if (!st->available)
		return cfg_fail(
			c, s,
			"%s: the %s stage is not available in this version",
			key, key);
	iface->stages |= st->flag;
	return 0;
}

struct iface_key {
	const char *name;
	int (*parse)(struct parse_ctx *c, const config_setting_t *s,
		     struct xlb_iface_conf *iface);
};

static const struct iface_key iface_keys[] = {
	{ .name = "name", .parse = parse_name },
	{ .name = "xdp", .parse = parse_xdp },
	{ .name = "tc", .parse = parse_tc },
	{ .name = "filter", .parse = parse_stage },
	{ .name = "lb", .parse = parse_stage },
};

static int unknown_iface_key(struct parse_ctx *c, const config_setting_t *s)
{
	char known[128] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(iface_keys); i++)
		cfg_list_add(known, sizeof(known), iface_keys[i].name);
	return cfg_fail(c, s, "unknown interface key '%s' (known: %s)",
			config_setting_name(s), known);
}

static int parse_iface_keys(struct parse_ctx *c, const config_setting_t *g,
			    struct xlb_iface_conf *iface)
{
	const config_setting_t *s;
	int i, err;
	size_t k;

	for (i = 0; (s = config_setting_get_elem(g, i)); i++) {
		for (k = 0; k < ARRAY_SIZE(iface_keys); k++)
			if (!strcmp(config_setting_name(s), iface_keys[k].name))
				break;
		if (k == ARRAY_SIZE(iface_keys))
			return unknown_iface_key(c, s);
		err = iface_keys[k].parse(c, s, iface);
		if (err)
			return err;
	}
	return 0;
}

/* One { ... } of the interfaces list, appended to conf->ifaces. */
static int parse_iface(struct parse_ctx *c, const config_setting_t *g)
{
	struct xlb_config *conf = c->conf;
	struct xlb_iface_conf *iface;
	size_t i;
	int err;

	if (conf->n_ifaces == XLB_MAX_IFACES)
		return cfg_fail(c, g,
				"interfaces: too many interfaces (at most %d)",
				XLB_MAX_IFACES);
	/*
	 * libconfig (1.5) dates an unnamed scalar by the token read after
	 * it: for the last element of a list, that can be the line of ')'.
	 */
	if (!config_setting_is_group(g))
		return cfg_fail(
			c, g,
			"interfaces: each interface must be a group { ... }");

	iface = &conf->ifaces[conf->n_ifaces];
	memset(iface, 0, sizeof(*iface));
	iface->xdp = XLB_XDP_NATIVE;
	iface->tc = XLB_TC_BOTH;
	iface->line = config_setting_source_line(g);

	err = parse_iface_keys(c, g, iface);
	if (err)
		return err;
	if (!iface->name[0])
		return cfg_fail(c, g, "interface needs a name");
	for (i = 0; i < conf->n_ifaces; i++)
		if (!strcmp(conf->ifaces[i].name, iface->name))
			return cfg_fail(
				c, g,
				"duplicate interface '%s' (first defined at line %d)",
				iface->name, conf->ifaces[i].line);
	if (iface->xdp == XLB_XDP_OFF && iface->tc == XLB_TC_OFF)
		return cfg_fail(c, g,
				"interface '%s' has neither xdp nor tc enabled",
				iface->name);
	/* The load balancer sends frames back out: only XDP can. */
	if ((iface->stages & XLB_STAGE_LB) && iface->xdp == XLB_XDP_OFF)
		return cfg_fail(c, config_setting_get_member(g, "lb"),
				"lb: needs xdp (native or generic)");
	conf->n_ifaces++;
	return 0;
}

static int parse_interfaces(struct parse_ctx *c, const config_setting_t *s)
{
	const config_setting_t *g;
	int i, err;

	if (!config_setting_is_list(s))
		return cfg_fail(
			c, s,
			"interfaces: expected a list of groups ( { ... } )");
	if (config_setting_length(s) == 0)
		return cfg_fail(c, s,
				"interfaces: at least one interface is needed");
	for (i = 0; (g = config_setting_get_elem(s, i)); i++) {
		err = parse_iface(c, g);
		if (err)
			return err;
	}
	return 0;
}

/* The top-level sections; a new feature adds a row. */
struct section {
	const char *name;
	int (*parse)(struct parse_ctx *c, const config_setting_t *s);
	bool required;
};

static const struct section sections[] = {
	{ "interfaces", parse_interfaces, true },
	{ "filter", cfg_parse_filter, false },
	{ "vips", cfg_parse_vips, false },
	{ "lb", cfg_parse_lb, false },
	{ "snat", cfg_parse_snat, false },
};

static int unknown_section(struct parse_ctx *c, const config_setting_t *s)
{
	char known[128] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sections); i++)
		cfg_list_add(known, sizeof(known), sections[i].name);
	return cfg_fail(c, s, "unknown top-level key '%s' (known: %s)",
			config_setting_name(s), known);
}

/* Walk the top level in file order, then look for missing sections. */
static int parse_root(struct parse_ctx *c, const config_t *cfg)
{
	const config_setting_t *root = config_root_setting(cfg);
	bool seen[ARRAY_SIZE(sections)] = { false };
	const config_setting_t *s;
	size_t k;
	int i, err;

	for (i = 0; (s = config_setting_get_elem(root, i)); i++) {
		for (k = 0; k < ARRAY_SIZE(sections); k++)
			if (!strcmp(config_setting_name(s), sections[k].name))
				break;
		if (k == ARRAY_SIZE(sections))
			return unknown_section(c, s);
		err = sections[k].parse(c, s);
		if (err)
			return err;
		seen[k] = true;
	}
	for (k = 0; k < ARRAY_SIZE(sections); k++)
		if (sections[k].required && !seen[k])
			return cfg_fail_at(c, 1, "no '%s' section",
					   sections[k].name);
	return 0;
}

static int syntax_error(struct parse_ctx *c, const config_t *cfg)
{
	const char *file = config_error_file(cfg);
	const char *text = config_error_text(cfg);

	c->file = file ? file : c->file;
	return cfg_fail_at(c, config_error_line(cfg), "%s",
			   text ? text : "syntax error");
}

static void ctx_init(struct parse_ctx *c, const char *name,
		     struct xlb_config *conf, char *err, size_t errlen)
{
	*c = (struct parse_ctx){
		.file = name, .err = err, .errlen = errlen, .conf = conf
	};
	memset(conf, 0, sizeof(*conf));
	snprintf(conf->file, sizeof(conf->file), "%s", name);
	cfg_filter_defaults(&conf->filter);
	cfg_lb_defaults(&conf->lb);
	if (err && errlen)
		err[0] = '\0';
}

/* Parse the whole text; on error, free whatever was filled in. */
static int parse_text(struct parse_ctx *c, const char *text)
{
	config_t cfg;
	int ret;

	c->text = text;
	config_init(&cfg);
	if (!config_read_string(&cfg, text))
		ret = syntax_error(c, &cfg);
	else
		ret = cfg_check_ints(c);
	if (!ret)
		ret = parse_root(c, &cfg);
	config_destroy(&cfg);
	free(c->line_off);
	c->line_off = NULL;
	if (ret)
		xlb_config_free(c->conf);
	return ret;
}

int xlb_config_load(const char *file, struct xlb_config *conf, char *err,
		    size_t errlen)
{
	struct parse_ctx c;
	char *text;
	int ret;

	ctx_init(&c, file, conf, err, errlen);
	ret = cfg_read_file(file, &text, err, errlen);
	if (ret)
		return ret;
	ret = parse_text(&c, text);
	free(text);
	return ret;
}

int xlb_config_parse(const char *name, const char *text,
		     struct xlb_config *conf, char *err, size_t errlen)
{
	struct parse_ctx c;

	ctx_init(&c, name, conf, err, errlen);
	return parse_text(&c, text);
}

void xlb_config_free(struct xlb_config *conf)
{
	cfg_filter_free(&conf->filter);
	cfg_vips_free(conf);
}

const char *xlb_xdp_mode_str(enum xlb_xdp_mode mode)
{
	return choice_str(xdp_modes, ARRAY_SIZE(xdp_modes), mode);
}

const char *xlb_tc_dirs_str(unsigned int tc)
{
	return choice_str(tc_dirs, ARRAY_SIZE(tc_dirs), tc);
}
