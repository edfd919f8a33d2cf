// modules: config util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the lb group and the snat lists of the config file: the
 * defaults, every key at and past its bounds, every error with its exact
 * "FILE:LINE: reason", and the NAT source pool each VIP gets (its own
 * list or the global one, of its family; none for DSR).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "harness.h"
#include "util.h"

static struct xlb_config conf;
static char err[XLB_CONFIG_ERRLEN];

#define IF "interfaces = ( { name = \"v\"; lb = true; } );\n"
#define NAT4 "address = \"198.18.0.10\"; port = 80; proto = \"tcp\"; "
#define NAT6 "address = \"2001:db8::10\"; port = 80; proto = \"tcp\"; "

static int parse(const char *text)
{
	return xlb_config_parse("inline.conf", text, &conf, err, sizeof(err));
}

static void test_defaults(void)
{
	const struct xlb_lb_group *g = &conf.lb;

	if (!check(!parse(IF), "parse: %s", err))
		return;
	check(g->max_conns == XLB_DEFAULT_CONNS &&
		      g->max_syns == XLB_DEFAULT_SYNS &&
		      g->max_nat_ports == XLB_DEFAULT_NAT_PORTS,
	      "sizes %u %u %u", g->max_conns, g->max_syns, g->max_nat_ports);
	check(g->syn_timeout == 5 && g->tcp_timeout == 900 &&
		      g->fin_timeout == 10 && g->closed_timeout == 2 &&
		      g->udp_timeout == 120,
	      "timeouts %u %u %u %u %u", g->syn_timeout, g->tcp_timeout,
	      g->fin_timeout, g->closed_timeout, g->udp_timeout);
	check(!conf.snat.present && conf.snat.n == 0, "no global pool");
	xlb_config_free(&conf);
}

/* Each key, its field, and the bounds the file takes. */
static const struct {
	const char *key;
	size_t off;
	long long min, max;
} lb_keys[] = {
	{ "max_conns", offsetof(struct xlb_lb_group, max_conns), 256,
	  16777216 },
	{ "max_syns", offsetof(struct xlb_lb_group, max_syns), 256, 16777216 },
	{ "max_nat_ports", offsetof(struct xlb_lb_group, max_nat_ports), 256,
	  16777216 },
	{ "syn_timeout", offsetof(struct xlb_lb_group, syn_timeout), 1, 86400 },
	{ "tcp_timeout", offsetof(struct xlb_lb_group, tcp_timeout), 3, 86400 },
	{ "fin_timeout", offsetof(struct xlb_lb_group, fin_timeout), 3, 86400 },
	{ "closed_timeout", offsetof(struct xlb_lb_group, closed_timeout), 1,
	  86400 },
	{ "udp_timeout", offsetof(struct xlb_lb_group, udp_timeout), 3, 86400 },
};

static __u32 field(size_t off)
{
	return *(const __u32 *)((const char *)&conf.lb + off);
}

/* KEY = v on line 3: accepted with the value, or refused exactly. */
static void one_value(size_t i, long long v, bool good)
{
	char text[256], want[128];
	int ret;

	snprintf(text, sizeof(text), IF "lb = {\n %s = %lld; };\n",
		 lb_keys[i].key, v);
	ret = parse(text);
	if (good) {
		check(ret == 0 && field(lb_keys[i].off) == v, "%s = %lld: %s",
		      lb_keys[i].key, v, err);
		xlb_config_free(&conf);
		return;
	}
	snprintf(want, sizeof(want), "inline.conf:3: %s: must be %lld..%lld",
		 lb_keys[i].key, lb_keys[i].min, lb_keys[i].max);
	check(ret == -EINVAL && !strcmp(err, want), "%s = %lld: got '%s'",
	      lb_keys[i].key, v, err);
}

static void test_bounds(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(lb_keys); i++) {
		one_value(i, lb_keys[i].min, true);
		one_value(i, lb_keys[i].max, true);
		one_value(i, lb_keys[i].min - 1, false);
		one_value(i, lb_keys[i].max + 1, false);
	}
}

/* Every key at once, the others keeping their defaults. */
static void test_all_keys(void)
{
	const struct xlb_lb_group *g = &conf.lb;
	int ret = parse(IF "lb = { max_conns = 1000; max_syns = 300; "
			   "max_nat_ports = 2000; syn_timeout = 3; "
			   "tcp_timeout = 3600; fin_timeout = 20; "
			   "closed_timeout = 1; udp_timeout = 30; };");

	if (!check(ret == 0, "parse: %s", err))
		return;
	check(g->max_conns == 1000 && g->max_syns == 300 &&
		      g->max_nat_ports == 2000 && g->syn_timeout == 3 &&
		      g->tcp_timeout == 3600 && g->fin_timeout == 20 &&
		      g->closed_timeout == 1 && g->udp_timeout == 30,
	      "values");
	xlb_config_free(&conf);
	ret = parse(IF "lb = { };");
	check(ret == 0 && conf.lb.max_conns == XLB_DEFAULT_CONNS,
	      "an empty group: defaults (%s)", err);
	xlb_config_free(&conf);
}

#define SEVENTEEN                                                          \
	"\"198.18.1.1\", \"198.18.1.2\", \"198.18.1.3\", \"198.18.1.4\", " \
	"\"198.18.1.5\", \"198.18.1.6\", \"198.18.1.7\", \"198.18.1.8\", " \
	"\"198.18.1.9\", \"198.18.1.10\", \"198.18.1.11\", "               \
	"\"198.18.1.12\", \"198.18.1.13\", \"198.18.1.14\", "              \
	"\"198.18.1.15\", \"198.18.1.16\",\n \"198.18.1.17\""

static const struct {
	const char *text, *msg;
} bad_texts[] = {
	{ IF "lb = 1;", "inline.conf:2: lb: expected a group { ... }" },
	{ IF "lb = {\n max_conn = 1; };",
	  "inline.conf:3: unknown lb key 'max_conn' (known: max_conns, "
	  "max_syns, max_nat_ports, syn_timeout, tcp_timeout, fin_timeout, "
	  "closed_timeout, udp_timeout)" },
	{ IF "lb = { tcp_timeout = \"900\"; };",
	  "inline.conf:2: tcp_timeout: expected an integer" },
	{ IF "lb = { udp_timeout = 1.5; };",
	  "inline.conf:2: udp_timeout: expected an integer" },
	{ IF "lb = { max_conns = 4294967296L; };",
	  "inline.conf:2: max_conns: must be 256..16777216" },
	{ IF "snat = \"198.18.1.1\";",
	  "inline.conf:2: snat: expected a list of address strings" },
	{ IF "snat = ( \"198.18.1.1\",\n 7 );",
	  "inline.conf:3: snat: expected a list of address strings" },
	{ IF "snat = [\n \"198.18.1.0/24\" ];",
	  "inline.conf:3: snat: bad address '198.18.1.0/24': not an IPv4 or "
	  "IPv6 address" },
	{ IF "snat = [ \"224.0.0.1\" ];",
	  "inline.conf:2: snat: bad address '224.0.0.1': not a unicast "
	  "address" },
	{ IF "snat = [ \"198.18.1.1\",\n \"2001:db8::1\",\n"
	     " \"2001:DB8:0::1\" ];",
	  "inline.conf:4: snat: duplicate address 2001:db8::1 (first at line "
	  "3)" },
	{ IF "snat = [ " SEVENTEEN " ];",
	  "inline.conf:3: snat: more than 16 IPv4 addresses" },
	{ IF "vips = ( { " NAT4 "mode = \"dsr\";\n snat = [ ]; } );",
	  "inline.conf:3: snat: VIP 198.18.0.10:80/tcp is dsr, which leaves "
	  "the source address as it is (only nat sends from the LB's "
	  "addresses)" },
	{ IF "vips = ( { " NAT4 "\n snat = [ \"198.18.1.1\" ]; } );",
	  "inline.conf:3: snat: VIP 198.18.0.10:80/tcp is dsr, which leaves "
	  "the source address as it is (only nat sends from the LB's "
	  "addresses)" },
	{ IF "vips = ( { " NAT4 "mode = \"nat\";\n snat = [ \"198.18.1.1\",\n"
	     " \"198.18.1.1\" ]; } );",
	  "inline.conf:4: snat: duplicate address 198.18.1.1 (first at line "
	  "3)" },
};

static void test_bad_texts(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_texts); i++) {
		int ret = parse(bad_texts[i].text);

		check(ret == -EINVAL, "case %zu: ret %d", i, ret);
		check(!strcmp(err, bad_texts[i].msg),
		      "case %zu: got  '%s'\n    want '%s'", i, err,
		      bad_texts[i].msg);
	}
}

/* Does pool p hold exactly the addresses want (text), in order? */
static bool pool_is(const struct xlb_snat_pool *p, int af,
		    const char *const *want, __u32 n)
{
	__u8 bin[16];

	if (p->count != n)
		return false;
	for (__u32 i = 0; i < n; i++) {
		memset(bin, 0, sizeof(bin));
		if (inet_pton(af, want[i], bin) != 1 ||
		    memcmp(p->addr[i], bin, sizeof(bin)))
			return false;
	}
	return true;
}

static void test_pools(void)
{
	static const char *const g4[] = { "198.18.1.11", "198.18.1.12" };
	static const char *const g6[] = { "2001:db8::11" };
	static const char *const own4[] = { "198.18.2.1" };
	struct xlb_snat_pool p;
	int ret = parse(
		IF "snat = [ \"198.18.1.11\", \"2001:db8::11\", "
		   "\"198.18.1.12\" ];\n"
		   "vips = ( { " NAT4 "mode = \"nat\"; },\n"
		   "{ " NAT6 "mode = \"nat\"; },\n"
		   "{ address = \"198.18.0.11\"; proto = \"udp\"; mode = "
		   "\"nat\"; snat = [ \"2001:db8::2\", \"198.18.2.1\" ]; },\n"
		   "{ address = \"198.18.0.12\"; proto = \"udp\"; mode = "
		   "\"nat\"; snat = [ ]; },\n"
		   "{ address = \"2001:db8::12\"; proto = \"udp\"; mode = "
		   "\"nat\"; snat = [ \"198.18.2.1\" ]; },\n"
		   "{ address = \"198.18.0.13\"; proto = \"udp\"; } );\n");

	if (!check(ret == 0, "parse: %s", err))
		return;
	check(conf.snat.present && conf.snat.n == 3, "the global list, whole");
	xlb_vip_snat_pool(&conf, &conf.vips[0], &p);
	check(pool_is(&p, AF_INET, g4, 2), "IPv4 VIP: the global IPv4 ones");
	xlb_vip_snat_pool(&conf, &conf.vips[1], &p);
	check(pool_is(&p, AF_INET6, g6, 1), "IPv6 VIP: the global IPv6 one");
	xlb_vip_snat_pool(&conf, &conf.vips[2], &p);
	check(pool_is(&p, AF_INET, own4, 1), "its own list, its family only");
	xlb_vip_snat_pool(&conf, &conf.vips[3], &p);
	check(p.count == 0, "an empty list of its own: no pool");
	xlb_vip_snat_pool(&conf, &conf.vips[4], &p);
	check(p.count == 0, "no address of its family: no pool");
	xlb_vip_snat_pool(&conf, &conf.vips[5], &p);
	check(p.count == 0, "DSR: no pool");
	xlb_config_free(&conf);
}

/* 16 of each family fit; a VIP's list may come before its mode. */
static void test_pool_limits(void)
{
	char text[4096];
	size_t off;
	struct xlb_snat_pool p;
	int ret;

	off = snprintf(text, sizeof(text), IF "snat = [ ");
	for (int i = 1; i <= XLB_SNAT_MAX; i++)
		off += snprintf(text + off, sizeof(text) - off,
				"\"198.18.1.%d\", \"2001:db8::%x\", ", i, i);
	snprintf(text + off - 2, sizeof(text) - off + 2,
		 " ];\nvips = ( { " NAT6 "snat = [ \"2001:db8::1\" ]; "
		 "mode = \"nat\"; } );\n");
	ret = parse(text);
	if (!check(ret == 0, "16 + 16: %s", err))
		return;
	check(conf.snat.n == 2 * XLB_SNAT_MAX, "32 addresses");
	xlb_snat_pool_of(&conf.snat, XLB_FAMILY_V6, &p);
	check(p.count == XLB_SNAT_MAX, "16 IPv6 in the pool");
	xlb_vip_snat_pool(&conf, &conf.vips[0], &p);
	check(p.count == 1, "the VIP's own, snat before mode");
	xlb_config_free(&conf);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "lb: defaults", test_defaults },
		{ "lb: every key at and past its bounds", test_bounds },
		{ "lb: every key", test_all_keys },
		{ "lb, snat: errors", test_bad_texts },
		{ "snat: the pool of each VIP", test_pools },
		{ "snat: 16 per family", test_pool_limits },
	};

	harness_run_table(tests, ARRAY_SIZE(tests));
	return harness_done();
}
