// SPDX-License-Identifier: GPL-2.0
/*
 * The /metrics endpoint's strict parsers, pure so they can be unit-tested:
 * the listen address (--metrics) and the HTTP request. A request is
 * judged as soon as it can be: bytes that cannot start a valid request
 * line or header get their 400 at once, without waiting for more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "metrics.h"
#include "util.h"

int metrics_parse_addr(const char *s, struct metrics_addr *a, char *err,
		       size_t errlen)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	char host[INET6_ADDRSTRLEN];
	const char *colon, *h = s;
	uint64_t port;
	size_t hlen;

	memset(a, 0, sizeof(*a));
	if (!strcmp(s, "off")) {
		a->off = true;
		return 0;
	}
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return errf(err, errlen,
				    "metrics address '%s': expected "
				    "[ADDR6]:PORT",
				    s);
		h = s + 1;
		hlen = close - h;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return errf(err, errlen,
				    "metrics address '%s': expected ADDR:PORT, "
				    "[ADDR6]:PORT or off",
				    s);
		hlen = colon - s;
	}
	if (parse_dec(colon + 1, 65535, &port) || !port)
		return errf(err, errlen,
			    "metrics address '%s': port must be 1 to 65535", s);
	if (hlen >= sizeof(host))
		return errf(err, errlen, "metrics address '%s': bad address",
			    s);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (*s != '[' && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		a->len = sizeof(*s4);
		return 0;
	}
	if (*s == '[' && inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		a->len = sizeof(*s6);
		return 0;
	}
	return errf(err, errlen,
		    "metrics address '%s': '%s' is not a numeric IPv4 address "
		    "(IPv6 goes in brackets)",
		    s, host);
}

/* RFC 9110 token characters. */
static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

struct request_line {
	size_t end; /* past its CRLF; 0 while incomplete */
	size_t method_len, target_off, target_len, version_off, version_len;
};

/* Scan the request line as far as it has come; -1 as soon as it cannot
 * be valid. "METHOD SP TARGET SP VERSION CRLF", nothing else. */
static int scan_request_line(const char *buf, size_t len,
			     struct request_line *rl)
{
	enum { METHOD, TARGET, VERSION, LF } state = METHOD;

	memset(rl, 0, sizeof(*rl));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = buf[i];

		switch (state) {
		case METHOD:
			if (c == ' ' && i) {
				rl->method_len = i;
				rl->target_off = i + 1;
				state = TARGET;
			} else if (!tchar(c)) {
				return -1;
			}
			break;
		case TARGET:
			if (c == ' ' && i > rl->target_off) {
				rl->target_len = i - rl->target_off;
				rl->version_off = i + 1;
				state = VERSION;
			} else if (c < 0x21 || c > 0x7e) {
				return -1;
			}
			break;
		case VERSION:
			if (c == '\r' && i > rl->version_off) {
				rl->version_len = i - rl->version_off;
				state = LF;
			} else if (!tchar(c) && c != '/') {
				return -1;
			}
			break;
		case LF:
			if (c != '\n')
				return -1;
			rl->end = i + 1;
			return 0;
		}
	}
	return 0;
}

static bool header_is(const char *line, size_t name_len, const char *name)
{
	return name_len == strlen(name) && !strncasecmp(line, name, name_len);
}

/* What the headers said. */
struct headers {
	bool host; /* a Host header */
	bool body; /* a body announced (Content-Length not 0, chunked) */
};

/* One header line (without its CRLF): 0, or -1 when malformed. */
static int check_header(const char *line, size_t len, struct headers *h)
{
	const char *colon = memchr(line, ':', len);
	size_t name_len = colon ? (size_t)(colon - line) : 0;
	const char *v, *end = line + len;

	if (!name_len)
		return -1;
	for (size_t i = 0; i < name_len; i++)
		if (!tchar(line[i]))
			return -1;
	for (v = colon + 1; v < end; v++)
		if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f)
			return -1;
	/* The value without the optional whitespace around it. */
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (header_is(line, name_len, "transfer-encoding"))
		h->body = true;
	if (header_is(line, name_len, "content-length")) {
		if (v == end)
			return -1;
		for (const char *d = v; d < end; d++) {
			if (*d < '0' || *d > '9')
				return -1;
			if (*d != '0')
				h->body = true;
		}
	}
	if (header_is(line, name_len, "host"))
		h->host = true;
	return 0;
}

/* Check the header lines from off; 1 when they ended (empty line), 0 while
 * incomplete, -1 when one is malformed. */
static int scan_headers(const char *buf, size_t len, size_t off,
			struct headers *h)
{
	while (off < len) {
		const char *cr = memchr(buf + off, '\r', len - off);
		size_t line_len;

		if (!cr || (size_t)(cr - buf) + 1 >= len)
			return memchr(buf + off, '\n', len - off) ? -1 : 0;
		if (cr[1] != '\n')
			return -1;
		line_len = cr - (buf + off);
		if (!line_len)
			return 1;
		/* A line starting with whitespace is an obsolete fold. */
		if (buf[off] == ' ' || buf[off] == '\t' ||
		    memchr(buf + off, '\n', line_len) ||
		    check_header(buf + off, line_len, h))
			return -1;
		off += line_len + 2;
	}
	return 0;
}

/* The status for a complete, well-formed request. */
static int judge(const char *buf, const struct request_line *rl,
		 const struct headers *h, bool *head)
{
	const char *target = buf + rl->target_off;
	const char *version = buf + rl->version_off;
	static const char path[] = "/metrics";
	const size_t plen = sizeof(path) - 1;

	if (rl->version_len != 8 || strncmp(version, "HTTP/", 5) ||
	    version[6] != '.')
		return 400;
	if (strncmp(version, "HTTP/1.0", 8) && strncmp(version, "HTTP/1.1", 8))
		return 505;
	/* HTTP/1.1 requires Host (RFC 9112, section 3.2). */
	if (version[7] == '1' && !h->host)
		return 400;
	*head = rl->method_len == 4 && !strncmp(buf, "HEAD", 4);
	if (!*head && (rl->method_len != 3 || strncmp(buf, "GET", 3)))
		return 405;
	/* Neither GET nor HEAD of /metrics takes a body. */
	if (h->body)
		return 400;
	if (rl->target_len < plen || strncmp(target, path, plen) ||
	    (rl->target_len > plen && target[plen] != '?'))
		return 404;
	return 200;
}

int metrics_parse_request(const char *buf, size_t len, bool *head)
{
	struct headers h = { false, false };
	struct request_line rl;
	int ret;

	*head = false;
	if (scan_request_line(buf, len, &rl))
		return 400;
	ret = rl.end ? scan_headers(buf, len, rl.end, &h) : 0;
	if (ret < 0)
		return 400;
	if (ret == 0)
		return len >= METRICS_MAX_REQUEST ? 431 : 0;
	return judge(buf, &rl, &h, head);
}
