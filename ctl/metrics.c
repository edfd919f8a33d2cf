// SPDX-License-Identifier: GPL-2.0
/*
 * The /metrics responder. One request per connection: a client is read
 * into a fixed buffer until its headers end, answered (the whole answer
 * rendered at once, then sent as the socket takes it), and closed after it
 * has read the answer. Each client has a deadline from its accept; a
 * client past it is dropped, so a silent or slow one costs a slot for a
 * few seconds and never a wait in the daemon. When every slot is taken,
 * new connections wait in the listen backlog.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "util.h"

#define NS_PER_MS 1000000ull
/* Accepting stops this long after a fault, doubling up to the second. */
#define METRICS_BACKOFF_MIN_MS 100
#define METRICS_BACKOFF_MAX_MS 1000
/* What a client shed for want of descriptors hears. */
#define METRICS_SHED_ANSWER                                      \
	"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n" \
	"Content-Type: text/plain; charset=utf-8\r\n"            \
	"Content-Length: 32\r\nConnection: close\r\n\r\n"        \
	"xlbd is out of file descriptors\n"

int metrics_open(struct metrics_server *srv, const struct metrics_addr *a,
		 char *err, size_t errlen)
{
	char text[INET6_ADDRSTRLEN + 8], host[INET6_ADDRSTRLEN];
	const struct sockaddr_in6 *s6 = (const void *)&a->ss;
	const struct sockaddr_in *s4 = (const void *)&a->ss;
	int one = 1, ret;

	memset(srv->clients, 0, sizeof(srv->clients));
	srv->fd = -1;
	srv->reserve = -1;
	fault_init(&srv->accept_fault, "metrics: accept",
		   "new scrapes are answered 503", METRICS_BACKOFF_MIN_MS,
		   METRICS_BACKOFF_MAX_MS);
	if (!srv->timeout_ms)
		srv->timeout_ms = METRICS_TIMEOUT_MS;
	if (a->off)
		return 0;
	if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(text, sizeof(text), "[%s]:%u", host,
			 ntohs(s6->sin6_port));
	} else {
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(text, sizeof(text), "%s:%u", host,
			 ntohs(s4->sin_port));
	}
	srv->fd = socket(a->ss.ss_family,
			 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0)
		return errf(err, errlen, "metrics: socket: %s",
			    strerror(errno));
	setsockopt(srv->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(srv->fd, (const struct sockaddr *)&a->ss, a->len) ||
	    listen(srv->fd, METRICS_BACKLOG)) {
		ret = -errno;
		errf(err, errlen, "metrics: cannot listen on %s: %s", text,
		     strerror(errno));
		close(srv->fd);
		srv->fd = -1;
		return ret;
	}
	srv->reserve = fault_reserve_open();
	if (srv->reserve < 0) {
		ret = srv->reserve;
		metrics_close(srv);
		return errf(err, errlen, "metrics: spare descriptor: %s",
			    strerror(-ret));
	}
	log_info("metrics on http://%s/metrics", text);
	return 0;
}

static void client_drop(struct metrics_server *srv, int i)
{
	close(srv->clients[i]->fd);
	free(srv->clients[i]->out);
	free(srv->clients[i]);
	srv->clients[i] = NULL;
}

void metrics_close(struct metrics_server *srv)
{
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (srv->clients[i])
			client_drop(srv, i);
	if (srv->fd >= 0)
		close(srv->fd);
	srv->fd = -1;
	if (srv->reserve >= 0)
		close(srv->reserve);
	srv->reserve = -1;
}

static int free_slot(const struct metrics_server *srv)
{
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (!srv->clients[i])
			return i;
	return -1;
}

int metrics_pollfds(struct metrics_server *srv, struct pollfd *pfds, int max)
{
	int n = 0;

	if (srv->fd < 0)
		return 0;
	/* With every slot taken, connections wait in the backlog; after
	 * a fault, until the back-off is over. */
	if (free_slot(srv) >= 0 && fault_due(&srv->accept_fault, now_ns()) &&
	    n < max)
		pfds[n++] = (struct pollfd){ .fd = srv->fd, .events = POLLIN };
	for (int i = 0; i < METRICS_MAX_CLIENTS && n < max; i++) {
		const struct metrics_client *c = srv->clients[i];

		if (c)
			pfds[n++] = (struct pollfd){
				.fd = c->fd,
				.events = c->phase == METRICS_WRITING ?
						  POLLOUT :
						  POLLIN,
			};
	}
	return n;
}

int metrics_timeout(const struct metrics_server *srv)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (srv->clients[i] && srv->clients[i]->deadline_ns < next)
			next = srv->clients[i]->deadline_ns;
	if (srv->accept_fault.retry_ns && srv->accept_fault.retry_ns < next)
		next = srv->accept_fault.retry_ns;
	return poll_timeout_ms(next);
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 431:
		return "Request Header Fields Too Large";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Internal Server Error";
	}
}

/* The body of a 200 (NULL, 0 on failure: answer 500). */
static char *render_body(struct metrics_server *srv, size_t *len)
{
	char *body = NULL;
	FILE *f = open_memstream(&body, len);
	int ret;

	if (!f)
		return NULL;
	ret = srv->body(srv->ctx, f);
	if (fclose(f) || ret) {
		log_warn("metrics: rendering failed: %s",
			 strerror(ret ? -ret : errno));
		free(body);
		*len = 0;
		return NULL;
	}
	return body;
}

/* Build the whole answer into c->out; 0 or -ENOMEM. */
static int answer(struct metrics_server *srv, struct metrics_client *c,
		  int status, bool head)
{
	static const char prom_type[] = "text/plain; version=0.0.4; "
					"charset=utf-8";
	static const char text_type[] = "text/plain; charset=utf-8";
	size_t body_len = 0;
	char *body = NULL, hdr[256];
	int n;

	if (status == 200 && !(body = render_body(srv, &body_len)))
		status = 500;
	if (status != 200) {
		body = NULL;
		body_len = strlen(reason(status)) + 1;
	}
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     status, reason(status),
		     status == 200 ? prom_type : text_type, body_len,
		     status == 405 ? "Allow: GET, HEAD\r\n" : "");
	c->out_len = n + (head ? 0 : body_len);
	c->out = malloc(c->out_len + 1);
	if (!c->out) {
		free(body);
		return -ENOMEM;
	}
	memcpy(c->out, hdr, n);
	if (!head && body)
		memcpy(c->out + n, body, body_len);
	else if (!head)
		snprintf(c->out + n, body_len + 1, "%s\n", reason(status));
	free(body);
	c->out_off = 0;
	c->phase = METRICS_WRITING;
	return 0;
}

/* Send what the socket takes; when all is sent, stop writing and wait
 * (briefly) for the client to close. -1: drop the client. */
static int client_write(struct metrics_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->out_off += w;
	}
	free(c->out);
	c->out = NULL;
	shutdown(c->fd, SHUT_WR);
	c->phase = METRICS_LINGERING;
	if (c->deadline_ns > now_ns() + METRICS_LINGER_MS * NS_PER_MS)
		c->deadline_ns = now_ns() + METRICS_LINGER_MS * NS_PER_MS;
	return 0;
}

/* Read more of the request; answer once it is judged. -1: drop. */
static int client_read(struct metrics_server *srv, struct metrics_client *c)
{
	ssize_t r =
		recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	bool head;
	int status;

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (r < 0)
		return 0;
	c->in_len += r;
	status = metrics_parse_request(c->in, c->in_len, &head);
	if (!status)
		return 0;
	if (answer(srv, c, status, head))
		return -1;
	return client_write(c);
}

/* After the answer: discard what the client still sends until it closes,
 * so the close does not reset the connection under an unread answer. */
static int client_linger(struct metrics_client *c)
{
	char sink[512];
	ssize_t r = recv(c->fd, sink, sizeof(sink), 0);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return r > 0 ? 0 : -1;
}

static void client_event(struct metrics_server *srv, int i, short revents)
{
	struct metrics_client *c = srv->clients[i];
	int ret = 0;

	if (c->phase == METRICS_READING)
		ret = client_read(srv, c);
	else if (c->phase == METRICS_WRITING)
		ret = client_write(c);
	else
		ret = client_linger(c);
	if (ret || (revents & (POLLERR | POLLNVAL)))
		client_drop(srv, i);
}

static void accept_clients(struct metrics_server *srv)
{
	int i, fd;

	while ((i = free_slot(srv)) >= 0) {
		fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (fault_accept_failed(&srv->accept_fault, errno,
						now_ns(), srv->fd,
						&srv->reserve,
						METRICS_SHED_ANSWER))
				continue;
			return;
		}
		srv->clients[i] = calloc(1, sizeof(*srv->clients[i]));
		if (!srv->clients[i]) {
			close(fd);
			fault_hit(&srv->accept_fault, ENOMEM, now_ns());
			fault_back_off(&srv->accept_fault, now_ns());
			return;
		}
		fault_ok(&srv->accept_fault);
		fault_reserve_again(&srv->reserve);
		srv->clients[i]->fd = fd;
		srv->clients[i]->deadline_ns =
			now_ns() + (uint64_t)srv->timeout_ms * NS_PER_MS;
	}
}

/* A client still reading at its deadline is told so (if its socket takes
 * the few bytes at once) and dropped; any other is just dropped. */
static void expire(struct metrics_server *srv)
{
	static const char timeout[] = "HTTP/1.1 408 Request Timeout\r\n"
				      "Content-Length: 0\r\n"
				      "Connection: close\r\n\r\n";
	uint64_t now = now_ns();

	for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		struct metrics_client *c = srv->clients[i];

		if (!c || c->deadline_ns > now)
			continue;
		if (c->phase == METRICS_READING)
			send(c->fd, timeout, sizeof(timeout) - 1,
			     MSG_NOSIGNAL | MSG_DONTWAIT);
		client_drop(srv, i);
	}
}

void metrics_process(struct metrics_server *srv, const struct pollfd *pfds,
		     int n)
{
	bool listen_ready = false;

	if (srv->fd < 0)
		return;
	for (int k = 0; k < n; k++) {
		if (!pfds[k].revents)
			continue;
		if (pfds[k].fd == srv->fd) {
			listen_ready = true;
			continue;
		}
		for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
			if (srv->clients[i] &&
			    srv->clients[i]->fd == pfds[k].fd)
				client_event(srv, i, pfds[k].revents);
	}
	expire(srv);
	if (listen_ready)
		accept_clients(srv);
}
