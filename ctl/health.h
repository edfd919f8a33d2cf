/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Health checks of load-balancer backends. Per VIP (its `health` group),
 * every backend is probed on its own timer: a non-blocking TCP connect,
 * and for type http a GET whose status line must carry the expected
 * status. A state machine per backend turns results into up and down:
 * a backend starts up, goes down after `fall` failures in a row and comes
 * back after `rise` successes in a row. Down takes it out of its VIP's
 * ring and sets XLB_BACKEND_DOWN (its open flows move); up undoes both.
 *
 * health_check.c holds the pure parts (the state machine, the HTTP request
 * and status line), unit-tested without sockets; health_probe.c one
 * probe's socket; health.c the timers, driven by xlbd's poll loop, and
 * the effect of results on the load balancer.
 */
#ifndef XLB_HEALTH_H
#define XLB_HEALTH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <linux/types.h>

#include "config.h"

/* Probes in flight at once; more wait for a free one. */
#define HEALTH_MAX_PROBES 64

/*
 * Probes take source ports above Linux's default ephemeral range
 * (32768..60999), which NAT mode uses for translated flows, so a probe's
 * reply is never taken for a NAT reply.
 */
#define HEALTH_PORT_LO 61000
#define HEALTH_PORT_HI 65535

/* Room for the last result, as "connect: Connection refused". */
#define HEALTH_RESULT_LEN 80

/* One backend's checks, as the state machine sees them. */
struct health_state {
	bool down;
	__u32 ok_run, fail_run; /* consecutive successes, failures */
	__u64 checks_ok, checks_failed; /* since the checks began */
	__u64 checks_not_run; /* probes xlbd could not make (its own fault) */
	__u64 changed_ns; /* CLOCK_MONOTONIC of the last change (or start) */
	char result[HEALTH_RESULT_LEN]; /* the last result; "" before one */
};

/* A fresh state, up or down, as of now_ns. */
void health_state_init(struct health_state *s, bool down, __u64 now_ns);

/*
 * Record one result (ok or not, with its text): counters, runs, and the
 * transition when a run reaches fall (up -> down) or rise (down -> up).
 * Returns true when the state changed.
 */
bool health_record(struct health_state *s, bool ok, const char *result,
		   __u32 rise, __u32 fall, __u64 now_ns);

/*
 * A probe xlbd could not make (no socket or port of its own to make it
 * with): counted apart and shown as the last result ("not run: ..."),
 * but neither a success nor a failure, so the state and runs stay.
 */
void health_not_run(struct health_state *s, const char *result);

/*
 * Match the start of an HTTP response, len bytes of buf, against
 * "HTTP/1.x NNN" followed by a space or the end of the line. Returns 0
 * with *status set, -EAGAIN when buf is a proper prefix of such a line
 * (read more), -EPROTO when it cannot be one.
 */
int health_parse_status(const char *buf, size_t len, unsigned int *status);

/*
 * The request of an http check: "GET PATH HTTP/1.0" with Host (the
 * address, in brackets for IPv6), Connection: close and User-Agent
 * headers. Returns its length, or -ENOSPC if it does not fit in len.
 */
int health_http_request(char *buf, size_t len, const char *path,
			const struct xlb_addr *addr);

/* "up", "down". */
const char *health_state_str(const struct health_state *s);

/* One probe (health_probe.c): its socket and how far it got. */
enum health_phase { HEALTH_IDLE, HEALTH_CONNECT, HEALTH_SEND, HEALTH_READ };

#define HEALTH_BUF 512 /* the request out, the status line in */

struct health_probe {
	enum health_phase phase; /* HEALTH_IDLE: no socket */
	int fd;
	int err; /* why a probe was not run (a positive errno) */
	size_t len, done; /* request length and bytes sent, or bytes read */
	char buf[HEALTH_BUF];
};

/*
 * What a probe came to, so far. HEALTH_NOT_RUN: xlbd could not make it
 * (out of descriptors, memory or source ports), which says nothing about
 * the backend.
 */
enum health_step {
	HEALTH_PENDING,
	HEALTH_PASSED,
	HEALTH_FAILED,
	HEALTH_NOT_RUN,
};

/*
 * Start probing addr at port as c says, from a source port of
 * HEALTH_PORT_LO..HEALTH_PORT_HI picked from rnd on. HEALTH_PENDING: poll
 * p->fd for health_probe_events(); otherwise the probe is over (no
 * socket left) and result says how (p->err, for HEALTH_NOT_RUN, why).
 */
enum health_step health_probe_start(struct health_probe *p,
				    const struct xlb_health_conf *c,
				    const struct xlb_addr *addr, __u16 port,
				    __u32 rnd, char *result, size_t len);
/* Go on after poll() reported revents on p->fd; as above. */
enum health_step health_probe_step(struct health_probe *p,
				   const struct xlb_health_conf *c,
				   const struct xlb_addr *addr, short revents,
				   char *result, size_t len);
/* What to poll p->fd for. */
short health_probe_events(const struct health_probe *p);
/* Close the socket (with a reset) and go idle; harmless when idle. */
void health_probe_stop(struct health_probe *p);

/* Below: the engine (health.c), over the load balancer's backends. */
struct lb;

/* Attach the engine to lb (lb->health); 0 or -ENOMEM. */
int health_open(struct lb *lb, char *err, size_t errlen);
/* Stop every probe and detach; backends keep their state in the maps. */
void health_close(struct lb *lb);

/*
 * Take the VIPs' health groups from conf (by VIP address). Backends of a
 * VIP without one are unchecked and brought up; a changed group restarts
 * the backends' runs, keeping their state.
 */
void health_configure(struct lb *lb, const struct xlb_config *conf);

/* Milliseconds until a probe is due or times out; -1 for none. */
int health_timeout(struct lb *lb);
/* Fill pollfds with the probes in flight; returns how many. */
int health_pollfds(struct lb *lb, struct pollfd *pfds, int max);
/* Advance the probes poll() reported, time out late ones, start due ones. */
void health_process(struct lb *lb, const struct pollfd *pfds, int n);

/*
 * Backend id's health as JSON: {"state":"up"|"down"|"unchecked"} and,
 * when checked, "result", "checks_ok", "checks_failed", "checks_not_run"
 * and "since_s" (seconds in this state).
 */
json_t *health_json(struct lb *lb, __u32 id);

#endif /* XLB_HEALTH_H */
