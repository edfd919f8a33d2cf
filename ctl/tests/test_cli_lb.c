// modules: cmd_lb lb_parse client show util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xlbctl's vip, backend and conn commands as pure parsers:
 * the request each verb builds (VIPs and addresses in canonical form)
 * and the exact message of each usage error; and the tables and stats
 * lines the replies are printed as.
 */
#include <errno.h>
#include <stdlib.h>

#include "cmd_lb.h"
#include "harness.h"
#include "show.h"
#include "util.h"

#define MAX_WORDS 16

/* Parse "OBJECT VERB ..." (split on spaces) into cmd. */
static int parse(const char *line, struct lb_cmd *cmd, char *err, size_t errlen)
{
	char *buf = strdup(line), *argv[MAX_WORDS], *s, *save = NULL;
	int argc = 0, ret;

	for (s = strtok_r(buf, " ", &save); s && argc < MAX_WORDS;
	     s = strtok_r(NULL, " ", &save))
		argv[argc++] = s;
	ret = lb_parse(argv[0], argc - 1, argv + 1, cmd, err, errlen);
	free(buf);
	return ret;
}

static const struct {
	const char *line, *req, *what;
	enum lb_out out;
} good[] = {
	{ "vip add 198.18.0.10:80/tcp",
	  "{\"cmd\":\"vip_add\",\"vip\":\"198.18.0.10:80/tcp\",\"mode\":\"dsr\"}",
	  "vip add", LB_OUT_NONE },
	{ "vip add [2001:DB8::10]:443/udp mode dsr",
	  "{\"cmd\":\"vip_add\",\"vip\":\"[2001:db8::10]:443/udp\",\"mode\":\"dsr\"}",
	  "vip add", LB_OUT_NONE },
	{ "vip add 198.18.0.11:80/tcp mode nat",
	  "{\"cmd\":\"vip_add\",\"vip\":\"198.18.0.11:80/tcp\",\"mode\":\"nat\"}",
	  "vip add", LB_OUT_NONE },
	{ "vip del 198.18.0.10:0/udp",
	  "{\"cmd\":\"vip_del\",\"vip\":\"198.18.0.10:0/udp\"}", "vip del",
	  LB_OUT_NONE },
	{ "vip list", "{\"cmd\":\"vip_list\"}", "vip list", LB_OUT_VIPS },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2",
	  "{\"cmd\":\"backend_add\",\"vip\":\"198.18.0.10:80/tcp\",\"address\":\"198.18.1.2\"}",
	  "backend add", LB_OUT_NONE },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 weight 0",
	  "{\"cmd\":\"backend_add\",\"vip\":\"198.18.0.10:80/tcp\",\"address\":\"198.18.1.2\",\"weight\":0}",
	  "backend add", LB_OUT_NONE },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 port 8080 weight 2",
	  "{\"cmd\":\"backend_add\",\"vip\":\"198.18.0.10:80/tcp\",\"address\":\"198.18.1.2\",\"port\":8080,\"weight\":2}",
	  "backend add", LB_OUT_NONE },
	{ "backend set [2001:db8::10]:443/tcp 2001:db8:1:0::2 weight 65535",
	  "{\"cmd\":\"backend_set\",\"vip\":\"[2001:db8::10]:443/tcp\",\"address\":\"2001:db8:1::2\",\"weight\":65535}",
	  "backend set", LB_OUT_NONE },
	{ "backend del 198.18.0.10:80/tcp 198.18.1.2",
	  "{\"cmd\":\"backend_del\",\"vip\":\"198.18.0.10:80/tcp\",\"address\":\"198.18.1.2\"}",
	  "backend del", LB_OUT_NONE },
	{ "backend list", "{\"cmd\":\"backend_list\"}", "backend list",
	  LB_OUT_BACKENDS },
	{ "backend list 198.18.0.10:80/tcp",
	  "{\"cmd\":\"backend_list\",\"vip\":\"198.18.0.10:80/tcp\"}",
	  "backend list", LB_OUT_BACKENDS },
	{ "conn list", "{\"cmd\":\"conn_list\"}", "conn list", LB_OUT_CONNS },
	{ "conn list [2001:DB8::10]:443/tcp backend 2001:db8:1:0::2 count 100000",
	  "{\"cmd\":\"conn_list\",\"vip\":\"[2001:db8::10]:443/tcp\",\"backend\":\"2001:db8:1::2\",\"count\":100000}",
	  "conn list", LB_OUT_CONNS },
	{ "conn list count 1 backend 198.18.1.2",
	  "{\"cmd\":\"conn_list\",\"count\":1,\"backend\":\"198.18.1.2\"}",
	  "conn list", LB_OUT_CONNS },
	{ "conn list backend 2001:db8::2",
	  "{\"cmd\":\"conn_list\",\"backend\":\"2001:db8::2\"}", "conn list",
	  LB_OUT_CONNS },
	{ "conn flush", "{\"cmd\":\"conn_flush\"}", "conn flush",
	  LB_OUT_FLUSHED },
	{ "conn flush 198.18.0.10:0/udp",
	  "{\"cmd\":\"conn_flush\",\"vip\":\"198.18.0.10:0/udp\"}",
	  "conn flush", LB_OUT_FLUSHED },
};

static void test_requests(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char err[LB_CMD_ERRLEN] = "", *got;
		struct lb_cmd cmd;

		if (!check(!parse(good[i].line, &cmd, err, sizeof(err)),
			   "'%s': %s", good[i].line, err))
			continue;
		got = json_dumps(cmd.req, JSON_COMPACT | JSON_PRESERVE_ORDER);
		check(!strcmp(got, good[i].req),
		      "'%s':\n    got  %s\n    want %s", good[i].line, got,
		      good[i].req);
		check(!strcmp(cmd.what, good[i].what) && cmd.out == good[i].out,
		      "'%s': what '%s' out %d", good[i].line, cmd.what,
		      cmd.out);
		free(got);
		json_decref(cmd.req);
	}
}

static const struct {
	const char *line, *what, *msg;
} bad[] = {
	{ "vip", "vip", "missing verb (add, del, list)" },
	{ "vip ad", "vip", "unknown verb 'ad' (add, del, list)" },
	{ "backend flush", "backend",
	  "unknown verb 'flush' (add, set, del, list)" },
	{ "vip add", "vip add", "missing VIP (ADDR:PORT/PROTO)" },
	{ "vip add 198.18.0.10:80", "vip add",
	  "bad VIP '198.18.0.10:80': expected ADDR:PORT/PROTO, as 198.18.0.10:80/tcp" },
	{ "vip add 2001:db8::10:80/tcp", "vip add",
	  "bad VIP '2001:db8::10:80/tcp': an IPv6 address goes in brackets, as [2001:db8::10]:443/tcp" },
	{ "vip add 198.18.0.10:80/tcp mode fast", "vip add",
	  "bad mode 'fast': dsr or nat" },
	{ "vip add 198.18.0.10:80/tcp mode", "vip add",
	  "'mode' needs a value" },
	{ "vip add 198.18.0.10:80/tcp mode dsr mode dsr", "vip add",
	  "'mode' given twice" },
	{ "vip add 198.18.0.10:80/tcp dsr", "vip add",
	  "unknown argument 'dsr'" },
	{ "vip del 198.18.0.10:80/tcp mode dsr", "vip del",
	  "unknown argument 'mode'" },
	{ "vip list all", "vip list", "unknown argument 'all'" },
	{ "backend add 198.18.0.10:80/tcp", "backend add",
	  "missing backend address" },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.0/24", "backend add",
	  "bad address '198.18.1.0/24': not an IPv4 or IPv6 address" },
	{ "backend add 198.18.0.10:80/tcp 2001:db8::2", "backend add",
	  "backend 2001:db8::2 is IPv6, VIP 198.18.0.10:80/tcp is IPv4" },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 weight 65536",
	  "backend add", "bad weight '65536': must be 0..65535" },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 weight", "backend add",
	  "'weight' needs a value" },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 weight 1 weight 2",
	  "backend add", "'weight' given twice" },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 port 0", "backend add",
	  "bad port '0': must be 1..65535" },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 port 65536", "backend add",
	  "bad port '65536': must be 1..65535" },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 port 80 port 81",
	  "backend add", "'port' given twice" },
	{ "backend set 198.18.0.10:80/tcp 198.18.1.2 weight 1 port 80",
	  "backend set", "unknown argument 'port'" },
	{ "backend add 198.18.0.10:80/tcp 198.18.1.2 198.18.1.3", "backend add",
	  "unknown argument '198.18.1.3'" },
	{ "backend set 198.18.0.10:80/tcp 198.18.1.2", "backend set",
	  "missing 'weight N'" },
	{ "backend del 198.18.0.10:80/tcp 198.18.1.2 weight 1", "backend del",
	  "unknown argument 'weight'" },
	{ "backend list 198.18.0.10:80/tcp 198.18.1.2", "backend list",
	  "unknown argument '198.18.1.2'" },
	{ "backend list 198.18.1.2", "backend list",
	  "bad VIP '198.18.1.2': expected ADDR:PORT/PROTO, as 198.18.0.10:80/tcp" },
	{ "conn", "conn", "missing verb (list, flush)" },
	{ "conn show", "conn", "unknown verb 'show' (list, flush)" },
	{ "conn list 198.18.1.2", "conn list",
	  "bad VIP '198.18.1.2': expected ADDR:PORT/PROTO, as 198.18.0.10:80/tcp" },
	{ "conn list 198.18.0.10:80/tcp backend 2001:db8::2", "conn list",
	  "backend 2001:db8::2 is IPv6, VIP 198.18.0.10:80/tcp is IPv4" },
	{ "conn list backend", "conn list", "'backend' needs a value" },
	{ "conn list backend 198.18.1.0/24", "conn list",
	  "bad address '198.18.1.0/24': not an IPv4 or IPv6 address" },
	{ "conn list backend 198.18.1.2 backend 198.18.1.3", "conn list",
	  "'backend' given twice" },
	{ "conn list count 0", "conn list",
	  "count '0' is not a whole number from 1 to 100000" },
	{ "conn list count 100001", "conn list",
	  "count '100001' is not a whole number from 1 to 100000" },
	{ "conn list count 1 count 2", "conn list", "'count' given twice" },
	{ "conn list count 5 198.18.0.10:80/tcp", "conn list",
	  "unknown argument '198.18.0.10:80/tcp'" },
	{ "conn list 198.18.0.10:80/tcp all", "conn list",
	  "unknown argument 'all'" },
	{ "conn flush 198.18.0.10:80/tcp 198.18.1.2", "conn flush",
	  "unknown argument '198.18.1.2'" },
	{ "conn flush all", "conn flush",
	  "bad VIP 'all': expected ADDR:PORT/PROTO, as 198.18.0.10:80/tcp" },
};

static void test_usage_errors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char err[LB_CMD_ERRLEN] = "";
		struct lb_cmd cmd;
		int ret = parse(bad[i].line, &cmd, err, sizeof(err));

		check(ret == -EINVAL, "'%s': ret %d", bad[i].line, ret);
		check(!strcmp(err, bad[i].msg),
		      "'%s':\n    got  '%s'\n    want '%s'", bad[i].line, err,
		      bad[i].msg);
		check(!strcmp(cmd.what, bad[i].what), "'%s': what '%s'",
		      bad[i].line, cmd.what);
	}
}

/* fn's rendering of the JSON text data. */
static char *render(show_fn fn, const char *text, int *ret)
{
	json_t *data = json_loads(text, 0, NULL);
	const char *why = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	*ret = fn(f, data, &why);
	fclose(f);
	json_decref(data);
	return out;
}

static void test_tables(void)
{
	const char *vips =
		"{\"vips\":[{\"vip\":\"198.18.0.10:80/tcp\",\"id\":0,"
		"\"mode\":\"dsr\",\"in_ring\":2,\"backends\":[{},{},{}],"
		"\"conns\":{\"active\":5,\"syn\":1},"
		"\"packets\":42,\"bytes\":3282,\"new_flows\":6,"
		"\"conn_hits\":36,\"conn_misses\":6,\"nat_exhausted\":0},"
		"{\"vip\":\"198.18.0.20:80/tcp\",\"id\":1,"
		"\"mode\":\"nat\",\"in_ring\":2,\"backends\":[{},{}],"
		"\"conns\":{\"active\":120,\"syn\":0,\"nat_ports\":121,"
		"\"nat_ports_available\":56464},"
		"\"packets\":42,\"bytes\":3282,\"new_flows\":6,"
		"\"conn_hits\":36,\"conn_misses\":6,\"nat_exhausted\":17}]}";
	const char *backends =
		"{\"backends\":[{\"vip\":\"198.18.0.10:80/tcp\","
		"\"address\":\"198.18.1.2\",\"id\":0,\"weight\":1,"
		"\"state\":\"active\",\"mac\":\"7e:d2:67:e6:8a:39\","
		"\"ifname\":\"veth-back\",\"conns\":{\"active\":3,"
		"\"syn\":0,\"new_per_s\":2.5},\"packets\":21,\"bytes\":1641},"
		"{\"vip\":\"198.18.0.10:80/tcp\",\"address\":\"198.18.1.4\","
		"\"id\":2,\"weight\":0,\"state\":\"unresolved\","
		"\"why\":\"no route to 198.18.1.4: Network is unreachable\","
		"\"conns\":{\"active\":0,\"syn\":0,\"nat_ports\":0,"
		"\"new_per_s\":1234.4},\"packets\":0,\"bytes\":0}]}";
	int ret;
	char *out = render(show_vips, vips, &ret);

	check(ret == 0 &&
		      !strcmp(out,
			      "vip                 mode  backends  flows  syn  "
			      "nat ports  exhausted  packets  bytes  new flows  "
			      "hits  misses\n"
			      "198.18.0.10:80/tcp  dsr        2/3      5    1  "
			      "        -          -       42   3282          6  "
			      "  36       6\n"
			      "198.18.0.20:80/tcp  nat        2/2    120    0  "
			      "121/56464         17       42   3282          6  "
			      "  36       6\n"),
	      "vip list:\n%s", out);
	free(out);
	out = render(show_backends, backends, &ret);
	check(ret == 0 &&
		      !strcmp(out,
			      "vip                 backend     weight  state  "
			      "     conns  new/s  nat ports  mac               "
			      " interface  packets  bytes\n"
			      "198.18.0.10:80/tcp  198.18.1.2       1  active "
			      "         3    2.5          -  7e:d2:67:e6:8a:39 "
			      " veth-back       21   1641\n"
			      "198.18.0.10:80/tcp  198.18.1.4       0  "
			      "unresolved      0   1234          0  -         "
			      "         -                0      0\n"
			      "198.18.0.10:80/tcp 198.18.1.4: no route to "
			      "198.18.1.4: Network is unreachable\n"),
	      "backend list:\n%s", out);
	free(out);
	out = render(show_vips,
		     "{\"vips\":[{\"vip\":\"198.18.0.20:80/tcp\",\"mode\":"
		     "\"nat\",\"in_ring\":0,\"backends\":[],\"conns\":"
		     "{\"active\":0,\"syn\":0,\"nat_ports\":1}}]}",
		     &ret);
	check(ret == -EPROTO && !strcmp(out, ""),
	      "NAT ports without the available ones: %d '%s'", ret, out);
	free(out);
	out = render(show_backends,
		     "{\"backends\":[{\"vip\":\"198.18.0.20:80/tcp\","
		     "\"address\":\"198.18.1.2\",\"weight\":1,\"state\":"
		     "\"active\",\"conns\":{\"active\":-1},\"packets\":0,"
		     "\"bytes\":0}]}",
		     &ret);
	check(ret == -EPROTO && !strcmp(out, ""), "a negative count: %d '%s'",
	      ret, out);
	free(out);
	/* NAT backends on ports of their own */
	out = render(show_backends,
		     "{\"backends\":[{\"vip\":\"198.18.0.20:80/tcp\","
		     "\"address\":\"198.18.1.2\",\"port\":8080,\"weight\":1,"
		     "\"state\":\"active\",\"packets\":0,\"bytes\":0},"
		     "{\"vip\":\"[2001:db8::20]:80/tcp\","
		     "\"address\":\"2001:db8:1::2\",\"port\":65535,"
		     "\"weight\":1,\"state\":\"active\",\"packets\":0,"
		     "\"bytes\":0}]}",
		     &ret);
	check(ret == 0 &&
		      !strcmp(out,
			      "vip                    backend                "
			      "weight  state   conns  new/s  nat ports  mac  "
			      "interface  packets  bytes\n"
			      "198.18.0.20:80/tcp     198.18.1.2:8080             "
			      "1  active      -      -          -  -    -       "
			      "         0      0\n"
			      "[2001:db8::20]:80/tcp  [2001:db8:1::2]:65535       "
			      "1  active      -      -          -  -    -       "
			      "         0      0\n"),
	      "backend list with ports:\n%s", out);
	free(out);
	out = render(show_backends,
		     "{\"backends\":[{\"vip\":\"198.18.0.20:80/tcp\","
		     "\"address\":\"198.18.1.2\",\"port\":0,\"weight\":1,"
		     "\"state\":\"active\",\"packets\":0,\"bytes\":0}]}",
		     &ret);
	check(ret == -EPROTO, "port 0: %d '%s'", ret, out);
	free(out);
	out = render(show_vips, "{\"vips\":[]}", &ret);
	check(ret == 0 && !strcmp(out, "no VIPs\n"), "empty: %s", out);
	free(out);
	out = render(show_backends, "{\"backends\":[{\"vip\":1}]}", &ret);
	check(ret == -EPROTO && !strcmp(out, ""), "malformed: %d '%s'", ret,
	      out);
	free(out);
}

static void test_conn_tables(void)
{
	const char *conns =
		"{\"conns\":[{\"client\":\"198.18.0.2\",\"client_port\":41234,"
		"\"vip\":\"198.18.0.20:80/tcp\",\"backend\":\"198.18.1.2\","
		"\"backend_port\":8080,\"dport\":80,"
		"\"nat_address\":\"198.18.1.1\",\"nat_port\":40001,"
		"\"state\":\"established\",\"age_s\":754.2,\"idle_s\":0.4,"
		"\"packets\":1042,\"table\":\"conns\"},"
		"{\"client\":\"2001:db8::2\",\"client_port\":5353,"
		"\"vip\":\"[2001:db8::10]:0/udp\",\"backend\":\"2001:db8:1::3\","
		"\"dport\":53,\"state\":\"udp\",\"age_s\":7300,"
		"\"idle_s\":42.9,\"packets\":3,\"table\":\"conns\"}],"
		"\"matched\":5}";
	char d[16];
	int ret;
	char *out = render(show_conns, conns, &ret);

	check(ret == 0 &&
		      !strcmp(out,
			      "client              vip                   "
			      "backend          nat               state        "
			      "   age  idle  packets  table\n"
			      "198.18.0.2:41234    198.18.0.20:80/tcp    "
			      "198.18.1.2:8080  198.18.1.1:40001  established  "
			      "12m34s  0.4s     1042  conns\n"
			      "[2001:db8::2]:5353  [2001:db8::10]:0/udp  "
			      "2001:db8:1::3    -                 udp          "
			      " 2h01m   42s        3  conns\n"
			      "2 of 5 flows shown (count N shows more)\n"),
	      "conn list:\n%s", out);
	free(out);
	out = render(show_conns, "{\"conns\":[],\"matched\":0}", &ret);
	check(ret == 0 && !strcmp(out, "no flows\n"), "none: '%s'", out);
	free(out);
	out = render(show_conns, "{\"conns\":[]}", &ret);
	check(ret == -EPROTO && !strcmp(out, ""), "no matched: %d", ret);
	free(out);
	out = render(show_conns,
		     "{\"conns\":[{\"client\":\"198.18.0.2\",\"client_port\":"
		     "1,\"vip\":\"v\",\"backend\":\"b\",\"state\":\"udp\","
		     "\"age_s\":\"1\",\"idle_s\":0,\"packets\":0,\"table\":"
		     "\"conns\"}],\"matched\":1}",
		     &ret);
	check(ret == -EPROTO && !strcmp(out, ""), "age not a number: %d", ret);
	free(out);
	out = render(show_flushed, "{\"flows\":1,\"nat_ports\":0}", &ret);
	check(ret == 0 && !strcmp(out, "flushed 1 flow, freed 0 NAT ports\n"),
	      "flush: '%s'", out);
	free(out);
	out = render(show_flushed, "{\"flows\":3}", &ret);
	check(ret == -EPROTO, "flush without nat_ports: %d", ret);
	free(out);
	show_duration(d, sizeof(d), 9.96);
	check(!strcmp(d, "10.0s"), "9.96 s: %s", d);
	show_duration(d, sizeof(d), 59.9);
	check(!strcmp(d, "59s"), "59.9 s: %s", d);
	show_duration(d, sizeof(d), 3599);
	check(!strcmp(d, "59m59s"), "3599 s: %s", d);
	show_duration(d, sizeof(d), -1);
	check(!strcmp(d, "0.0s"), "-1 s: %s", d);
}

static int stats_fn(FILE *f, json_t *data, const char **why)
{
	return show_lb_stats(f, json_object_get(data, "vips"),
			     json_object_get(data, "backends"), why);
}

static void test_stats(void)
{
	const char *text =
		"{\"vips\":{\"198.18.0.10:80/tcp\":{\"id\":0,\"packets\":42,"
		"\"bytes\":3282,\"new_flows\":6,\"conn_hits\":36,"
		"\"conn_misses\":6}},\"backends\":{\"198.18.0.10:80/tcp\":"
		"{\"198.18.1.2\":{\"id\":0,\"packets\":21,\"bytes\":1641}}}}";
	int ret;
	char *out = render(stats_fn, text, &ret);

	check(ret == 0 &&
		      !strcmp(out,
			      "vips                                    "
			      "packets              bytes    new flows\n"
			      "  198.18.0.10:80/tcp                         "
			      "42               3282            6\n"
			      "backends                                "
			      "packets              bytes\n"
			      "  198.18.0.10:80/tcp 198.18.1.2              "
			      "21               1641\n"),
	      "stats:\n%s", out);
	free(out);
	out = render(stats_fn, "{\"vips\":{},\"backends\":{}}", &ret);
	check(ret == 0 && !strcmp(out, ""), "none: %s", out);
	free(out);
	out = render(stats_fn, "{}", &ret);
	check(ret == 0 && !strcmp(out, ""), "absent: %s", out);
	free(out);
}

int main(void)
{
	harness_run("vip and backend requests", test_requests);
	harness_run("vip and backend usage errors", test_usage_errors);
	harness_run("vip and backend tables", test_tables);
	harness_run("conn list and flush output", test_conn_tables);
	harness_run("stats: vips and backends", test_stats);
	return harness_done();
}
