/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xlbctl side of the daemon's control socket: connect to xlbd's unix
 * stream socket, send one JSON request line, read one JSON reply line and
 * hand back its "data" object. Nothing here prints: every failure comes back
 * as -errno with a one-line message and the exit status xlbctl should use.
 */
#ifndef XLB_CLIENT_H
#define XLB_CLIENT_H

#include <jansson.h>

#define XLB_DEFAULT_SOCKET "/run/xlb/xlbd.sock"

/* A reply longer than this is refused rather than buffered. */
#define XLB_REPLY_MAX (16u << 20)

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
};

/*
 * Send req to the daemon listening at path and wait for its reply.
 * On success returns 0 and *data holds the reply's "data" object (a new
 * reference; an empty object when the daemon sent none). On failure returns
 * -errno and fills *err:
 *   -ENOENT, -ECONNREFUSED, -EACCES, ...  the socket cannot be reached;
 *   -ETIMEDOUT                            no reply within the timeout;
 *   -EPROTO                               no reply, or not a valid reply;
 *   -EMSGSIZE                             reply over XLB_REPLY_MAX;
 *   -EREMOTEIO                            the daemon answered "ok": false.
 */
int client_call(const char *path, json_t *req, json_t **data,
		struct client_error *err);

#endif /* XLB_CLIENT_H */
