// modules: health_check config show rates util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of health checks without sockets: the rise/fall state
 * machine and its counters (probes xlbd could not make apart), the strict reading of HTTP status lines, the
 * request an http check sends, the `health` group of a VIP in the config
 * file (defaults, every key, every error as "FILE:LINE: reason", the
 * files of ctl/tests/configs/), and the health column of `xlbctl backend
 * list`. Run from the repository root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "harness.h"
#include "health.h"
#include "lb_parse.h"
#include "show.h"
#include "util.h"

#define CONFIGS "ctl/tests/configs/"

static struct xlb_config conf;
static char err[XLB_CONFIG_ERRLEN];

/* Record results from a string: 'o' ok, 'x' failed; returns the steps
 * at which the state changed, as a string of their indexes' digits. */
static void run(struct health_state *s, const char *results, __u32 rise,
		__u32 fall, char *changes)
{
	size_t n = 0;

	for (size_t i = 0; results[i]; i++)
		if (health_record(s, results[i] == 'o',
				  results[i] == 'o' ? "connected" : "timeout",
				  rise, fall, 1000 + i))
			changes[n++] = '0' + i;
	changes[n] = '\0';
}

static void test_fall_rise(void)
{
	struct health_state s;
	char changes[16];

	health_state_init(&s, false, 5);
	check(!s.down && s.changed_ns == 5 && !s.result[0] &&
		      !strcmp(health_state_str(&s), "up"),
	      "starts up, no result");
	/* fall 3: two failures are not enough, a success resets them. */
	run(&s, "xxoxx", 2, 3, changes);
	check(!s.down && !strcmp(changes, ""), "xxoxx: %s, changes '%s'",
	      health_state_str(&s), changes);
	check(s.fail_run == 2 && s.ok_run == 0, "runs %u %u", s.ok_run,
	      s.fail_run);
	run(&s, "x", 2, 3, changes);
	check(s.down && !strcmp(changes, "0") && s.changed_ns == 1000,
	      "third failure in a row: down at 1000 (%llu)",
	      (unsigned long long)s.changed_ns);
	check(!strcmp(s.result, "timeout") &&
		      !strcmp(health_state_str(&s), "down"),
	      "result '%s'", s.result);
	/* rise 2: one success is not enough, a failure resets it. */
	run(&s, "oxoxxo", 2, 3, changes);
	check(s.down && !strcmp(changes, ""), "oxoxxo: still down");
	run(&s, "o", 2, 3, changes);
	check(!s.down && !strcmp(changes, "0"), "second success: up");
	check(s.checks_ok == 5 && s.checks_failed == 8,
	      "totals %llu ok, %llu failed", (unsigned long long)s.checks_ok,
	      (unsigned long long)s.checks_failed);
	check(!strcmp(s.result, "connected"), "result '%s'", s.result);
}

static void test_edges(void)
{
	struct health_state s;
	char changes[16];

	/* rise 1, fall 1: every change of result is a change of state. */
	health_state_init(&s, false, 0);
	run(&s, "xoxxoo", 1, 1, changes);
	check(!strcmp(changes, "0124") && !s.down, "rise 1 fall 1: '%s'",
	      changes);
	/* A backend down before a restart needs rise successes. */
	health_state_init(&s, true, 0);
	run(&s, "ooo", 3, 1, changes);
	check(!strcmp(changes, "2") && !s.down, "from down, rise 3: '%s'",
	      changes);
	/* Long runs keep counting past the threshold. */
	health_state_init(&s, false, 0);
	run(&s, "xxxxxxxx", 2, 2, changes);
	check(!strcmp(changes, "1") && s.fail_run == 8 && s.down,
	      "one change, run %u", s.fail_run);
	/* A long result is cut, terminated. */
	health_record(&s, false,
		      "connect: a reason far longer than the room a result "
		      "has, which is eighty characters in all",
		      2, 2, 0);
	check(strlen(s.result) == HEALTH_RESULT_LEN - 1, "cut to %zu",
	      strlen(s.result));
}

/* A probe xlbd could not make changes neither the state nor the runs. */
static void test_not_run(void)
{
	struct health_state s;
	char changes[16];

	health_state_init(&s, false, 0);
	run(&s, "x", 2, 2, changes);
	health_not_run(&s, "socket: Too many open files");
	health_not_run(&s, "socket: Too many open files");
	check(!s.down && s.fail_run == 1 && s.ok_run == 0,
	      "still up, one failure in the run: %u", s.fail_run);
	check(s.checks_not_run == 2 && s.checks_failed == 1 && !s.checks_ok,
	      "counted apart: %llu not run, %llu failed",
	      (unsigned long long)s.checks_not_run,
	      (unsigned long long)s.checks_failed);
	check(!strcmp(s.result, "not run: socket: Too many open files"),
	      "result '%s'", s.result);
	run(&s, "x", 2, 2, changes);
	check(s.down && !strcmp(changes, "0"),
	      "the next failure is the second in a row: down");
}

static const struct {
	const char *in;
	int ret;
	unsigned int status;
} lines[] = {
	{ "HTTP/1.0 200 OK\r\n", 0, 200 },
	{ "HTTP/1.1 204 No Content\r\n", 0, 204 },
	{ "HTTP/1.1 503\r\n", 0, 503 },
	{ "HTTP/1.1 404\n", 0, 404 },
	{ "HTTP/1.1 599 x", 0, 599 },
	{ "HTTP/1.1 100 Continue", 0, 100 },
	{ "", -EAGAIN, 0 },
	{ "HTTP/1.", -EAGAIN, 0 },
	{ "HTTP/1.1 20", -EAGAIN, 0 },
	{ "HTTP/1.1 200", -EAGAIN, 0 },
	{ "HTTP/2 200 OK\r\n", -EPROTO, 0 },
	{ "HTTP/1.1 2000 OK\r\n", -EPROTO, 0 },
	{ "HTTP/1.1 20 OK\r\n", -EPROTO, 0 },
	{ "HTTP/1.1 099 OK\r\n", -EPROTO, 0 },
	{ "HTTP/1.1 600 OK\r\n", -EPROTO, 0 },
	{ "HTTP/1.1  200 OK\r\n", -EPROTO, 0 },
	{ "HTTP/1.1 2a0 OK\r\n", -EPROTO, 0 },
	{ "HTTP/1.x 200 OK\r\n", -EPROTO, 0 },
	{ "http/1.1 200 OK\r\n", -EPROTO, 0 },
	{ "HTTP/1.1\t200 OK\r\n", -EPROTO, 0 },
	{ "ICY 200 OK\r\n", -EPROTO, 0 },
	{ "SSH-2.0-OpenSSH", -EPROTO, 0 },
	{ "H", -EAGAIN, 0 },
	{ "X", -EPROTO, 0 },
};

static void test_status_line(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		unsigned int status = 0;
		int ret = health_parse_status(lines[i].in, strlen(lines[i].in),
					      &status);

		check(ret == lines[i].ret && (ret || status == lines[i].status),
		      "'%s': ret %d status %u, want %d %u", lines[i].in, ret,
		      status, lines[i].ret, lines[i].status);
	}
}

/* A line read in pieces is judged once it can be, not before. */
static void test_status_pieces(void)
{
	const char *line = "HTTP/1.1 503 Service Unavailable\r\n";
	unsigned int status = 0;
	size_t len;
	int ret = -EAGAIN;

	for (len = 0; ret == -EAGAIN && len <= strlen(line); len++)
		ret = health_parse_status(line, len, &status);
	check(ret == 0 && status == 503 && len == 14,
	      "judged at %zu bytes: %d %u", len, ret, status);
}

static void test_request(void)
{
	struct xlb_addr a;
	char buf[512], msg[128];
	int n;

	xlb_parse_addr("198.18.1.2", &a, msg, sizeof(msg));
	n = health_http_request(buf, sizeof(buf), "/healthz", &a);
	check(n == (int)strlen(buf) &&
		      !strcmp(buf, "GET /healthz HTTP/1.0\r\n"
				   "Host: 198.18.1.2\r\n"
				   "Connection: close\r\n"
				   "User-Agent: xlb-health\r\n\r\n"),
	      "v4: %d '%s'", n, buf);
	xlb_parse_addr("2001:db8:1::2", &a, msg, sizeof(msg));
	n = health_http_request(buf, sizeof(buf), "/", &a);
	check(n > 0 && !strncmp(buf,
				"GET / HTTP/1.0\r\nHost: [2001:db8:1::2]\r\n",
				39),
	      "v6: '%s'", buf);
	n = health_http_request(buf, 40, "/", &a);
	check(n == -ENOSPC, "short buffer: %d", n);
}

static void test_config_good(void)
{
	const struct xlb_health_conf *h;
	int ret = xlb_config_load(CONFIGS "good-health.conf", &conf, err,
				  sizeof(err));

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	if (!check(conf.n_vips == 4, "%zu VIPs", conf.n_vips))
		goto out;
	h = &conf.vips[0].health;
	check(h->type == XLB_HEALTH_HTTP && h->port == 8080 &&
		      !strcmp(h->path, "/healthz?full=1") && h->status == 204 &&
		      h->interval_ms == 500 && h->timeout_ms == 200 &&
		      h->rise == 1 && h->fall == 5 && h->line == 7,
	      "every key: type %d port %u path %s status %u %u/%u ms "
	      "rise %u fall %u line %d",
	      h->type, h->port, h->path, h->status, h->interval_ms,
	      h->timeout_ms, h->rise, h->fall, h->line);
	h = &conf.vips[1].health;
	check(h->type == XLB_HEALTH_TCP && h->port == 0 &&
		      !strcmp(h->path, "/") && h->status == 200 &&
		      h->interval_ms == 2000 && h->timeout_ms == 1000 &&
		      h->rise == 2 && h->fall == 3,
	      "defaults: type %d port %u %u/%u ms rise %u fall %u", h->type,
	      h->port, h->interval_ms, h->timeout_ms, h->rise, h->fall);
	h = &conf.vips[2].health;
	check(h->type == XLB_HEALTH_TCP && h->port == 53 &&
		      h->interval_ms == 300 && h->timeout_ms == 300,
	      "every port: port %u, timeout %u (the interval, under 1s)",
	      h->port, h->timeout_ms);
	check(conf.vips[3].health.type == XLB_HEALTH_NONE, "no health group");
	check(!strcmp(xlb_health_type_str(XLB_HEALTH_HTTP), "http") &&
		      !strcmp(xlb_health_type_str(XLB_HEALTH_NONE), "none"),
	      "type names");
out:
	xlb_config_free(&conf);
}

/* The annotated example. */
static void test_example(void)
{
	const struct xlb_health_conf *h;
	int ret = xlb_config_load("configs/lb-health.conf", &conf, err,
				  sizeof(err));

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	if (!check(conf.n_vips == 2, "%zu VIPs", conf.n_vips))
		goto out;
	h = &conf.vips[0].health;
	check(h->type == XLB_HEALTH_HTTP && !strcmp(h->path, "/healthz") &&
		      h->interval_ms == 2000 && h->timeout_ms == 1000 &&
		      h->rise == 2 && h->fall == 3,
	      "http check");
	h = &conf.vips[1].health;
	check(h->type == XLB_HEALTH_TCP && h->port == 53 &&
		      h->interval_ms == 5000 && h->timeout_ms == 1000,
	      "tcp check on port 53");
out:
	xlb_config_free(&conf);
}

#define IF "interfaces = ( { name = \"v\"; lb = true; } );\n"
#define VIP "vips = ( { address = \"198.18.0.10\"; port = 80; proto = \"tcp\"; "
#define HEALTH(body) IF VIP "health = " body "; } );"

/* Durations: the forms taken and the milliseconds they make. */
static const struct {
	const char *in;
	__u32 ms;
} durations[] = {
	{ "2s", 2000 },	    { "0.5s", 500 },	  { ".25s", 250 },
	{ "100ms", 100 },   { "3600s", 3600000 }, { "1.0005s", 1001 },
	{ "150.4ms", 150 }, { "0.1s", 100 },
};

static void test_durations(void)
{
	char text[256];

	for (size_t i = 0; i < ARRAY_SIZE(durations); i++) {
		snprintf(text, sizeof(text),
			 HEALTH("{ interval = \"%s\"; timeout = \"10ms\"; }"),
			 durations[i].in);
		if (!check(!xlb_config_parse("inline.conf", text, &conf, err,
					     sizeof(err)),
			   "'%s': %s", durations[i].in, err))
			continue;
		check(conf.vips[0].health.interval_ms == durations[i].ms,
		      "'%s': %u ms, want %u", durations[i].in,
		      conf.vips[0].health.interval_ms, durations[i].ms);
		xlb_config_free(&conf);
	}
}

static const struct {
	const char *text, *msg;
} bad_texts[] = {
	{ HEALTH("1"), "inline.conf:2: health: expected a group { ... }" },
	{ HEALTH("{ type = \"icmp\"; }"),
	  "inline.conf:2: type: expected \"tcp\" or \"http\", got \"icmp\"" },
	{ HEALTH("{ type = 1; }"), "inline.conf:2: type: expected a string" },
	{ HEALTH("{ port = 0; }"), "inline.conf:2: port: must be 1..65535" },
	{ HEALTH("{ port = 65536; }"),
	  "inline.conf:2: port: must be 1..65535" },
	{ HEALTH("{ port = \"80\"; }"),
	  "inline.conf:2: port: expected an integer" },
	{ HEALTH("{ type = \"http\"; status = 99; }"),
	  "inline.conf:2: status: must be 100..599" },
	{ HEALTH("{ type = \"http\"; status = 600; }"),
	  "inline.conf:2: status: must be 100..599" },
	{ HEALTH("{ type = \"http\"; path = \"healthz\"; }"),
	  "inline.conf:2: path: must start with '/'" },
	{ HEALTH("{ type = \"http\"; path = \"/a b\"; }"),
	  "inline.conf:2: path: only visible ASCII characters, no spaces "
	  "(escape them as %20)" },
	{ HEALTH("{ type = \"http\"; path = \"/a\\nb\"; }"),
	  "inline.conf:2: path: only visible ASCII characters, no spaces "
	  "(escape them as %20)" },
	{ HEALTH("{ status = 200; }"),
	  "inline.conf:2: status: only for type \"http\"" },
	{ HEALTH("{ path = \"/\"; type = \"http\"; }"), NULL },
	{ HEALTH("{ interval = 2; }"),
	  "inline.conf:2: interval: expected a string" },
	{ HEALTH("{ interval = \"2\"; }"),
	  "inline.conf:2: interval: expected a duration as \"2s\", \"0.5s\" "
	  "or \"500ms\", got \"2\"" },
	{ HEALTH("{ interval = \"-1s\"; }"),
	  "inline.conf:2: interval: expected a duration as \"2s\", \"0.5s\" "
	  "or \"500ms\", got \"-1s\"" },
	{ HEALTH("{ interval = \"1e3s\"; }"),
	  "inline.conf:2: interval: expected a duration as \"2s\", \"0.5s\" "
	  "or \"500ms\", got \"1e3s\"" },
	{ HEALTH("{ interval = \"1.2.3s\"; }"),
	  "inline.conf:2: interval: expected a duration as \"2s\", \"0.5s\" "
	  "or \"500ms\", got \"1.2.3s\"" },
	{ HEALTH("{ interval = \"2 s\"; }"),
	  "inline.conf:2: interval: expected a duration as \"2s\", \"0.5s\" "
	  "or \"500ms\", got \"2 s\"" },
	{ HEALTH("{ interval = \"2m\"; }"),
	  "inline.conf:2: interval: expected a duration as \"2s\", \"0.5s\" "
	  "or \"500ms\", got \"2m\"" },
	{ HEALTH("{ interval = \"ms\"; }"),
	  "inline.conf:2: interval: expected a duration as \"2s\", \"0.5s\" "
	  "or \"500ms\", got \"ms\"" },
	{ HEALTH("{ interval = \"99ms\"; }"),
	  "inline.conf:2: interval: must be 100ms..3600s" },
	{ HEALTH("{ interval = \"3601s\"; }"),
	  "inline.conf:2: interval: must be 100ms..3600s" },
	{ HEALTH("{ interval = \"99999999999999999999999999999999s\"; }"),
	  "inline.conf:2: interval: must be 100ms..3600s" },
	{ HEALTH("{ timeout = \"9ms\"; }"),
	  "inline.conf:2: timeout: must be 10ms..3600s" },
	{ HEALTH("{ interval = \"1s\"; timeout = \"2s\"; }"),
	  "inline.conf:2: timeout: must not be longer than the interval "
	  "(1000ms)" },
	{ HEALTH("{ rise = 0; }"), "inline.conf:2: rise: must be 1..100" },
	{ HEALTH("{ fall = 101; }"), "inline.conf:2: fall: must be 1..100" },
	{ HEALTH("{ fall = true; }"),
	  "inline.conf:2: fall: expected an integer" },
	{ HEALTH("{ retries = 3; }"),
	  "inline.conf:2: unknown health key 'retries' (known: type, port, "
	  "path, status, interval, timeout, rise, fall)" },
	{ IF "vips = ( { address = \"198.18.0.10\"; proto = \"tcp\";\n"
	     " health = { }; } );",
	  "inline.conf:3: health: a VIP of every port needs a health port" },
	{ IF "vips = ( { address = \"198.18.0.10\"; proto = \"tcp\";\n"
	     " health = { port = 80; }; } );",
	  NULL },
};

static void test_config_bad(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_texts); i++) {
		int ret = xlb_config_parse("inline.conf", bad_texts[i].text,
					   &conf, err, sizeof(err));

		if (!bad_texts[i].msg) {
			check(ret == 0, "case %zu: %s", i, err);
			xlb_config_free(&conf);
			continue;
		}
		check(ret == -EINVAL, "case %zu: ret %d", i, ret);
		check(!strcmp(err, bad_texts[i].msg),
		      "case %zu: got  '%s'\n    want '%s'", i, err,
		      bad_texts[i].msg);
		check(conf.n_vips == 0, "case %zu: nothing kept", i);
	}
}

/* The files of the corpus, each refused with its exact message. */
static const struct {
	const char *file, *msg;
} bad_files[] = {
	{ "bad-health-type.conf",
	  "bad-health-type.conf:6: type: expected \"tcp\" or \"http\", got "
	  "\"udp\"" },
	{ "bad-health-duration.conf",
	  "bad-health-duration.conf:8: interval: expected a duration as "
	  "\"2s\", \"0.5s\" or \"500ms\", got \"2\"" },
	{ "bad-health-timeout.conf",
	  "bad-health-timeout.conf:7: timeout: must not be longer than the "
	  "interval (1000ms)" },
	{ "bad-health-path-tcp.conf",
	  "bad-health-path-tcp.conf:7: path: only for type \"http\"" },
	{ "bad-health-all-ports.conf",
	  "bad-health-all-ports.conf:7: health: a VIP of every port needs a "
	  "health port" },
	{ "bad-health-key.conf",
	  "bad-health-key.conf:6: unknown health key 'retries' (known: type, "
	  "port, path, status, interval, timeout, rise, fall)" },
};

static void test_config_files(void)
{
	char path[256], want[512];

	for (size_t i = 0; i < ARRAY_SIZE(bad_files); i++) {
		int ret;

		snprintf(path, sizeof(path), CONFIGS "%s", bad_files[i].file);
		snprintf(want, sizeof(want), CONFIGS "%s", bad_files[i].msg);
		ret = xlb_config_load(path, &conf, err, sizeof(err));
		check(ret == -EINVAL, "%s: ret %d", bad_files[i].file, ret);
		check(!strcmp(err, want), "got  '%s'\n    want '%s'", err,
		      want);
	}
}

/* Render a JSON reply with fn, as xlbctl prints it. */
static char *render(int (*fn)(FILE *, json_t *, const char **),
		    const char *text, int *ret)
{
	json_t *data = json_loads(text, 0, NULL);
	const char *why = NULL;
	size_t len = 0;
	char *out = NULL;
	FILE *f = open_memstream(&out, &len);

	*ret = fn(f, data, &why);
	fclose(f);
	json_decref(data);
	return out;
}

static void test_show(void)
{
	const char *checked =
		"{\"backends\":[{\"vip\":\"198.18.0.10:80/tcp\","
		"\"address\":\"198.18.1.2\",\"id\":0,\"weight\":1,"
		"\"state\":\"active\",\"mac\":\"7e:d2:67:e6:8a:39\","
		"\"ifname\":\"veth-back\",\"health\":{\"state\":\"up\","
		"\"result\":\"http status 200\",\"checks_ok\":9,"
		"\"checks_failed\":0,\"since_s\":4.5},"
		"\"conns\":{\"active\":2,\"syn\":0,\"new_per_s\":0.5},"
		"\"packets\":21,\"bytes\":1641},"
		"{\"vip\":\"198.18.0.10:80/tcp\",\"address\":\"198.18.1.3\","
		"\"id\":1,\"weight\":1,\"state\":\"down\","
		"\"mac\":\"7e:d2:67:e6:8a:3a\",\"ifname\":\"veth-back\","
		"\"health\":{\"state\":\"down\",\"result\":\"connect: "
		"Connection refused\",\"checks_ok\":3,\"checks_failed\":4,"
		"\"since_s\":1.5},\"conns\":{\"active\":0,\"syn\":0,"
		"\"new_per_s\":0.0},\"packets\":5,\"bytes\":300}]}";
	const char *unchecked =
		"{\"backends\":[{\"vip\":\"198.18.0.10:80/tcp\","
		"\"address\":\"198.18.1.2\",\"id\":0,\"weight\":1,"
		"\"state\":\"active\",\"mac\":\"7e:d2:67:e6:8a:39\","
		"\"ifname\":\"veth-back\",\"health\":{\"state\":"
		"\"unchecked\"},\"conns\":{\"active\":2,\"syn\":0,"
		"\"new_per_s\":12.0},\"packets\":21,\"bytes\":1641}]}";
	int ret;
	char *out = render(show_backends, checked, &ret);

	check(ret == 0 &&
		      !strcmp(out,
			      "vip                 backend     weight  state   "
			      "health  conns  new/s  nat ports  mac            "
			      "    interface  packets  bytes\n"
			      "198.18.0.10:80/tcp  198.18.1.2       1  active  "
			      "up          2    0.5          -  7e:d2:67:e6:8a:"
			      "39  veth-back       21   1641\n"
			      "198.18.0.10:80/tcp  198.18.1.3       1  down    "
			      "down        0    0.0          -  7e:d2:67:e6:8a:"
			      "3a  veth-back        5    300\n"
			      "198.18.0.10:80/tcp 198.18.1.3: health check "
			      "failed: connect: Connection refused\n"),
	      "checked:\n%s", out);
	free(out);
	out = render(show_backends, unchecked, &ret);
	check(ret == 0 &&
		      !strcmp(out,
			      "vip                 backend     weight  state   "
			      "conns  new/s  nat ports  mac                "
			      "interface  packets  bytes\n"
			      "198.18.0.10:80/tcp  198.18.1.2       1  active  "
			      "    2     12          -  7e:d2:67:e6:8a:39  "
			      "veth-back       21   1641\n"),
	      "unchecked: no health column:\n%s", out);
	free(out);
}

int main(void)
{
	harness_run("state machine: fall, rise, counters", test_fall_rise);
	harness_run("state machine: edges", test_edges);
	harness_run("state machine: probes not run", test_not_run);
	harness_run("status line: forms", test_status_line);
	harness_run("status line: in pieces", test_status_pieces);
	harness_run("http request", test_request);
	harness_run("config: good file", test_config_good);
	harness_run("configs/lb-health.conf", test_example);
	harness_run("config: durations", test_durations);
	harness_run("config: errors", test_config_bad);
	harness_run("config: bad files", test_config_files);
	harness_run("backend list: health column", test_show);
	return harness_done();
}
