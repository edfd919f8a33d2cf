// modules: config util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the lb group of the config file: the defaults, every key
 * at and past its bounds, and every error with its exact
 * "FILE:LINE: reason".
 */
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
	{ "tcp_timeout", offsetof(struct xlb_lb_group, tcp_timeout), 1, 86400 },
	{ "fin_timeout", offsetof(struct xlb_lb_group, fin_timeout), 1, 86400 },
	{ "closed_timeout", offsetof(struct xlb_lb_group, closed_timeout), 1,
	  86400 },
	{ "udp_timeout", offsetof(struct xlb_lb_group, udp_timeout), 1, 86400 },
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

int main(void)
{
	static const struct harness_test tests[] = {
		{ "lb: defaults", test_defaults },
		{ "lb: every key at and past its bounds", test_bounds },
		{ "lb: every key", test_all_keys },
		{ "lb: errors", test_bad_texts },
	};

	harness_run_table(tests, ARRAY_SIZE(tests));
	return harness_done();
}
