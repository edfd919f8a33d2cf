/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbctl monitor, its pure parts: the arguments parsed into xlbd's
 * request, and each line of the stream (the JSON of monitor_event.h)
 * turned into a line of text or a pcap record's time and bytes. Nothing
 * here talks to the daemon or writes a file, so the unit tests drive it
 * all; cmd_monitor.c does the rest.
 */
#ifndef XLB_MONITOR_TEXT_H
#define XLB_MONITOR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include <jansson.h>

#include "monitor_event.h"

#define MONITOR_ERRLEN 256
/* Room for any text line of an event, with its terminator. */
#define MONITOR_LINE_MAX 512

struct monitor_args {
	json_t *req; /* {"cmd": "monitor", "mode": ..., "sample": N} */
	uint64_t count; /* packets to show before exiting; 0: no end */
	const char *write; /* the pcap file, or NULL */
};

/*
 * [drops|all] [sample N] [count N] [write FILE]: drops unless all is
 * given; sample (1 to MON_SAMPLE_MAX) only with all. Returns 0 with
 * a filled in (a->req a new reference), -EINVAL with the reason in err,
 * or -ENOMEM.
 */
int monitor_parse(int argc, char **argv, struct monitor_args *a, char *err,
		  size_t errlen);

/* The kinds of lines in the stream. */
enum monitor_line {
	MONITOR_PACKET,
	MONITOR_LOST,
};

/* What a stream line is; -EPROTO when it is neither. */
int monitor_kind(json_t *line, enum monitor_line *kind);

/*
 * The text of a packet or lost line: for a packet "TIME HOOK IFNAME
 * VERDICT REASON PROTO SRC[:PORT] > DST[:PORT] [vip VIP] [backend ADDR]
 * len N", the time local, to the microsecond. Returns 0, or -EPROTO
 * when a field it needs is missing or of the wrong type.
 */
int monitor_text(json_t *line, char *buf, size_t len);

/* A packet's "time" as seconds and microseconds; -EPROTO if none. */
int monitor_time(json_t *line, struct timeval *tv);

/*
 * A packet's captured bytes (its "data", hex) into buf (cap bytes, at
 * most) and its length on the wire (*orig). Returns how many bytes, or
 * -EPROTO.
 */
int monitor_bytes(json_t *line, uint8_t *buf, size_t cap, uint32_t *orig);

#endif /* XLB_MONITOR_TEXT_H */
