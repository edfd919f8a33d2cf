/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet monitor's events as JSON, the lines xlbd streams to each
 * `xlbctl monitor`: one object per packet (its time on the wall clock,
 * where it was seen, the verdict and reason, its addresses and ports, its
 * VIP and backend, its first bytes in hex), and one per count of events
 * lost. Pure: the caller names the interface, VIP and backend.
 */
#ifndef XLB_MONITOR_EVENT_H
#define XLB_MONITOR_EVENT_H

#include <jansson.h>
#include <linux/types.h>

#include "xlb_abi.h"

/* A client wanting passed packets sees one in sample, 1 to this. */
#define MON_SAMPLE_MAX 1000000000u

/* How the lines are written: 16 digits keep a time's microseconds. */
#define MON_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(16))

/* What the event's ids and clock stand for, as xlbd knows them. */
struct mon_names {
	const char *ifname; /* NULL: unknown */
	const char *vip; /* the VIP's text form, NULL: none */
	const char *backend; /* the backend's, NULL: none */
	__s64 real_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* {"type": "packet", ...}, or NULL when out of memory. */
json_t *mon_event_json(const struct xlb_mon_event *e,
		       const struct mon_names *n);

/* Where events were lost: in the kernel (the ring buffer was full) or in
 * xlbd (the client did not read its stream fast enough). */
#define MON_LOST_KERNEL "kernel"
#define MON_LOST_XLBD "xlbd"

/* {"type": "lost", "events": N, "where": where}. */
json_t *mon_lost_json(__u64 events, const char *where);

#endif /* XLB_MONITOR_EVENT_H */
