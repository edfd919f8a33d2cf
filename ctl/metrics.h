/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /metrics endpoint: a small, strict HTTP/1.x responder driven by
 * xlbd's poll loop (metrics.c) with its parsers (metrics_parse.c), and the
 * Prometheus text it serves, rendered from the stats object of
 * `xlbctl -j stats` (metrics_text.c). It answers
 * only GET (and HEAD) /metrics; every client has a bounded request buffer
 * and a deadline, and every socket is non-blocking, so no client can stall
 * the daemon or make it allocate without bound. Out of file descriptors,
 * a new client is accepted on a spare one, answered 503 and closed;
 * other faults of accept stop it for a while.
 */
#ifndef XLB_METRICS_H
#define XLB_METRICS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <jansson.h>

#include "fault.h"

#define METRICS_DEFAULT_ADDR "127.0.0.1:9477"
/* Clients served at once; more wait in the listen backlog. */
#define METRICS_MAX_CLIENTS 16
#define METRICS_BACKLOG 128
/* A request line and its headers must fit here (else 431). */
#define METRICS_MAX_REQUEST 4096
/* From accept to the last byte of the answer, at most. */
#define METRICS_TIMEOUT_MS 5000
/* After the answer, how long the client may take to close. */
#define METRICS_LINGER_MS 1000

/* Where to listen: "ADDR:PORT", "[ADDR6]:PORT" (numeric) or "off". */
struct metrics_addr {
	bool off;
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parse s into *a; 0, or -EINVAL with the reason in err. */
int metrics_parse_addr(const char *s, struct metrics_addr *a, char *err,
		       size_t errlen);

/*
 * Judge the bytes a client sent so far. Returns 0 while the request is
 * incomplete and could still be valid, 200 for GET or HEAD of /metrics
 * (*head set for HEAD), or the error status to answer: 400 malformed,
 * 404 another path, 405 another method, 431 no end of headers within
 * METRICS_MAX_REQUEST bytes, 505 an HTTP version other than 1.0 and 1.1.
 */
int metrics_parse_request(const char *buf, size_t len, bool *head);

/*
 * Write the Prometheus text for a stats object (the `xlbctl -j stats`
 * object) and, when not NULL, the backends array of `backend list` (for
 * the weights). 0, or -EIO when out failed.
 */
int metrics_render(FILE *out, json_t *stats, json_t *backends,
		   const char *version);

/* Write the body of a 200 answer to out; 0 or -errno. */
typedef int (*metrics_body_fn)(void *ctx, FILE *out);

enum metrics_phase {
	METRICS_READING,
	METRICS_WRITING,
	METRICS_LINGERING, /* answer sent, waiting for the client to close */
};

struct metrics_client {
	int fd;
	enum metrics_phase phase;
	uint64_t deadline_ns;
	size_t in_len;
	char in[METRICS_MAX_REQUEST];
	char *out;
	size_t out_len, out_off;
};

struct metrics_server {
	int fd; /* -1: off */
	int timeout_ms;
	metrics_body_fn body;
	void *ctx;
	struct metrics_client *clients[METRICS_MAX_CLIENTS];
	int reserve; /* a spare descriptor, to shed clients when out of fds */
	struct fault accept_fault;
};

/* Listen on a (nothing when a->off); err names the address on failure. */
int metrics_open(struct metrics_server *srv, const struct metrics_addr *a,
		 char *err, size_t errlen);
void metrics_close(struct metrics_server *srv);
/* Fill pollfds; returns how many were filled (0 when off). */
int metrics_pollfds(struct metrics_server *srv, struct pollfd *pfds, int max);
/* Milliseconds until the next client deadline or the end of a back-off
 * from accepting, -1 when there is none. */
int metrics_timeout(const struct metrics_server *srv);
/* Handle what poll() reported, then drop the clients past their deadline. */
void metrics_process(struct metrics_server *srv, const struct pollfd *pfds,
		     int n);

#endif /* XLB_METRICS_H */
