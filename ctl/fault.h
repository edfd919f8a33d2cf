/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resource faults. A socket, netlink or map call that fails for want of
 * descriptors, memory or buffers says nothing about what was asked, only
 * that xlbd could not ask now; the place that met it carries on as it
 * was, backs off, and tries again. Each place keeps a struct fault: a
 * fault is logged once per kind (its errno) and place at most every
 * FAULT_LOG_INTERVAL_S, not per event, with what xlbd does about it; the
 * first success after a logged fault is logged as the recovery. A place
 * that stops trying meanwhile asks fault_due() and fault_timeout_ms().
 */
#ifndef XLB_FAULT_H
#define XLB_FAULT_H

#include <stdbool.h>
#include <stdint.h>

/* A fault of one kind is logged again after this long at the earliest. */
#define FAULT_LOG_INTERVAL_S 60

/* Kinds told apart, by errno; anything else is the last. */
enum fault_kind {
	FAULT_EMFILE,
	FAULT_ENFILE,
	FAULT_ENOMEM,
	FAULT_ENOBUFS,
	FAULT_EAGAIN,
	FAULT_OTHER,
	FAULT_KINDS,
};

struct fault {
	const char *place; /* "control socket: accept" */
	const char *effect; /* what xlbd does meanwhile */
	uint32_t min_ms, max_ms; /* the back-off's first and longest delay */
	bool failing; /* no success since the last fault */
	bool told; /* a fault was logged since the last success */
	uint32_t delay_ms; /* the back-off's current delay; 0: none */
	uint64_t retry_ns; /* not before (CLOCK_MONOTONIC); 0: now */
	uint64_t faults; /* since the last recovery logged */
	uint64_t logged_ns[FAULT_KINDS]; /* when each kind was last logged */
};

/* A place that backs off from min_ms, doubling up to max_ms. */
void fault_init(struct fault *f, const char *place, const char *effect,
		uint32_t min_ms, uint32_t max_ms);

/* EMFILE, ENFILE, ENOMEM or ENOBUFS (positive errno). */
bool fault_is_resource(int err);
enum fault_kind fault_kind_of(int err);

/*
 * err (a positive errno) happened at f at now_ns: counted, and logged if
 * no fault of its kind was logged within FAULT_LOG_INTERVAL_S. Returns
 * true when it was logged.
 */
bool fault_hit(struct fault *f, int err, uint64_t now_ns);
/* Stop trying for the back-off's next delay (min_ms, doubling). */
void fault_back_off(struct fault *f, uint64_t now_ns);
/* What f tried succeeded: the back-off ends; the recovery is logged if
 * the fault was. Returns true when it was logged. */
bool fault_ok(struct fault *f);

/* May f try again at now_ns (no back-off, or its delay is over)? */
bool fault_due(const struct fault *f, uint64_t now_ns);
/* A poll() timeout to the end of the back-off; -1 when there is none. */
int fault_timeout_ms(const struct fault *f);

/*
 * accept4() on the listening socket lfd failed with EMFILE or ENFILE:
 * let go of the descriptor held in reserve (*reserve, opened with
 * fault_reserve_open(); -1 if it could not be), accept one connection
 * with it, send it answer (what the socket takes at once), close it and
 * take the reserve back. So the listen queue empties and poll() does not
 * spin on a socket that stays readable, and a client hears why at once.
 * Returns 0 when a connection was shed, -EAGAIN when none was waiting,
 * else -errno (-EMFILE without a reserve: then back off).
 */
int fault_shed(int lfd, int *reserve, const char *answer);
/*
 * accept4() on lfd failed with err (a positive errno) at now_ns: a
 * connection that went away first is no fault; out of descriptors, the
 * waiting client is shed on the reserve (fault_shed()); any other fault,
 * or none to shed it with, backs f off. Returns true when the caller may
 * accept again at once.
 */
bool fault_accept_failed(struct fault *f, int err, uint64_t now_ns, int lfd,
			 int *reserve, const char *answer);
/* A descriptor to hold in reserve (/dev/null); -errno on failure. */
int fault_reserve_open(void);
/* Open the reserve if *reserve is -1 (it stays -1 if that fails). */
void fault_reserve_again(int *reserve);

#endif /* XLB_FAULT_H */
