/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: a unix stream socket speaking JSON lines. A request
 * is one object {"cmd": NAME, ...}; the reply is {"ok": true, "data": ...}
 * or {"ok": false, "error": TEXT, "code": 1|2}. Reads never block the
 * daemon; a malformed or oversized request gets an error reply.
 */
#ifndef XLB_API_H
#define XLB_API_H

#include <poll.h>
#include <stddef.h>
#include <jansson.h>

#define API_MAX_CLIENTS 32
/* A request line may be this long (a batch of a million changes is about
 * 80 MB); the buffer grows from API_MIN_BUFFER as a request needs it. */
#define API_MAX_REQUEST (256u << 20)
#define API_MIN_BUFFER 65536

/* Exit codes the client reports (DESIGN.md: 1 usage, 2 daemon/kernel). */
enum api_code {
	API_USAGE = 1,
	API_FAILED = 2,
};

/* A failed request: the message, the exit code, and optional fields
 * added to the error reply (e.g. the index of a batch's bad op). */
struct api_error {
	char msg[512];
	int code; /* enum api_code */
	json_t *extra;
};

/* One command: returns the data object, or NULL with *e filled in. */
struct api_cmd {
	const char *name;
	json_t *(*fn)(void *ctx, json_t *req, struct api_error *e);
};

struct api_client {
	int fd;
	size_t len, cap;
	char *buf;
};

struct api_server {
	int fd;
	char path[108];
	const struct api_cmd *cmds;
	size_t n_cmds;
	void *ctx;
	struct api_client *clients[API_MAX_CLIENTS];
};

int api_open(struct api_server *srv, const char *path, char *err,
	     size_t errlen);
void api_close(struct api_server *srv);
/* Fill pollfds (listen socket first); returns how many were filled. */
int api_pollfds(struct api_server *srv, struct pollfd *pfds, int max);
/* Handle whatever poll() reported on the fds api_pollfds() filled. */
void api_process(struct api_server *srv, const struct pollfd *pfds, int n);

#endif /* XLB_API_H */
