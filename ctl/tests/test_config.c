// modules: config config_filter config_text rule util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the config module: valid files parse with their defaults,
 * and every bad file in ctl/tests/configs/ is refused with exactly the
 * expected "FILE:LINE: reason". The filter section has its own tests, in
 * test_config_filter.c. Run from the repository root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "harness.h"
#include "util.h"

#define CONFIGS "ctl/tests/configs/"

static struct xlb_config conf;
static char err[XLB_CONFIG_ERRLEN];

/* Parse text as "inline.conf"; returns the result, message in err. */
static int parse(const char *text)
{
	return xlb_config_parse("inline.conf", text, &conf, err, sizeof(err));
}

static void check_iface(size_t i, const char *name, enum xlb_xdp_mode xdp,
			unsigned int tc, int line)
{
	const struct xlb_iface_conf *ifc = &conf.ifaces[i];

	check(!strcmp(ifc->name, name), "iface %zu: name '%s', want '%s'", i,
	      ifc->name, name);
	check(ifc->xdp == xdp, "%s: xdp %s, want %s", name,
	      xlb_xdp_mode_str(ifc->xdp), xlb_xdp_mode_str(xdp));
	check(ifc->tc == tc, "%s: tc %s, want %s", name,
	      xlb_tc_dirs_str(ifc->tc), xlb_tc_dirs_str(tc));
	check(ifc->stages == 0, "%s: stages %#x, want 0", name, ifc->stages);
	check(ifc->line == line, "%s: line %d, want %d", name, ifc->line, line);
}

static void test_defaults(void)
{
	int ret = parse("interfaces = ( { name = \"veth0\"; } );");

	if (!check(ret == 0, "parse: %d %s", ret, err))
		return;
	check(!strcmp(conf.file, "inline.conf"), "file '%s'", conf.file);
	check(conf.n_ifaces == 1, "n_ifaces %zu", conf.n_ifaces);
	check_iface(0, "veth0", XLB_XDP_NATIVE, XLB_TC_BOTH, 1);
}

static void test_xdp_modes(void)
{
	static const struct {
		const char *str;
		enum xlb_xdp_mode mode;
	} modes[] = {
		{ "native", XLB_XDP_NATIVE },
		{ "generic", XLB_XDP_GENERIC },
		{ "off", XLB_XDP_OFF },
	};
	char text[128];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		snprintf(text, sizeof(text),
			 "interfaces = ( { name = \"v\"; xdp = \"%s\"; } );",
			 modes[i].str);
		ret = parse(text);
		if (!check(ret == 0, "xdp %s: %d %s", modes[i].str, ret, err))
			continue;
		check_iface(0, "v", modes[i].mode, XLB_TC_BOTH, 1);
		check(!strcmp(xlb_xdp_mode_str(modes[i].mode), modes[i].str),
		      "xlb_xdp_mode_str(%d) = %s", modes[i].mode,
		      xlb_xdp_mode_str(modes[i].mode));
	}
}

static void test_tc_dirs(void)
{
	static const struct {
		const char *str;
		unsigned int tc;
	} dirs[] = {
		{ "ingress", XLB_TC_INGRESS },
		{ "egress", XLB_TC_EGRESS },
		{ "both", XLB_TC_BOTH },
		{ "off", XLB_TC_OFF },
	};
	char text[128];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(text, sizeof(text),
			 "interfaces = ( { name = \"v\"; tc = \"%s\"; } );",
			 dirs[i].str);
		ret = parse(text);
		if (!check(ret == 0, "tc %s: %d %s", dirs[i].str, ret, err))
			continue;
		check_iface(0, "v", XLB_XDP_NATIVE, dirs[i].tc, 1);
		check(!strcmp(xlb_tc_dirs_str(dirs[i].tc), dirs[i].str),
		      "xlb_tc_dirs_str(%u) = %s", dirs[i].tc,
		      xlb_tc_dirs_str(dirs[i].tc));
	}
}

static void test_stages_off(void)
{
	int ret = parse("interfaces = ( { name = \"v\"; filter = false;\n"
			"lb = false; } );");

	if (check(ret == 0, "parse: %d %s", ret, err))
		check_iface(0, "v", XLB_XDP_NATIVE, XLB_TC_BOTH, 1);
	check(!conf.filter.present && !conf.filter.n_rules &&
		      !conf.filter.n_entries,
	      "no filter section");
	check(conf.filter.max_rules == XLB_DEFAULT_MAX_RULES &&
		      conf.filter.max_prefixes == XLB_DEFAULT_MAX_PREFIXES,
	      "default sizes %u %u", conf.filter.max_rules,
	      conf.filter.max_prefixes);
}

/* Several interfaces, all comment styles, multi-line groups. */
static void test_good_file(void)
{
	const char *file = CONFIGS "good-full.conf";
	int ret = xlb_config_load(file, &conf, err, sizeof(err));

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	check(!strcmp(conf.file, file), "file '%s'", conf.file);
	if (!check(conf.n_ifaces == 3, "n_ifaces %zu", conf.n_ifaces))
		return;
	check_iface(0, "veth-xlb0", XLB_XDP_NATIVE, XLB_TC_BOTH, 5);
	check_iface(1, "veth-xlb1", XLB_XDP_NATIVE, XLB_TC_BOTH, 8);
	check_iface(2, "eth0.100", XLB_XDP_OFF, XLB_TC_INGRESS, 9);
}

/* The annotated example must stay valid. */
static void test_example(void)
{
	int ret =
		xlb_config_load("configs/hello.conf", &conf, err, sizeof(err));

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	check(conf.n_ifaces == 2, "n_ifaces %zu", conf.n_ifaces);
}

/* XLB_MAX_IFACES interfaces are fine, one more is refused at its line. */
static void test_too_many(void)
{
	size_t len = 64 * (XLB_MAX_IFACES + 2), off;
	char *text = malloc(len);
	char want[XLB_CONFIG_ERRLEN];
	int i, ret;

	if (!check(text != NULL, "malloc"))
		return;
	off = snprintf(text, len, "interfaces = (\n");
	for (i = 0; i < XLB_MAX_IFACES; i++)
		off += snprintf(text + off, len - off,
				"%s{ name = \"v%d\"; }\n", i ? "," : "", i);
	snprintf(text + off, len - off, ");\n");
	ret = parse(text);
	check(ret == 0, "%d interfaces: %d %s", XLB_MAX_IFACES, ret, err);
	check(conf.n_ifaces == XLB_MAX_IFACES, "n_ifaces %zu", conf.n_ifaces);

	snprintf(text + off, len - off, ",{ name = \"extra\"; }\n);\n");
	ret = parse(text);
	snprintf(want, sizeof(want),
		 "inline.conf:%d: interfaces: too many interfaces (at most %d)",
		 XLB_MAX_IFACES + 2, XLB_MAX_IFACES);
	check(ret == -EINVAL, "ret %d", ret);
	check(!strcmp(err, want), "got '%s', want '%s'", err, want);
	free(text);
}

struct bad_case {
	const char *file; /* under CONFIGS */
	const char *msg; /* the whole expected message */
	int ret;
};

static const struct bad_case bad_files[] = {
	{ "bad-syntax.conf", CONFIGS "bad-syntax.conf:5: syntax error" },
	{ "bad-duplicate-key.conf",
	  CONFIGS "bad-duplicate-key.conf:4: duplicate setting name" },
	{ "bad-unknown-top.conf", CONFIGS
	  "bad-unknown-top.conf:7: unknown top-level key 'interface' (known: interfaces, filter, vips, lb, snat)" },
	{ "bad-unknown-key.conf", CONFIGS
	  "bad-unknown-key.conf:7: unknown interface key 'mode' (known: name, xdp, tc, filter, lb)" },
	{ "bad-type-xdp.conf",
	  CONFIGS "bad-type-xdp.conf:4: xdp: expected a string" },
	{ "bad-type-filter.conf",
	  CONFIGS "bad-type-filter.conf:5: filter: expected true or false" },
	{ "bad-type-name.conf",
	  CONFIGS "bad-type-name.conf:4: name: expected a string" },
	{ "bad-no-name.conf",
	  CONFIGS "bad-no-name.conf:6: interface needs a name" },
	{ "bad-duplicate.conf", CONFIGS
	  "bad-duplicate.conf:7: duplicate interface 'veth0' (first defined at line 5)" },
	{ "bad-xdp-mode.conf", CONFIGS
	  "bad-xdp-mode.conf:4: xdp: expected \"native\", \"generic\" or \"off\", got \"fast\"" },
	{ "bad-tc-mode.conf", CONFIGS
	  "bad-tc-mode.conf:6: tc: expected \"ingress\", \"egress\", \"both\" or \"off\", got \"in\"" },
	{ "bad-name-long.conf", CONFIGS
	  "bad-name-long.conf:4: name: 'veth-0123456789a' is longer than 15 characters" },
	{ "bad-name-empty.conf",
	  CONFIGS "bad-name-empty.conf:4: name: must not be empty" },
	{ "bad-name-slash.conf", CONFIGS
	  "bad-name-slash.conf:4: name: 'veth/0' must not contain '/'" },
	{ "bad-name-space.conf", CONFIGS
	  "bad-name-space.conf:4: name: 'veth 0' must not contain whitespace" },
	{ "bad-lb.conf",
	  CONFIGS "bad-lb.conf:5: lb: needs xdp (native or generic)" },
	{ "bad-no-hook.conf", CONFIGS
	  "bad-no-hook.conf:6: interface 'veth2' has neither xdp nor tc enabled" },
	{ "bad-empty.conf", CONFIGS
	  "bad-empty.conf:3: interfaces: at least one interface is needed" },
	{ "bad-not-list.conf", CONFIGS
	  "bad-not-list.conf:3: interfaces: expected a list of groups ( { ... } )" },
	{ "bad-array.conf", CONFIGS
	  "bad-array.conf:3: interfaces: expected a list of groups ( { ... } )" },
	{ "bad-element.conf", CONFIGS
	  "bad-element.conf:5: interfaces: each interface must be a group { ... }" },
	{ "bad-no-section.conf",
	  CONFIGS "bad-no-section.conf:1: no 'interfaces' section" },
	{ "bad-first-error.conf", CONFIGS
	  "bad-first-error.conf:4: tc: expected \"ingress\", \"egress\", \"both\" or \"off\", got \"sideways\"" },
	{ "nonexistent.conf",
	  CONFIGS "nonexistent.conf: No such file or directory", -ENOENT },
};

static const struct bad_case *cur_bad;

static void test_bad_file(void)
{
	const struct bad_case *bc = cur_bad;
	int want_ret = bc->ret ? bc->ret : -EINVAL;
	char path[256];
	int ret;

	snprintf(path, sizeof(path), CONFIGS "%s", bc->file);
	ret = xlb_config_load(path, &conf, err, sizeof(err));
	check(ret == want_ret, "ret %d, want %d", ret, want_ret);
	check(!strcmp(err, bc->msg), "got  '%s'\n    want '%s'", err, bc->msg);
}

struct bad_text {
	const char *text;
	const char *msg;
};

/* Errors in text parsed from memory carry the name given for the file. */
static const struct bad_text bad_texts[] = {
	{ "interfaces = (\n{ name = \"v\" }\n{ }\n);",
	  "inline.conf:3: syntax error" },
	{ "interfaces = ( { name = \"v\"; tc = true; } );",
	  "inline.conf:1: tc: expected a string" },
	{ "interfaces = ( { name = \"v\"; lb = 1; } );",
	  "inline.conf:1: lb: expected true or false" },
	{ "interfaces = ( { name = \"a:b\"; } );",
	  "inline.conf:1: name: 'a:b' must not contain ':'" },
	{ "interfaces = ( { name = \"a\\tb\"; } );",
	  "inline.conf:1: name: 'a\tb' must not contain whitespace" },
	{ "interfaces = ( { name = \"..\"; } );",
	  "inline.conf:1: name: '..' is not a valid interface name" },
	{ "interfaces = ( { name = \"v\"; xdp = \"Native\"; } );",
	  "inline.conf:1: xdp: expected \"native\", \"generic\" or \"off\", got \"Native\"" },
	{ "interfaces = ( { name = \"v\"; xdp = \"off\"; tc = \"off\"; } );",
	  "inline.conf:1: interface 'v' has neither xdp nor tc enabled" },
	{ "interfaces = ( { name = \"v\"; }, { name = \"v\"; } );",
	  "inline.conf:1: duplicate interface 'v' (first defined at line 1)" },
	{ "interfaces = ( ( ) );",
	  "inline.conf:1: interfaces: each interface must be a group { ... }" },
	{ "interfaces = ( { name = \"v\"; } );\nvip = ( );",
	  "inline.conf:2: unknown top-level key 'vip' (known: interfaces, filter, vips, lb, snat)" },
	{ "interfaces = 1;",
	  "inline.conf:1: interfaces: expected a list of groups ( { ... } )" },
	{ "", "inline.conf:1: no 'interfaces' section" },
};

static void test_bad_texts(void)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad_texts); i++) {
		ret = parse(bad_texts[i].text);
		check(ret == -EINVAL, "case %zu: ret %d", i, ret);
		check(!strcmp(err, bad_texts[i].msg),
		      "case %zu: got  '%s'\n    want '%s'", i, err,
		      bad_texts[i].msg);
	}
}

static void test_directory(void)
{
	int ret = xlb_config_load("ctl/tests/configs", &conf, err, sizeof(err));

	check(ret == -EISDIR, "ret %d", ret);
	check(!strcmp(err, "ctl/tests/configs: Is a directory"), "got '%s'",
	      err);
}

/* A short buffer gets a truncated, terminated message. */
static void test_short_buffer(void)
{
	char small[12];
	int ret = xlb_config_parse("inline.conf", "x = 1;", &conf, small,
				   sizeof(small));

	check(ret == -EINVAL, "ret %d", ret);
	check(!strcmp(small, "inline.conf"), "got '%s'", small);
}

int main(void)
{
	size_t i;

	harness_run("defaults", test_defaults);
	harness_run("every xdp mode", test_xdp_modes);
	harness_run("every tc direction", test_tc_dirs);
	harness_run("stages set to false", test_stages_off);
	harness_run("good file: several interfaces, comments", test_good_file);
	harness_run("configs/hello.conf is valid", test_example);
	harness_run("too many interfaces", test_too_many);
	for (i = 0; i < ARRAY_SIZE(bad_files); i++) {
		cur_bad = &bad_files[i];
		harness_run(bad_files[i].file, test_bad_file);
	}
	harness_run("bad texts", test_bad_texts);
	harness_run("directory", test_directory);
	harness_run("short error buffer", test_short_buffer);
	return harness_done();
}
