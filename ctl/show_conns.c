// SPDX-License-Identifier: GPL-2.0
/*
 * Output of xlbctl conn: the flows of conn list as a table (client, VIP,
 * backend, NAT address and port, state, age, idle, packets, table) with
 * a line saying how many matched when count cut the list short, and what
 * conn flush deleted; and the stats' table occupancy. Durations are
 * written for people (show_duration()), the JSON keeps seconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "show.h"

#define CELL_LEN SHOW_CELL_LEN
#define S_PER_MIN 60
#define S_PER_HOUR 3600
/* Below this many seconds, a duration keeps a decimal. */
#define DURATION_DECIMAL_BELOW 10.0

/* The stats' table rows: name, in use, size, reaped. */
#define TABLE_HEAD "%-18s %12s %12s %12s\n"
#define TABLE_ROW "  %-16s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n"

void show_duration(char *buf, size_t len, double s)
{
	uint64_t t = s > 0 ? (uint64_t)s : 0;

	if (s < DURATION_DECIMAL_BELOW)
		snprintf(buf, len, "%.1fs", s > 0 ? s : 0.0);
	else if (t < S_PER_MIN)
		snprintf(buf, len, "%" PRIu64 "s", t);
	else if (t < S_PER_HOUR)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", t / S_PER_MIN,
			 t % S_PER_MIN);
	else
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", t / S_PER_HOUR,
			 t % S_PER_HOUR / S_PER_MIN);
}

void show_addr_port(char *buf, size_t len, const char *addr, uint64_t port)
{
	snprintf(buf, len, strchr(addr, ':') ? "[%s]:%" PRIu64 : "%s:%" PRIu64,
		 addr, port);
}

static const char *str_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* ADDR:PORT from obj's members addr_key and port_key; "-" without the
 * address, ADDR alone without the port (when it may be left out). */
static int endpoint(json_t *obj, const char *addr_key, const char *port_key,
		    bool port_needed, char *cell)
{
	const char *addr = str_of(obj, addr_key);
	uint64_t port;

	if (!addr) {
		snprintf(cell, CELL_LEN, "-");
		return 0;
	}
	if (!json_object_get(obj, port_key) && !port_needed) {
		snprintf(cell, CELL_LEN, "%s", addr);
		return 0;
	}
	if (show_get_u64(obj, port_key, &port) || port > UINT16_MAX)
		return -EPROTO;
	show_addr_port(cell, CELL_LEN, addr, port);
	return 0;
}

static int seconds_cell(json_t *obj, const char *key, char *cell)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_number(v) || json_number_value(v) < 0)
		return -EPROTO;
	show_duration(cell, CELL_LEN, json_number_value(v));
	return 0;
}

/* client vip backend nat state age idle packets table */
static int conn_cells(json_t *c, char cells[][CELL_LEN], const char **why)
{
	const char *vip = str_of(c, "vip"), *state = str_of(c, "state");
	const char *table = str_of(c, "table");
	uint64_t packets;

	if (!vip || !state || !table || !str_of(c, "client") ||
	    !str_of(c, "backend") ||
	    endpoint(c, "client", "client_port", true, cells[0]) ||
	    show_get_u64(c, "packets", &packets))
		return show_malformed(why, "a flow has no \"client\", "
					   "\"client_port\", \"vip\", "
					   "\"backend\", \"state\", "
					   "\"packets\" or \"table\"");
	snprintf(cells[1], CELL_LEN, "%s", vip);
	if (endpoint(c, "backend", "backend_port", false, cells[2]) ||
	    endpoint(c, "nat_address", "nat_port", true, cells[3]))
		return show_malformed(why, "a flow's port is not 0..65535");
	snprintf(cells[4], CELL_LEN, "%s", state);
	if (seconds_cell(c, "age_s", cells[5]) ||
	    seconds_cell(c, "idle_s", cells[6]))
		return show_malformed(why, "a flow's \"age_s\" or \"idle_s\" "
					   "is not a number of seconds");
	snprintf(cells[7], CELL_LEN, "%" PRIu64, packets);
	snprintf(cells[8], CELL_LEN, "%s", table);
	return 0;
}

static const struct show_table conn_table = {
	"conns",
	"\"conns\" is not an array",
	"no flows",
	9,
	{ "client", "vip", "backend", "nat", "state", "age", "idle", "packets",
	  "table" },
	1u << 5 | 1u << 6 | 1u << 7,
	conn_cells,
};

static int render_conns(FILE *f, json_t *data, const char **why)
{
	size_t shown = json_array_size(json_object_get(data, "conns"));
	uint64_t matched;
	int ret;

	if (show_get_u64(data, "matched", &matched))
		return show_malformed(why, "no \"matched\" count in the reply");
	ret = show_table_render(f, data, &conn_table, why);
	if (!ret && matched > shown)
		fprintf(f,
			"%zu of %" PRIu64 " flows shown (count N shows more)\n",
			shown, matched);
	return ret;
}

int show_conns(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_conns, data, why);
}

static int render_flushed(FILE *f, json_t *data, const char **why)
{
	uint64_t flows, ports;

	if (show_get_u64(data, "flows", &flows) ||
	    show_get_u64(data, "nat_ports", &ports))
		return show_malformed(why, "no \"flows\" or \"nat_ports\" "
					   "count in the reply");
	fprintf(f, "flushed %" PRIu64 " %s, freed %" PRIu64 " NAT %s\n", flows,
		show_plural(flows, "flow", "flows"), ports,
		show_plural(ports, "port", "ports"));
	return 0;
}

int show_flushed(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_flushed, data, why);
}

int show_tables(FILE *f, json_t *tables, const char **why)
{
	uint64_t in_use, size, reaped;
	const char *name;
	json_t *t;

	if (!tables)
		return 0;
	if (!json_is_object(tables))
		return show_malformed(why, "\"tables\" is not an object");
	fprintf(f, TABLE_HEAD, "tables", "in use", "size", "reaped");
	json_object_foreach(tables, name, t) {
		if (show_get_u64(t, "in_use", &in_use) ||
		    show_get_u64(t, "size", &size) ||
		    show_get_u64(t, "reaped", &reaped))
			return show_malformed(why, "a table has no \"in_use\", "
						   "\"size\" or \"reaped\"");
		fprintf(f, TABLE_ROW, name, in_use, size, reaped);
	}
	return 0;
}
