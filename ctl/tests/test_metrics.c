// modules: metrics_parse metrics_text util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the /metrics endpoint's pure parts: the listen address
 * parser, the strict request parser (every prefix of a good request
 * waits, bad ones are judged at once, oversized ones get 431) and the
 * Prometheus text of a stats object (exact output, label escaping, each
 * family once). test_metrics_server.c runs the responder itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "metrics.h"
#include "util.h"

static void test_addr(void)
{
	static const char *const bad[] = {
		"",	      "9477",	      "127.0.0.1",
		"127.0.0.1:", "127.0.0.1:0",  "127.0.0.1:65536",
		"1.2.3:80",   "localhost:80", "::1:9477",
		"[::1]9477",  "[::1]:",	      "[127.0.0.1]:80",
		"[::1:80",    "1.2.3.4:+80",  "1.2.3.4:080",
		"OFF",
	};
	struct sockaddr_in6 *s6;
	struct sockaddr_in *s4;
	struct metrics_addr a;
	char err[256];

	check(!metrics_parse_addr("off", &a, err, sizeof(err)) && a.off, "off");
	check(!metrics_parse_addr("127.0.0.1:9477", &a, err, sizeof(err)),
	      "v4: %s", err);
	s4 = (struct sockaddr_in *)&a.ss;
	check(!a.off && s4->sin_family == AF_INET &&
		      ntohs(s4->sin_port) == 9477 &&
		      s4->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
		      a.len == sizeof(*s4),
	      "v4 parsed");
	check(!metrics_parse_addr("[2001:db8::1]:65535", &a, err, sizeof(err)),
	      "v6: %s", err);
	s6 = (struct sockaddr_in6 *)&a.ss;
	check(s6->sin6_family == AF_INET6 && ntohs(s6->sin6_port) == 65535 &&
		      s6->sin6_addr.s6_addr[0] == 0x20 && a.len == sizeof(*s6),
	      "v6 parsed");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		check(metrics_parse_addr(bad[i], &a, err, sizeof(err)) ==
				      -EINVAL &&
			      strstr(err, "metrics address"),
		      "'%s' refused (%s)", bad[i], err);
	}
}

struct req_case {
	const char *text;
	int status;
	bool head;
};

static const char good_get[] =
	"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9477\r\n"
	"User-Agent: test\r\nAccept: */*\r\n\r\n";

static const struct req_case req_cases[] = {
	{ good_get, 200 },
	{ "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, true },
	{ "GET /metrics?name[]=xlb_up HTTP/1.0\r\n\r\n", 200 },
	{ "GET /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n", 200 },
	{ "GET /metrics HTTP/1.1\r\nhost:x\r\nX-Empty:\r\n\r\n", 200 },
	{ "GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
	{ "GET /metricsx HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
	{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
	{ "GET http://x/metrics HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
	{ "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405 },
	{ "get /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405 },
	{ "GET /metrics HTTP/2.0\r\n\r\n", 505 },
	{ "GET /metrics HTTP/1.1\r\n\r\n", 400 }, /* no Host */
	{ "GET /metrics HTTP/1.12\r\n\r\n", 400 },
	{ "GET /metrics http/1.1\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\n\n", 400 }, /* bare LF */
	{ "GET /metrics HTTP/1.1\r\nHost: x\n\n", 400 }, /* bare LF */
	{ "GET  /metrics HTTP/1.1\r\n", 400 },
	{ "GET /metrics  HTTP/1.1\r\n", 400 },
	{ "GET /metrics HTTP/1.1 \r\n", 400 },
	{ " GET", 400 },
	{ "GET /met\x01rics", 400 },
	{ "\x16\x03\x01\x02\x00", 400 }, /* a TLS client hello */
	{ "hello world\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nNo colon\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\n: x\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nHo st: x\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\x01y\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
	  400 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 00\r\n\r\n",
	  200 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -0\r\n\r\n",
	  400 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400 },
	{ "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n",
	  405 },
	{ "GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
	  "\r\n\r\n",
	  400 },
};

static void test_request(void)
{
	bool head;

	for (size_t i = 0; i < ARRAY_SIZE(req_cases); i++) {
		const struct req_case *c = &req_cases[i];
		int st = metrics_parse_request(c->text, strlen(c->text), &head);

		check(st == c->status && head == c->head,
		      "case %zu: got %d%s, want %d%s", i, st,
		      head ? " (head)" : "", c->status,
		      c->head ? " (head)" : "");
	}
	/* Every proper prefix of a good request waits for more. */
	for (size_t n = 0; n < strlen(good_get); n++)
		check(metrics_parse_request(good_get, n, &head) == 0,
		      "prefix of %zu bytes: incomplete", n);
	/* What follows the headers (a pipelined request) is not looked at. */
	check(metrics_parse_request("GET /metrics HTTP/1.0\r\n\r\n\x01junk", 29,
				    &head) == 200,
	      "bytes after the headers ignored");
}

/* Fill buf (METRICS_MAX_REQUEST bytes) with a request line, one header
 * "NAME: aaa..." and, when ended, the empty line in the last bytes. */
static void big_request(char *buf, const char *name, bool ended)
{
	size_t pre = snprintf(buf, METRICS_MAX_REQUEST,
			      "GET /metrics HTTP/1.1\r\n%s: ", name);

	memset(buf + pre, 'a', METRICS_MAX_REQUEST - pre);
	if (ended)
		memcpy(buf + METRICS_MAX_REQUEST - 4, "\r\n\r\n", 4);
}

static void test_request_size(void)
{
	char buf[METRICS_MAX_REQUEST];
	bool head;

	big_request(buf, "X-Big", false);
	check(metrics_parse_request(buf, sizeof(buf) - 1, &head) == 0,
	      "one byte short of the limit: waits");
	check(metrics_parse_request(buf, sizeof(buf), &head) == 431,
	      "no end of headers in %d bytes: 431", METRICS_MAX_REQUEST);
	big_request(buf, "Host", true);
	check(metrics_parse_request(buf, sizeof(buf), &head) == 200,
	      "a request of exactly %d bytes: 200", METRICS_MAX_REQUEST);
	big_request(buf, "X-Big", true);
	check(metrics_parse_request(buf, sizeof(buf), &head) == 400,
	      "the same without Host: 400");
}

/* Render text as JSON stats; returns malloc'd text (NULL on failure). */
static char *render(const char *stats, const char *backends)
{
	json_t *s = json_loads(stats, 0, NULL);
	json_t *b = backends ? json_loads(backends, 0, NULL) : NULL;
	size_t len;
	char *out = NULL;
	FILE *f = open_memstream(&out, &len);
	int ret;

	if (!s || !f || (backends && !b)) {
		check(false, "test input does not parse");
		return NULL;
	}
	ret = metrics_render(f, s, b, "1.2.3");
	fclose(f);
	json_decref(s);
	json_decref(b);
	check(!ret, "render: %d", ret);
	return out;
}

static const char small_stats[] =
	"{\"time_ns\":5,\"interfaces\":{\"veth0\":{\"ifindex\":3,\"hooks\":{"
	"\"xdp\":{\"verdicts\":{\"pass\":{\"packets\":120,\"bytes\":14400},"
	"\"drop\":{\"packets\":1,\"bytes\":60}},"
	"\"classes\":{\"arp\":{\"packets\":20,\"bytes\":1200}}}}}},"
	"\"exceptions\":{\"vlan_truncated\":7},"
	"\"drops\":{\"filter_rule\":12},"
	"\"lb\":{\"lb_no_backend\":0},"
	"\"filter\":{\"rules\":{\"7\":{\"packets\":12,\"bytes\":720}},"
	"\"lists\":{\"3\":{\"packets\":5,\"bytes\":300}}},"
	"\"vips\":{\"198.18.0.10:80/tcp\":{\"id\":0,\"conns\":{\"active\":3,"
	"\"syn\":1,\"nat_ports\":4,\"nat_ports_available\":28232},"
	"\"packets\":266,\"bytes\":20956,\"new_flows\":40,"
	"\"nat_exhausted\":2}},"
	"\"backends\":{\"198.18.0.10:80/tcp\":{\"198.18.1.2\":{\"id\":0,"
	"\"health\":{\"state\":\"down\",\"checks_ok\":2,\"checks_failed\":3,"
	"\"checks_not_run\":1,"
	"\"since_s\":1.5},\"conns\":{\"active\":3,\"syn\":1,"
	"\"nat_ports\":4},\"packets\":80,\"bytes\":6300,"
	"\"new_flows\":40}}},"
	"\"tables\":{\"conns\":{\"in_use\":3,\"size\":1048576,"
	"\"reaped\":7},\"nat_ports\":{\"in_use\":4,\"size\":65536,"
	"\"reaped\":0}}}";

static const char small_backends[] =
	"[{\"address\":\"198.18.1.2\",\"vip\":\"198.18.0.10:80/tcp\","
	"\"weight\":2,\"state\":\"down\"}]";

static const char small_text[] =
	"# HELP xlb_up 1: xlbd is serving.\n"
	"# TYPE xlb_up gauge\n"
	"xlb_up 1\n"
	"# HELP xlb_build_info xlbd's version, as a label.\n"
	"# TYPE xlb_build_info gauge\n"
	"xlb_build_info{version=\"1.2.3\"} 1\n"
	"# HELP xlb_packets_total Packets seen at a hook, by the verdict xlb "
	"gave them.\n"
	"# TYPE xlb_packets_total counter\n"
	"xlb_packets_total{ifname=\"veth0\",hook=\"xdp\",action=\"pass\"} 120\n"
	"xlb_packets_total{ifname=\"veth0\",hook=\"xdp\",action=\"drop\"} 1\n"
	"# HELP xlb_bytes_total Bytes seen at a hook, by the verdict xlb gave "
	"them.\n"
	"# TYPE xlb_bytes_total counter\n"
	"xlb_bytes_total{ifname=\"veth0\",hook=\"xdp\",action=\"pass\"} "
	"14400\n"
	"xlb_bytes_total{ifname=\"veth0\",hook=\"xdp\",action=\"drop\"} 60\n"
	"# HELP xlb_class_packets_total Packets seen at a hook, by packet "
	"class.\n"
	"# TYPE xlb_class_packets_total counter\n"
	"xlb_class_packets_total{ifname=\"veth0\",hook=\"xdp\",class=\"arp\"} "
	"20\n"
	"# HELP xlb_class_bytes_total Bytes seen at a hook, by packet class.\n"
	"# TYPE xlb_class_bytes_total counter\n"
	"xlb_class_bytes_total{ifname=\"veth0\",hook=\"xdp\",class=\"arp\"} "
	"1200\n"
	"# HELP xlb_exceptions_total Packets the parser could not handle and "
	"passed on, by reason.\n"
	"# TYPE xlb_exceptions_total counter\n"
	"xlb_exceptions_total{reason=\"vlan_truncated\"} 7\n"
	"# HELP xlb_drops_total Packets dropped, by reason.\n"
	"# TYPE xlb_drops_total counter\n"
	"xlb_drops_total{reason=\"filter_rule\"} 12\n"
	"# HELP xlb_lb_exceptions_total Packets for a VIP the load balancer "
	"passed to the kernel or dropped, by reason.\n"
	"# TYPE xlb_lb_exceptions_total counter\n"
	"xlb_lb_exceptions_total{reason=\"lb_no_backend\"} 0\n"
	"# HELP xlb_rule_hits_total Packets a filter rule decided.\n"
	"# TYPE xlb_rule_hits_total counter\n"
	"xlb_rule_hits_total{rule=\"7\"} 12\n"
	"# HELP xlb_rule_bytes_total Bytes a filter rule decided.\n"
	"# TYPE xlb_rule_bytes_total counter\n"
	"xlb_rule_bytes_total{rule=\"7\"} 720\n"
	"# HELP xlb_list_hits_total Packets an allow or deny list entry "
	"matched.\n"
	"# TYPE xlb_list_hits_total counter\n"
	"xlb_list_hits_total{entry=\"3\"} 5\n"
	"# HELP xlb_list_bytes_total Bytes an allow or deny list entry "
	"matched.\n"
	"# TYPE xlb_list_bytes_total counter\n"
	"xlb_list_bytes_total{entry=\"3\"} 300\n"
	"# HELP xlb_vip_packets_total Packets the load balancer forwarded for "
	"a VIP.\n"
	"# TYPE xlb_vip_packets_total counter\n"
	"xlb_vip_packets_total{vip=\"198.18.0.10:80/tcp\"} 266\n"
	"# HELP xlb_vip_bytes_total Bytes the load balancer forwarded for a "
	"VIP.\n"
	"# TYPE xlb_vip_bytes_total counter\n"
	"xlb_vip_bytes_total{vip=\"198.18.0.10:80/tcp\"} 20956\n"
	"# HELP xlb_vip_new_flows_total Flows a VIP gave a backend from its "
	"ring.\n"
	"# TYPE xlb_vip_new_flows_total counter\n"
	"xlb_vip_new_flows_total{vip=\"198.18.0.10:80/tcp\"} 40\n"
	"# HELP xlb_vip_conn_hits_total Packets of a VIP whose flow was in a "
	"table.\n"
	"# TYPE xlb_vip_conn_hits_total counter\n"
	"# HELP xlb_vip_conn_misses_total Packets of a VIP whose flow was not "
	"in a table.\n"
	"# TYPE xlb_vip_conn_misses_total counter\n"
	"# HELP xlb_vip_nat_exhausted_total New flows of a VIP dropped for "
	"want of a free NAT port.\n"
	"# TYPE xlb_vip_nat_exhausted_total counter\n"
	"xlb_vip_nat_exhausted_total{vip=\"198.18.0.10:80/tcp\"} 2\n"
	"# HELP xlb_vip_active_flows Flows of a VIP in xlb_conns, not closed "
	"(at most one reaper pass old).\n"
	"# TYPE xlb_vip_active_flows gauge\n"
	"xlb_vip_active_flows{vip=\"198.18.0.10:80/tcp\"} 3\n"
	"# HELP xlb_vip_syn_flows TCP flows of a VIP that have sent only a "
	"SYN (xlb_syns).\n"
	"# TYPE xlb_vip_syn_flows gauge\n"
	"xlb_vip_syn_flows{vip=\"198.18.0.10:80/tcp\"} 1\n"
	"# HELP xlb_vip_nat_ports NAT ports a VIP's flows hold.\n"
	"# TYPE xlb_vip_nat_ports gauge\n"
	"xlb_vip_nat_ports{vip=\"198.18.0.10:80/tcp\"} 4\n"
	"# HELP xlb_vip_nat_ports_available NAT ports a VIP's backends offer "
	"(backends x snat addresses x 28232).\n"
	"# TYPE xlb_vip_nat_ports_available gauge\n"
	"xlb_vip_nat_ports_available{vip=\"198.18.0.10:80/tcp\"} 28232\n"
	"# HELP xlb_backend_packets_total Packets the load balancer forwarded "
	"to a backend.\n"
	"# TYPE xlb_backend_packets_total counter\n"
	"xlb_backend_packets_total{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 80\n"
	"# HELP xlb_backend_bytes_total Bytes the load balancer forwarded to a "
	"backend.\n"
	"# TYPE xlb_backend_bytes_total counter\n"
	"xlb_backend_bytes_total{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 6300\n"
	"# HELP xlb_backend_new_flows_total Flows given to a backend.\n"
	"# TYPE xlb_backend_new_flows_total counter\n"
	"xlb_backend_new_flows_total{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 40\n"
	"# HELP xlb_backend_active_conns Flows of a backend in xlb_conns, not "
	"closed (at most one reaper pass old).\n"
	"# TYPE xlb_backend_active_conns gauge\n"
	"xlb_backend_active_conns{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 3\n"
	"# HELP xlb_backend_syn_conns TCP flows to a backend that have sent "
	"only a SYN (xlb_syns).\n"
	"# TYPE xlb_backend_syn_conns gauge\n"
	"xlb_backend_syn_conns{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 1\n"
	"# HELP xlb_backend_nat_ports NAT ports the flows to a backend hold.\n"
	"# TYPE xlb_backend_nat_ports gauge\n"
	"xlb_backend_nat_ports{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 4\n"
	"# HELP xlb_lb_table_entries Live entries of a connection table (at "
	"most one reaper pass old).\n"
	"# TYPE xlb_lb_table_entries gauge\n"
	"xlb_lb_table_entries{table=\"conns\"} 3\n"
	"xlb_lb_table_entries{table=\"nat_ports\"} 4\n"
	"# HELP xlb_lb_table_size The entries a connection table can hold.\n"
	"# TYPE xlb_lb_table_size gauge\n"
	"xlb_lb_table_size{table=\"conns\"} 1048576\n"
	"xlb_lb_table_size{table=\"nat_ports\"} 65536\n"
	"# HELP xlb_lb_table_reaped_total Entries xlbd's reaper deleted from a "
	"connection table since xlbd started.\n"
	"# TYPE xlb_lb_table_reaped_total counter\n"
	"xlb_lb_table_reaped_total{table=\"conns\"} 7\n"
	"xlb_lb_table_reaped_total{table=\"nat_ports\"} 0\n"
	"# HELP xlb_backend_health_checks_ok_total Health checks of a backend "
	"that passed.\n"
	"# TYPE xlb_backend_health_checks_ok_total counter\n"
	"xlb_backend_health_checks_ok_total{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 2\n"
	"# HELP xlb_backend_health_checks_failed_total Health checks of a "
	"backend that failed.\n"
	"# TYPE xlb_backend_health_checks_failed_total counter\n"
	"xlb_backend_health_checks_failed_total{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 3\n"
	"# HELP xlb_backend_health_checks_not_run_total Health probes of a "
	"backend that xlbd could not make (out of descriptors, memory or "
	"source ports): neither passed nor failed.\n"
	"# TYPE xlb_backend_health_checks_not_run_total counter\n"
	"xlb_backend_health_checks_not_run_total{vip=\"198.18.0.10:80/tcp\","
	"backend=\"198.18.1.2\"} 1\n"
	"# HELP xlb_backend_up 1 unless the backend's health checks find it "
	"down.\n"
	"# TYPE xlb_backend_up gauge\n"
	"xlb_backend_up{vip=\"198.18.0.10:80/tcp\",backend=\"198.18.1.2\"} 0\n"
	"# HELP xlb_backend_weight A backend's weight (0: draining).\n"
	"# TYPE xlb_backend_weight gauge\n"
	"xlb_backend_weight{vip=\"198.18.0.10:80/tcp\",backend=\"198.18.1.2\"} "
	"2\n";

static void test_render_exact(void)
{
	char *out = render(small_stats, small_backends);

	if (!out)
		return;
	if (!check(!strcmp(out, small_text), "text differs"))
		fprintf(stderr, "got:\n%s", out);
	free(out);
}

/* Label values are escaped; a new VIP counter gets its own family; a
 * missing object renders its families empty; an unsigned 64-bit value
 * survives. */
static void test_render_edges(void)
{
	char *out = render(
		"{\"interfaces\":{\"a\\\"b\\\\c\\nd\":{\"hooks\":{\"xdp\":{"
		"\"verdicts\":{\"pass\":{\"packets\":-1,\"bytes\":2}}}}}},"
		"\"vips\":{\"v1\":{\"id\":1,\"packets\":1,\"odd key\":4},"
		"\"v2\":{\"id\":2,\"packets\":3}},"
		"\"backends\":{\"v1\":{\"b\":{\"id\":0,\"health\":{\"state\":"
		"\"unchecked\"},\"packets\":9}}}}",
		NULL);

	if (!out)
		return;
	check(strstr(out, "xlb_packets_total{ifname=\"a\\\"b\\\\c\\nd\","
			  "hook=\"xdp\",action=\"pass\"} "
			  "18446744073709551615\n"),
	      "escaped label, u64 value:\n%s", out);
	check(strstr(out, "# TYPE xlb_vip_odd_key_total counter\n"
			  "xlb_vip_odd_key_total{vip=\"v1\"} 4\n"),
	      "a new member is a family:\n%s", out);
	check(strstr(out, "xlb_vip_packets_total{vip=\"v1\"} 1\n"
			  "xlb_vip_packets_total{vip=\"v2\"} 3\n"),
	      "one family, every VIP");
	check(strstr(out, "# TYPE xlb_drops_total counter\n# HELP"),
	      "no drops object: the family without samples");
	check(strstr(out, "# TYPE xlb_backend_health_checks_ok_total counter\n"
			  "# HELP"),
	      "no checks: the family without samples");
	check(strstr(out, "xlb_backend_up{vip=\"v1\",backend=\"b\"} 1\n"),
	      "unchecked backend is up");
	check(!strstr(out, "xlb_backend_weight{"), "no weights without list");
	check(!strstr(out, "_id_total"), "ids are not counters");
	free(out);
}

/* Nothing counted yet: every family but the weights, without samples. */
static void test_render_empty(void)
{
	char *out = render("{}", NULL), *p;
	int types = 0, samples = 0;

	for (p = out; p && *p; p = strchr(p, '\n') + 1) {
		types += !strncmp(p, "# TYPE ", 7);
		samples += *p != '#';
	}
	check(types == 36 && samples == 2, "%d families, %d samples", types,
	      samples);
	free(out);
}

/* Each family's HELP and TYPE once, before all of its samples. */
static void test_render_families(void)
{
	char *out = render(small_stats, small_backends), *line, *save;
	char fam[48][64];
	int n = 0;

	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];

		if (sscanf(line, "# TYPE %63s", name) == 1) {
			for (int i = 0; i < n; i++)
				check(strcmp(fam[i], name), "%s twice", name);
			if (n < 48)
				snprintf(fam[n++], sizeof(fam[0]), "%s", name);
		} else if (line[0] != '#') {
			size_t l = strcspn(line, "{ ");

			check(n && strlen(fam[n - 1]) == l &&
				      !strncmp(line, fam[n - 1], l),
			      "sample outside its family: %s", line);
		}
	}
	check(n == 37, "%d families", n);
	free(out);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "listen address", test_addr },
		{ "request parser", test_request },
		{ "request size limit", test_request_size },
		{ "render: exact text", test_render_exact },
		{ "render: escaping and new counters", test_render_edges },
		{ "render: each family once", test_render_families },
		{ "render: nothing counted", test_render_empty },
	};

	harness_run_table(tests, ARRAY_SIZE(tests));
	return harness_done();
}
