// modules: show rates show_filter show_lb show_conns util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xlbctl's output modules: human units, counter rates, the
 * --watch rates object, and the exact text of the status, stats, rates and
 * filter tables rendered into memory from small hand-written daemon
 * replies.
 */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "show.h"

static json_t *load(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);

	check(v != NULL, "bad fixture JSON: %s", err.text);
	return v;
}

/* Render data with fn into memory; returns the text (caller frees). */
static char *capture(show_fn fn, json_t *data, int *ret, const char **why)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	*ret = fn(mem, data, why);
	fclose(mem);
	return text;
}

static void check_text(const char *got, const char *want)
{
	check(strcmp(got, want) == 0, "got:\n%s\nwant:\n%s", got, want);
}

static void check_si(double value, const char *unit, const char *want)
{
	char buf[32];

	check(show_si(buf, sizeof(buf), value, unit) == 0, "show_si(%g)",
	      value);
	check(strcmp(buf, want) == 0, "show_si(%g): got '%s', want '%s'", value,
	      buf, want);
}

static void test_si_units(void)
{
	char tiny[4];

	check_si(0, "pps", "0 pps");
	check_si(0.5, "pps", "0.5 pps");
	check_si(950, "pps", "950 pps");
	check_si(999.4, "pps", "999 pps");
	check_si(999.6, "pps", "1.0 kpps");
	check_si(1234567, "pps", "1.2 Mpps");
	check_si(340e6, "bit/s", "340 Mbit/s");
	check_si(12.6e9, "bit/s", "13 Gbit/s");
	check_si(9.96e3, "bit/s", "10 kbit/s");
	check_si(2.5e12, "bit/s", "2.5 Tbit/s");
	check(show_si(tiny, sizeof(tiny), 1e6, "pps") == -ENOSPC,
	      "short buffer not reported");
	check(strlen(tiny) == sizeof(tiny) - 1, "short buffer not terminated");
}

static void test_rate(void)
{
	check(show_rate(100, 1100, 1000000000ull) == 1000.0, "1000 in 1 s");
	check(show_rate(0, 500, 500000000ull) == 1000.0, "500 in 0.5 s");
	check(show_rate(0, 3, 2000000000ull) == 1.5, "3 in 2 s");
	check(show_rate(500, 100, 1000000000ull) == 0.0, "reset gives 0");
	check(show_rate(0, 100, 0) == 0.0, "no time gives 0");
}

static const char stats_prev[] =
	"{\"time_ns\": 1000000000, \"interfaces\": {"
	" \"veth0\": {\"ifindex\": 3, \"hooks\": {"
	"  \"xdp\": {\"verdicts\": {"
	"   \"pass\": {\"packets\": 1000, \"bytes\": 1500000},"
	"   \"drop\": {\"packets\": 500, \"bytes\": 30000}}}}}},"
	" \"exceptions\": {\"eth_truncated\": 0}}";

/* 0.5 s later: pass +600000/+450 MB, drop reset, a new verdict and hook. */
static const char stats_cur[] =
	"{\"time_ns\": 1500000000, \"interfaces\": {"
	" \"veth0\": {\"ifindex\": 3, \"hooks\": {"
	"  \"xdp\": {\"verdicts\": {"
	"   \"pass\": {\"packets\": 601000, \"bytes\": 451500000},"
	"   \"drop\": {\"packets\": 7, \"bytes\": 420},"
	"   \"tx\": {\"packets\": 9, \"bytes\": 900}}},"
	"  \"tc_egress\": {\"verdicts\": {"
	"   \"pass\": {\"packets\": 1, \"bytes\": 60}}}}},"
	" \"veth1\": {\"ifindex\": 4, \"hooks\": {}}},"
	" \"exceptions\": {\"eth_truncated\": 0}}";

/* The rates from the stats texts prev to cur, checked against the JSON
 * text want; NULL when they could not be computed. */
static json_t *rates_of(const char *prev_text, const char *cur_text,
			const char *want)
{
	json_t *prev = load(prev_text), *cur = load(cur_text), *rates = NULL;
	const char *why = NULL;
	char *text;
	int ret;

	ret = show_rates_compute(prev, cur, &rates, &why);
	check(ret == 0, "show_rates_compute: %d (%s)", ret, why);
	json_decref(prev);
	json_decref(cur);
	if (ret)
		return NULL;
	text = json_dumps(rates, JSON_COMPACT | JSON_REAL_PRECISION(15));
	check_text(text, want);
	free(text);
	return rates;
}

static void test_rates_compute(void)
{
	json_decref(
		rates_of(stats_prev, stats_cur,
			 "{\"time_ns\":1500000000,\"interval_ns\":500000000,"
			 "\"interfaces\":{\"veth0\":{\"xdp\":{"
			 "\"pass\":{\"pps\":1200000.0,\"bps\":7200000000.0},"
			 "\"drop\":{\"pps\":0.0,\"bps\":0.0}}}}}"));
}

static void test_rates_errors(void)
{
	json_t *a = load(stats_prev), *rates = NULL;
	json_t *b = load("{\"interfaces\": {}}");
	const char *why = NULL;

	check(show_rates_compute(a, a, &rates, &why) == -EPROTO,
	      "time_ns not advancing accepted");
	check(why && strstr(why, "time_ns"), "reason: %s", why);
	check(show_rates_compute(a, b, &rates, &why) == -EPROTO,
	      "missing time_ns accepted");
	check(show_rates_compute(b, a, &rates, &why) == -EPROTO,
	      "missing time_ns accepted");
	check(rates == NULL, "rates set on error");
	json_decref(a);
	json_decref(b);
}

static void test_rates_render(void)
{
	json_t *prev = load(stats_prev), *cur = load(stats_cur), *rates = NULL;
	const char *why = NULL;
	char *text;
	int ret;

	check(show_rates_compute(prev, cur, &rates, &why) == 0, "compute");
	text = capture(show_rates, rates, &ret, &why);
	check(ret == 0, "show_rates: %d (%s)", ret, why);
	check_text(
		text,
		"interface        hook         verdict         packets           bits\n"
		"veth0            xdp          pass           1.2 Mpps     7.2 Gbit/s\n"
		"veth0            xdp          drop              0 pps        0 bit/s\n");
	free(text);
	json_decref(rates);
	json_decref(prev);
	json_decref(cur);
}

/* The load balancer's counters, 2 s apart; a backend added between. */
static const char lb_prev[] =
	"{\"time_ns\": 1000000000, \"interfaces\": {},"
	" \"vips\": {\"198.18.0.10:80/tcp\": {\"id\": 0, \"packets\": 1000,"
	"  \"bytes\": 100000, \"new_flows\": 10}},"
	" \"backends\": {\"198.18.0.10:80/tcp\": {"
	"  \"198.18.1.2\": {\"id\": 0, \"packets\": 600, \"bytes\": 60000,"
	"   \"new_flows\": 6}}}}";

static const char lb_cur[] =
	"{\"time_ns\": 3000000000, \"interfaces\": {},"
	" \"vips\": {\"198.18.0.10:80/tcp\": {\"id\": 0, \"packets\": 5000,"
	"  \"bytes\": 600000, \"new_flows\": 2410}},"
	" \"backends\": {\"198.18.0.10:80/tcp\": {"
	"  \"198.18.1.2\": {\"id\": 0, \"packets\": 3000, \"bytes\": 60000,"
	"   \"new_flows\": 1206},"
	"  \"198.18.1.3\": {\"id\": 1, \"packets\": 1, \"bytes\": 1,"
	"   \"new_flows\": 1}}}}";

static void test_rates_lb(void)
{
	json_t *rates = rates_of(
		lb_prev, lb_cur,
		"{\"time_ns\":3000000000,\"interval_ns\":2000000000,"
		"\"interfaces\":{},\"vips\":{\"198.18.0.10:80/tcp\":"
		"{\"pps\":2000.0,\"bps\":2000000.0,"
		"\"new_flows_per_s\":1200.0}},\"backends\":{"
		"\"198.18.0.10:80/tcp\":{\"198.18.1.2\":{\"pps\":1200.0,"
		"\"bps\":0.0,\"new_flows_per_s\":600.0}}}}");
	const char *why = NULL;
	char *text;
	int ret;

	if (!rates)
		return;
	text = capture(show_rates, rates, &ret, &why);
	check(ret == 0, "show_rates: %d (%s)", ret, why);
	check_text(
		text,
		"interface        hook         verdict         packets           bits\n"
		"\n"
		"vip                                           packets           bits    new flows\n"
		"198.18.0.10:80/tcp                           2.0 kpps     2.0 Mbit/s      1.2 k/s\n"
		"backend                                       packets           bits    new flows\n"
		"198.18.0.10:80/tcp 198.18.1.2                1.2 kpps        0 bit/s       600 /s\n");
	free(text);
	json_decref(rates);
}

/* The stats' table occupancy, after the load balancer's counters. */
static void test_stats_tables(void)
{
	json_t *data = load(
		"{\"time_ns\": 1, \"interfaces\": {},"
		" \"tables\": {\"conns\": {\"in_use\": 3, \"size\": 1048576,"
		"  \"reaped\": 12}, \"syns\": {\"in_use\": 0, \"size\": 65536,"
		"  \"reaped\": 0}, \"nat_ports\": {\"in_use\": 3,"
		"  \"size\": 1048576, \"reaped\": 5}}}");
	const char *why = NULL;
	char *text;
	int ret;

	text = capture(show_stats, data, &ret, &why);
	check(ret == 0, "show_stats: %d (%s)", ret, why);
	check_text(
		text,
		"no interfaces\n\n"
		"tables                   in use         size       reaped\n"
		"  conns                       3      1048576           12\n"
		"  syns                        0        65536            0\n"
		"  nat_ports                   3      1048576            5\n");
	free(text);
	json_object_set_new(json_object_get(json_object_get(data, "tables"),
					    "syns"),
			    "size", json_string("big"));
	text = capture(show_stats, data, &ret, &why);
	check(ret == -EPROTO, "a size not a number: %d", ret);
	free(text);
	json_decref(data);
}

static const char stats_small[] =
	"{\"time_ns\": 5, \"interfaces\": {"
	" \"veth0\": {\"ifindex\": 3, \"hooks\": {"
	"  \"xdp\": {\"verdicts\": {"
	"    \"pass\": {\"packets\": 120, \"bytes\": 14400},"
	"    \"drop\": {\"packets\": 0, \"bytes\": 0}},"
	"   \"classes\": {"
	"    \"arp\": {\"packets\": 20, \"bytes\": 1200},"
	"    \"ipv4_udp\": {\"packets\": 0, \"bytes\": 0},"
	"    \"ipv4_tcp\": {\"packets\": 100, \"bytes\": 13200}}},"
	"  \"tc_egress\": {\"verdicts\": {"
	"    \"pass\": {\"packets\": 4, \"bytes\": 240}},"
	"   \"classes\": {\"other\": {\"packets\": 0, \"bytes\": 0}},"
	"   \"reasons\": {\"no_neigh\": {\"packets\": 2, \"bytes\": 120}}}}}},"
	" \"exceptions\": {\"eth_truncated\": 0, \"vlan_truncated\": 7}}";

static void test_stats_render(void)
{
	json_t *data = load(stats_small);
	const char *why = NULL;
	char *text;
	int ret;

	text = capture(show_stats, data, &ret, &why);
	check(ret == 0, "show_stats: %d (%s)", ret, why);
	check_text(text,
		   "veth0 (ifindex 3)\n"
		   "  xdp\n"
		   "    verdicts                packets              bytes\n"
		   "    pass                        120              14400\n"
		   "    drop                          0                  0\n"
		   "    classes                 packets              bytes\n"
		   "    arp                          20               1200\n"
		   "    ipv4_tcp                    100              13200\n"
		   "  tc_egress\n"
		   "    verdicts                packets              bytes\n"
		   "    pass                          4                240\n"
		   "    reasons                 packets              bytes\n"
		   "    no_neigh                      2                120\n"
		   "\n"
		   "exceptions\n"
		   "  vlan_truncated                  7\n");
	free(text);
	json_decref(data);
}

static void test_stats_empty(void)
{
	json_t *data = load("{\"time_ns\": 1, \"interfaces\": {},"
			    " \"exceptions\": {\"eth_truncated\": 0}}");
	const char *why = NULL;
	char *text;
	int ret;

	text = capture(show_stats, data, &ret, &why);
	check(ret == 0, "show_stats: %d (%s)", ret, why);
	check_text(text, "no interfaces\n\nexceptions: none\n");
	free(text);
	json_decref(data);
}

/* A malformed reply is an error and prints nothing at all. */
static void test_stats_malformed(void)
{
	static const char *const bad[] = {
		"{\"interfaces\": []}",
		"{\"interfaces\": {\"veth0\": {\"ifindex\": 3}}}",
		"{\"interfaces\": {\"veth0\": {\"hooks\": {\"xdp\": {"
		"\"verdicts\": {\"pass\": {\"packets\": \"1\", \"bytes\": 0}}}}}}}",
		"{\"interfaces\": {}, \"exceptions\": {\"eth_truncated\": -1}}",
	};
	const char *why;
	json_t *data;
	char *text;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		data = load(bad[i]);
		why = NULL;
		text = capture(show_stats, data, &ret, &why);
		check(ret == -EPROTO, "case %zu: got %d", i, ret);
		check(why != NULL, "case %zu: no reason", i);
		check(text[0] == '\0', "case %zu: printed '%s'", i, text);
		free(text);
		json_decref(data);
	}
}

static const char status_small[] =
	"{\"version\": \"0.1.0\", \"pid\": 123, \"pin_dir\": \"/sys/fs/bpf/xlb\","
	" \"socket\": \"/run/xlb/xlbd.sock\", \"config\": \"/etc/xlb/xlb.conf\","
	" \"interfaces\": ["
	"  {\"name\": \"veth0\", \"ifindex\": 3, \"up\": true,"
	"   \"stages\": [\"counters\", \"filter\"],"
	"   \"xdp\": {\"mode\": \"native\", \"attached\": true, \"prog_id\": 12,"
	"            \"via\": \"libxdp single-program\"},"
	"   \"tc_ingress\": {\"attached\": true, \"prog_id\": 13},"
	"   \"tc_egress\": {\"attached\": false}},"
	"  {\"name\": \"veth1\", \"ifindex\": 4, \"up\": false, \"stages\": [],"
	"   \"xdp\": {\"mode\": \"off\", \"attached\": false}},"
	"  {\"name\": \"veth2\", \"ifindex\": 5, \"missing\": true,"
	"   \"up\": false, \"stages\": [\"counters\", \"lb\"],"
	"   \"xdp\": {\"mode\": \"off\", \"attached\": false}}]}";

static void test_status_render(void)
{
	json_t *data = load(status_small);
	const char *why = NULL;
	char *text;
	int ret;

	text = capture(show_status, data, &ret, &why);
	check(ret == 0, "show_status: %d (%s)", ret, why);
	check_text(
		text,
		"xlbd 0.1.0, pid 123\n"
		"  pin dir     /sys/fs/bpf/xlb\n"
		"  socket      /run/xlb/xlbd.sock\n"
		"  config      /etc/xlb/xlb.conf\n"
		"\n"
		"veth0: ifindex 3, up\n"
		"  stages      counters, filter\n"
		"  xdp         attached, prog 12, mode native, via libxdp single-program\n"
		"  tc_ingress  attached, prog 13\n"
		"  tc_egress   not attached\n"
		"\n"
		"veth1: ifindex 4, down\n"
		"  stages      none\n"
		"  xdp         not attached, mode off\n"
		"\n"
		"veth2: ifindex 5, missing (gone; attached again when it comes "
		"back)\n"
		"  stages      counters, lb\n"
		"  xdp         not attached, mode off\n");
	free(text);
	json_decref(data);
}

static void test_status_select(void)
{
	json_t *data = load(status_small), *one = NULL, *bad;
	json_t *ifaces;

	check(show_status_select(data, "veth1", &one) == 0, "veth1 found");
	ifaces = json_object_get(one, "interfaces");
	check(json_array_size(ifaces) == 1, "one interface left");
	check(strcmp(json_string_value(json_object_get(
			     json_array_get(ifaces, 0), "name")),
		     "veth1") == 0,
	      "the selected interface");
	check(json_array_size(json_object_get(data, "interfaces")) == 3,
	      "the original is untouched");
	check(show_status_select(data, "veth9", &one) == -ENOENT,
	      "unknown interface");
	bad = load("{\"interfaces\": {}}");
	check(show_status_select(bad, "veth0", &one) == -EPROTO, "malformed");
	json_decref(bad);
	json_decref(one);
	json_decref(data);
}

static void test_json_line(void)
{
	json_t *data = load("{\"b\": 1, \"a\": {\"x\": [1, 2]}, \"r\": 0.1}");
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	check(show_json(mem, data) == 0, "show_json");
	fclose(mem);
	check_text(text, "{\"b\":1,\"a\":{\"x\":[1,2]},\"r\":0.1}\n");
	free(text);
	json_decref(data);
}

static const char rules_data[] =
	"{\"rules\": ["
	" {\"id\": 7, \"order\": 10, \"action\": \"drop\", \"hook\": \"ingress\","
	"  \"src\": \"198.18.9.0/24\", \"proto\": \"udp\", \"dport\": 53,"
	"  \"hits\": {\"packets\": 12, \"bytes\": 720}},"
	" {\"id\": 12, \"order\": 4294967294, \"action\": \"pass\","
	"  \"hook\": \"egress\", \"dst\": \"2001:db8::10/128\", \"proto\": \"tcp\","
	"  \"sport\": 1024, \"dport\": 22,"
	"  \"hits\": {\"packets\": 0, \"bytes\": 0}},"
	" {\"id\": 8, \"action\": \"drop\", \"hook\": \"ingress\", \"proto\": 47,"
	"  \"hits\": {\"packets\": 3000000000, \"bytes\": 4500000000000}},"
	" {\"id\": 9, \"order\": 30, \"action\": \"pass\", \"hook\": \"ingress\","
	"  \"hits\": {\"packets\": 1, \"bytes\": 60}}]}";

static void check_render(show_fn fn, const char *data_text, const char *want)
{
	json_t *data = load(data_text);
	const char *why = NULL;
	char *text;
	int ret;

	text = capture(fn, data, &ret, &why);
	check(ret == 0, "render: %d (%s)", ret, why);
	check_text(text, want);
	free(text);
	json_decref(data);
}

static void check_malformed(show_fn fn, const char *data_text)
{
	json_t *data = load(data_text);
	const char *why = NULL;
	char *text;
	int ret;

	text = capture(fn, data, &ret, &why);
	check(ret == -EPROTO, "'%s': got %d", data_text, ret);
	check(why != NULL, "'%s': no reason", data_text);
	check(text[0] == '\0', "'%s': printed '%s'", data_text, text);
	free(text);
	json_decref(data);
}

static void test_rules_render(void)
{
	check_render(
		show_rules, rules_data,
		"id       order  action  hook     match                                                  packets          bytes\n"
		" 7          10  drop    ingress  src 198.18.9.0/24 proto udp dport 53                        12            720\n"
		"12  4294967294  pass    egress   dst 2001:db8::10/128 proto tcp sport 1024 dport 22           0              0\n"
		" 8           -  drop    ingress  proto 47                                            3000000000  4500000000000\n"
		" 9          30  pass    ingress  any                                                          1             60\n");
	check_render(show_rules, "{\"rules\": []}", "no rules\n");
}

static void test_entries_render(void)
{
	check_render(
		show_entries,
		"{\"entries\": ["
		" {\"id\": 3, \"hook\": \"ingress\", \"prefix\": \"198.18.0.0/15\","
		"  \"hits\": {\"packets\": 5, \"bytes\": 300}},"
		" {\"id\": 40, \"hook\": \"egress\","
		"  \"prefix\": \"2001:db8:ffff:ffff:ffff:ffff:ffff:fff0/124\","
		"  \"hits\": {\"packets\": 0, \"bytes\": 0}}]}",
		"id  hook     prefix                                      packets  bytes\n"
		" 3  ingress  198.18.0.0/15                                     5    300\n"
		"40  egress   2001:db8:ffff:ffff:ffff:ffff:ffff:fff0/124        0      0\n");
	check_render(show_entries, "{\"entries\": []}", "no entries\n");
}

static void test_filter_replies(void)
{
	check_render(show_rule_id, "{\"id\": 7, \"order\": 100}", "7\n");
	check_render(show_removed, "{\"removed\": 0}", "removed 0 rules\n");
	check_render(show_removed, "{\"removed\": 1}", "removed 1 rule\n");
	check_render(show_removed, "{\"removed\": 12}", "removed 12 rules\n");
	check_render(show_applied, "{\"applied\": 1000000}",
		     "applied 1000000 commands\n");
	check_render(show_applied, "{\"results\": [{\"id\": 7}]}",
		     "applied 1 command\n");
}

static void test_filter_malformed(void)
{
	static const char *const bad_rules[] = {
		"{}",
		"{\"rules\": {}}",
		"{\"rules\": [{\"action\": \"drop\", \"hook\": \"ingress\","
		" \"hits\": {\"packets\": 0, \"bytes\": 0}}]}",
		"{\"rules\": [{\"id\": 1, \"action\": \"drop\", \"hook\": \"ingress\"}]}",
		"{\"rules\": [{\"id\": 1, \"order\": \"1\", \"action\": \"drop\","
		" \"hook\": \"ingress\", \"hits\": {\"packets\": 0, \"bytes\": 0}}]}",
		"{\"rules\": [{\"id\": 1, \"action\": \"drop\", \"hook\": \"ingress\","
		" \"src\": true, \"hits\": {\"packets\": 0, \"bytes\": 0}}]}",
	};
	size_t i;

	for (i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++)
		check_malformed(show_rules, bad_rules[i]);
	check_malformed(show_entries,
			"{\"entries\": [{\"id\": 1,"
			" \"hook\": \"ingress\","
			" \"hits\": {\"packets\": 0, \"bytes\": 0}}]}");
	check_malformed(show_entries, "{\"rules\": []}");
	check_malformed(show_rule_id, "{\"id\": -1}");
	check_malformed(show_removed, "{}");
	check_malformed(show_applied, "{\"applied\": \"all\"}");
}

static void test_stats_filter(void)
{
	check_render(
		show_stats,
		"{\"time_ns\": 1, \"interfaces\": {},"
		" \"exceptions\": {\"eth_truncated\": 0},"
		" \"drops\": {\"filter_rule\": 12, \"filter_deny\": 0,"
		"  \"filter_not_allowed\": 3},"
		" \"filter\": {\"rules\": {\"7\": {\"packets\": 12, \"bytes\": 720}},"
		"  \"lists\": {\"3\": {\"packets\": 5, \"bytes\": 300},"
		"   \"4\": {\"packets\": 0, \"bytes\": 0}}},"
		" \"vips\": {}}",
		"no interfaces\n"
		"\n"
		"exceptions: none\n"
		"drops\n"
		"  filter_rule                    12\n"
		"  filter_not_allowed              3\n"
		"filter hits                 packets              bytes\n"
		"  rule 7                         12                720\n"
		"  entry 3                         5                300\n");
	check_render(show_stats,
		     "{\"time_ns\": 1, \"interfaces\": {},"
		     " \"exceptions\": {}, \"drops\": {\"filter_rule\": 0},"
		     " \"filter\": {\"rules\": {}, \"lists\": {}}}",
		     "no interfaces\n\nexceptions: none\ndrops: none\n"
		     "filter hits: none\n");
	/* the load balancer's own exceptions, passed to the stack */
	check_render(show_stats,
		     "{\"time_ns\": 1, \"interfaces\": {},"
		     " \"exceptions\": {}, \"drops\": {},"
		     " \"lb\": {\"lb_no_backend\": 0, \"lb_unresolved\": 5,"
		     "  \"lb_fragment\": 2}}",
		     "no interfaces\n\nexceptions: none\ndrops: none\n"
		     "lb\n"
		     "  lb_unresolved                   5\n"
		     "  lb_fragment                     2\n");
	check_render(show_stats,
		     "{\"time_ns\": 1, \"interfaces\": {},"
		     " \"lb\": {\"lb_no_backend\": 0}}",
		     "no interfaces\n\nlb: none\n");
	check_malformed(show_stats, "{\"interfaces\": {}, \"drops\": []}");
	check_malformed(show_stats, "{\"interfaces\": {}, \"lb\": 3}");
	check_malformed(
		show_stats,
		"{\"interfaces\": {}, \"lb\": {\"lb_unresolved\": -1}}");
	check_malformed(show_stats, "{\"interfaces\": {}, \"filter\": 1}");
	check_malformed(show_stats, "{\"interfaces\": {},"
				    " \"filter\": {\"rules\": {\"7\": 1}}}");
}

int main(void)
{
	harness_run("si_units", test_si_units);
	harness_run("rate", test_rate);
	harness_run("rates_compute", test_rates_compute);
	harness_run("rates_errors", test_rates_errors);
	harness_run("rates_render", test_rates_render);
	harness_run("rates_lb", test_rates_lb);
	harness_run("stats_tables", test_stats_tables);
	harness_run("stats_render", test_stats_render);
	harness_run("stats_empty", test_stats_empty);
	harness_run("stats_malformed", test_stats_malformed);
	harness_run("status_render", test_status_render);
	harness_run("status_select", test_status_select);
	harness_run("json_line", test_json_line);
	harness_run("rules_render", test_rules_render);
	harness_run("entries_render", test_entries_render);
	harness_run("filter_replies", test_filter_replies);
	harness_run("filter_malformed", test_filter_malformed);
	harness_run("stats_filter", test_stats_filter);
	return harness_done();
}
