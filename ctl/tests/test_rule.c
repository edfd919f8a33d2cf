// modules: rule util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the rule module: every parser on good and bad input with
 * the exact message, the whole-rule check, the formatters (and that what
 * they print parses back to the same value), and prefix containment.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rule.h"
#include "util.h"

static char err[XLB_RULE_ERRLEN];

/* Parse s, which must be valid; returns the prefix. */
static struct xlb_prefix pfx(const char *s)
{
	struct xlb_prefix p = { 0 };
	int ret = xlb_parse_prefix(s, &p, err, sizeof(err));

	check(ret == 0, "'%s': %d %s", s, ret, err);
	return p;
}

struct good_prefix {
	const char *in;
	const char *out; /* as formatted */
	__u8 family, plen;
};

static const struct good_prefix good_prefixes[] = {
	{ "198.18.1.0/24", "198.18.1.0/24", XLB_FAMILY_V4, 24 },
	{ "198.18.0.0/15", "198.18.0.0/15", XLB_FAMILY_V4, 15 },
	{ "198.18.1.2", "198.18.1.2/32", XLB_FAMILY_V4, 32 },
	{ "198.18.1.2/32", "198.18.1.2/32", XLB_FAMILY_V4, 32 },
	{ "198.18.1.128/25", "198.18.1.128/25", XLB_FAMILY_V4, 25 },
	{ "0.0.0.0/0", "0.0.0.0/0", XLB_FAMILY_V4, 0 },
	{ "255.255.255.255", "255.255.255.255/32", XLB_FAMILY_V4, 32 },
	{ "2001:db8:1::/48", "2001:db8:1::/48", XLB_FAMILY_V6, 48 },
	{ "2001:DB8::/32", "2001:db8::/32", XLB_FAMILY_V6, 32 },
	{ "2001:db8::10", "2001:db8::10/128", XLB_FAMILY_V6, 128 },
	{ "::/0", "::/0", XLB_FAMILY_V6, 0 },
	{ "::1", "::1/128", XLB_FAMILY_V6, 128 },
	{ "::ffff:198.18.0.1", "::ffff:198.18.0.1/128", XLB_FAMILY_V6, 128 },
	{ "2001:db8::8000:0/97", "2001:db8::8000:0/97", XLB_FAMILY_V6, 97 },
};

static void test_prefix_good(void)
{
	char buf[64];
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(good_prefixes); i++) {
		const struct good_prefix *g = &good_prefixes[i];
		struct xlb_prefix p = pfx(g->in), q;

		check(p.family == g->family && p.plen == g->plen,
		      "'%s': family %u plen %u", g->in, p.family, p.plen);
		n = xlb_format_prefix(&p, buf, sizeof(buf));
		check(n == (int)strlen(g->out) && !strcmp(buf, g->out),
		      "'%s' formats as '%s' (%d), want '%s'", g->in, buf, n,
		      g->out);
		q = pfx(buf);
		check(!memcmp(&p, &q, sizeof(p)), "'%s' does not round-trip",
		      g->in);
	}
	check(!memcmp(pfx("198.18.1.2").addr, "\xc6\x12\x01\x02\0\0\0\0", 8),
	      "IPv4 address bytes in [0..3], rest zero");
}

struct bad_input {
	const char *in;
	const char *msg;
};

static const struct bad_input bad_prefixes[] = {
	{ "", "bad prefix '': not an IPv4 or IPv6 address" },
	{ "/24", "bad prefix '/24': not an IPv4 or IPv6 address" },
	{ "198.18.1", "bad prefix '198.18.1': not an IPv4 or IPv6 address" },
	{ "198.18.1.0.0/24",
	  "bad prefix '198.18.1.0.0/24': not an IPv4 or IPv6 address" },
	{ "198.018.1.0/24",
	  "bad prefix '198.018.1.0/24': not an IPv4 or IPv6 address" },
	{ "198.18.1.256",
	  "bad prefix '198.18.1.256': not an IPv4 or IPv6 address" },
	{ " 198.18.1.0/24",
	  "bad prefix ' 198.18.1.0/24': not an IPv4 or IPv6 address" },
	{ "198.18.1.0 /24",
	  "bad prefix '198.18.1.0 /24': not an IPv4 or IPv6 address" },
	{ "2001:db8:::/32",
	  "bad prefix '2001:db8:::/32': not an IPv4 or IPv6 address" },
	{ "[2001:db8::1]",
	  "bad prefix '[2001:db8::1]': not an IPv4 or IPv6 address" },
	{ "localhost", "bad prefix 'localhost': not an IPv4 or IPv6 address" },
	{ "0000:0000:0000:0000:0000:0000:0000:0000:0/0",
	  "bad prefix '0000:0000:0000:0000:0000:0000:0000:0000:0/0': not an IPv4 or IPv6 address" },
	/* longer than any address: refused before inet_pton */
	{ "0000:0000:0000:0000:0000:0000:255.255.255.255:0000:0000/0",
	  "bad prefix '0000:0000:0000:0000:0000:0000:255.255.255.255:0000:0000/0': not an IPv4 or IPv6 address" },
	{ "198.18.1.0/33", "bad prefix '198.18.1.0/33': length must be 0..32" },
	{ "198.18.1.0/", "bad prefix '198.18.1.0/': length must be 0..32" },
	{ "198.18.1.0/024",
	  "bad prefix '198.18.1.0/024': length must be 0..32" },
	{ "198.18.1.0/00", "bad prefix '198.18.1.0/00': length must be 0..32" },
	{ "198.18.1.0/+24",
	  "bad prefix '198.18.1.0/+24': length must be 0..32" },
	{ "198.18.1.0/-1", "bad prefix '198.18.1.0/-1': length must be 0..32" },
	{ "198.18.1.0/24 ",
	  "bad prefix '198.18.1.0/24 ': length must be 0..32" },
	{ "198.18.1.0/2x", "bad prefix '198.18.1.0/2x': length must be 0..32" },
	{ "198.18.1.0/24/8",
	  "bad prefix '198.18.1.0/24/8': length must be 0..32" },
	{ "198.18.1.0/99999999999999999999",
	  "bad prefix '198.18.1.0/99999999999999999999': length must be 0..32" },
	{ "2001:db8::/129",
	  "bad prefix '2001:db8::/129': length must be 0..128" },
	{ "2001:db8::/0x20",
	  "bad prefix '2001:db8::/0x20': length must be 0..128" },
	{ "198.18.9.1/24",
	  "bad prefix '198.18.9.1/24': host bits set (did you mean 198.18.9.0/24?)" },
	{ "198.19.0.0/15",
	  "bad prefix '198.19.0.0/15': host bits set (did you mean 198.18.0.0/15?)" },
	{ "198.18.1.129/25",
	  "bad prefix '198.18.1.129/25': host bits set (did you mean 198.18.1.128/25?)" },
	{ "0.0.0.1/0",
	  "bad prefix '0.0.0.1/0': host bits set (did you mean 0.0.0.0/0?)" },
	{ "2001:db8::1/32",
	  "bad prefix '2001:db8::1/32': host bits set (did you mean 2001:db8::/32?)" },
	{ "2001:db8::c000:0/97",
	  "bad prefix '2001:db8::c000:0/97': host bits set (did you mean 2001:db8::8000:0/97?)" },
};

static void test_prefix_bad(void)
{
	const struct xlb_prefix sentinel = { .family = 7, .plen = 99 };
	struct xlb_prefix p;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad_prefixes); i++) {
		p = sentinel;
		ret = xlb_parse_prefix(bad_prefixes[i].in, &p, err,
				       sizeof(err));
		check(ret == -EINVAL, "'%s': ret %d", bad_prefixes[i].in, ret);
		check(!strcmp(err, bad_prefixes[i].msg),
		      "got  '%s'\n    want '%s'", err, bad_prefixes[i].msg);
		check(!memcmp(&p, &sentinel, sizeof(p)),
		      "'%s': output written on error", bad_prefixes[i].in);
	}
}

/* A short buffer gets a truncated, terminated message; none is fine. */
static void test_short_errbuf(void)
{
	struct xlb_prefix p;
	char small[8];

	check(xlb_parse_prefix("x", &p, small, sizeof(small)) == -EINVAL,
	      "ret");
	check(!strcmp(small, "bad pre"), "got '%s'", small);
	check(xlb_parse_prefix("x", &p, NULL, 0) == -EINVAL, "no buffer");
}

/* ret must be -EINVAL, and err the message fmt makes of in. */
static void expect_bad(int ret, const char *fmt, const char *in)
{
	char want[XLB_RULE_ERRLEN];

	snprintf(want, sizeof(want), fmt, in);
	check(ret == -EINVAL, "'%s': ret %d", in, ret);
	check(!strcmp(err, want), "got  '%s'\n    want '%s'", err, want);
}

static void test_proto(void)
{
	static const struct {
		const char *in;
		__u8 proto;
		const char *out;
	} good[] = { { "tcp", IPPROTO_TCP, "tcp" },
		     { "udp", IPPROTO_UDP, "udp" },
		     { "icmp", IPPROTO_ICMP, "icmp" },
		     { "icmpv6", 58, "icmpv6" },
		     { "6", IPPROTO_TCP, "tcp" },
		     { "0", 0, "0" },
		     { "47", 47, "47" },
		     { "255", 255, "255" } };
	static const char *const bad[] = { "",
					   "TCP",
					   "tcp ",
					   "256",
					   "06",
					   "-1",
					   "+6",
					   "6x",
					   "ipv6-icmp",
					   "0x6",
					   "99999999999999999999" };
	char buf[4];
	const char *s;
	size_t i;
	__u8 v;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		v = 0xaa;
		check(!xlb_parse_proto(good[i].in, &v, err, sizeof(err)) &&
			      v == good[i].proto,
		      "'%s' -> %u: %s", good[i].in, v, err);
		s = xlb_proto_str(v, buf, sizeof(buf));
		check(!strcmp(s, good[i].out), "proto_str(%u) = '%s'", v, s);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 0xaa;
		expect_bad(
			xlb_parse_proto(bad[i], &v, err, sizeof(err)),
			"unknown protocol '%s' (tcp, udp, icmp, icmpv6 or 0..255)",
			bad[i]);
		check(v == 0xaa, "'%s': output written on error", bad[i]);
	}
}

static void test_port(void)
{
	static const struct {
		const char *in;
		__u16 port;
	} good[] = { { "1", 1 }, { "53", 53 }, { "65535", 65535 } };
	static const char *const bad[] = {
		"0",  "65536", "",    "053",  "+53",
		"-1", "53a",   " 53", "0x35", "99999999999999999999"
	};
	size_t i;
	__u16 v;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		check(!xlb_parse_port(good[i].in, &v, err, sizeof(err)) &&
			      v == good[i].port,
		      "'%s': %s", good[i].in, err);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 7;
		expect_bad(xlb_parse_port(bad[i], &v, err, sizeof(err)),
			   "bad port '%s': must be 1..65535", bad[i]);
		check(v == 7, "'%s': output written on error", bad[i]);
	}
}

static void test_dir_action(void)
{
	static const char *const bad_dirs[] = { "", "Ingress", "in", "both",
						"ingress " };
	static const char *const bad_actions[] = { "", "DROP", "accept", "deny",
						   "drop " };
	enum xlb_action a = XLB_ACTION_PASS, a2 = XLB_ACTION_PASS;
	enum xlb_dir d = XLB_DIR_INGRESS, d2 = XLB_DIR_INGRESS;
	size_t i;

	check(!xlb_parse_dir("egress", &d, err, sizeof(err)) &&
		      !xlb_parse_dir("ingress", &d2, err, sizeof(err)) &&
		      d == XLB_DIR_EGRESS && d2 == XLB_DIR_INGRESS,
	      "hooks");
	check(!xlb_parse_action("drop", &a, err, sizeof(err)) &&
		      !xlb_parse_action("pass", &a2, err, sizeof(err)) &&
		      a == XLB_ACTION_DROP && a2 == XLB_ACTION_PASS,
	      "actions");
	for (i = 0; i < ARRAY_SIZE(bad_dirs); i++)
		expect_bad(xlb_parse_dir(bad_dirs[i], &d, err, sizeof(err)),
			   "bad hook '%s': ingress or egress", bad_dirs[i]);
	for (i = 0; i < ARRAY_SIZE(bad_actions); i++)
		expect_bad(xlb_parse_action(bad_actions[i], &a, err,
					    sizeof(err)),
			   "bad action '%s': drop or pass", bad_actions[i]);
	check(!strcmp(xlb_dir_str(XLB_DIR_INGRESS), "ingress") &&
		      !strcmp(xlb_dir_str(XLB_DIR_EGRESS), "egress") &&
		      !strcmp(xlb_dir_str(XLB_DIR_MAX), "?"),
	      "xlb_dir_str");
	check(!strcmp(xlb_action_str(XLB_ACTION_DROP), "drop") &&
		      !strcmp(xlb_action_str(XLB_ACTION_PASS), "pass"),
	      "xlb_action_str");
	check(!strcmp(xlb_list_str(XLB_LIST_ALLOW), "allow") &&
		      !strcmp(xlb_list_str(XLB_LIST_DENY), "deny"),
	      "xlb_list_str");
}

/*
 * Read a rule in the xlb_format_rule grammar, word by word with the
 * module's parsers, as xlbctl does: the other half of the round trip.
 */
static int read_rule(const char *text, struct xlb_rule *r)
{
	char copy[512], *save = NULL, *key, *val;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	snprintf(copy, sizeof(copy), "%s", text);
	for (key = strtok_r(copy, " ", &save); key && !ret;
	     key = strtok_r(NULL, " ", &save)) {
		if (!strcmp(key, "drop") || !strcmp(key, "pass")) {
			ret = xlb_parse_action(key, &r->action, err,
					       sizeof(err));
			continue;
		}
		val = strtok_r(NULL, " ", &save);
		if (!val)
			return -EINVAL;
		if (!strcmp(key, "order")) {
			r->order = strtoul(val, NULL, 10);
		} else if (!strcmp(key, "hook")) {
			ret = xlb_parse_dir(val, &r->dir, err, sizeof(err));
		} else if (!strcmp(key, "src")) {
			r->fields |= XLB_FIELD_SRC;
			ret = xlb_parse_prefix(val, &r->src, err, sizeof(err));
		} else if (!strcmp(key, "dst")) {
			r->fields |= XLB_FIELD_DST;
			ret = xlb_parse_prefix(val, &r->dst, err, sizeof(err));
		} else if (!strcmp(key, "proto")) {
			r->fields |= XLB_FIELD_PROTO;
			ret = xlb_parse_proto(val, &r->proto, err, sizeof(err));
		} else if (!strcmp(key, "sport")) {
			r->fields |= XLB_FIELD_SPORT;
			ret = xlb_parse_port(val, &r->sport, err, sizeof(err));
		} else if (!strcmp(key, "dport")) {
			r->fields |= XLB_FIELD_DPORT;
			ret = xlb_parse_port(val, &r->dport, err, sizeof(err));
		} else {
			return -EINVAL;
		}
	}
	return ret;
}

/*
 * Rules read, formatted (as out, or as in when out is NULL), read back
 * to the same value, and valid. Bare addresses print as "a/len".
 */
static const struct {
	const char *in, *out;
} rule_texts[] = {
	{ "order 0 pass hook ingress" },
	{ "order 10 drop hook ingress src 198.18.9.0/24 proto udp dport 53" },
	{ "order 20 pass hook egress dst 2001:db8::10/128 proto tcp dport 22" },
	{ "order 4294967294 drop hook egress src 2001:db8:1::/48 dst 2001:db8::/32 proto tcp sport 1 dport 65535" },
	{ "order 7 drop hook ingress proto icmp" },
	{ "order 8 pass hook ingress dst ::/0 proto icmpv6" },
	{ "order 9 drop hook ingress src 0.0.0.0/0 dst 198.18.0.1/32 proto 47" },
	{ "order 11 drop hook egress proto udp sport 123" },
	{ "order 5 drop src 198.18.1.2 dst 198.18.0.10 proto 6 dport 80",
	  "order 5 drop hook ingress src 198.18.1.2/32 dst 198.18.0.10/32 proto tcp dport 80" },
	{ "order 6 pass dst 2001:DB8::1 proto 17",
	  "order 6 pass hook ingress dst 2001:db8::1/128 proto udp" },
};

static void test_format_rule(void)
{
	struct xlb_rule r, back;
	const char *in, *out;
	char buf[512];
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(rule_texts); i++) {
		in = rule_texts[i].in;
		out = rule_texts[i].out ? rule_texts[i].out : in;
		if (!check(read_rule(in, &r) == 0, "read '%s': %s", in, err))
			continue;
		check(xlb_rule_check(&r, err, sizeof(err)) >= 0, "'%s': %s", in,
		      err);
		n = xlb_format_rule(&r, buf, sizeof(buf));
		check(n == (int)strlen(out) && !strcmp(buf, out),
		      "got  '%s' (%d)\n    want '%s'", buf, n, out);
		check(read_rule(buf, &back) == 0 &&
			      !memcmp(&r, &back, sizeof(r)),
		      "'%s' does not round-trip", buf);
	}
	/* Unset fields are not printed, whatever their values. */
	r.fields = 0;
	xlb_format_rule(&r, buf, sizeof(buf));
	check(!strcmp(buf, "order 6 pass hook ingress"), "got '%s'", buf);
}

static void test_format_nospace(void)
{
	struct xlb_prefix p = pfx("2001:db8::/32");
	struct xlb_rule r = { .order = 1, .fields = XLB_FIELD_SRC, .src = p };
	const char *text = "order 1 pass hook ingress src 2001:db8::/32";
	size_t len = strlen(text);
	char buf[64];

	check(xlb_format_prefix(&p, buf, 14) == 13, "exact fit");
	check(xlb_format_prefix(&p, buf, 13) == -ENOSPC, "one short");
	check(xlb_format_prefix(&p, buf, 0) == -ENOSPC, "no room");
	check(xlb_format_rule(&r, buf, len + 1) == (int)len, "rule fits");
	check(xlb_format_rule(&r, buf, len) == -ENOSPC, "rule one short");
	check(xlb_format_rule(&r, buf, 3) == -ENOSPC, "rule short");
	check(xlb_format_rule(&r, buf, 0) == -ENOSPC, "rule no room");
	p.plen = 129;
	check(xlb_format_prefix(&p, buf, sizeof(buf)) == -EINVAL, "bad plen");
}

struct check_case {
	const char *rule; /* in read_rule grammar */
	int ret; /* family or -EINVAL */
	const char *msg;
};

static const struct check_case check_cases[] = {
	{ "order 1 drop", XLB_FAMILY_MAX },
	{ "order 1 drop proto tcp dport 22", XLB_FAMILY_MAX },
	{ "order 1 drop proto udp sport 53 dport 53", XLB_FAMILY_MAX },
	{ "order 1 drop proto 47", XLB_FAMILY_MAX },
	{ "order 1 drop src 198.18.0.0/15", XLB_FAMILY_V4 },
	{ "order 1 drop dst 2001:db8::/32", XLB_FAMILY_V6 },
	{ "order 1 drop src 198.18.0.1 dst 198.18.0.2", XLB_FAMILY_V4 },
	{ "order 1 drop src ::1 dst 2001:db8::1", XLB_FAMILY_V6 },
	{ "order 1 drop proto icmp", XLB_FAMILY_V4 },
	{ "order 1 drop proto icmpv6", XLB_FAMILY_V6 },
	{ "order 1 drop src 198.18.0.0/15 proto icmp", XLB_FAMILY_V4 },
	{ "order 1 drop dst 2001:db8::1 proto icmpv6", XLB_FAMILY_V6 },
	{ "order 1 drop src 198.18.0.1 dst 2001:db8::1", -EINVAL,
	  "src and dst must be of one family" },
	{ "order 1 drop src ::/0 dst 0.0.0.0/0", -EINVAL,
	  "src and dst must be of one family" },
	{ "order 1 drop dport 22", -EINVAL, "ports need proto tcp or udp" },
	{ "order 1 drop sport 22", -EINVAL, "ports need proto tcp or udp" },
	{ "order 1 drop proto icmp dport 22", -EINVAL,
	  "ports need proto tcp or udp" },
	{ "order 1 drop proto 132 sport 22", -EINVAL,
	  "ports need proto tcp or udp" },
	{ "order 1 drop src 2001:db8::1 proto icmp", -EINVAL,
	  "icmp is IPv4: use icmpv6" },
	{ "order 1 drop dst ::/0 proto icmp", -EINVAL,
	  "icmp is IPv4: use icmpv6" },
	{ "order 1 drop src 198.18.0.1 proto icmpv6", -EINVAL,
	  "icmpv6 is IPv6: use icmp" },
	{ "order 1 drop dst 0.0.0.0/0 proto icmpv6", -EINVAL,
	  "icmpv6 is IPv6: use icmp" },
};

static void test_rule_check(void)
{
	struct xlb_rule r;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(check_cases); i++) {
		const struct check_case *cc = &check_cases[i];

		if (!check(read_rule(cc->rule, &r) == 0, "read '%s': %s",
			   cc->rule, err))
			continue;
		err[0] = '\0';
		ret = xlb_rule_check(&r, err, sizeof(err));
		check(ret == cc->ret, "'%s': ret %d, want %d", cc->rule, ret,
		      cc->ret);
		if (cc->msg)
			check(!strcmp(err, cc->msg), "'%s': got '%s'", cc->rule,
			      err);
	}
	/* A proto value is ignored unless the field is set. */
	read_rule("order 1 drop src 2001:db8::1", &r);
	r.proto = IPPROTO_ICMP;
	check(xlb_rule_check(&r, err, sizeof(err)) == XLB_FAMILY_V6, "%s", err);
	/* Values out of the enums (from a pinned spec, say) are refused. */
	r.dir = XLB_DIR_MAX;
	check(xlb_rule_check(&r, err, sizeof(err)) == -EINVAL, "bad dir");
	r.dir = XLB_DIR_INGRESS;
	r.action = 2;
	check(xlb_rule_check(&r, err, sizeof(err)) == -EINVAL, "bad action");
	r.action = XLB_ACTION_DROP;
	r.src.plen = 129;
	check(xlb_rule_check(&r, err, sizeof(err)) == -EINVAL, "bad plen");
}

static void test_prefix_contains(void)
{
	static const struct {
		const char *p, *a;
		bool in;
	} cases[] = {
		{ "198.18.0.0/15", "198.18.0.1", true },
		{ "198.18.0.0/15", "198.19.255.255", true },
		{ "198.18.0.0/15", "198.20.0.0", false },
		{ "198.18.0.0/15", "198.17.255.255", false },
		{ "198.18.1.128/25", "198.18.1.128", true },
		{ "198.18.1.128/25", "198.18.1.127", false },
		{ "198.18.1.2/32", "198.18.1.2", true },
		{ "198.18.1.2/32", "198.18.1.3", false },
		{ "0.0.0.0/0", "255.255.255.255", true },
		{ "0.0.0.0/0", "::", false },
		{ "::/0", "0.0.0.0", false },
		{ "::/0", "2001:db8::1", true },
		{ "2001:db8::/32", "2001:db8:ffff::1", true },
		{ "2001:db8::/32", "2001:db9::", false },
		{ "2001:db8::8000:0/97", "2001:db8::ffff:ffff", true },
		{ "2001:db8::8000:0/97", "2001:db8::7fff:ffff", false },
		{ "2001:db8::10/128", "2001:db8::10", true },
		{ "2001:db8::10/128", "2001:db8::11", false },
		/* a's length does not matter, only its address */
		{ "198.18.0.0/15", "198.18.0.0/16", true },
		{ "198.18.0.0/16", "198.18.0.0/15", true },
	};
	struct xlb_prefix p, a;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p = pfx(cases[i].p);
		a = pfx(cases[i].a);
		check(xlb_prefix_contains(&p, &a) == cases[i].in,
		      "%s contains %s: want %d", cases[i].p, cases[i].a,
		      cases[i].in);
	}
}

int main(void)
{
	harness_run("prefixes: good, formatted back", test_prefix_good);
	harness_run("prefixes: every error message", test_prefix_bad);
	harness_run("short error buffer", test_short_errbuf);
	harness_run("protocols", test_proto);
	harness_run("ports", test_port);
	harness_run("hooks and actions", test_dir_action);
	harness_run("format rule, round trip", test_format_rule);
	harness_run("format: no space", test_format_nospace);
	harness_run("rule check", test_rule_check);
	harness_run("prefix contains", test_prefix_contains);
	return harness_done();
}
