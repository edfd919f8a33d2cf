// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of health checks: the rise/fall state machine of one
 * backend, the request an http check sends and the strict reading of the
 * status line it gets back. No sockets and no clock here (the caller
 * passes the time), so all of it is unit-tested (test_health.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "lb_parse.h"

void health_state_init(struct health_state *s, bool down, __u64 now_ns)
{
	memset(s, 0, sizeof(*s));
	s->down = down;
	s->changed_ns = now_ns;
}

bool health_record(struct health_state *s, bool ok, const char *result,
		   __u32 rise, __u32 fall, __u64 now_ns)
{
	snprintf(s->result, sizeof(s->result), "%s", result);
	if (ok) {
		s->checks_ok++;
		s->ok_run++;
		s->fail_run = 0;
	} else {
		s->checks_failed++;
		s->fail_run++;
		s->ok_run = 0;
	}
	if (s->down ? s->ok_run < rise : s->fail_run < fall)
		return false;
	s->down = !s->down;
	s->changed_ns = now_ns;
	return true;
}

void health_not_run(struct health_state *s, const char *result)
{
	snprintf(s->result, sizeof(s->result), "not run: %s", result);
	s->checks_not_run++;
}

const char *health_state_str(const struct health_state *s)
{
	return s->down ? "down" : "up";
}

/*
 * The status line, character by character: '#' stands for a digit, '*'
 * for the status's first digit (1 to 5); after the pattern comes a space
 * or the end of the line.
 */
static const char status_pattern[] = "HTTP/1.# *##";

int health_parse_status(const char *buf, size_t len, unsigned int *status)
{
	const size_t n = sizeof(status_pattern) - 1;
	const size_t code = n - 3; /* where the status starts */
	unsigned int v = 0;

	for (size_t i = 0; i < n; i++) {
		char p = status_pattern[i], ch;

		if (i == len)
			return -EAGAIN;
		ch = buf[i];
		if (p == '#' || p == '*') {
			if (ch < (p == '*' ? '1' : '0') ||
			    ch > (p == '*' ? '5' : '9'))
				return -EPROTO;
			if (i >= code)
				v = v * 10 + (ch - '0');
		} else if (ch != p) {
			return -EPROTO;
		}
	}
	if (len == n)
		return -EAGAIN;
	if (buf[n] != ' ' && buf[n] != '\r' && buf[n] != '\n')
		return -EPROTO;
	*status = v;
	return 0;
}

int health_http_request(char *buf, size_t len, const char *path,
			const struct xlb_addr *addr)
{
	char a[XLB_VIP_STRLEN];
	bool v6 = addr->family == XLB_FAMILY_V6;
	int n;

	if (xlb_format_addr(addr, a, sizeof(a)) < 0)
		return -ENOSPC;
	n = snprintf(buf, len,
		     "GET %s HTTP/1.0\r\nHost: %s%s%s\r\n"
		     "Connection: close\r\nUser-Agent: xlb-health\r\n\r\n",
		     path, v6 ? "[" : "", a, v6 ? "]" : "");
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}
