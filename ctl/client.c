// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl's client for the daemon's control socket. One connection per
 * request: connect, send the request as one compact JSON line, read until
 * the first newline (or end of stream), parse with jansson and split the
 * reply into its data or its error. Socket timeouts bound every wait, so a
 * wedged daemon costs at most XLB_CLIENT_TIMEOUT_S per step (the caller's
 * timeout for the reply).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

#define READ_CHUNK 65536

static int fail(struct client_error *err, int ret, int code, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

/* Fill err and return ret, so callers can write "return fail(...)". */
static int fail(struct client_error *err, int ret, int code, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = code;
	return ret;
}

static int connect_error(const char *path, int e, struct client_error *err)
{
	switch (e) {
	case ENOENT:
	case ECONNREFUSED:
		return fail(err, -e, XLB_EXIT_DAEMON,
			    "cannot reach xlbd at %s: %s (is xlbd running?)",
			    path, strerror(e));
	case EACCES:
	case EPERM:
		return fail(
			err, -e, XLB_EXIT_DAEMON,
			"permission denied on %s (xlbctl needs root or the socket's group)",
			path);
	default:
		return fail(err, -e, XLB_EXIT_DAEMON,
			    "cannot connect to xlbd at %s: %s", path,
			    strerror(e));
	}
}

static int set_timeout(int fd, int opt, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/* Returns a connected socket, or -errno with err filled. */
static int client_connect(const char *path, struct client_error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return fail(err, -ENAMETOOLONG, XLB_EXIT_USAGE,
			    "socket path too long (at most %zu bytes): %s",
			    sizeof(sun.sun_path) - 1, path);
	strcpy(sun.sun_path, path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, -errno, XLB_EXIT_DAEMON, "socket: %s",
			    strerror(errno));
	ret = set_timeout(fd, SO_RCVTIMEO, XLB_CLIENT_TIMEOUT_S);
	if (!ret)
		ret = set_timeout(fd, SO_SNDTIMEO, XLB_CLIENT_TIMEOUT_S);
	if (ret) {
		close(fd);
		return fail(err, ret, XLB_EXIT_DAEMON, "socket timeouts: %s",
			    strerror(-ret));
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		ret = errno;
		close(fd);
		if (ret == EAGAIN) /* listen backlog full for too long */
			ret = ETIMEDOUT;
		return connect_error(path, ret, err);
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len, const char *path,
		    struct client_error *err)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			return fail(err, -EINTR, XLB_EXIT_DAEMON,
				    "interrupted");
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return fail(err, -ETIMEDOUT, XLB_EXIT_DAEMON,
				    "xlbd at %s took no request within %d s",
				    path, XLB_CLIENT_TIMEOUT_S);
		if (n < 0)
			return fail(err, -errno, XLB_EXIT_DAEMON,
				    "sending request to xlbd at %s: %s", path,
				    strerror(errno));
		buf += n;
		len -= n;
	}
	return 0;
}

static int recv_error(int e, const char *path, int timeout_s,
		      struct client_error *err)
{
	if (e == EINTR)
		return fail(err, -EINTR, XLB_EXIT_DAEMON, "interrupted");
	if (e == EAGAIN || e == EWOULDBLOCK)
		return fail(err, -ETIMEDOUT, XLB_EXIT_DAEMON,
			    "no reply from xlbd at %s within %d s", path,
			    timeout_s);
	return fail(err, -e, XLB_EXIT_DAEMON,
		    "reading reply from xlbd at %s: %s", path, strerror(e));
}

/*
 * Read up to the first newline, or to end of stream. On success *buf holds
 * *len bytes (newline excluded) and must be freed by the caller.
 */
static int recv_line(int fd, const char *path, int timeout_s, char **buf,
		     size_t *len, struct client_error *err)
{
	size_t have = 0, cap = 0;
	char *p = NULL, *nl = NULL, *grown;
	ssize_t n;

	while (!nl) {
		if (have >= XLB_REPLY_MAX) {
			free(p);
			return fail(err, -EMSGSIZE, XLB_EXIT_DAEMON,
				    "reply from xlbd at %s is over %u MiB",
				    path, XLB_REPLY_MAX >> 20);
		}
		if (cap - have < READ_CHUNK) {
			cap = cap ? cap * 2 : READ_CHUNK;
			grown = realloc(p, cap);
			if (!grown) {
				free(p);
				return fail(err, -ENOMEM, XLB_EXIT_DAEMON,
					    "reading reply: out of memory");
			}
			p = grown;
		}
		n = recv(fd, p + have, cap - have, 0);
		if (n < 0) {
			free(p);
			return recv_error(errno, path, timeout_s, err);
		}
		if (n == 0)
			break;
		nl = memchr(p + have, '\n', n);
		have += n;
	}
	*len = nl ? (size_t)(nl - p) : have;
	if (*len > XLB_REPLY_MAX) {
		free(p);
		return fail(err, -EMSGSIZE, XLB_EXIT_DAEMON,
			    "reply from xlbd at %s is over %u MiB", path,
			    XLB_REPLY_MAX >> 20);
	}
	*buf = p;
	return 0;
}

/*
 * After a send that failed because the daemon closed the connection: the
 * reply it sent before closing (it refuses an over-long request early), or
 * the send error if there is none.
 */
static int recv_early_reply(int fd, const char *path, int send_ret, char **buf,
			    size_t *len, struct client_error *err)
{
	struct client_error send_err = *err;

	if (!recv_line(fd, path, XLB_CLIENT_TIMEOUT_S, buf, len, err) &&
	    *len > 0)
		return 0;
	free(*buf);
	*buf = NULL;
	*err = send_err;
	return send_ret;
}

/* The daemon's {"ok": false, "error": ..., "code": ..., "index": ...}. */
static int reply_error(json_t *reply, struct client_error *err)
{
	json_t *msg = json_object_get(reply, "error");
	json_t *code = json_object_get(reply, "code");
	json_t *index = json_object_get(reply, "index");
	int exit_code = XLB_EXIT_DAEMON;

	if (json_is_integer(code) && json_integer_value(code) == XLB_EXIT_USAGE)
		exit_code = XLB_EXIT_USAGE;
	if (json_is_integer(index) && json_integer_value(index) >= 0)
		err->index = json_integer_value(index);
	if (!json_is_string(msg))
		return fail(err, -EREMOTEIO, exit_code,
			    "xlbd reported an error without a message");
	return fail(err, -EREMOTEIO, exit_code, "%s", json_string_value(msg));
}

static int parse_reply(const char *buf, size_t len, const char *path,
		       json_t **data, struct client_error *err)
{
	json_error_t jerr;
	json_t *reply, *ok, *d;
	int ret = 0;

	if (len == 0)
		return fail(err, -EPROTO, XLB_EXIT_DAEMON,
			    "xlbd at %s closed the connection without a reply",
			    path);
	reply = json_loadb(buf, len, 0, &jerr);
	if (!reply)
		return fail(err, -EPROTO, XLB_EXIT_DAEMON,
			    "malformed reply from xlbd at %s: %s", path,
			    jerr.text);
	ok = json_object_get(reply, "ok");
	d = json_object_get(reply, "data");
	if (!json_is_object(reply) || !json_is_boolean(ok)) {
		ret = fail(err, -EPROTO, XLB_EXIT_DAEMON,
			   "malformed reply from xlbd at %s: no \"ok\" field",
			   path);
	} else if (!json_is_true(ok)) {
		ret = reply_error(reply, err);
	} else if (d && !json_is_object(d)) {
		ret = fail(
			err, -EPROTO, XLB_EXIT_DAEMON,
			"malformed reply from xlbd at %s: \"data\" is not an object",
			path);
	} else {
		*data = d ? json_incref(d) : json_object();
		if (!*data)
			ret = fail(err, -ENOMEM, XLB_EXIT_DAEMON,
				   "out of memory");
	}
	json_decref(reply);
	return ret;
}

int client_call_line(const char *path, const char *line, size_t len,
		     int timeout_s, json_t **data, struct client_error *err)
{
	size_t rlen = 0;
	char *buf = NULL;
	int fd, ret;

	err->index = -1;
	if (len > XLB_REQUEST_MAX)
		return fail(err, -EMSGSIZE, XLB_EXIT_USAGE,
			    "request of %zu bytes is over %u MiB", len,
			    XLB_REQUEST_MAX >> 20);
	fd = client_connect(path, err);
	if (fd < 0)
		return fd;
	ret = send_all(fd, line, len, path, err);
	if (!ret)
		ret = send_all(fd, "\n", 1, path, err);
	if (ret == -EPIPE || ret == -ECONNRESET)
		ret = recv_early_reply(fd, path, ret, &buf, &rlen, err);
	else if (!ret && set_timeout(fd, SO_RCVTIMEO, timeout_s))
		ret = fail(err, -errno, XLB_EXIT_DAEMON, "socket timeouts: %s",
			   strerror(errno));
	else if (!ret)
		ret = recv_line(fd, path, timeout_s, &buf, &rlen, err);
	close(fd);
	if (!ret)
		ret = parse_reply(buf, rlen, path, data, err);
	free(buf);
	return ret;
}

int client_call(const char *path, json_t *req, json_t **data,
		struct client_error *err)
{
	char *line;
	int ret;

	err->index = -1;
	line = json_dumps(req, JSON_COMPACT);
	if (!line)
		return fail(err, -ENOMEM, XLB_EXIT_DAEMON,
			    "encoding request: out of memory");
	ret = client_call_line(path, line, strlen(line), XLB_CLIENT_TIMEOUT_S,
			       data, err);
	free(line);
	return ret;
}

/*
 * A stream's reply line, read a byte at a time so that nothing of the
 * stream after it is taken: the lines after it are the caller's.
 */
static int recv_reply_only(int fd, const char *path, char *buf, size_t cap,
			   size_t *len, struct client_error *err)
{
	ssize_t n;

	for (*len = 0; *len < cap; ++*len) {
		n = recv(fd, buf + *len, 1, 0);
		if (n < 0)
			return recv_error(errno, path, XLB_CLIENT_TIMEOUT_S,
					  err);
		if (n == 0 || buf[*len] == '\n')
			return 0;
	}
	return fail(err, -EMSGSIZE, XLB_EXIT_DAEMON,
		    "reply from xlbd at %s is over %zu bytes", path, cap);
}

int client_stream(const char *path, json_t *req, json_t **data,
		  struct client_error *err)
{
	char *line = req ? json_dumps(req, JSON_COMPACT) : NULL;
	char reply[XLB_STREAM_REPLY_MAX];
	size_t len = 0;
	int fd, ret;

	err->index = -1;
	if (!line)
		return fail(err, -ENOMEM, XLB_EXIT_DAEMON,
			    "encoding request: out of memory");
	fd = client_connect(path, err);
	ret = fd < 0 ? fd : send_all(fd, line, strlen(line), path, err);
	if (!ret)
		ret = send_all(fd, "\n", 1, path, err);
	if (!ret)
		ret = recv_reply_only(fd, path, reply, sizeof(reply), &len,
				      err);
	if (!ret)
		ret = parse_reply(reply, len, path, data, err);
	/* Events may be a long time apart: no timeout from now on. */
	if (!ret && set_timeout(fd, SO_RCVTIMEO, 0))
		ret = fail(err, -errno, XLB_EXIT_DAEMON, "socket timeouts: %s",
			   strerror(errno));
	free(line);
	if (ret && fd >= 0)
		close(fd);
	return ret ? ret : fd;
}

int client_report(int ret, const struct client_error *err, const char *where)
{
	if (ret != -EINTR)
		fprintf(stderr, "xlbctl: %s%s%s\n", where ? where : "",
			where ? ": " : "", err->msg);
	if (err->code == XLB_EXIT_USAGE)
		return -EINVAL;
	return ret == -EINVAL ? -EIO : ret;
}

int client_request(const char *path, json_t *req, json_t **data)
{
	struct client_error err = { .code = XLB_EXIT_DAEMON };
	int ret;

	if (!req) {
		fprintf(stderr, "xlbctl: building request: out of memory\n");
		return -ENOMEM;
	}
	ret = client_call(path, req, data, &err);
	json_decref(req);
	return ret ? client_report(ret, &err, NULL) : 0;
}

int client_json_set(json_t *obj, const char *key, json_t *value)
{
	return json_object_set_new(obj, key, value) ? -ENOMEM : 0;
}
