/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xlbctl side of the daemon's control socket: connect to xlbd's unix
 * stream socket, send one JSON request line, read one JSON reply line and
 * hand back its "data" object. client_call*() print nothing: every failure
 * comes back as -errno with a one-line message, the exit status xlbctl
 * should use and, for a batch, which of its commands the daemon refused;
 * client_request() and client_report() are the command handlers' way to
 * report such a failure once on stderr.
 */
#ifndef XLB_CLIENT_H
#define XLB_CLIENT_H

#include <jansson.h>

#define XLB_DEFAULT_SOCKET "/run/xlb/xlbd.sock"

/*
 * Requests and replies longer than these are refused rather than sent or
 * buffered. A batch of 1,000,000 list entries is about 75 MiB; a list of
 * as many entries with their counters about 100 MiB.
 */
#define XLB_REQUEST_MAX (256u << 20)
#define XLB_REPLY_MAX (256u << 20)

/* How long xlbctl waits for the daemon to accept, answer or take data. */
#define XLB_CLIENT_TIMEOUT_S 10

/* Exit statuses shared with the daemon's "code" field. */
enum xlb_exit {
	XLB_EXIT_OK = 0,
	XLB_EXIT_USAGE = 1,
	XLB_EXIT_DAEMON = 2,
};

struct client_error {
	char msg[512]; /* "cannot reach xlbd at PATH: ...", without "xlbctl: " */
	int code; /* enum xlb_exit */
	long long index; /* the refused command of a batch ("index"), or -1 */
};

/*
 * Send req to the daemon listening at path and wait for its reply.
 * On success returns 0 and *data holds the reply's "data" object (a new
 * reference; an empty object when the daemon sent none). On failure returns
 * -errno and fills *err:
 *   -ENOENT, -ECONNREFUSED, -EACCES, ...  the socket cannot be reached;
 *   -ETIMEDOUT                            no reply within the timeout;
 *   -EPROTO                               no reply, or not a valid reply;
 *   -EMSGSIZE                             request or reply over its max;
 *   -EREMOTEIO                            the daemon answered "ok": false.
 */
int client_call(const char *path, json_t *req, json_t **data,
		struct client_error *err);

/*
 * The same for a request already encoded: len bytes of compact JSON without
 * the newline, which is sent after them. timeout_s bounds the wait for the
 * reply (a large batch takes the daemon longer than one command).
 */
int client_call_line(const char *path, const char *line, size_t len,
		     int timeout_s, json_t **data, struct client_error *err);

/* A stream's reply line is at most this long. */
#define XLB_STREAM_REPLY_MAX 4096

/*
 * A request whose reply starts a stream (monitor): send req, read the
 * reply line alone, and return the connection (blocking, with no receive
 * timeout) for the stream's lines, *data as client_call()'s. On failure
 * returns -errno with *err filled, as client_call().
 */
int client_stream(const char *path, json_t *req, json_t **data,
		  struct client_error *err);

/*
 * Print "xlbctl: [WHERE: ]MESSAGE" for a failed client_call*() (nothing
 * when interrupted) and return what the handler should: -EINVAL when the
 * daemon called it a usage error, else -errno (never -EINVAL).
 */
int client_report(int ret, const struct client_error *err, const char *where);

/*
 * client_call() for a command handler: takes req (NULL means building it
 * ran out of memory) and reports a failure with client_report().
 */
int client_request(const char *path, json_t *req, json_t **data);

/* json_object_set_new() as 0 or -ENOMEM; value is taken either way. */
int client_json_set(json_t *obj, const char *key, json_t *value);

#endif /* XLB_CLIENT_H */
