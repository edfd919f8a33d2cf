// modules: metrics metrics_parse fault log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the /metrics responder on loopback sockets (no
 * privileges): the answers and their statuses, a silent client that
 * delays no other and is dropped with a 408 at its deadline (which
 * metrics_timeout() announces), more clients than slots all answered in
 * turn, a taken port refused with its address, and "off".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

static int body_calls;

static int fake_body(void *ctx, FILE *out)
{
	(void)ctx;
	body_calls++;
	fputs("xlb_up 1\n", out);
	return 0;
}

/* Run the server's side for ms milliseconds. */
static void pump(struct metrics_server *srv, int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;
	struct pollfd pfds[METRICS_MAX_CLIENTS + 1];

	while (now_ns() < end) {
		int n = metrics_pollfds(srv, pfds, METRICS_MAX_CLIENTS + 1);
		int t = metrics_timeout(srv);
		int left = (int)((end - now_ns()) / 1000000) + 1;

		poll(pfds, n, t >= 0 && t < left ? t : left);
		metrics_process(srv, pfds, n);
	}
}

static int connect_to(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What the client received so far (non-blocking); -1 once closed. */
static ssize_t drain(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t r;

	while ((r = recv(fd, buf + *len, cap - 1 - *len, 0)) > 0)
		*len += r;
	buf[*len] = '\0';
	return r == 0 ? -1 : (ssize_t)*len;
}

static int open_server(struct metrics_server *srv, int timeout_ms)
{
	struct metrics_addr a = { .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;
	socklen_t len = sizeof(*s4);
	char err[256];

	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(srv, 0, sizeof(*srv));
	srv->timeout_ms = timeout_ms;
	srv->body = fake_body;
	if (metrics_open(srv, &a, err, sizeof(err))) {
		check(false, "open: %s", err);
		return -1;
	}
	getsockname(srv->fd, (struct sockaddr *)s4, &len);
	return ntohs(s4->sin_port);
}

static void test_server_answers(void)
{
	static const char *const reqs[] = {
		"GET /metrics HTTP/1.0\r\n\r\n",
		"HEAD /metrics HTTP/1.0\r\n\r\n",
		"GET /nope HTTP/1.0\r\n\r\n",
		"BREW /metrics HTTP/1.0\r\n\r\n",
		"\x16\x03\x01",
	};
	static const char *const want[] = {
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
		"charset=utf-8\r\nContent-Length: 9\r\nConnection: close\r\n"
		"\r\nxlb_up 1\n",
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
		"charset=utf-8\r\nContent-Length: 9\r\nConnection: close\r\n"
		"\r\n",
		"HTTP/1.1 404 Not Found\r\n",
		"HTTP/1.1 405 Method Not Allowed\r\n",
		"HTTP/1.1 400 Bad Request\r\n",
	};
	struct metrics_server srv;
	int port = open_server(&srv, 2000);

	for (size_t i = 0; port > 0 && i < ARRAY_SIZE(reqs); i++) {
		int fd = connect_to(port);
		char buf[1024];
		size_t len = 0;
		ssize_t r = 0;

		pump(&srv, 20);
		send(fd, reqs[i], strlen(reqs[i]), 0);
		for (int k = 0; k < 50 && r >= 0; k++) {
			pump(&srv, 10);
			r = drain(fd, buf, sizeof(buf), &len);
		}
		check(r < 0, "request %zu: closed after the answer", i);
		check(!strncmp(buf, want[i], strlen(want[i])),
		      "request %zu: got\n%s", i, buf);
		close(fd);
	}
	check(body_calls == 2, "rendered %d times, want 2", body_calls);
	metrics_close(&srv);
}

/* A silent client does not delay another, and is dropped (with a 408)
 * at its deadline; metrics_timeout() says when that is. */
static void test_server_deadline(void)
{
	struct metrics_server srv;
	int port = open_server(&srv, 1000), silent, fd, t;
	char buf[1024];
	size_t len = 0;
	uint64_t t0;

	if (port <= 0)
		return;
	check(metrics_timeout(&srv) == -1, "no client: no timeout");
	silent = connect_to(port);
	pump(&srv, 20);
	t = metrics_timeout(&srv);
	check(t > 500 && t <= 1000, "timeout with a client: %d ms", t);
	fd = connect_to(port);
	t0 = now_ns();
	pump(&srv, 20);
	send(fd, "GET /metrics HTTP/1.0\r\n\r\n", 25, 0);
	while (drain(fd, buf, sizeof(buf), &len) >= 0 &&
	       now_ns() - t0 < 800000000ull)
		pump(&srv, 5);
	check(strstr(buf, "xlb_up 1"),
	      "second client answered while the first is silent");
	check(now_ns() - t0 < 800000000ull, "and before the deadline");
	len = 0;
	check(drain(silent, buf, sizeof(buf), &len) >= 0,
	      "silent client still open before its deadline");
	pump(&srv, 1100);
	check(drain(silent, buf, sizeof(buf), &len) < 0,
	      "silent client closed at its deadline");
	check(!strncmp(buf, "HTTP/1.1 408 ", 13), "with a 408: %s", buf);
	check(metrics_timeout(&srv) == -1, "no client left");
	close(silent);
	close(fd);
	metrics_close(&srv);
}

/* More clients than slots: all answered, in turn. */
static void test_server_many(void)
{
	enum { N = 3 * METRICS_MAX_CLIENTS };
	struct metrics_server srv;
	int port = open_server(&srv, 2000), fd[N], done = 0;
	char buf[N][256];
	size_t len[N] = { 0 };
	bool closed[N] = { false };

	if (port <= 0)
		return;
	for (int i = 0; i < N; i++) {
		fd[i] = connect_to(port);
		send(fd[i], "GET /metrics HTTP/1.0\r\n\r\n", 25, 0);
	}
	for (int k = 0; k < 200 && done < N; k++) {
		pump(&srv, 5);
		for (int i = 0; i < N; i++)
			if (!closed[i] &&
			    drain(fd[i], buf[i], sizeof(buf[i]), &len[i]) < 0) {
				/* As a client does: close once answered. */
				close(fd[i]);
				closed[i] = true;
				done++;
				check(strstr(buf[i], "xlb_up 1"),
				      "client %d answered: %s", i, buf[i]);
			}
	}
	check(done == N, "%d of %d answered", done, N);
	for (int i = 0; i < N; i++)
		if (!closed[i])
			close(fd[i]);
	metrics_close(&srv);
}

/* A taken port: an error naming the address. */
static void test_server_taken(void)
{
	struct metrics_server a, b;
	struct metrics_addr addr;
	char want[64], err[256] = "";
	int port = open_server(&a, 1000);

	if (port <= 0)
		return;
	snprintf(want, sizeof(want), "127.0.0.1:%d", port);
	metrics_parse_addr(want, &addr, err, sizeof(err));
	memset(&b, 0, sizeof(b));
	check(metrics_open(&b, &addr, err, sizeof(err)) == -EADDRINUSE &&
		      strstr(err, want) && b.fd == -1,
	      "second bind refused: %s", err);
	metrics_close(&a);
	metrics_parse_addr("off", &addr, err, sizeof(err));
	check(!metrics_open(&b, &addr, err, sizeof(err)) && b.fd == -1,
	      "off: nothing opened");
	check(metrics_pollfds(&b, NULL, 0) == 0, "off: no pollfds");
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "answers", test_server_answers },
		{ "silent client and deadline", test_server_deadline },
		{ "more clients than slots", test_server_many },
		{ "port taken, off", test_server_taken },
	};

	log_set_level(LOG_WARNING);
	harness_run_table(tests, ARRAY_SIZE(tests));
	return harness_done();
}
