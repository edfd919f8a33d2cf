// SPDX-License-Identifier: GPL-2.0
/*
 * Many short TCP connections, as fast as they go, for the NAT port
 * tests: COUNT connections to HOST:PORT, PARALLEL at a time, from the
 * source addresses of --src in turn (source ports chosen by the kernel).
 * Each sends one HTTP request, reads the whole answer (status 200 and
 * Content-Length bytes of body) and closes with an RST (SO_LINGER 0), so
 * neither end keeps the connection in TIME_WAIT and its ports come back
 * at once. A connection not answered within TIMEOUT ms fails (the
 * default, 10 s, lets the kernel resend a lost SYN after 1, 3 and 7 s).
 * After MAX failures (--max-failed) no more connections are started:
 * those are "skipped". Prints one JSON object:
 *   {"ok": N, "failed": N, "skipped": N, "ms": N, "per_s": N,
 *    "error": FIRST_ERROR}
 * and exits 0 when every connection was answered, 1 when not, 2 on a
 * usage or system error.
 *
 * Usage: tcp_churn HOST PORT COUNT [--src A,B,..] [--parallel N]
 *                  [--timeout-ms N] [--max-failed N]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SRC_MAX 64
#define PARALLEL_MAX 1024
#define ANSWER_MAX 1024
#define ERROR_MAX 128
#define TICK_MS 50
#define REQUEST "GET /name HTTP/1.1\r\nHost: vip\r\n\r\n"

struct opts {
	struct sockaddr_in dst;
	struct in_addr src[SRC_MAX];
	int nsrc, parallel;
	long count, timeout_ms, max_failed;
};

/* One connection slot; fd < 0 when free. */
struct conn {
	int fd;
	bool sent;
	size_t got;
	long long deadline;
	char buf[ANSWER_MAX + 1];
};

struct run {
	const struct opts *o;
	int ep;
	long started, ok, failed;
	char error[ERROR_MAX];
	struct conn conns[PARALLEL_MAX];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Close c with an RST, and count it: answered without `why`, else failed
 * at stage `why` (with errno err, or 0).
 */
static void conn_end(struct run *r, struct conn *c, const char *why, int err)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c->fd);
	c->fd = -1;
	if (!why) {
		r->ok++;
		return;
	}
	r->failed++;
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "%s%s%s", why,
			 err ? ": " : "", err ? strerror(err) : "");
}

/* Open connection number r->started in slot c. */
static int conn_start(struct run *r, struct conn *c)
{
	const struct opts *o = r->o;
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	c->sent = false;
	c->got = 0;
	c->deadline = now_ms() + o->timeout_ms;
	if (o->nsrc) {
		src.sin_addr = o->src[r->started % o->nsrc];
		setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
			   sizeof(one));
		if (bind(c->fd, (struct sockaddr *)&src, sizeof(src)))
			return -errno;
	}
	r->started++;
	if (connect(c->fd, (struct sockaddr *)&o->dst, sizeof(o->dst)) &&
	    errno != EINPROGRESS) {
		conn_end(r, c, "connect", errno);
		return 0;
	}
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, c->fd, &ev))
		return -errno;
	return 0;
}

/* The answer so far is whole: a 200 with all its body. */
static bool answer_whole(const struct conn *c, const char **bad)
{
	const char *end = strstr(c->buf, "\r\n\r\n"), *cl;

	*bad = NULL;
	if (!end)
		return false;
	if (strncmp(c->buf, "HTTP/1.1 200 ", 13)) {
		*bad = "answer: not a 200";
		return true;
	}
	cl = strcasestr(c->buf, "\r\nContent-Length: ");
	if (!cl || cl > end) {
		*bad = "answer: no Content-Length";
		return true;
	}
	return c->got >=
	       (size_t)(end + 4 - c->buf) + strtoul(cl + 18, NULL, 10);
}

/* The connected socket: send the request, then wait for the answer. */
static void conn_send(struct run *r, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	socklen_t len = sizeof(int);
	int err = 0;

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		conn_end(r, c, "connect", err);
		return;
	}
	if (write(c->fd, REQUEST, strlen(REQUEST)) !=
	    (ssize_t)strlen(REQUEST)) {
		conn_end(r, c, "request: short write", 0);
		return;
	}
	c->sent = true;
	epoll_ctl(r->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_read(struct run *r, struct conn *c)
{
	const char *bad;
	ssize_t n = read(c->fd, c->buf + c->got, ANSWER_MAX - c->got);

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		conn_end(r, c, n ? "answer" : "answer: closed early",
			 n ? errno : 0);
		return;
	}
	c->got += n;
	c->buf[c->got] = '\0';
	if (answer_whole(c, &bad))
		conn_end(r, c, bad, 0);
	else if (c->got == ANSWER_MAX)
		conn_end(r, c, "answer: too long", 0);
}

/* Fail the connections past their deadline; start new ones in free slots. */
static int refill(struct run *r)
{
	long long now = now_ms();
	int ret;

	for (int i = 0; i < r->o->parallel; i++) {
		struct conn *c = &r->conns[i];

		if (c->fd >= 0 && now > c->deadline)
			conn_end(r, c,
				 c->sent ? "timeout: no answer" :
					   "timeout: not connected",
				 0);
		if (c->fd < 0 && r->started < r->o->count &&
		    r->failed < r->o->max_failed) {
			ret = conn_start(r, c);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int churn(struct run *r)
{
	struct epoll_event evs[64];
	long long tick = 0;
	int n, ret;

	while (r->ok + r->failed < r->started ||
	       (r->started < r->o->count && r->failed < r->o->max_failed)) {
		if (now_ms() >= tick) {
			ret = refill(r);
			if (ret)
				return ret;
			tick = now_ms() + TICK_MS;
		}
		n = epoll_wait(r->ep, evs, 64, TICK_MS);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->fd < 0)
				continue;
			if (!c->sent)
				conn_send(r, c);
			else
				conn_read(r, c);
		}
		/* Freed slots are filled at once, not at the next tick. */
		if (n > 0)
			tick = 0;
	}
	return 0;
}

static int parse_srcs(struct opts *o, char *list)
{
	for (char *a = strtok(list, ","); a; a = strtok(NULL, ",")) {
		if (o->nsrc == SRC_MAX ||
		    !inet_pton(AF_INET, a, &o->src[o->nsrc]))
			return -EINVAL;
		o->nsrc++;
	}
	return 0;
}

static int parse_num(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || *end || *v < min || *v > max ? -EINVAL : 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	long port, par = 64;

	o->timeout_ms = 10000;
	o->max_failed = LONG_MAX;
	if (argc < 4 || argc % 2 ||
	    !inet_pton(AF_INET, argv[1], &o->dst.sin_addr) ||
	    parse_num(argv[2], 1, 65535, &port) ||
	    parse_num(argv[3], 1, 100000000, &o->count))
		return -EINVAL;
	o->dst.sin_family = AF_INET;
	o->dst.sin_port = htons(port);
	for (int i = 4; i < argc; i += 2) {
		int ret;

		if (!strcmp(argv[i], "--src"))
			ret = parse_srcs(o, argv[i + 1]);
		else if (!strcmp(argv[i], "--parallel"))
			ret = parse_num(argv[i + 1], 1, PARALLEL_MAX, &par);
		else if (!strcmp(argv[i], "--timeout-ms"))
			ret = parse_num(argv[i + 1], 1, 3600000,
					&o->timeout_ms);
		else if (!strcmp(argv[i], "--max-failed"))
			ret = parse_num(argv[i + 1], 1, LONG_MAX,
					&o->max_failed);
		else
			ret = -EINVAL;
		if (ret)
			return ret;
	}
	o->parallel = par;
	return 0;
}

int main(int argc, char **argv)
{
	static struct run r;
	struct opts o = {};
	long long t0, ms;
	int ret;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr,
			"usage: tcp_churn HOST PORT COUNT [--src A,B,..] "
			"[--parallel N] [--timeout-ms N] [--max-failed N]\n");
		return 2;
	}
	r.o = &o;
	for (int i = 0; i < PARALLEL_MAX; i++)
		r.conns[i].fd = -1;
	r.ep = epoll_create1(EPOLL_CLOEXEC);
	if (r.ep < 0) {
		perror("tcp_churn: epoll");
		return 2;
	}
	t0 = now_ms();
	ret = churn(&r);
	if (ret) {
		fprintf(stderr, "tcp_churn: %s\n", strerror(-ret));
		return 2;
	}
	ms = now_ms() - t0;
	printf("{\"ok\": %ld, \"failed\": %ld, \"skipped\": %ld, "
	       "\"ms\": %lld, \"per_s\": %lld, \"error\": \"%s\"}\n",
	       r.ok, r.failed, o.count - r.started, ms,
	       ms ? r.ok * 1000 / ms : 0, r.error);
	return r.ok == o.count ? 0 : 1;
}
