// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl monitor's arguments and lines: the keyword arguments parsed
 * strictly into the monitor request, and each JSON line of xlbd's stream
 * read back into a line of text, or into the time and bytes of a pcap
 * record. A line missing what its kind needs is a protocol error, never
 * printed half.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "monitor_text.h"
#include "util.h"

#define USEC_PER_SEC 1000000
#define COUNT_MAX UINT64_MAX

/* Which keywords were seen, so that none is given twice. */
struct seen {
	bool mode, sample, count, write;
};

/* The value of the keyword at argv[*i], which must not repeat. */
static const char *value_of(int argc, char **argv, int *i, bool *given,
			    char *err, size_t errlen)
{
	if (*given) {
		errf(err, errlen, "'%s' given twice", argv[*i]);
		return NULL;
	}
	if (*i + 1 >= argc) {
		errf(err, errlen, "'%s' needs a value", argv[*i]);
		return NULL;
	}
	*given = true;
	return argv[++*i];
}

/* "sample N" or "count N" at argv[*i], N from 1 to max. */
static int parse_number(int argc, char **argv, int *i, bool *given,
			uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	const char *word = argv[*i];
	const char *v = value_of(argc, argv, i, given, err, errlen);

	if (!v)
		return -EINVAL;
	if (parse_u64(v, 1, max, out))
		return errf(err, errlen,
			    "%s '%s' is not a whole number from 1 to %llu",
			    word, v, (unsigned long long)max);
	return 0;
}

/* One keyword at argv[*i] (and its value). */
static int parse_word(int argc, char **argv, int *i, struct seen *s,
		      struct monitor_args *a, bool *all, uint64_t *sample,
		      char *err, size_t errlen)
{
	const char *w = argv[*i];

	if (!strcmp(w, "drops") || !strcmp(w, "all")) {
		if (s->mode)
			return errf(err, errlen,
				    "'%s': drops or all, given once", w);
		s->mode = true;
		*all = !strcmp(w, "all");
		return 0;
	}
	if (!strcmp(w, "sample"))
		return parse_number(argc, argv, i, &s->sample, MON_SAMPLE_MAX,
				    sample, err, errlen);
	if (!strcmp(w, "count"))
		return parse_number(argc, argv, i, &s->count, COUNT_MAX,
				    &a->count, err, errlen);
	if (!strcmp(w, "write")) {
		a->write = value_of(argc, argv, i, &s->write, err, errlen);
		if (!a->write)
			return -EINVAL;
		if (!a->write[0])
			return errf(err, errlen, "'write' needs a file name");
		return 0;
	}
	return errf(err, errlen, "unknown argument '%s' for 'monitor'", w);
}

int monitor_parse(int argc, char **argv, struct monitor_args *a, char *err,
		  size_t errlen)
{
	struct seen s = { 0 };
	uint64_t sample = 1;
	bool all = false;
	int ret = 0;

	*a = (struct monitor_args){ 0 };
	for (int i = 0; i < argc && !ret; i++)
		ret = parse_word(argc, argv, &i, &s, a, &all, &sample, err,
				 errlen);
	if (ret)
		return ret;
	if (s.sample && !all)
		return errf(err, errlen, "'sample' goes with 'all'");
	a->req = json_pack("{s:s, s:s}", "cmd", "monitor", "mode",
			   all ? "all" : "drops");
	if (a->req && all &&
	    json_object_set_new(a->req, "sample", json_integer(sample))) {
		json_decref(a->req);
		a->req = NULL;
	}
	return a->req ? 0 : -ENOMEM;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int monitor_kind(json_t *line, enum monitor_line *kind)
{
	const char *type = str(line, "type");

	if (type && !strcmp(type, "packet"))
		*kind = MONITOR_PACKET;
	else if (type && !strcmp(type, "lost"))
		*kind = MONITOR_LOST;
	else
		return -EPROTO;
	return 0;
}

int monitor_time(json_t *line, struct timeval *tv)
{
	json_t *t = json_object_get(line, "time");
	double v, sec;
	long usec;

	if (!json_is_number(t) || json_number_value(t) < 0)
		return -EPROTO;
	v = json_number_value(t);
	sec = (double)(time_t)v; /* v >= 0: truncated is floor */
	usec = (long)((v - sec) * USEC_PER_SEC + 0.5);
	if (usec >= USEC_PER_SEC) {
		sec++;
		usec -= USEC_PER_SEC;
	}
	tv->tv_sec = (time_t)sec;
	tv->tv_usec = usec;
	return 0;
}

/* "ADDR[:PORT]", IPv6 in brackets when a port follows. */
static void endpoint(char *buf, size_t len, const char *addr, json_t *port,
		     bool v6)
{
	if (!json_is_integer(port))
		snprintf(buf, len, "%s", addr);
	else if (v6)
		snprintf(buf, len, "[%s]:%lld", addr, json_integer_value(port));
	else
		snprintf(buf, len, "%s:%lld", addr, json_integer_value(port));
}

/* The packet's protocol and addresses, or its class when it is not IP. */
static int flow_text(json_t *p, char *buf, size_t len)
{
	const char *src = str(p, "src"), *dst = str(p, "dst");
	const char *family = str(p, "family"), *proto = str(p, "proto");
	char s[MONITOR_LINE_MAX / 4], d[MONITOR_LINE_MAX / 4];
	bool v6;

	if (!family) {
		if (!str(p, "class"))
			return -EPROTO;
		snprintf(buf, len, "%s", str(p, "class"));
		return 0;
	}
	if (!src || !dst || !proto)
		return -EPROTO;
	v6 = !strcmp(family, "ipv6");
	endpoint(s, sizeof(s), src, json_object_get(p, "sport"), v6);
	endpoint(d, sizeof(d), dst, json_object_get(p, "dport"), v6);
	if (snprintf(buf, len, "%s %s > %s", proto, s, d) >= (int)len)
		return -EPROTO;
	return 0;
}

static int packet_text(json_t *p, char *buf, size_t len)
{
	const char *hook = str(p, "hook"), *verdict = str(p, "verdict");
	const char *reason = str(p, "reason"), *ifname = str(p, "ifname");
	char flow[MONITOR_LINE_MAX / 2], clock[16], ifn[24], lb[160] = "";
	json_t *flen = json_object_get(p, "len");
	struct timeval tv;
	struct tm tm;

	if (!hook || !verdict || !reason || !json_is_integer(flen) ||
	    monitor_time(p, &tv) || flow_text(p, flow, sizeof(flow)))
		return -EPROTO;
	if (!localtime_r(&tv.tv_sec, &tm))
		return -EPROTO;
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	if (ifname)
		snprintf(ifn, sizeof(ifn), "%s", ifname);
	else
		snprintf(ifn, sizeof(ifn), "if%lld",
			 json_integer_value(json_object_get(p, "ifindex")));
	if (str(p, "vip"))
		snprintf(lb, sizeof(lb), " vip %s", str(p, "vip"));
	if (str(p, "backend"))
		snprintf(lb + strlen(lb), sizeof(lb) - strlen(lb),
			 " backend %s", str(p, "backend"));
	if (snprintf(buf, len, "%s.%06ld %s %s %s %s %s%s len %lld", clock,
		     (long)tv.tv_usec, hook, ifn, verdict,
		     strcmp(reason, "none") ? reason : "-", flow, lb,
		     json_integer_value(flen)) >= (int)len)
		return -EPROTO;
	return 0;
}

static int lost_text(json_t *l, char *buf, size_t len)
{
	json_t *n = json_object_get(l, "events");
	const char *where = str(l, "where");

	if (!json_is_integer(n) || !where)
		return -EPROTO;
	snprintf(buf, len, "lost %lld events in %s (%s)", json_integer_value(n),
		 where,
		 strcmp(where, "kernel") ? "this client read too slowly" :
					   "the ring buffer was full");
	return 0;
}

int monitor_text(json_t *line, char *buf, size_t len)
{
	enum monitor_line kind;

	if (monitor_kind(line, &kind))
		return -EPROTO;
	return kind == MONITOR_PACKET ? packet_text(line, buf, len) :
					lost_text(line, buf, len);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int monitor_bytes(json_t *line, uint8_t *buf, size_t cap, uint32_t *orig)
{
	const char *hex = str(line, "data");
	json_t *flen = json_object_get(line, "len");
	size_t n;

	if (!hex || !json_is_integer(flen) || strlen(hex) % 2 ||
	    json_integer_value(flen) < 0 ||
	    json_integer_value(flen) > UINT32_MAX)
		return -EPROTO;
	n = strlen(hex) / 2;
	if (n > cap || n > (size_t)json_integer_value(flen))
		return -EPROTO;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EPROTO;
		buf[i] = hi << 4 | lo;
	}
	*orig = json_integer_value(flen);
	return n;
}
