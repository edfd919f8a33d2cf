// modules: monitor_text monitor_event stats maps util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the packet monitor's conversions: xlbctl monitor's
 * arguments into the request (and each usage error's message), xlbd's
 * event into its JSON line (exact text), and the JSON lines back into
 * text lines, pcap times and captured bytes, malformed ones refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "harness.h"
#include "monitor_event.h"
#include "monitor_text.h"
#include "util.h"

#define MAX_WORDS 16
#define NSEC_PER_SEC 1000000000ll
/* 2023-11-14 22:13:20 UTC, as CLOCK_REALTIME - CLOCK_MONOTONIC. */
#define EPOCH_OFFSET (1700000000ll * NSEC_PER_SEC - 5 * NSEC_PER_SEC)

/* Parse "monitor ARGS" (split on spaces, "" for an empty word); the
 * words stay until the next call, as a->write may point into them. */
static int parse(const char *line, struct monitor_args *a, char *err,
		 size_t errlen)
{
	static char buf[MONITOR_LINE_MAX];
	char *argv[MAX_WORDS], *s, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (s = strtok_r(buf, " ", &save); s && argc < MAX_WORDS;
	     s = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(s, "\"\"") ? s : "";
	return monitor_parse(argc, argv, a, err, errlen);
}

static void test_parse_good(void)
{
	static const struct {
		const char *line, *req;
		unsigned long long count;
		const char *write;
	} cases[] = {
		{ "", "{\"cmd\":\"monitor\",\"mode\":\"drops\"}", 0, NULL },
		{ "drops count 100 write /tmp/x.pcap",
		  "{\"cmd\":\"monitor\",\"mode\":\"drops\"}", 100,
		  "/tmp/x.pcap" },
		{ "all", "{\"cmd\":\"monitor\",\"mode\":\"all\",\"sample\":1}",
		  0, NULL },
		{ "count 5 all sample 1000000000",
		  "{\"cmd\":\"monitor\",\"mode\":\"all\",\"sample\":1000000000}",
		  5, NULL },
		{ "count 18446744073709551615",
		  "{\"cmd\":\"monitor\",\"mode\":\"drops\"}",
		  18446744073709551615ull, NULL },
	};
	char err[MONITOR_ERRLEN], *req;
	struct monitor_args a;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!check(!parse(cases[i].line, &a, err, sizeof(err)),
			   "'%s': %s", cases[i].line, err))
			continue;
		req = json_dumps(a.req, JSON_COMPACT);
		check(req && !strcmp(req, cases[i].req), "'%s': %s",
		      cases[i].line, req);
		check(a.count == cases[i].count, "'%s': count %llu",
		      cases[i].line, (unsigned long long)a.count);
		check(cases[i].write ?
			      a.write && !strcmp(a.write, cases[i].write) :
			      !a.write,
		      "'%s': write", cases[i].line);
		free(req);
		json_decref(a.req);
	}
}

static void test_parse_bad(void)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "drop", "unknown argument 'drop' for 'monitor'" },
		{ "drops all", "'all': drops or all, given once" },
		{ "sample 2", "'sample' goes with 'all'" },
		{ "drops sample 2", "'sample' goes with 'all'" },
		{ "all sample 0",
		  "sample '0' is not a whole number from 1 to 1000000000" },
		{ "all sample 1000000001",
		  "sample '1000000001' is not a whole number from 1 to 1000000000" },
		{ "all sample", "'sample' needs a value" },
		{ "count 0",
		  "count '0' is not a whole number from 1 to 18446744073709551615" },
		{ "count -1",
		  "count '-1' is not a whole number from 1 to 18446744073709551615" },
		{ "count 1 count 2", "'count' given twice" },
		{ "write", "'write' needs a value" },
		{ "write \"\"", "'write' needs a file name" },
		{ "write a write b", "'write' given twice" },
		{ "-j", "unknown argument '-j' for 'monitor'" },
	};
	char err[MONITOR_ERRLEN];
	struct monitor_args a;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		check(parse(cases[i].line, &a, err, sizeof(err)) == -EINVAL,
		      "'%s' accepted", cases[i].line);
		check(!strcmp(err, cases[i].msg), "'%s': '%s', want '%s'",
		      cases[i].line, err, cases[i].msg);
	}
}

/* A dropped IPv4 UDP datagram's event, 8 bytes captured. */
static struct xlb_mon_event udp4_event(void)
{
	struct xlb_mon_event e = {
		.ts_ns = 5 * NSEC_PER_SEC + 123456789, /* .123456 after */
		.ifindex = 2,
		.len = 74,
		.hook = XLB_HOOK_XDP,
		.verdict = XLB_VERDICT_DROP,
		.reason = XLB_REASON_FILTER_RULE,
		.pclass = XLB_PCLASS_IPV4_UDP,
		.proto = IPPROTO_UDP,
		.family = XLB_FAMILY_V4,
		.cap_len = 8,
		.sport = htons(40000),
		.dport = htons(9999),
		.vip = XLB_MON_NONE,
		.backend = XLB_MON_NONE,
		.data = { 0x02, 0, 0, 0, 0, 0x02, 0xab, 0xff },
	};

	inet_pton(AF_INET, "198.18.0.2", e.saddr);
	inet_pton(AF_INET, "198.18.0.1", e.daddr);
	return e;
}

/* A forwarded IPv6 TCP segment of a VIP, seen at tc, no bytes. */
static struct xlb_mon_event tcp6_event(void)
{
	struct xlb_mon_event e = {
		.ts_ns = 6 * NSEC_PER_SEC,
		.ifindex = 3,
		.len = 94,
		.hook = XLB_HOOK_TC_EGRESS,
		.verdict = XLB_VERDICT_PASS,
		.reason = XLB_MON_NO_REASON,
		.pclass = XLB_PCLASS_IPV6_TCP,
		.proto = IPPROTO_TCP,
		.family = XLB_FAMILY_V6,
		.sport = htons(443),
		.dport = htons(50000),
		.vip = 4,
		.backend = 17,
	};

	inet_pton(AF_INET6, "2001:db8::10", e.saddr);
	inet_pton(AF_INET6, "2001:db8:1::2", e.daddr);
	return e;
}

/* Names for the events above: an interface's; a VIP's and backend's. */
static const struct mon_names named = { .ifname = "ml-c",
					.real_offset_ns = EPOCH_OFFSET };
static const struct mon_names with_lb = { .vip = "[2001:db8::10]:443/tcp",
					  .backend = "[2001:db8:1::2]:8443",
					  .real_offset_ns = EPOCH_OFFSET };

static char *event_text(const struct xlb_mon_event *e,
			const struct mon_names *n)
{
	json_t *o = mon_event_json(e, n);
	char *s = o ? json_dumps(o, MON_JSON_FLAGS) : NULL;

	json_decref(o);
	return s;
}

static void test_event_json(void)
{
	struct xlb_mon_event e = udp4_event(), f = tcp6_event();
	char *s = event_text(&e, &named);
	json_t *lost;

	check(s && !strcmp(s, "{\"type\":\"packet\",\"time\":1700000000.123456,"
			      "\"hook\":\"xdp\",\"ifindex\":2,\"verdict\":"
			      "\"drop\",\"reason\":\"filter_rule\",\"class\":"
			      "\"ipv4_udp\",\"len\":74,\"caplen\":8,\"data\":"
			      "\"020000000002abff\",\"ifname\":\"ml-c\","
			      "\"family\":\"ipv4\",\"proto\":\"udp\",\"src\":"
			      "\"198.18.0.2\",\"dst\":\"198.18.0.1\",\"sport\":"
			      "40000,\"dport\":9999}"),
	      "udp4: %s", s);
	free(s);
	s = event_text(&f, &with_lb);
	check(s && !strcmp(s,
			   "{\"type\":\"packet\",\"time\":1700000001.0,"
			   "\"hook\":\"tc_egress\",\"ifindex\":3,\"verdict\":"
			   "\"pass\",\"reason\":\"none\",\"class\":"
			   "\"ipv6_tcp\",\"len\":94,\"caplen\":0,\"data\":"
			   "\"\",\"family\":\"ipv6\",\"proto\":\"tcp\","
			   "\"src\":\"2001:db8::10\",\"dst\":"
			   "\"2001:db8:1::2\",\"sport\":443,\"dport\":50000,"
			   "\"vip\":\"[2001:db8::10]:443/tcp\",\"vip_id\":4,"
			   "\"backend\":\"[2001:db8:1::2]:8443\","
			   "\"backend_id\":17}"),
	      "tcp6: %s", s);
	free(s);
	/* Ids the data plane did not fill hide names; ARP has no flow. */
	e.vip = e.backend = XLB_MON_NONE;
	e.pclass = XLB_PCLASS_ARP;
	e.cap_len = XLB_MON_SNAPLEN + 1;
	e.reason = XLB_REASON_MAX;
	s = event_text(&e, &with_lb);
	check(s && !strstr(s, "vip") && !strstr(s, "src") &&
		      !strstr(s, "ifname") && strstr(s, "\"class\":\"arp\"") &&
		      strstr(s, "\"caplen\":128") &&
		      strstr(s, "\"reason\":\"unknown\""),
	      "arp: %s", s);
	free(s);
	lost = mon_lost_json(12, MON_LOST_KERNEL);
	s = lost ? json_dumps(lost, JSON_COMPACT) : NULL;
	check(s && !strcmp(s, "{\"type\":\"lost\",\"events\":12,\"where\":"
			      "\"kernel\"}"),
	      "lost: %s", s);
	free(s);
	json_decref(lost);
}

/* The text of the line an event makes. */
static int line_text(const struct xlb_mon_event *e, const struct mon_names *n,
		     char *buf, size_t len)
{
	json_t *o = mon_event_json(e, n);
	int ret = monitor_text(o, buf, len);

	json_decref(o);
	return ret;
}

static void test_text(void)
{
	struct xlb_mon_event e = udp4_event(), f = tcp6_event();
	char buf[MONITOR_LINE_MAX] = "";
	json_t *lost;

	setenv("TZ", "UTC", 1);
	tzset();
	check(!line_text(&e, &named, buf, sizeof(buf)) &&
		      !strcmp(buf, "22:13:20.123456 xdp ml-c drop filter_rule "
				   "udp 198.18.0.2:40000 > 198.18.0.1:9999 "
				   "len 74"),
	      "udp4: %s", buf);
	check(!line_text(&f, &with_lb, buf, sizeof(buf)) &&
		      !strcmp(buf, "22:13:21.000000 tc_egress if3 pass - tcp "
				   "[2001:db8::10]:443 > [2001:db8:1::2]:50000 "
				   "vip [2001:db8::10]:443/tcp backend "
				   "[2001:db8:1::2]:8443 len 94"),
	      "tcp6: %s", buf);
	e.pclass = XLB_PCLASS_IPV4_ICMP;
	e.proto = IPPROTO_ICMP;
	check(!line_text(&e, &named, buf, sizeof(buf)) &&
		      strstr(buf, " icmp 198.18.0.2 > 198.18.0.1 len 74"),
	      "icmp: %s", buf);
	e.pclass = XLB_PCLASS_OTHER;
	check(!line_text(&e, &named, buf, sizeof(buf)) &&
		      strstr(buf, " drop filter_rule other len 74"),
	      "other: %s", buf);
	lost = mon_lost_json(3, MON_LOST_XLBD);
	check(lost && !monitor_text(lost, buf, sizeof(buf)) &&
		      !strcmp(buf, "lost 3 events in xlbd (this client read "
				   "too slowly)"),
	      "lost: %s", buf);
	json_decref(lost);
}

static void test_malformed(void)
{
	static const char *const lines[] = {
		"{}",
		"{\"type\":\"nope\"}",
		"{\"type\":\"lost\",\"events\":\"3\",\"where\":\"xlbd\"}",
		"{\"type\":\"packet\",\"hook\":\"xdp\",\"verdict\":\"drop\","
		"\"reason\":\"none\",\"len\":60,\"class\":\"arp\"}",
		"{\"type\":\"packet\",\"time\":-1,\"hook\":\"xdp\",\"verdict\":"
		"\"drop\",\"reason\":\"none\",\"len\":60,\"class\":\"arp\"}",
		"{\"type\":\"packet\",\"time\":1,\"hook\":\"xdp\",\"verdict\":"
		"\"drop\",\"reason\":\"none\",\"len\":60,\"family\":\"ipv4\"}",
	};
	char buf[MONITOR_LINE_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		json_t *o = json_loads(lines[i], 0, NULL);

		check(monitor_text(o, buf, sizeof(buf)) == -EPROTO,
		      "accepted: %s", lines[i]);
		json_decref(o);
	}
}

static void test_pcap_fields(void)
{
	static const struct {
		const char *time;
		long sec, usec;
	} times[] = {
		{ "1700000000.123456", 1700000000, 123456 },
		{ "1700000000.999999", 1700000000, 999999 },
		{ "1700000000.0", 1700000000, 0 },
		{ "1700000000.0000004", 1700000000, 0 },
		{ "1700000000.9999996", 1700000001, 0 },
	};
	static const char *const bad_data[] = { "abc", "0g", "AB", "00112233" };
	struct xlb_mon_event e = udp4_event();
	json_t *o = mon_event_json(&e, &(struct mon_names){ 0 });
	uint8_t bytes[XLB_MON_SNAPLEN];
	struct timeval tv;
	uint32_t orig = 0;
	char line[128];

	check(monitor_bytes(o, bytes, sizeof(bytes), &orig) == 8 &&
		      orig == 74 && !memcmp(bytes, e.data, 8),
	      "bytes");
	check(monitor_bytes(o, bytes, 4, &orig) == -EPROTO, "over cap");
	json_object_set_new(o, "len", json_integer(3));
	check(monitor_bytes(o, bytes, sizeof(bytes), &orig) == -EPROTO,
	      "more bytes than the packet had");
	json_object_set_new(o, "len", json_integer(74));
	for (size_t i = 0; i < ARRAY_SIZE(bad_data); i++) {
		json_object_set_new(o, "data", json_string(bad_data[i]));
		check(monitor_bytes(o, bytes, 2, &orig) == -EPROTO, "data %s",
		      bad_data[i]);
	}
	json_decref(o);
	for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
		snprintf(line, sizeof(line), "{\"time\":%s}", times[i].time);
		o = json_loads(line, 0, NULL);
		check(!monitor_time(o, &tv) && tv.tv_sec == times[i].sec &&
			      tv.tv_usec == times[i].usec,
		      "%s: %ld.%06ld", times[i].time, (long)tv.tv_sec,
		      (long)tv.tv_usec);
		json_decref(o);
	}
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "monitor: arguments", test_parse_good },
		{ "monitor: usage errors", test_parse_bad },
		{ "monitor: event to JSON", test_event_json },
		{ "monitor: JSON to text", test_text },
		{ "monitor: malformed lines", test_malformed },
		{ "monitor: pcap time and bytes", test_pcap_fields },
	};

	harness_run_table(tests, ARRAY_SIZE(tests));
	return harness_done();
}
