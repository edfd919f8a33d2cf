// SPDX-License-Identifier: GPL-2.0
/*
 * Output of xlbctl's filter commands: the rule and allow/deny entry tables,
 * the one-line answers of rule add, rule flush and a batch, and the filter
 * hits of the stats. Column widths follow the data (a rule's match and a
 * prefix vary most), so each table is checked and measured whole before
 * its first row is printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "show.h"
#include "util.h"

#define CELL_LEN SHOW_CELL_LEN
#define MAX_COLS SHOW_MAX_COLS

#define HITS_HEAD "%-20s %14s %18s\n"
#define HITS_ROW "  %-18s %14" PRIu64 " %18" PRIu64 "\n"

/* The members of a rule that make its match, in grammar order. */
static const char *const match_keys[] = { "src", "dst", "proto", "sport",
					  "dport" };

static int get_str(json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return -EPROTO;
	*out = json_string_value(v);
	return 0;
}

/* "src 198.18.9.0/24 proto udp dport 53", or "any". */
static int rule_match(json_t *rule, char *buf, size_t len, const char **why)
{
	size_t i, n = 0;
	json_t *v;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(match_keys); i++) {
		v = json_object_get(rule, match_keys[i]);
		if (!v)
			continue;
		if (json_is_string(v))
			n += snprintf(buf + n, len - n, "%s%s %s", n ? " " : "",
				      match_keys[i], json_string_value(v));
		else if (json_is_integer(v))
			n += snprintf(buf + n, len - n,
				      "%s%s %" JSON_INTEGER_FORMAT,
				      n ? " " : "", match_keys[i],
				      json_integer_value(v));
		else
			return show_malformed(
				why, "a rule's match is not text or a number");
		if (n >= len) /* truncated: keep what fits */
			n = len - 1;
	}
	if (n == 0)
		snprintf(buf, len, "any");
	return 0;
}

/* The "hits" counter of a rule or entry as its last two cells. */
static int hits_cells(json_t *item, char *packets, char *bytes,
		      const char **why)
{
	uint64_t p, b;

	if (show_get_pair(json_object_get(item, "hits"), &p, &b, why))
		return -EPROTO;
	snprintf(packets, CELL_LEN, "%" PRIu64, p);
	snprintf(bytes, CELL_LEN, "%" PRIu64, b);
	return 0;
}

/* id order action hook match packets bytes */
static int rule_cells(json_t *rule, char cells[][CELL_LEN], const char **why)
{
	json_t *order = json_object_get(rule, "order");
	const char *action, *hook;
	uint64_t id, n;

	if (show_get_u64(rule, "id", &id) || get_str(rule, "action", &action) ||
	    get_str(rule, "hook", &hook))
		return show_malformed(
			why, "a rule has no \"id\", \"action\" or \"hook\"");
	if (order && show_get_u64(rule, "order", &n))
		return show_malformed(why,
				      "a rule's \"order\" is not a number");
	snprintf(cells[0], CELL_LEN, "%" PRIu64, id);
	if (order)
		snprintf(cells[1], CELL_LEN, "%" PRIu64, n);
	else
		snprintf(cells[1], CELL_LEN, "-");
	snprintf(cells[2], CELL_LEN, "%s", action);
	snprintf(cells[3], CELL_LEN, "%s", hook);
	if (rule_match(rule, cells[4], CELL_LEN, why))
		return -EPROTO;
	return hits_cells(rule, cells[5], cells[6], why);
}

/* id hook prefix packets bytes */
static int entry_cells(json_t *entry, char cells[][CELL_LEN], const char **why)
{
	const char *hook, *prefix;
	uint64_t id;

	if (show_get_u64(entry, "id", &id) || get_str(entry, "hook", &hook) ||
	    get_str(entry, "prefix", &prefix))
		return show_malformed(
			why, "an entry has no \"id\", \"hook\" or \"prefix\"");
	snprintf(cells[0], CELL_LEN, "%" PRIu64, id);
	snprintf(cells[1], CELL_LEN, "%s", hook);
	snprintf(cells[2], CELL_LEN, "%s", prefix);
	return hits_cells(entry, cells[3], cells[4], why);
}

static const struct show_table rule_table = {
	"rules",
	"\"rules\" is not an array",
	"no rules",
	7,
	{ "id", "order", "action", "hook", "match", "packets", "bytes" },
	1u << 0 | 1u << 1 | 1u << 5 | 1u << 6,
	rule_cells,
};

static const struct show_table entry_table = {
	"entries",
	"\"entries\" is not an array",
	"no entries",
	5,
	{ "id", "hook", "prefix", "packets", "bytes" },
	1u << 0 | 1u << 3 | 1u << 4,
	entry_cells,
};

/* Columns two spaces apart; no padding after a last left-aligned one. */
static void print_row(FILE *f, const struct show_table *t, const int *width,
		      char cells[][CELL_LEN])
{
	int c, w;

	for (c = 0; c < t->n_cols; c++) {
		w = t->right & (1u << c) ? width[c] : -width[c];
		if (c == t->n_cols - 1 && w < 0)
			w = 0;
		fprintf(f, "%s%*s", c ? "  " : "", w, cells[c]);
	}
	fputc('\n', f);
}

/* Check every row and measure the columns, then print. */
int show_table_render(FILE *f, json_t *data, const struct show_table *t,
		      const char **why)
{
	json_t *items = json_object_get(data, t->key), *item;
	char cells[MAX_COLS][CELL_LEN];
	int width[MAX_COLS], c, ret;
	size_t i;

	if (!json_is_array(items))
		return show_malformed(why, t->not_array);
	for (c = 0; c < t->n_cols; c++) {
		snprintf(cells[c], CELL_LEN, "%s", t->head[c]);
		width[c] = strlen(cells[c]);
	}
	json_array_foreach(items, i, item) {
		ret = t->cells(item, cells, why);
		if (ret)
			return ret;
		for (c = 0; c < t->n_cols; c++)
			if ((int)strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
	}
	if (json_array_size(items) == 0) {
		fprintf(f, "%s\n", t->empty);
		return 0;
	}
	for (c = 0; c < t->n_cols; c++)
		snprintf(cells[c], CELL_LEN, "%s", t->head[c]);
	print_row(f, t, width, cells);
	json_array_foreach(items, i, item) {
		t->cells(item, cells, why);
		print_row(f, t, width, cells);
	}
	return 0;
}

static int render_rules(FILE *f, json_t *data, const char **why)
{
	return show_table_render(f, data, &rule_table, why);
}

int show_rules(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_rules, data, why);
}

static int render_entries(FILE *f, json_t *data, const char **why)
{
	return show_table_render(f, data, &entry_table, why);
}

int show_entries(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_entries, data, why);
}

static int render_rule_id(FILE *f, json_t *data, const char **why)
{
	uint64_t id;

	if (show_get_u64(data, "id", &id))
		return show_malformed(why, "no rule \"id\" in the reply");
	fprintf(f, "%" PRIu64 "\n", id);
	return 0;
}

int show_rule_id(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_rule_id, data, why);
}

static int render_removed(FILE *f, json_t *data, const char **why)
{
	uint64_t n;

	if (show_get_u64(data, "removed", &n))
		return show_malformed(why, "no \"removed\" count in the reply");
	fprintf(f, "removed %" PRIu64 " %s\n", n,
		show_plural(n, "rule", "rules"));
	return 0;
}

int show_removed(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_removed, data, why);
}

/* {"applied": N}; a daemon answering per-op "results" is counted too. */
static int render_applied(FILE *f, json_t *data, const char **why)
{
	json_t *results = json_object_get(data, "results");
	uint64_t n;

	if (json_is_array(results))
		n = json_array_size(results);
	else if (show_get_u64(data, "applied", &n))
		return show_malformed(why, "no \"applied\" count in the reply");
	fprintf(f, "applied %" PRIu64 " %s\n", n,
		show_plural(n, "command", "commands"));
	return 0;
}

int show_applied(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_applied, data, why);
}

/* The rows of one hits object ({"ID": {"packets", "bytes"}}), as "kind ID". */
static int hits_group(FILE *f, const char *kind, json_t *group, bool *any,
		      const char **why)
{
	uint64_t packets, bytes;
	const char *id;
	char label[40];
	json_t *pair;

	if (!group)
		return 0;
	if (!json_is_object(group))
		return show_malformed(
			why, "filter \"rules\" or \"lists\" is not an object");
	json_object_foreach(group, id, pair) {
		if (show_get_pair(pair, &packets, &bytes, why))
			return -EPROTO;
		if (!packets && !bytes)
			continue;
		if (!*any)
			fprintf(f, HITS_HEAD, "filter hits", "packets",
				"bytes");
		*any = true;
		snprintf(label, sizeof(label), "%s %s", kind, id);
		fprintf(f, HITS_ROW, label, packets, bytes);
	}
	return 0;
}

int show_filter_hits(FILE *f, json_t *filter, const char **why)
{
	bool any = false;
	int ret;

	if (!filter)
		return 0;
	if (!json_is_object(filter))
		return show_malformed(why, "\"filter\" is not an object");
	ret = hits_group(f, "rule", json_object_get(filter, "rules"), &any,
			 why);
	if (!ret)
		ret = hits_group(f, "entry", json_object_get(filter, "lists"),
				 &any, why);
	if (!ret && !any)
		fprintf(f, "filter hits: none\n");
	return ret;
}
