// SPDX-License-Identifier: GPL-2.0
/*
 * One health probe: a non-blocking TCP socket to a backend's own address
 * (in DSR mode too: the probe is the LB's own traffic, routed by its
 * kernel), from a source port above the NAT ports; for type http, the
 * request out and the status line in. Each call does what the socket
 * allows without waiting and says whether the probe is still pending or
 * over; the socket is closed when it is over, with a reset, so the LB
 * keeps no TIME_WAIT. Timeouts are the caller's (health.c). A probe
 * that xlbd cannot make (its own descriptors, memory or source ports
 * ran out) is not run, rather than failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fault.h"
#include "health.h"

#define HEALTH_BIND_TRIES 16 /* random source ports tried */

/* The probe is over: no socket left, result says how. */
static enum health_step over(struct health_probe *p, enum health_step step,
			     char *result, size_t len, const char *fmt,
			     const char *arg)
{
	health_probe_stop(p);
	snprintf(result, len, fmt, arg);
	return step;
}

static enum health_step failed_errno(struct health_probe *p, const char *what,
				     int e, char *result, size_t len)
{
	char msg[HEALTH_RESULT_LEN];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(e));
	return over(p, HEALTH_FAILED, result, len, "%s", msg);
}

/*
 * Is e, met while making a probe, xlbd's own want (descriptors, memory,
 * buffers, a local address or source port) rather than the backend's
 * answer?
 */
static bool own_fault(int e)
{
	return fault_is_resource(e) || e == EADDRNOTAVAIL || e == EADDRINUSE ||
	       e == EAGAIN;
}

/* The probe could not be made, or failed, as e says. */
static enum health_step start_failed(struct health_probe *p, const char *what,
				     int e, char *result, size_t len)
{
	char msg[HEALTH_RESULT_LEN];

	if (!own_fault(e))
		return failed_errno(p, what, e, result, len);
	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(e));
	p->err = e;
	return over(p, HEALTH_NOT_RUN, result, len, "%s", msg);
}

static socklen_t sockaddr_of(const struct xlb_addr *addr, __u16 port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (addr->family == XLB_FAMILY_V6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, addr->addr, 16);
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, addr->addr, 4);
	return sizeof(*s4);
}

/*
 * Bind to a free source port of HEALTH_PORT_LO..HEALTH_PORT_HI, from a
 * random one on. IP_LOCAL_PORT_RANGE cannot do this: the kernel only
 * narrows the namespace's ip_local_port_range with it and silently
 * ignores a range outside it (seen on Linux 6.18: connect() still took
 * 32768..60999).
 */
static int source_port(int fd, __u8 family, __u32 rnd)
{
	const __u32 n = HEALTH_PORT_HI - HEALTH_PORT_LO + 1;
	struct sockaddr_storage ss;
	struct xlb_addr any = { .family = family };

	for (__u32 i = 0; i < HEALTH_BIND_TRIES; i++) {
		/* Ports spread over the range: a step prime to its size. */
		__u16 port = HEALTH_PORT_LO + (rnd + i * 2654435761u) % n;
		socklen_t sl = sockaddr_of(&any, port, &ss);

		if (!bind(fd, (struct sockaddr *)&ss, sl))
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

enum health_step health_probe_start(struct health_probe *p,
				    const struct xlb_health_conf *c,
				    const struct xlb_addr *addr, __u16 port,
				    __u32 rnd, char *result, size_t len)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(addr, port, &ss);
	int e;

	(void)c;
	p->err = 0;
	p->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (p->fd < 0)
		return start_failed(p, "socket", errno, result, len);
	p->phase = HEALTH_CONNECT;
	if (setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)))
		return start_failed(p, "socket", errno, result, len);
	e = source_port(p->fd, addr->family, rnd);
	if (e)
		return start_failed(p, "source port", -e, result, len);
	/* Done at once or not, poll() reports the socket writable. */
	if (connect(p->fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS)
		return start_failed(p, "connect", errno, result, len);
	return HEALTH_PENDING;
}

/* Connected: a tcp check has passed, an http one sends its request. */
static enum health_step connected(struct health_probe *p,
				  const struct xlb_health_conf *c,
				  const struct xlb_addr *addr, char *result,
				  size_t len)
{
	socklen_t sl = sizeof(int);
	int e = 0, n;

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &sl))
		e = errno;
	if (e)
		return failed_errno(p, "connect", e, result, len);
	if (c->type == XLB_HEALTH_TCP)
		return over(p, HEALTH_PASSED, result, len, "%s", "connected");
	n = health_http_request(p->buf, sizeof(p->buf), c->path, addr);
	if (n < 0)
		return over(p, HEALTH_FAILED, result, len, "%s",
			    "request too long");
	p->len = n;
	p->done = 0;
	p->phase = HEALTH_SEND;
	return HEALTH_PENDING;
}

static enum health_step send_request(struct health_probe *p, char *result,
				     size_t len)
{
	ssize_t n =
		send(p->fd, p->buf + p->done, p->len - p->done, MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ?
			       HEALTH_PENDING :
			       failed_errno(p, "send", errno, result, len);
	p->done += n;
	if (p->done == p->len) {
		p->done = 0;
		p->phase = HEALTH_READ;
	}
	return HEALTH_PENDING;
}

/* Read until the status line can be judged. */
static enum health_step read_status(struct health_probe *p,
				    const struct xlb_health_conf *c,
				    char *result, size_t len)
{
	ssize_t n = recv(p->fd, p->buf + p->done, sizeof(p->buf) - p->done, 0);
	unsigned int status = 0;
	char code[8];
	int ret;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ?
			       HEALTH_PENDING :
			       failed_errno(p, "recv", errno, result, len);
	p->done += n;
	ret = health_parse_status(p->buf, p->done, &status);
	if (ret == -EAGAIN && n > 0)
		return HEALTH_PENDING;
	if (ret == -EAGAIN)
		return over(p, HEALTH_FAILED, result, len, "%s",
			    "closed before the status line");
	if (ret)
		return over(p, HEALTH_FAILED, result, len, "%s",
			    "not an HTTP/1.x status line");
	snprintf(code, sizeof(code), "%u", status);
	return over(p, status == c->status ? HEALTH_PASSED : HEALTH_FAILED,
		    result, len, "http status %s", code);
}

enum health_step health_probe_step(struct health_probe *p,
				   const struct xlb_health_conf *c,
				   const struct xlb_addr *addr, short revents,
				   char *result, size_t len)
{
	enum health_step step = HEALTH_PENDING;

	if (p->phase == HEALTH_CONNECT)
		step = connected(p, c, addr, result, len);
	/* Sent at once if the socket takes it, as it usually does. */
	if (p->phase == HEALTH_SEND)
		return send_request(p, result, len);
	if (step == HEALTH_PENDING && p->phase == HEALTH_READ &&
	    (revents & ~POLLOUT))
		return read_status(p, c, result, len);
	return step;
}

short health_probe_events(const struct health_probe *p)
{
	return p->phase == HEALTH_READ ? POLLIN : POLLOUT;
}

void health_probe_stop(struct health_probe *p)
{
	if (p->phase != HEALTH_IDLE && p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->phase = HEALTH_IDLE;
}
