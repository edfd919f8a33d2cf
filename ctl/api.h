/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: a unix stream socket speaking JSON lines. A request
 * is one object {"cmd": NAME, ...}; the reply is {"ok": true, "data": ...}
 * or {"ok": false, "error": TEXT, "code": 1|2}. Reads never block the
 * daemon; a malformed or oversized request gets an error reply. Only root
 * and members of the socket's group (--socket-group) are served: the peer's
 * credentials are checked on accept, whatever the file's permissions.
 * Out of file descriptors, a new client is accepted on a spare one, told
 * to try again and closed; other faults of accept stop it for a while.
 */
#ifndef XLB_API_H
#define XLB_API_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

#include "fault.h"

#define API_MAX_CLIENTS 32
/* A request line may be this long (a batch of a million changes is about
 * 80 MB); the buffer grows from API_MIN_BUFFER as a request needs it. */
#define API_MAX_REQUEST (256u << 20)
#define API_MIN_BUFFER 65536
/* What all clients' buffers may hold together: two requests of the largest
 * size, so a few clients streaming without a newline cannot make the
 * daemon hold API_MAX_CLIENTS times the limit. */
#define API_MAX_BUFFERED (2 * (size_t)API_MAX_REQUEST)
/* A group name, as getgrnam() takes it. */
#define API_GROUP_LEN 64

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

/*
 * One command: returns the data object, or NULL with *e filled in. A
 * command that streams (xlbctl monitor) also has `stream`: once its reply
 * is sent, the server lets go of the connection and hands it over, with
 * the request; stream owns fd from then on (it closes it, on failure too)
 * and whatever the client sends after the request is not read as
 * requests.
 */
struct api_cmd {
	const char *name;
	json_t *(*fn)(void *ctx, json_t *req, struct api_error *e);
	int (*stream)(void *ctx, int fd, json_t *req);
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
	size_t buffered; /* the clients' buffers' sizes, summed */
	int reserve; /* a spare descriptor, to shed clients when out of fds */
	struct fault accept_fault;
	bool has_group; /* members of group are served, besides root */
	gid_t group;
	char group_name[API_GROUP_LEN];
};

/* Serve members of the group NAME besides root, and give the socket and
 * its directory to that group (at api_open). Returns 0 or -errno. */
int api_set_group(struct api_server *srv, const char *name, char *err,
		  size_t errlen);

int api_open(struct api_server *srv, const char *path, char *err,
	     size_t errlen);
void api_close(struct api_server *srv);
/* Fill pollfds (listen socket first, fd -1 while accepting backs off);
 * returns how many were filled. */
int api_pollfds(struct api_server *srv, struct pollfd *pfds, int max);
/* Milliseconds until accepting is tried again; -1 when it is not held. */
int api_timeout(const struct api_server *srv);
/* Handle whatever poll() reported on the fds api_pollfds() filled. */
void api_process(struct api_server *srv, const struct pollfd *pfds, int n);

#endif /* XLB_API_H */
