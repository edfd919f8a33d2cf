// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket server. The socket is created 0660 in a 0750
 * directory (both given to the --socket-group group, if any), and each
 * peer's credentials are checked on accept: root and members of that group
 * are served, anyone else gets one error line and is closed. Clients are
 * non-blocking and buffered, within a per-request and a total limit, so a
 * slow or hostile client can neither stall the daemon nor make it allocate
 * without bound. Each complete line is parsed, dispatched through the
 * command table, and answered with one line; a streaming command's
 * connection is then handed over to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
#include "util.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)
/* How long a reply may wait for a client to read it. */
#define API_SEND_TIMEOUT_MS 1000
/* Accepting stops this long after a fault, doubling up to the second. */
#define API_BACKOFF_MIN_MS 100
#define API_BACKOFF_MAX_MS 1000
/* What a client shed for want of descriptors hears. */
#define API_SHED_ANSWER                                                   \
	"{\"ok\":false,\"error\":\"xlbd is out of file descriptors: try " \
	"again\",\"code\":2}\n"

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

int api_set_group(struct api_server *srv, const char *name, char *err,
		  size_t errlen)
{
	struct group *gr;

	if (strlen(name) >= sizeof(srv->group_name)) {
		ERRF("--socket-group: '%s' is too long", name);
		return -ENAMETOOLONG;
	}
	errno = 0;
	gr = getgrnam(name);
	if (!gr) {
		ERRF("--socket-group: no group '%s'%s%s", name,
		     errno ? ": " : "", errno ? strerror(errno) : "");
		return errno ? -errno : -ENOENT;
	}
	snprintf(srv->group_name, sizeof(srv->group_name), "%s", name);
	srv->group = gr->gr_gid;
	srv->has_group = true;
	return 0;
}

/* Give path to the socket's group, if there is one. */
static int chgrp(struct api_server *srv, const char *path, char *err,
		 size_t errlen)
{
	int e;

	if (!srv->has_group || !chown(path, -1, srv->group))
		return 0;
	e = errno;
	ERRF("%s: chown to group %s: %s", path, srv->group_name, strerror(e));
	return -e;
}

int api_open(struct api_server *srv, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[sizeof(srv->path)], *dir;
	mode_t old;
	int ret;

	memset(srv->clients, 0, sizeof(srv->clients));
	srv->buffered = 0;
	srv->fd = -1;
	fault_init(&srv->accept_fault, "control socket: accept",
		   "new clients are told to try again", API_BACKOFF_MIN_MS,
		   API_BACKOFF_MAX_MS);
	srv->reserve = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		ERRF("%s: socket path too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	if (mkdir(dir, 0750) && errno != EEXIST) {
		ERRF("%s: %s", dir, strerror(errno));
		return -errno;
	}
	ret = chgrp(srv, dir, err, errlen);
	if (ret)
		return ret;
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
	if (ret || listen(srv->fd, SOMAXCONN)) {
		ERRF("%s: %s", path, strerror(errno));
		ret = -errno;
		close(srv->fd);
		srv->fd = -1;
		return ret;
	}
	ret = chgrp(srv, path, err, errlen);
	if (!ret) {
		srv->reserve = fault_reserve_open();
		ret = srv->reserve < 0 ? srv->reserve : 0;
		if (ret)
			ERRF("control socket: spare descriptor: %s",
			     strerror(-ret));
	}
	if (ret)
		api_close(srv);
	return ret;
}

static void client_drop(struct api_server *srv, int i)
{
	srv->buffered -= srv->clients[i]->cap;
	if (srv->clients[i]->fd >= 0)
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
	if (srv->reserve >= 0)
		close(srv->reserve);
	srv->reserve = -1;
}

int api_pollfds(struct api_server *srv, struct pollfd *pfds, int max)
{
	int n = 0;

	pfds[n++] = (struct pollfd){
		.fd = fault_due(&srv->accept_fault, now_ns()) ? srv->fd : -1,
		.events = POLLIN,
	};
	for (int i = 0; i < API_MAX_CLIENTS && n < max; i++)
		if (srv->clients[i])
			pfds[n++] = (struct pollfd){ .fd = srv->clients[i]->fd,
						     .events = POLLIN };
	return n;
}

int api_timeout(const struct api_server *srv)
{
	return fault_timeout_ms(&srv->accept_fault);
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

/* A streaming command's hand-over, due once its reply is sent. */
struct handover {
	const struct api_cmd *cmd;
	json_t *req;
};

/* Answer one request line; a streaming command fills *h. */
static json_t *dispatch(struct api_server *srv, const char *line, size_t len,
			struct handover *h)
{
	struct api_error e = { .code = API_FAILED };
	json_error_t jerr;
	json_t *req, *data = NULL, *reply;
	const char *cmd;
	char err[600];

	if (memchr(line, '\0', len))
		return error_msg("malformed request: NUL byte", API_USAGE);
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req || !json_is_object(req)) {
		json_decref(req);
		return error_msg("malformed request: expected a JSON object",
				 API_USAGE);
	}
	if (!json_is_string(json_object_get(req, "cmd"))) {
		json_decref(req);
		return error_msg("malformed request: \"cmd\" must be a string",
				 API_USAGE);
	}
	cmd = json_string_value(json_object_get(req, "cmd"));
	for (size_t i = 0; cmd && i < srv->n_cmds; i++) {
		if (strcmp(cmd, srv->cmds[i].name))
			continue;
		data = srv->cmds[i].fn(srv->ctx, req, &e);
		if (data && srv->cmds[i].stream) {
			h->cmd = &srv->cmds[i];
			h->req = req;
		} else {
			json_decref(req);
		}
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

/*
 * Room for more input, up to API_MAX_REQUEST for one client and
 * API_MAX_BUFFERED for all; NULL when there is room, else why not.
 */
static const char *client_room(struct api_server *srv, struct api_client *c)
{
	size_t cap = c->cap ? c->cap * 2 : API_MIN_BUFFER;
	char *buf;

	if (c->len < c->cap)
		return NULL;
	if (cap > API_MAX_REQUEST)
		return "request too long";
	if (srv->buffered - c->cap + cap > API_MAX_BUFFERED)
		return "too many large requests at once: try again";
	buf = realloc(c->buf, cap);
	if (!buf)
		return "out of memory";
	srv->buffered += cap - c->cap;
	c->buf = buf;
	c->cap = cap;
	return NULL;
}

/* Give client i's connection to a streaming command; forget the rest. */
static void hand_over(struct api_server *srv, int i, struct handover *h)
{
	int fd = srv->clients[i]->fd, ret;

	srv->clients[i]->fd = -1;
	client_drop(srv, i);
	ret = h->cmd->stream(srv->ctx, fd, h->req);
	if (ret)
		log_warn("control socket: %s: %s", h->cmd->name,
			 strerror(-ret));
	json_decref(h->req);
}

/* Read what the client sent; answer each complete line. */
static void client_read(struct api_server *srv, int i)
{
	struct api_client *c = srv->clients[i];
	const char *full = client_room(srv, c);
	struct handover h = { 0 };
	ssize_t r;
	char *nl;

	if (full) {
		log_warn("control socket: %s, closing a client", full);
		reply(c->fd, error_msg(full, API_USAGE));
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
		if (reply(c->fd, dispatch(srv, c->buf, used - 1, &h))) {
			json_decref(h.req);
			client_drop(srv, i);
			return;
		}
		if (h.cmd) {
			hand_over(srv, i, &h);
			return;
		}
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
	/* A large request is done with: give its memory back. */
	if (!c->len && c->cap > API_MIN_BUFFER) {
		srv->buffered -= c->cap;
		free(c->buf);
		c->buf = NULL;
		c->cap = 0;
	}
}

/* Is gid among the peer's supplementary groups? */
static bool peer_in_groups(int fd, gid_t gid)
{
	socklen_t len = 64 * sizeof(gid_t);
	gid_t *groups = malloc(len);
	bool found = false;

	if (groups && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) &&
	    errno == ERANGE) {
		free(groups);
		groups = malloc(len);
		if (groups &&
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
			len = 0;
	}
	for (size_t k = 0; groups && k < len / sizeof(gid_t); k++)
		found |= groups[k] == gid;
	free(groups);
	return found;
}

/*
 * Root, or a member of the socket's group (primary or supplementary, as
 * the peer was when it connected)? Otherwise err says who was refused.
 */
static bool peer_allowed(struct api_server *srv, int fd, char *err,
			 size_t errlen)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		ERRF("permission denied: peer credentials: %s",
		     strerror(errno));
		return false;
	}
	if (cred.uid == 0)
		return true;
	if (srv->has_group &&
	    (cred.gid == srv->group || peer_in_groups(fd, srv->group)))
		return true;
	if (srv->has_group)
		ERRF("permission denied: uid %u is not root or in group %s",
		     (unsigned)cred.uid, srv->group_name);
	else
		ERRF("permission denied: uid %u is not root (xlbd has no "
		     "--socket-group)",
		     (unsigned)cred.uid);
	return false;
}

/* One error line to a client that is not taken on, then close it. */
static void refuse(int fd, const char *text)
{
	reply(fd, error_msg(text, API_FAILED));
	close(fd);
}

static void accept_client(struct api_server *srv)
{
	int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	char err[200];
	int i;

	if (fd < 0) {
		fault_accept_failed(&srv->accept_fault, errno, now_ns(),
				    srv->fd, &srv->reserve, API_SHED_ANSWER);
		return;
	}
	fault_ok(&srv->accept_fault);
	fault_reserve_again(&srv->reserve);
	if (!peer_allowed(srv, fd, err, sizeof(err))) {
		log_warn("control socket: %s", err);
		refuse(fd, err);
		return;
	}
	for (i = 0; i < API_MAX_CLIENTS && srv->clients[i]; i++)
		;
	if (i == API_MAX_CLIENTS) {
		log_warn("control socket: too many clients, refusing one");
		refuse(fd, "too many clients: try again");
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
