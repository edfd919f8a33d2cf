/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbctl's output: status and stats tables, --watch rates and human units,
 * all rendered from the daemon's JSON data objects onto a FILE. Pure
 * functions of their arguments (no daemon, no clock), so the unit tests
 * render into memory and compare text. Names of hooks, verdicts, classes and
 * exceptions come from the data, never from a list here, so new stages show
 * up without changes. A render either writes all of its output or nothing:
 * on a malformed object it returns -EPROTO and points *why at the reason.
 */
#ifndef XLB_SHOW_H
#define XLB_SHOW_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/*
 * value (>= 0) with an SI prefix, then unit: "0 pps", "950 pps", "1.2 Mpps",
 * "340 Mbit/s". Three significant digits at most, one decimal below 10.
 * Returns 0, or -ENOSPC if buf is too small (it is always terminated).
 */
int show_si(char *buf, size_t len, double value, const char *unit);

/*
 * Per-second rate of a counter read as prev and then as cur, dt_ns apart.
 * A counter that went backwards (reset between samples) gives 0, as does
 * dt_ns == 0.
 */
double show_rate(uint64_t prev, uint64_t cur, uint64_t dt_ns);

/* data as one compact JSON line. Returns 0, or -EIO/-ENOMEM. */
int show_json(FILE *out, json_t *data);

/*
 * A copy of status data whose "interfaces" holds only dev: 0, -ENOENT if
 * there is no such interface, -EPROTO if data is malformed.
 */
int show_status_select(json_t *data, const char *dev, json_t **out);

/* The status data object, for people. */
int show_status(FILE *out, json_t *data, const char **why);

/*
 * The stats data object, for people: per interface and hook every verdict,
 * the non-zero entries of every other group (classes, ...), then the
 * non-zero exceptions.
 */
int show_stats(FILE *out, json_t *data, const char **why);

/*
 * Rates between two stats data objects, per interface, hook and verdict:
 *   {"time_ns": T, "interval_ns": DT,
 *    "interfaces": {"veth0": {"xdp": {"pass": {"pps": X, "bps": Y}, ...}}}}
 * bps is in bits per second. Counters missing from prev are left out.
 * Returns 0 with *rates a new object, or -EPROTO (time_ns missing or not
 * advancing, malformed counters) or -ENOMEM.
 */
int show_rates_compute(json_t *prev, json_t *cur, json_t **rates,
		       const char **why);

/* A rates object (from show_rates_compute) as a table, for people. */
int show_rates(FILE *out, json_t *rates, const char **why);

#endif /* XLB_SHOW_H */
