// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket server. The socket is created 0660 in a 0750
 * directory; clients are non-blocking and buffered, so a slow or hostile
 * client can neither stall the daemon nor make it allocate without bound.
 * Each complete line is parsed, dispatched through the command table, and
 * answered with one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "log.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)
/* How long a reply may wait for a client to read it. */
#define API_SEND_TIMEOUT_MS 1000

/* Another daemon answering on path? Then it must not be replaced. */
static bool socket_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	alive = !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return alive;
}

int api_open(struct api_server *srv, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(srv->path)];
	mode_t old;
	int ret;

	memset(srv->clients, 0, sizeof(srv->clients));
	srv->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		ERRF("%s: socket path too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0750) && errno != EEXIST) {
		ERRF("%s: %s", dir, strerror(errno));
		return -errno;
	}
	if (socket_alive(path)) {
		ERRF("%s: another xlbd is serving this socket", path);
		return -EADDRINUSE;
	}
	unlink(path);
	srv->fd =
		socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0) {
		ERRF("socket: %s", strerror(errno));
		return -errno;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	old = umask(0117);
	ret = bind(srv->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret || listen(srv->fd, 16)) {
		ERRF("%s: %s", path, strerror(errno));
		ret = -errno;
		close(srv->fd);
		srv->fd = -1;
		return ret;
	}
	return 0;
}

static void client_drop(struct api_server *srv, int i)
{
	close(srv->clients[i]->fd);
	free(srv->clients[i]->buf);
	free(srv->clients[i]);
	srv->clients[i] = NULL;
}

void api_close(struct api_server *srv)
{
	for (int i = 0; i < API_MAX_CLIENTS; i++)
		if (srv->clients[i])
			client_drop(srv, i);
	if (srv->fd >= 0) {
		close(srv->fd);
		unlink(srv->path);
		srv->fd = -1;
	}
}

int api_pollfds(struct api_server *srv, struct pollfd *pfds, int max)
{
	int n = 0;

	pfds[n++] = (struct pollfd){ .fd = srv->fd, .events = POLLIN };
	for (int i = 0; i < API_MAX_CLIENTS && n < max; i++)
		if (srv->clients[i])
			pfds[n++] = (struct pollfd){ .fd = srv->clients[i]->fd,
						     .events = POLLIN };
	return n;
}

/* Write all of buf, waiting at most API_SEND_TIMEOUT_MS for the client. */
static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (w > 0) {
			buf += w;
			len -= w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (poll(&p, 1, API_SEND_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
	}
	return 0;
}

static int reply(int fd, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	int ret;

	json_decref(msg);
	if (!text)
		return -ENOMEM;
	ret = send_all(fd, text, strlen(text));
	if (!ret)
		ret = send_all(fd, "\n", 1);
	free(text);
	return ret;
}

static json_t *error_msg(const char *text, int code)
{
	return json_pack("{s:b, s:s, s:i}", "ok", 0, "error", text, "code",
			 code);
}

static json_t *dispatch(struct api_server *srv, const char *line)
{
	struct api_error e = { .code = API_FAILED };
	json_error_t jerr;
	json_t *req, *data = NULL, *reply;
	const char *cmd;
	char err[600];

	req = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!req || !json_is_object(req)) {
		json_decref(req);
		return error_msg("malformed request: expected a JSON object",
				 API_USAGE);
	}
	cmd = json_string_value(json_object_get(req, "cmd"));
	for (size_t i = 0; cmd && i < srv->n_cmds; i++) {
		if (strcmp(cmd, srv->cmds[i].name))
			continue;
		data = srv->cmds[i].fn(srv->ctx, req, &e);
		json_decref(req);
		if (data)
			return json_pack("{s:b, s:o}", "ok", 1, "data", data);
		reply = error_msg(e.msg, e.code);
		if (e.extra) {
			json_object_update(reply, e.extra);
			json_decref(e.extra);
		}
		return reply;
	}
	snprintf(err, sizeof(err), "unknown request '%s'", cmd ? cmd : "");
	json_decref(req);
	return error_msg(err, API_USAGE);
}

/* Room for more input, up to API_MAX_REQUEST; false when there is none. */
static bool client_room(struct api_client *c)
{
	size_t cap = c->cap ? c->cap * 2 : API_MIN_BUFFER;
	char *buf;

	if (c->len < c->cap)
		return true;
	if (cap > API_MAX_REQUEST || !(buf = realloc(c->buf, cap)))
		return false;
	c->buf = buf;
	c->cap = cap;
	return true;
}

/* Read what the client sent; answer each complete line. */
static void client_read(struct api_server *srv, int i)
{
	struct api_client *c = srv->clients[i];
	ssize_t r;
	char *nl;

	if (!client_room(c)) {
		reply(c->fd, error_msg("request too long", API_USAGE));
		client_drop(srv, i);
		return;
	}
	r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		client_drop(srv, i);
		return;
	}
	if (r < 0)
		return;
	c->len += r;
	while ((nl = memchr(c->buf, '\n', c->len))) {
		size_t used = nl - c->buf + 1;

		*nl = '\0';
		if (reply(c->fd, dispatch(srv, c->buf))) {
			client_drop(srv, i);
			return;
		}
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
	/* A large request is done with: give its memory back. */
	if (!c->len && c->cap > API_MIN_BUFFER) {
		free(c->buf);
		c->buf = NULL;
		c->cap = 0;
	}
}

static void accept_client(struct api_server *srv)
{
	int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int i;

	if (fd < 0)
		return;
	for (i = 0; i < API_MAX_CLIENTS && srv->clients[i]; i++)
		;
	if (i == API_MAX_CLIENTS) {
		log_warn("control socket: too many clients, refusing one");
		close(fd);
		return;
	}
	srv->clients[i] = calloc(1, sizeof(*srv->clients[i]));
	if (!srv->clients[i]) {
		close(fd);
		return;
	}
	srv->clients[i]->fd = fd;
}

void api_process(struct api_server *srv, const struct pollfd *pfds, int n)
{
	for (int k = 1; k < n; k++) {
		if (!pfds[k].revents)
			continue;
		for (int i = 0; i < API_MAX_CLIENTS; i++)
			if (srv->clients[i] &&
			    srv->clients[i]->fd == pfds[k].fd)
				client_read(srv, i);
	}
	if (n > 0 && (pfds[0].revents & POLLIN))
		accept_client(srv);
}
