// modules: config config_filter config_text rule util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the config file's filter section: defaults, every key
 * with its values and lines, each bad file in ctl/tests/configs/ refused
 * with exactly the expected "FILE:LINE: reason", integers libconfig would
 * wrap, a section of 100,000 rules and 1,000,000 prefixes that must
 * load, and 100,000 prefixes on one line that cost no more to place
 * than one a line. Run from the repository root.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_int.h"
#include "harness.h"
#include "rule.h"
#include "util.h"

#define CONFIGS "ctl/tests/configs/"

static struct xlb_config conf;
static char err[XLB_CONFIG_ERRLEN];

/* Parse text as "inline.conf"; returns the result, message in err. */
static int parse(const char *text)
{
	return xlb_config_parse("inline.conf", text, &conf, err, sizeof(err));
}

/* filter = true, and an empty filter section takes the defaults. */
static void test_filter_defaults(void)
{
	const char *file = CONFIGS "good-filter-defaults.conf";
	int ret = xlb_config_load(file, &conf, err, sizeof(err));

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	check(conf.ifaces[0].stages == XLB_STAGE_FILTER, "stages %#x",
	      conf.ifaces[0].stages);
	check(conf.filter.present, "filter section present");
	check(conf.filter.max_rules == XLB_DEFAULT_MAX_RULES &&
		      conf.filter.max_prefixes == XLB_DEFAULT_MAX_PREFIXES,
	      "sizes %u %u", conf.filter.max_rules, conf.filter.max_prefixes);
	check(!conf.filter.n_rules && !conf.filter.n_entries, "empty");
	xlb_config_free(&conf);
	ret = parse("interfaces = ( { name = \"v\"; } );\n"
		    "filter = { rules = [ ]; allow = { ingress = ( ); }; };");
	check(ret == 0 && conf.filter.present && !conf.filter.n_rules,
	      "empty lists: %d %s", ret, err);
	xlb_config_free(&conf);
}

static const struct {
	const char *rule; /* as xlb_format_rule prints it */
	int line;
} good_rules[] = {
	{ "order 10 drop hook ingress src 198.18.9.0/24 proto udp dport 53",
	  12 },
	{ "order 20 pass hook ingress dst 2001:db8::10/128 proto tcp dport 22",
	  14 },
	{ "order 0 pass hook egress proto 47", 16 },
	{ "order 4294967294 drop hook ingress proto icmpv6", 22 },
	{ "order 5 drop hook ingress src 198.18.0.1/32 dst 198.18.0.0/15 proto udp sport 1 dport 65535",
	  23 },
};

static const struct {
	const char *entry; /* "list hook prefix" */
	int line;
} good_entries[] = {
	{ "allow ingress 198.18.0.0/15", 27 },
	{ "allow ingress 2001:db8::/32", 27 },
	{ "allow egress 198.18.1.0/24", 29 },
	{ "allow egress 2001:db8:1::/48", 30 },
	{ "deny ingress 198.18.66.0/24", 35 },
};

/* Every rule key and list, each value and line as written. */
static void test_filter_file(void)
{
	const struct xlb_filter_conf_file *f = &conf.filter;
	int ret = xlb_config_load(CONFIGS "good-filter.conf", &conf, err,
				  sizeof(err));
	const struct xlb_list_entry *e;
	char buf[256], pfx[64];
	size_t i;

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	check(f->present && f->max_rules == 100 && f->max_prefixes == 200,
	      "sizes %u %u", f->max_rules, f->max_prefixes);
	check(conf.ifaces[0].stages == XLB_STAGE_FILTER &&
		      conf.ifaces[1].stages == 0,
	      "stages");
	check(f->n_rules == ARRAY_SIZE(good_rules), "n_rules %zu", f->n_rules);
	for (i = 0; i < f->n_rules && i < ARRAY_SIZE(good_rules); i++) {
		xlb_format_rule(&f->rules[i], buf, sizeof(buf));
		check(!strcmp(buf, good_rules[i].rule), "rule %zu: '%s'", i,
		      buf);
		check(f->rule_lines[i] == good_rules[i].line && !f->rules[i].id,
		      "rule %zu: line %d", i, f->rule_lines[i]);
	}
	check(f->n_entries == ARRAY_SIZE(good_entries), "n_entries %zu",
	      f->n_entries);
	for (i = 0; i < f->n_entries && i < ARRAY_SIZE(good_entries); i++) {
		e = &f->entries[i];
		xlb_format_prefix(&e->prefix, pfx, sizeof(pfx));
		snprintf(buf, sizeof(buf), "%s %s %s", xlb_list_str(e->list),
			 xlb_dir_str(e->dir), pfx);
		check(!strcmp(buf, good_entries[i].entry), "entry %zu: '%s'", i,
		      buf);
		check(f->entry_lines[i] == good_entries[i].line && !e->id,
		      "entry %zu: line %d", i, f->entry_lines[i]);
	}
	xlb_config_free(&conf);
	check(!f->rules && !f->entries && !f->n_rules && !f->n_entries,
	      "freed");
	xlb_config_free(&conf);
}

/* A failed parse leaves nothing behind to free. */
static void test_free_on_error(void)
{
	int ret = xlb_config_load(CONFIGS "bad-duplicate-prefix.conf", &conf,
				  err, sizeof(err));

	check(ret == -EINVAL, "ret %d", ret);
	check(!conf.filter.rules && !conf.filter.rule_lines &&
		      !conf.filter.entries && !conf.filter.entry_lines &&
		      !conf.filter.n_rules && !conf.filter.n_entries,
	      "partial state left");
}

static void test_filter_example(void)
{
	int ret =
		xlb_config_load("configs/filter.conf", &conf, err, sizeof(err));

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	check(conf.n_ifaces == 2, "n_ifaces %zu", conf.n_ifaces);
	check(conf.ifaces[0].stages == XLB_STAGE_FILTER, "stages %#x",
	      conf.ifaces[0].stages);
	check(conf.filter.n_rules == 6, "n_rules %zu", conf.filter.n_rules);
	check(conf.filter.n_entries == 5, "n_entries %zu",
	      conf.filter.n_entries);
	xlb_config_free(&conf);
}

struct bad_case {
	const char *file; /* under CONFIGS */
	const char *msg; /* the whole expected message */
};

static const struct bad_case bad_files[] = {
	{ "bad-filter.conf",
	  CONFIGS "bad-filter.conf:4: filter: expected a group { ... }" },
	{ "bad-filter-key.conf", CONFIGS
	  "bad-filter-key.conf:6: unknown filter key 'rule' (known: max_rules, max_prefixes, rules, allow, deny)" },
	{ "bad-max-rules.conf",
	  CONFIGS "bad-max-rules.conf:6: max_rules: must be 1..4000000" },
	{ "bad-host-bits.conf", CONFIGS
	  "bad-host-bits.conf:7: src: bad prefix '198.18.9.1/24': host bits set (did you mean 198.18.9.0/24?)" },
	{ "bad-prefix.conf", CONFIGS
	  "bad-prefix.conf:10: dst: bad prefix '198.18.300.0/24': not an IPv4 or IPv6 address" },
	{ "bad-prefix-len.conf", CONFIGS
	  "bad-prefix-len.conf:6: dst: bad prefix '2001:db8::/129': length must be 0..128" },
	{ "bad-port.conf", CONFIGS
	  "bad-port.conf:8: dport: bad port '70000': must be 1..65535" },
	{ "bad-port-zero.conf", CONFIGS
	  "bad-port-zero.conf:6: sport: bad port '0': must be 1..65535" },
	{ "bad-proto.conf", CONFIGS
	  "bad-proto.conf:8: proto: unknown protocol 'sctp' (tcp, udp, icmp, icmpv6 or 0..255)" },
	{ "bad-action.conf", CONFIGS
	  "bad-action.conf:7: action: bad action 'accept': drop or pass" },
	{ "bad-hook.conf", CONFIGS
	  "bad-hook.conf:6: hook: bad hook 'forward': ingress or egress" },
	{ "bad-rule-key.conf", CONFIGS
	  "bad-rule-key.conf:7: unknown rule key 'port' (known: order, action, hook, src, dst, proto, sport, dport)" },
	{ "bad-no-action.conf",
	  CONFIGS "bad-no-action.conf:8: rule needs an action" },
	{ "bad-order-range.conf",
	  CONFIGS "bad-order-range.conf:7: order: must be 0..4294967294" },
	{ "bad-int-wrap.conf", CONFIGS
	  "bad-int-wrap.conf:8: integer 4294967306 needs the 64-bit suffix: write 4294967306L" },
	{ "bad-duplicate-order.conf", CONFIGS
	  "bad-duplicate-order.conf:8: duplicate order 10 (first at line 6)" },
	{ "bad-mixed-family.conf", CONFIGS
	  "bad-mixed-family.conf:6: rule: src and dst must be of one family" },
	{ "bad-ports-no-proto.conf", CONFIGS
	  "bad-ports-no-proto.conf:7: rule: ports need proto tcp or udp" },
	{ "bad-icmp-v6.conf",
	  CONFIGS "bad-icmp-v6.conf:6: rule: icmp is IPv4: use icmpv6" },
	{ "bad-too-many-rules.conf",
	  CONFIGS "bad-too-many-rules.conf:8: rules: more than max_rules (2)" },
	{ "bad-list-not-strings.conf", CONFIGS
	  "bad-list-not-strings.conf:7: allow ingress: expected a list of prefix strings" },
	{ "bad-list-key.conf", CONFIGS
	  "bad-list-key.conf:7: unknown list key 'input' (known: ingress, egress)" },
	{ "bad-too-many-prefixes.conf", CONFIGS
	  "bad-too-many-prefixes.conf:10: deny egress: more than max_prefixes (3)" },
	{ "bad-duplicate-prefix.conf", CONFIGS
	  "bad-duplicate-prefix.conf:11: duplicate prefix 198.18.0.0/15 in allow ingress (first at line 9)" },
};

static const struct bad_case *cur_bad;

static void test_bad_file(void)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), CONFIGS "%s", cur_bad->file);
	ret = xlb_config_load(path, &conf, err, sizeof(err));
	check(ret == -EINVAL, "ret %d", ret);
	check(!strcmp(err, cur_bad->msg), "got  '%s'\n    want '%s'", err,
	      cur_bad->msg);
}

struct bad_text {
	const char *text;
	const char *msg;
};

#define IFACE "interfaces = ( { name = \"v\"; filter = true; } );\n"
#define RULE(keys) IFACE "filter = { rules = ( { " keys " } ); };"

/* The filter section's types and ranges, and integer literals. */
static const struct bad_text bad_texts[] = {
	{ IFACE "filter = { max_rules = \"5\"; };",
	  "inline.conf:2: max_rules: expected an integer" },
	{ IFACE "filter = { max_prefixes = 16000001; };",
	  "inline.conf:2: max_prefixes: must be 1..16000000" },
	{ IFACE "filter = { rules = { }; };",
	  "inline.conf:2: rules: expected a list of groups ( { ... } )" },
	{ IFACE "filter = { rules = [ 1 ]; };",
	  "inline.conf:2: rules: expected a list of groups ( { ... } )" },
	{ IFACE "filter = { rules = ( 1 ); };",
	  "inline.conf:2: rules: each rule must be a group { ... }" },
	{ IFACE "filter = { allow = [ ]; };",
	  "inline.conf:2: allow: expected a group { ingress = [ ... ]; egress = [ ... ]; }" },
	{ IFACE "filter = { deny = { egress = \"198.18.0.0/15\"; }; };",
	  "inline.conf:2: deny egress: expected a list of prefix strings" },
	{ IFACE "filter = { deny = { egress = ( ( ) ); }; };",
	  "inline.conf:2: deny egress: expected a list of prefix strings" },
	{ IFACE "filter = { allow = {\negress = [\n\"198.18.0.0/33\"\n]; }; };",
	  "inline.conf:4: allow egress: bad prefix '198.18.0.0/33': length must be 0..32" },
	{ RULE("action = \"drop\";"), "inline.conf:2: rule needs an order" },
	{ RULE("order = -1; action = \"drop\";"),
	  "inline.conf:2: order: must be 0..4294967294" },
	{ RULE("order = 1.0; action = \"drop\";"),
	  "inline.conf:2: order: expected an integer" },
	{ RULE("order = 1; action = true;"),
	  "inline.conf:2: action: expected a string" },
	{ RULE("order = 1; action = \"drop\"; hook = 1;"),
	  "inline.conf:2: hook: expected a string" },
	{ RULE("order = 1; action = \"drop\"; src = 1;"),
	  "inline.conf:2: src: expected a string" },
	{ RULE("order = 1; action = \"drop\"; proto = 1.5;"),
	  "inline.conf:2: proto: expected a string or an integer" },
	{ RULE("order = 1; action = \"drop\"; proto = 300;"),
	  "inline.conf:2: proto: unknown protocol '300' (tcp, udp, icmp, icmpv6 or 0..255)" },
	{ RULE("order = 1; action = \"drop\"; proto = \"06\";"),
	  "inline.conf:2: proto: unknown protocol '06' (tcp, udp, icmp, icmpv6 or 0..255)" },
	{ RULE("order = 1; action = \"drop\"; proto = \"tcp\"; dport = \"53\";"),
	  "inline.conf:2: dport: expected an integer" },
	{ RULE("order = 1; action = \"drop\"; proto = \"tcp\"; sport = -1;"),
	  "inline.conf:2: sport: bad port '-1': must be 1..65535" },
	{ RULE("order = 1; action = \"drop\"; proto = \"icmpv6\"; dst = \"198.18.0.1\";"),
	  "inline.conf:2: rule: icmpv6 is IPv6: use icmp" },
	{ RULE("order = 1; action = \"drop\"; dst = \"2001:db8::1\"; src = \"0.0.0.0/0\";"),
	  "inline.conf:2: rule: src and dst must be of one family" },
	{ RULE("order = 1; action = \"drop\"; proto = \"udp\"; dport = 0x100000035;"),
	  "inline.conf:2: integer 0x100000035 needs the 64-bit suffix: write 0x100000035L" },
	{ IFACE "/* 99999999999\n*/ x = -2147483649;",
	  "inline.conf:3: integer -2147483649 needs the 64-bit suffix: write -2147483649L" },
	/* What looks like a big integer but is not one is left alone. */
	{ IFACE "# 99999999999\nx99999999999 = -2147483648; y = 1.5e10;",
	  "inline.conf:3: unknown top-level key 'x99999999999' (known: interfaces, filter, vips, lb, snat)" },
	{ IFACE "x = \"a\n99999999999\"; y = .99999999999;",
	  "inline.conf:2: unknown top-level key 'x' (known: interfaces, filter, vips, lb, snat)" },
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

#define SCALE_RULES 100000
#define SCALE_PREFIXES 1000000

/* A generated file, and the line its last line was written at. */
struct gen {
	FILE *f;
	int line;
};

static void __attribute__((format(printf, 2, 3)))
put_line(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(g->f, fmt, ap);
	va_end(ap);
	fputc('\n', g->f);
	g->line++;
}

/* n distinct prefixes of one of four kinds, one a line; last line. */
static int put_list(struct gen *g, int kind, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *sep = i + 1 < n ? "," : "";
		int a = i >> 16, b = (i >> 8) & 255, c = i & 255;

		if (kind == 0)
			put_line(g, "\"100.%d.%d.%d\"%s", a, b, c, sep);
		else if (kind == 1)
			put_line(g, "\"2001:db8::%x:%x\"%s", a, i & 0xffff,
				 sep);
		else if (kind == 2)
			put_line(g, "\"%d.%d.%d.0/24\"%s", a + 1, b, c, sep);
		else
			put_line(g, "\"2001:db8:%x:%x::/64\"%s", a, i & 0xffff,
				 sep);
	}
	return g->line;
}

/* The whole file; returns the line of its last prefix. */
static int put_big(struct gen *g, int n, int m)
{
	int i, last, q = m / 4;

	put_line(g, "interfaces = ( { name = \"v\"; filter = true; } );");
	put_line(g, "filter = { max_rules = %d; max_prefixes = %d;", n, m);
	put_line(g, "rules = (");
	for (i = 0; i < n; i++)
		put_line(
			g,
			"{ order = %d; action = \"drop\"; hook = \"%s\"; "
			"src = \"10.%d.%d.%d\"; proto = \"udp\"; dport = %d; }%s",
			10 * i, i % 2 ? "egress" : "ingress", i >> 16,
			(i >> 8) & 255, i & 255, 1 + i % 65535,
			i + 1 < n ? "," : "");
	put_line(g, ");");
	put_line(g, "allow = { ingress = [");
	put_list(g, 0, q);
	put_line(g, "]; egress = [");
	put_list(g, 1, q);
	put_line(g, "]; }; deny = { ingress = [");
	put_list(g, 2, q);
	put_line(g, "]; egress = [");
	last = put_list(g, 3, m - 3 * q);
	put_line(g, "]; }; };");
	return last;
}

/* The largest sizes the issue asks for load, and in reasonable time. */
static void test_scale(void)
{
	char path[] = "/tmp/xlb-test-config-XXXXXX";
	const struct xlb_filter_conf_file *f = &conf.filter;
	struct gen g = { .line = 0 };
	int fd = mkstemp(path), last, ret;
	uint64_t t0;

	if (!check(fd >= 0, "mkstemp: %s", strerror(errno)))
		return;
	g.f = fdopen(fd, "w");
	if (!check(g.f != NULL, "fdopen")) {
		close(fd);
		unlink(path);
		return;
	}
	last = put_big(&g, SCALE_RULES, SCALE_PREFIXES);
	check(fclose(g.f) == 0, "writing %s", path);
	t0 = now_ns();
	ret = xlb_config_load(path, &conf, err, sizeof(err));
	printf("     loaded in %.2f s\n", (now_ns() - t0) / 1e9);
	unlink(path);
	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	check(f->n_rules == SCALE_RULES && f->n_entries == SCALE_PREFIXES,
	      "%zu rules, %zu entries", f->n_rules, f->n_entries);
	check(f->rules[SCALE_RULES - 1].order == 10 * (SCALE_RULES - 1) &&
		      f->rule_lines[SCALE_RULES - 1] == SCALE_RULES + 3,
	      "last rule: order %u line %d", f->rules[SCALE_RULES - 1].order,
	      f->rule_lines[SCALE_RULES - 1]);
	check(f->entry_lines[SCALE_PREFIXES - 1] == last,
	      "last entry: line %d, want %d",
	      f->entry_lines[SCALE_PREFIXES - 1], last);
	xlb_config_free(&conf);
}
#define LAYOUT_PREFIXES 100000

/*
 * A config of n prefixes in one allow list, all on one line or one a
 * line; NULL when out of memory. The caller frees it.
 */
static char *prefix_text(int n, bool one_line)
{
	const char *head =
		"interfaces = ( { name = \"v\"; filter = true; } );\n"
		"filter = { max_prefixes = 100000;\n"
		"allow = { ingress = [\n";
	size_t cap = strlen(head) + 32 * (size_t)n + 64, len;
	char *text = malloc(cap);

	if (!text)
		return NULL;
	len = snprintf(text, cap, "%s", head);
	for (int i = 0; i < n; i++)
		len += snprintf(text + len, cap - len, "\"%d.%d.%d.0/24\"%s",
				1 + (i >> 16), (i >> 8) & 255, i & 255,
				i + 1 < n ? (one_line ? ", " : ",\n") : "\n");
	snprintf(text + len, cap - len, "]; }; };\n");
	return text;
}

/* The lookup work of parsing n prefixes laid out one way; 0 on failure. */
static size_t layout_work(int n, bool one_line)
{
	char *text = prefix_text(n, one_line);
	size_t before = cfg_text_work();
	int ret;

	if (!check(text != NULL, "out of memory"))
		return 0;
	ret = parse(text);
	free(text);
	if (!check(ret == 0, "parse: %s", err))
		return 0;
	check(conf.filter.n_entries == (size_t)n, "%zu entries, want %d",
	      conf.filter.n_entries, n);
	check(conf.filter.entry_lines[n - 1] == (one_line ? 4 : 3 + n),
	      "last entry's line %d", conf.filter.entry_lines[n - 1]);
	xlb_config_free(&conf);
	return cfg_text_work() - before;
}

/*
 * Finding each element's line costs the same whether a list is written
 * one element a line or all on one line: counted in bytes read, not in
 * time, so that a busy machine cannot fail the test. (Rescanning the
 * line per element, 100,000 prefixes on one line took 80 s.)
 */
static void test_one_line(void)
{
	size_t per_line = layout_work(LAYOUT_PREFIXES, false);
	size_t one_line = layout_work(LAYOUT_PREFIXES, true);

	printf("     line lookups read %zu bytes (one a line), %zu (one "
	       "line)\n",
	       per_line, one_line);
	check(per_line && one_line && one_line <= 2 * per_line,
	      "one line: %zu bytes read, one a line: %zu", one_line, per_line);
}

int main(void)
{
	size_t i;

	harness_run("defaults", test_filter_defaults);
	harness_run("every key, values and lines", test_filter_file);
	harness_run("nothing left after an error", test_free_on_error);
	harness_run("configs/filter.conf is valid", test_filter_example);
	for (i = 0; i < ARRAY_SIZE(bad_files); i++) {
		cur_bad = &bad_files[i];
		harness_run(bad_files[i].file, test_bad_file);
	}
	harness_run("bad texts", test_bad_texts);
	harness_run("scale: 100000 rules, 1000000 prefixes", test_scale);
	harness_run("100000 prefixes on one line: work as one a line",
		    test_one_line);
	return harness_done();
}
