/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbctl's output: status, stats and filter tables, --watch rates and
 * human units, all rendered from the daemon's JSON data objects onto a
 * FILE (show.c, rates.c, show_filter.c). Pure functions of their arguments
 * (no daemon, no clock), so the unit tests render into memory and compare
 * text. Names of hooks, verdicts, classes, exceptions and drop reasons come
 * from the data, never from a list here, so new stages show up without
 * changes. A render either writes all of its output or nothing: on a
 * malformed object it returns -EPROTO and points *why at the reason.
 */
#ifndef XLB_SHOW_H
#define XLB_SHOW_H

#include <stdbool.h>
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

typedef int (*show_fn)(FILE *out, json_t *data, const char **why);

/*
 * For xlbctl's handlers: data as one JSON line if json, else as fn's
 * table; a failure is reported once on stderr ("xlbctl: malformed WHAT
 * reply from xlbd: WHY") and returned.
 */
int show_print(FILE *out, bool json, json_t *data, show_fn fn,
	       const char *what);

/* Report a failed show_* call for WHAT once on stderr; returns ret. */
int show_failed(int ret, const char *what, const char *why);

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
 * non-zero exceptions and drops, then the filter rules and list entries
 * with hits.
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

/* rule add's data {"id": N, ...}: the id alone. */
int show_rule_id(FILE *out, json_t *data, const char **why);

/*
 * rule list's data {"rules": [...]}: one row per rule, in the daemon's
 * order, with its match in xlbctl's grammar ("src 198.18.9.0/24 proto udp
 * dport 53", or "any") and its hits.
 */
int show_rules(FILE *out, json_t *data, const char **why);

/* allow/deny list's data {"entries": [...]}: one row per entry. */
int show_entries(FILE *out, json_t *data, const char **why);

/* rule flush's data {"removed": N}: "removed N rules". */
int show_removed(FILE *out, json_t *data, const char **why);

/* A batch's data {"applied": N}: "applied N commands". */
int show_applied(FILE *out, json_t *data, const char **why);

/*
 * Building blocks of the show modules. show_render() runs fn into memory
 * and copies its output to out only if fn succeeded; the others write
 * straight to the render's stream.
 */
int show_render(FILE *out, show_fn fn, json_t *data, const char **why);
/* one when n is 1, else many. */
const char *show_plural(uint64_t n, const char *one, const char *many);
/* *why = reason, and -EPROTO. */
int show_malformed(const char **why, const char *reason);
/* A non-negative integer member; -EPROTO if missing or not one. */
int show_get_u64(json_t *obj, const char *key, uint64_t *out);
/* One {"packets": N, "bytes": N} counter. */
int show_get_pair(json_t *entry, uint64_t *packets, uint64_t *bytes,
		  const char **why);
/* The stats' "filter" object: rules and list entries with hits. */
int show_filter_hits(FILE *f, json_t *filter, const char **why);

/*
 * vip list's data {"vips": [...]} and backend list's {"backends": [...]}
 * as tables; a backend's "why" (unresolved) is printed after the table.
 */
int show_vips(FILE *out, json_t *data, const char **why);
int show_backends(FILE *out, json_t *data, const char **why);
/*
 * conn list's data {"conns": [...], "matched": N}: one row per flow, then
 * how many matched when not all are shown; conn flush's data {"flows": N,
 * "nat_ports": N}: "flushed N flows, freed N NAT ports" (show_conns.c).
 */
int show_conns(FILE *out, json_t *data, const char **why);
int show_flushed(FILE *out, json_t *data, const char **why);
/* A duration in seconds for people: "0.4s", "42s", "3m07s", "2h05m". */
void show_duration(char *buf, size_t len, double s);
/* ADDR:PORT, or [ADDR]:PORT for IPv6. */
void show_addr_port(char *buf, size_t len, const char *addr, uint64_t port);
/* The stats' "tables" object: each table's entries in use, its size and
 * the entries reaped (none: nothing). */
int show_tables(FILE *f, json_t *tables, const char **why);

/* The stats' "vips" and "backends" objects (none: nothing). */
int show_lb_stats(FILE *f, json_t *vips, json_t *backends, const char **why);

/* Room for a cell (a rule's match with two IPv6 prefixes fits). */
#define SHOW_CELL_LEN 256
#define SHOW_MAX_COLS 12

typedef int (*show_cells_fn)(json_t *item, char cells[][SHOW_CELL_LEN],
			     const char **why);

/* A table of the objects in data[key], one row each, as cells makes it. */
struct show_table {
	const char *key;
	const char *not_array; /* the reason when data[key] is no array */
	const char *empty; /* the whole output when it is empty */
	int n_cols;
	const char *head[SHOW_MAX_COLS];
	unsigned int right; /* a bit per right-aligned column */
	show_cells_fn cells;
};

/*
 * Check every row and measure the columns, then print the table, columns
 * two spaces apart and as wide as their longest cell (show_filter.c).
 */
int show_table_render(FILE *f, json_t *data, const struct show_table *t,
		      const char **why);

#endif /* XLB_SHOW_H */
