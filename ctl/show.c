// SPDX-License-Identifier: GPL-2.0
/*
 * Rendering of the daemon's status and stats objects for xlbctl: tables for
 * people, compact JSON for scripts, and the building blocks the other show
 * modules share. Every table is built in a memory stream first and written
 * out only when the whole object made sense, so a malformed reply never
 * leaves half a table on the terminal.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "show.h"
#include "util.h"

/* Significant digits of reals in JSON output: what a double holds exactly. */
#define JSON_REAL_DIGITS 15

/* Columns of the counter tables: name, packets, bytes. */
#define GROUP_HEAD "    %-16s %14s %18s\n"
#define GROUP_ROW "    %-16s %14" PRIu64 " %18" PRIu64 "\n"

int show_json(FILE *out, json_t *data)
{
	size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(JSON_REAL_DIGITS);

	if (json_dumpf(data, out, flags) || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}

int show_failed(int ret, const char *what, const char *why)
{
	if (ret == -EPROTO)
		fprintf(stderr, "xlbctl: malformed %s reply from xlbd: %s\n",
			what, why);
	else
		fprintf(stderr, "xlbctl: printing %s: %s\n", what,
			strerror(-ret));
	return ret;
}

int show_print(FILE *out, bool json, json_t *data, show_fn fn, const char *what)
{
	const char *why = NULL;
	int ret;

	if (json) {
		ret = show_json(out, data);
		if (ret)
			fprintf(stderr, "xlbctl: printing JSON: %s\n",
				strerror(-ret));
		return ret;
	}
	ret = fn(out, data, &why);
	return ret ? show_failed(ret, what, why) : 0;
}

int show_render(FILE *out, show_fn fn, json_t *data, const char **why)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	*why = "out of memory";
	mem = open_memstream(&text, &len);
	if (!mem)
		return -ENOMEM;
	ret = fn(mem, data, why);
	if (fclose(mem) && !ret)
		ret = -ENOMEM;
	if (!ret && fwrite(text, 1, len, out) != len) {
		*why = "write error";
		ret = -EIO;
	}
	free(text);
	return ret;
}

const char *show_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int show_malformed(const char **why, const char *reason)
{
	*why = reason;
	return -EPROTO;
}

int show_get_u64(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -EPROTO;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int show_get_pair(json_t *entry, uint64_t *packets, uint64_t *bytes,
		  const char **why)
{
	if (show_get_u64(entry, "packets", packets) ||
	    show_get_u64(entry, "bytes", bytes))
		return show_malformed(
			why, "a counter is not {\"packets\": N, \"bytes\": N}");
	return 0;
}

int show_status_select(json_t *data, const char *dev, json_t **out)
{
	json_t *ifaces = json_object_get(data, "interfaces");
	json_t *iface, *name, *copy;
	size_t i;

	if (!json_is_array(ifaces))
		return -EPROTO;
	json_array_foreach(ifaces, i, iface) {
		name = json_object_get(iface, "name");
		if (!json_is_string(name) ||
		    strcmp(json_string_value(name), dev) != 0)
			continue;
		copy = json_copy(data); /* shallow: shares the interfaces */
		if (!copy)
			return -ENOMEM;
		if (json_object_set_new(copy, "interfaces",
					json_pack("[O]", iface))) {
			json_decref(copy);
			return -ENOMEM;
		}
		*out = copy;
		return 0;
	}
	return -ENOENT;
}

static void status_field(FILE *f, json_t *data, const char *key,
			 const char *label)
{
	json_t *v = json_object_get(data, key);

	if (json_is_string(v))
		fprintf(f, "  %-12s%s\n", label, json_string_value(v));
}

/* "xdp  attached, prog 12, mode native, via libxdp single-program" */
static void status_hook(FILE *f, const char *name, json_t *hook)
{
	json_t *prog = json_object_get(hook, "prog_id");
	json_t *mode = json_object_get(hook, "mode");
	json_t *via = json_object_get(hook, "via");
	bool attached = json_is_true(json_object_get(hook, "attached"));

	fprintf(f, "  %-12s%s", name, attached ? "attached" : "not attached");
	if (json_is_integer(prog))
		fprintf(f, ", prog %" JSON_INTEGER_FORMAT,
			json_integer_value(prog));
	if (json_is_string(mode))
		fprintf(f, ", mode %s", json_string_value(mode));
	if (json_is_string(via))
		fprintf(f, ", via %s", json_string_value(via));
	fputc('\n', f);
}

static void status_stages(FILE *f, json_t *stages)
{
	const char *sep = "";
	json_t *stage;
	size_t i;

	fprintf(f, "  %-12s", "stages");
	json_array_foreach(stages, i, stage) {
		if (!json_is_string(stage))
			continue;
		fprintf(f, "%s%s", sep, json_string_value(stage));
		sep = ", ";
	}
	fprintf(f, "%s\n", *sep ? "" : "none");
}

static int status_iface(FILE *f, json_t *iface, const char **why)
{
	json_t *name = json_object_get(iface, "name");
	json_t *ifindex = json_object_get(iface, "ifindex");
	json_t *up = json_object_get(iface, "up");
	const char *key;
	json_t *v;

	if (!json_is_string(name))
		return show_malformed(why, "an interface has no \"name\"");
	fprintf(f, "\n%s:", json_string_value(name));
	if (json_is_integer(ifindex))
		fprintf(f, " ifindex %" JSON_INTEGER_FORMAT ",",
			json_integer_value(ifindex));
	if (json_is_true(json_object_get(iface, "missing")))
		fprintf(f, " missing (gone; attached again when it comes "
			   "back)");
	else if (json_is_boolean(up))
		fprintf(f, " %s", json_is_true(up) ? "up" : "down");
	fputc('\n', f);
	status_stages(f, json_object_get(iface, "stages"));
	/* Hooks are the members that say whether they are attached. */
	json_object_foreach(iface, key, v) {
		if (json_is_boolean(json_object_get(v, "attached")))
			status_hook(f, key, v);
	}
	return 0;
}

static int render_status(FILE *f, json_t *data, const char **why)
{
	json_t *ifaces = json_object_get(data, "interfaces");
	json_t *version = json_object_get(data, "version");
	json_t *pid = json_object_get(data, "pid");
	json_t *iface;
	size_t i;
	int ret;

	if (!json_is_array(ifaces))
		return show_malformed(why, "\"interfaces\" is not an array");
	fprintf(f, "xlbd %s",
		json_is_string(version) ? json_string_value(version) : "");
	if (json_is_integer(pid))
		fprintf(f, ", pid %" JSON_INTEGER_FORMAT,
			json_integer_value(pid));
	fputc('\n', f);
	status_field(f, data, "pin_dir", "pin dir");
	status_field(f, data, "socket", "socket");
	status_field(f, data, "config", "config");
	if (json_array_size(ifaces) == 0)
		fprintf(f, "\nno interfaces\n");
	json_array_foreach(ifaces, i, iface) {
		ret = status_iface(f, iface, why);
		if (ret)
			return ret;
	}
	return 0;
}

int show_status(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_status, data, why);
}

/*
 * One group of counters of a hook ("verdicts", "classes", ...), headed by
 * its name. all: every entry; otherwise only the non-zero ones, and no
 * header when there are none.
 */
static int stats_group(FILE *f, const char *gname, json_t *group, bool all,
		       const char **why)
{
	uint64_t packets, bytes;
	bool header = false;
	const char *name;
	json_t *entry;
	int ret;

	if (!json_is_object(group))
		return show_malformed(why, "a counter group is not an object");
	json_object_foreach(group, name, entry) {
		ret = show_get_pair(entry, &packets, &bytes, why);
		if (ret)
			return ret;
		if (!all && !packets && !bytes)
			continue;
		if (!header)
			fprintf(f, GROUP_HEAD, gname, "packets", "bytes");
		header = true;
		fprintf(f, GROUP_ROW, name, packets, bytes);
	}
	return 0;
}

static int stats_iface(FILE *f, const char *name, json_t *iface,
		       const char **why)
{
	json_t *hooks = json_object_get(iface, "hooks");
	json_t *ifindex = json_object_get(iface, "ifindex");
	const char *hname, *gname;
	json_t *hook, *group;
	int ret;

	if (!json_is_object(hooks))
		return show_malformed(why,
				      "an interface has no \"hooks\" object");
	fprintf(f, "%s", name);
	if (json_is_integer(ifindex))
		fprintf(f, " (ifindex %" JSON_INTEGER_FORMAT ")",
			json_integer_value(ifindex));
	fputc('\n', f);
	json_object_foreach(hooks, hname, hook) {
		if (!json_is_object(hook))
			return show_malformed(why, "a hook is not an object");
		fprintf(f, "  %s\n", hname);
		json_object_foreach(hook, gname, group) {
			ret = stats_group(f, gname, group,
					  strcmp(gname, "verdicts") == 0, why);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * A top-level object of reason -> packets ("exceptions", "drops", "lb"):
 * its non-zero counts, or "NAME: none". Absent (an older daemon): nothing.
 */
static int stats_counts(FILE *f, const char *gname, json_t *counts,
			const char **why)
{
	bool any = false;
	const char *name;
	json_t *v;

	if (!counts)
		return 0;
	if (!json_is_object(counts))
		return show_malformed(
			why, "\"exceptions\", \"drops\" or \"lb\" is not an "
			     "object");
	json_object_foreach(counts, name, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return show_malformed(
				why,
				"an exception or drop count is not a number");
		if (!json_integer_value(v))
			continue;
		if (!any)
			fprintf(f, "%s\n", gname);
		any = true;
		fprintf(f, "  %-18s %14" JSON_INTEGER_FORMAT "\n", name,
			json_integer_value(v));
	}
	if (!any)
		fprintf(f, "%s: none\n", gname);
	return 0;
}

static int render_stats(FILE *f, json_t *data, const char **why)
{
	json_t *ifaces = json_object_get(data, "interfaces");
	const char *name;
	json_t *iface;
	int ret;

	if (!json_is_object(ifaces))
		return show_malformed(why, "\"interfaces\" is not an object");
	if (json_object_size(ifaces) == 0)
		fprintf(f, "no interfaces\n\n");
	json_object_foreach(ifaces, name, iface) {
		ret = stats_iface(f, name, iface, why);
		if (ret)
			return ret;
		fputc('\n', f);
	}
	ret = stats_counts(f, "exceptions", json_object_get(data, "exceptions"),
			   why);
	if (!ret)
		ret = stats_counts(f, "drops", json_object_get(data, "drops"),
				   why);
	if (!ret)
		ret = stats_counts(f, "lb", json_object_get(data, "lb"), why);
	if (!ret)
		ret = show_filter_hits(f, json_object_get(data, "filter"), why);
	if (!ret)
		ret = show_lb_stats(f, json_object_get(data, "vips"),
				    json_object_get(data, "backends"), why);
	if (!ret)
		ret = show_tables(f, json_object_get(data, "tables"), why);
	return ret;
}

int show_stats(FILE *out, json_t *data, const char **why)
{
	return show_render(out, render_stats, data, why);
}
