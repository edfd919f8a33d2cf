// SPDX-License-Identifier: GPL-2.0
/*
 * Output of xlbctl's load balancer commands: the VIP and backend tables
 * (with their flows as the reaper counted them, why each unresolved
 * backend is so, and a health column when some backend is
 * health-checked), and the VIP and backend counters of the stats. Built on the table renderer of show_filter.c:
 * each table is checked and measured whole before its first row.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "show.h"
#include "util.h"

#define CELL_LEN SHOW_CELL_LEN

/* Columns of the backend table, without health. */
#define BACKEND_COLS 11
/* Below this many new connections per second, a rate keeps a decimal. */
#define RATE_DECIMAL_BELOW 10.0

/* The stats' rows: name, packets, bytes (and new flows, for VIPs). */
#define LB_HEAD "%-32s %14s %18s"
#define LB_ROW "  %-30s %14" PRIu64 " %18" PRIu64

static const char *str_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int u64_cell(json_t *obj, const char *key, char *cell)
{
	uint64_t v;

	if (show_get_u64(obj, key, &v))
		return -EPROTO;
	snprintf(cell, CELL_LEN, "%" PRIu64, v);
	return 0;
}

/* A member of a VIP's or backend's "conns" object; "-" without it. */
static int conns_cell(json_t *o, const char *key, char *cell)
{
	json_t *conns = json_object_get(o, "conns");

	if (!json_object_get(conns, key)) {
		snprintf(cell, CELL_LEN, "-");
		return 0;
	}
	return u64_cell(conns, key, cell);
}

/* flows syn nat-ports exhausted: what the reaper counted, and the NAT
 * ports exhausted; the NAT columns "-" for a DSR VIP. */
static int vip_flow_cells(json_t *vip, char cells[][CELL_LEN])
{
	json_t *conns = json_object_get(vip, "conns");
	uint64_t used, avail;

	if (conns_cell(vip, "active", cells[0]) ||
	    conns_cell(vip, "syn", cells[1]))
		return -EPROTO;
	snprintf(cells[2], CELL_LEN, "-");
	snprintf(cells[3], CELL_LEN, "-");
	if (!json_object_get(conns, "nat_ports"))
		return 0;
	if (show_get_u64(conns, "nat_ports", &used) ||
	    show_get_u64(conns, "nat_ports_available", &avail))
		return -EPROTO;
	snprintf(cells[2], CELL_LEN, "%" PRIu64 "/%" PRIu64, used, avail);
	return json_object_get(vip, "nat_exhausted") ?
		       u64_cell(vip, "nat_exhausted", cells[3]) :
		       0;
}

/* vip mode backends flows syn nat-ports exhausted packets bytes
 * new-flows hits misses */
static int vip_cells(json_t *vip, char cells[][CELL_LEN], const char **why)
{
	json_t *backends = json_object_get(vip, "backends");
	const char *name = str_of(vip, "vip"), *mode = str_of(vip, "mode");
	uint64_t in_ring;

	if (!name || !mode || !json_is_array(backends) ||
	    show_get_u64(vip, "in_ring", &in_ring))
		return show_malformed(why, "a VIP has no \"vip\", \"mode\", "
					   "\"in_ring\" or \"backends\"");
	snprintf(cells[0], CELL_LEN, "%s", name);
	snprintf(cells[1], CELL_LEN, "%s", mode);
	snprintf(cells[2], CELL_LEN, "%" PRIu64 "/%zu", in_ring,
		 json_array_size(backends));
	if (vip_flow_cells(vip, cells + 3))
		return show_malformed(why, "a VIP's \"conns\" are not numbers");
	if (u64_cell(vip, "packets", cells[7]) ||
	    u64_cell(vip, "bytes", cells[8]) ||
	    u64_cell(vip, "new_flows", cells[9]) ||
	    u64_cell(vip, "conn_hits", cells[10]) ||
	    u64_cell(vip, "conn_misses", cells[11]))
		return show_malformed(why, "a VIP's counters are not numbers");
	return 0;
}

/* A backend's new connections per second: one decimal below 10. */
static int rate_cell(json_t *b, char *cell)
{
	json_t *r = json_object_get(json_object_get(b, "conns"), "new_per_s");
	double v;

	if (!r) {
		snprintf(cell, CELL_LEN, "-");
		return 0;
	}
	if (!json_is_number(r) || json_number_value(r) < 0)
		return -EPROTO;
	v = json_number_value(r);
	snprintf(cell, CELL_LEN, v < RATE_DECIMAL_BELOW ? "%.1f" : "%.0f", v);
	return 0;
}

/* vip backend weight state conns new/s nat-ports mac interface packets
 * bytes */
static int backend_cells(json_t *b, char cells[][CELL_LEN], const char **why)
{
	const char *vip = str_of(b, "vip"), *addr = str_of(b, "address");
	const char *state = str_of(b, "state"), *mac = str_of(b, "mac");
	const char *ifname = str_of(b, "ifname");
	uint64_t port;

	if (!vip || !addr || !state || u64_cell(b, "weight", cells[2]))
		return show_malformed(why, "a backend has no \"vip\", "
					   "\"address\", \"weight\" or "
					   "\"state\"");
	snprintf(cells[0], CELL_LEN, "%s", vip);
	/* NAT to another port: ADDR:PORT, [ADDR6]:PORT */
	if (!json_object_get(b, "port"))
		snprintf(cells[1], CELL_LEN, "%s", addr);
	else if (show_get_u64(b, "port", &port) || !port || port > 65535)
		return show_malformed(why, "a backend's \"port\" is not "
					   "1..65535");
	else
		show_addr_port(cells[1], CELL_LEN, addr, port);
	snprintf(cells[3], CELL_LEN, "%s", state);
	if (conns_cell(b, "active", cells[4]) || rate_cell(b, cells[5]) ||
	    conns_cell(b, "nat_ports", cells[6]))
		return show_malformed(why,
				      "a backend's \"conns\" are not numbers");
	snprintf(cells[7], CELL_LEN, "%s", mac ? mac : "-");
	snprintf(cells[8], CELL_LEN, "%s", ifname ? ifname : "-");
	if (u64_cell(b, "packets", cells[9]) || u64_cell(b, "bytes", cells[10]))
		return show_malformed(why,
				      "a backend's counters are not numbers");
	return 0;
}

/* A backend's health state: up, down, unchecked; "-" if not given. */
static const char *health_state(json_t *b)
{
	const char *state = str_of(json_object_get(b, "health"), "state");

	return state ? state : "-";
}

/* The backend table with a health column after state. */
static int backend_health_cells(json_t *b, char cells[][CELL_LEN],
				const char **why)
{
	char row[BACKEND_COLS][CELL_LEN];
	int ret = backend_cells(b, row, why);

	if (ret)
		return ret;
	memcpy(cells[0], row[0], 4 * sizeof(row[0]));
	snprintf(cells[4], CELL_LEN, "%s", health_state(b));
	memcpy(cells[5], row[4], (BACKEND_COLS - 4) * sizeof(row[0]));
	return 0;
}

static const struct show_table vip_table = {
	"vips",
	"\"vips\" is not an array",
	"no VIPs",
	12,
	{ "vip", "mode", "backends", "flows", "syn", "nat ports", "exhausted",
	  "packets", "bytes", "new flows", "hits", "misses" },
	0xffcu, /* all but vip and mode */
	vip_cells,
};

static const struct show_table backend_table = {
	"backends",
	"\"backends\" is not an array",
	"no backends",
	BACKEND_COLS,
	{ "vip", "backend", "weight", "state", "conns", "new/s", "nat ports",
	  "mac", "interface", "packets", "bytes" },
	1u << 2 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 9 | 1u << 10,
	backend_cells,
};

static const struct show_table backend_health_table = {
	"backends",
	"\"backends\" is not an array",
	"no backends",
	BACKEND_COLS + 1,
	{ "vip", "backend", "weight", "state", "health", "conns", "new/s",
	  "nat ports", "mac", "interface", "packets", "bytes" },
	1u << 2 | 1u << 5 | 1u << 6 | 1u << 7 | 1u << 10 | 1u << 11,
	backend_health_cells,
};

static int render_vips(FILE *f, json_t *data, const char **why)
{
	return show_table_render(f, data, &vip_table, why);
}

int show_vips(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_vips, data, why);
}

/* Is some backend health-checked? */
static bool any_checked(json_t *backends)
{
	const char *state;
	json_t *b;
	size_t i;

	json_array_foreach(backends, i, b) {
		state = health_state(b);
		if (strcmp(state, "-") && strcmp(state, "unchecked"))
			return true;
	}
	return false;
}

/*
 * The table (with the health column when some backend is checked), then
 * why each unresolved backend is unresolved and each down one down.
 */
static int render_backends(FILE *f, json_t *data, const char **why)
{
	json_t *all = json_object_get(data, "backends"), *b;
	int ret = show_table_render(
		f, data,
		any_checked(all) ? &backend_health_table : &backend_table, why);
	const char *reason;
	size_t i;

	if (ret)
		return ret;
	json_array_foreach(all, i, b) {
		reason = str_of(b, "why");
		if (reason)
			fprintf(f, "%s %s: %s\n", str_of(b, "vip"),
				str_of(b, "address"), reason);
		reason = str_of(json_object_get(b, "health"), "result");
		if (reason && !strcmp(health_state(b), "down"))
			fprintf(f, "%s %s: health check failed: %s\n",
				str_of(b, "vip"), str_of(b, "address"), reason);
	}
	return 0;
}

int show_backends(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_backends, data, why);
}

/* One row of the stats' VIP or backend counters. */
static int counter_row(FILE *f, const char *label, json_t *c, bool flows,
		       const char **why)
{
	uint64_t packets, bytes, n = 0;

	if (show_get_pair(c, &packets, &bytes, why))
		return -EPROTO;
	if (flows && show_get_u64(c, "new_flows", &n))
		return show_malformed(why, "a VIP has no \"new_flows\"");
	fprintf(f, LB_ROW, label, packets, bytes);
	if (flows)
		fprintf(f, " %12" PRIu64, n);
	fputc('\n', f);
	return 0;
}

int show_lb_stats(FILE *f, json_t *vips, json_t *backends, const char **why)
{
	const char *name, *addr;
	char label[160];
	json_t *v, *per, *c;

	if (!vips)
		return 0;
	if (!json_is_object(vips) || (backends && !json_is_object(backends)))
		return show_malformed(
			why, "\"vips\" or \"backends\" is not an object");
	if (json_object_size(vips) == 0) /* no load balancer here */
		return 0;
	fprintf(f, LB_HEAD " %12s\n", "vips", "packets", "bytes", "new flows");
	json_object_foreach(vips, name, v)
		if (counter_row(f, name, v, true, why))
			return -EPROTO;
	if (!backends)
		return 0;
	fprintf(f, LB_HEAD "\n", "backends", "packets", "bytes");
	json_object_foreach(backends, name, per) {
		if (!json_is_object(per))
			return show_malformed(why, "a VIP's backends are not "
						   "an object");
		json_object_foreach(per, addr, c) {
			snprintf(label, sizeof(label), "%s %s", name, addr);
			if (counter_row(f, label, c, false, why))
				return -EPROTO;
		}
	}
	return 0;
}
