// SPDX-License-Identifier: GPL-2.0
/*
 * Rendering of the daemon's status and stats objects for xlbctl: tables for
 * people, compact JSON for scripts, and the --watch rates computed from two
 * stats samples and the daemon's own sampling times. Every table is built in
 * a memory stream first and written out only when the whole object made
 * sense, so a malformed reply never leaves half a table on the terminal.
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

/* Rates are kept to this many decimals (0.001 pps). */
#define RATE_SCALE 1000.0

/* Columns of the counter tables: name, packets, bytes. */
#define GROUP_HEAD "    %-16s %14s %18s\n"
#define GROUP_ROW "    %-16s %14" PRIu64 " %18" PRIu64 "\n"

typedef int (*render_fn)(FILE *f, json_t *data, const char **why);

static const char *const si_prefix[] = { "", "k", "M", "G", "T", "P", "E" };

int show_si(char *buf, size_t len, double value, const char *unit)
{
	size_t i = 0;
	int n;

	/* Scale until the value would not print as 1000 or more. */
	while (value >= 999.5 && i + 1 < ARRAY_SIZE(si_prefix)) {
		value /= 1000.0;
		i++;
	}
	if (value == 0.0)
		n = snprintf(buf, len, "0 %s", unit);
	else if (value < 9.95)
		n = snprintf(buf, len, "%.1f %s%s", value, si_prefix[i], unit);
	else
		n = snprintf(buf, len, "%.0f %s%s", value, si_prefix[i], unit);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

double show_rate(uint64_t prev, uint64_t cur, uint64_t dt_ns)
{
	if (cur < prev || dt_ns == 0)
		return 0.0;
	return (double)(cur - prev) * 1e9 / (double)dt_ns;
}

int show_json(FILE *out, json_t *data)
{
	size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(JSON_REAL_DIGITS);

	if (json_dumpf(data, out, flags) || fputc('\n', out) == EOF)
		return -EIO;
	return 0;
}

/* Run fn into memory, then copy its output to out only if it succeeded. */
static int render(FILE *out, render_fn fn, json_t *data, const char **why)
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

static int malformed(const char **why, const char *reason)
{
	*why = reason;
	return -EPROTO;
}

static int get_u64(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -EPROTO;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* One {"packets": N, "bytes": N} counter. */
static int get_pair(json_t *entry, uint64_t *packets, uint64_t *bytes,
		    const char **why)
{
	if (get_u64(entry, "packets", packets) ||
	    get_u64(entry, "bytes", bytes))
		return malformed(
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
		return malformed(why, "an interface has no \"name\"");
	fprintf(f, "\n%s:", json_string_value(name));
	if (json_is_integer(ifindex))
		fprintf(f, " ifindex %" JSON_INTEGER_FORMAT ",",
			json_integer_value(ifindex));
	if (json_is_boolean(up))
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
		return malformed(why, "\"interfaces\" is not an array");
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
	return render(out, render_status, data, why);
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
		return malformed(why, "a counter group is not an object");
	json_object_foreach(group, name, entry) {
		ret = get_pair(entry, &packets, &bytes, why);
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
		return malformed(why, "an interface has no \"hooks\" object");
	fprintf(f, "%s", name);
	if (json_is_integer(ifindex))
		fprintf(f, " (ifindex %" JSON_INTEGER_FORMAT ")",
			json_integer_value(ifindex));
	fputc('\n', f);
	json_object_foreach(hooks, hname, hook) {
		if (!json_is_object(hook))
			return malformed(why, "a hook is not an object");
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

static int stats_exceptions(FILE *f, json_t *exceptions, const char **why)
{
	bool any = false;
	const char *name;
	json_t *v;

	if (!exceptions)
		return 0;
	if (!json_is_object(exceptions))
		return malformed(why, "\"exceptions\" is not an object");
	json_object_foreach(exceptions, name, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return malformed(why,
					 "an exception count is not a number");
		if (!json_integer_value(v))
			continue;
		if (!any)
			fprintf(f, "exceptions\n");
		any = true;
		fprintf(f, "  %-18s %14" JSON_INTEGER_FORMAT "\n", name,
			json_integer_value(v));
	}
	if (!any)
		fprintf(f, "exceptions: none\n");
	return 0;
}

static int render_stats(FILE *f, json_t *data, const char **why)
{
	json_t *ifaces = json_object_get(data, "interfaces");
	const char *name;
	json_t *iface;
	int ret;

	if (!json_is_object(ifaces))
		return malformed(why, "\"interfaces\" is not an object");
	if (json_object_size(ifaces) == 0)
		fprintf(f, "no interfaces\n\n");
	json_object_foreach(ifaces, name, iface) {
		ret = stats_iface(f, name, iface, why);
		if (ret)
			return ret;
		fputc('\n', f);
	}
	return stats_exceptions(f, json_object_get(data, "exceptions"), why);
}

int show_stats(FILE *out, json_t *data, const char **why)
{
	return render(out, render_stats, data, why);
}

/* Rates are never negative; beyond 1e15 there are no decimals left. */
static double rate_round(double v)
{
	if (v >= 1e15)
		return v;
	return (double)(uint64_t)(v * RATE_SCALE + 0.5) / RATE_SCALE;
}

/* Add to out one {"pps": X, "bps": Y} per verdict present in both hooks. */
static int hook_rates(json_t *prev, json_t *cur, uint64_t dt, json_t *out,
		      const char **why)
{
	json_t *pv = json_object_get(prev, "verdicts");
	json_t *cv = json_object_get(cur, "verdicts");
	uint64_t p0, b0, p1, b1;
	json_t *entry, *old, *r;
	const char *name;
	int ret;

	if (!cv)
		return 0;
	if (!json_is_object(cv))
		return malformed(why, "\"verdicts\" is not an object");
	json_object_foreach(cv, name, entry) {
		old = json_object_get(pv, name);
		if (!old)
			continue;
		ret = get_pair(entry, &p1, &b1, why);
		if (!ret)
			ret = get_pair(old, &p0, &b0, why);
		if (ret)
			return ret;
		r = json_pack("{s:f, s:f}", "pps",
			      rate_round(show_rate(p0, p1, dt)), "bps",
			      rate_round(8.0 * show_rate(b0, b1, dt)));
		if (json_object_set_new(out, name, r))
			return -ENOMEM;
	}
	return 0;
}

typedef int (*rates_fn)(json_t *prev, json_t *cur, uint64_t dt, json_t *out,
			const char **why);

/*
 * For each member of the object cur[key] that prev[key] also has, an object
 * of the same name in out, filled by fn from the two members.
 */
static int pair_members(json_t *prev, json_t *cur, const char *key, uint64_t dt,
			json_t *out, rates_fn fn, const char **why)
{
	json_t *pm = json_object_get(prev, key);
	json_t *cm = json_object_get(cur, key);
	json_t *member, *old, *r;
	const char *name;
	int ret;

	if (!json_is_object(cm))
		return malformed(
			why, "\"interfaces\" or \"hooks\" is not an object");
	json_object_foreach(cm, name, member) {
		old = json_object_get(pm, name);
		if (!old)
			continue;
		r = json_object();
		if (json_object_set_new(out, name, r))
			return -ENOMEM;
		ret = fn(old, member, dt, r, why);
		if (ret)
			return ret;
	}
	return 0;
}

static int iface_rates(json_t *prev, json_t *cur, uint64_t dt, json_t *out,
		       const char **why)
{
	return pair_members(prev, cur, "hooks", dt, out, hook_rates, why);
}

int show_rates_compute(json_t *prev, json_t *cur, json_t **rates,
		       const char **why)
{
	uint64_t t0, t1;
	json_t *out;
	int ret;

	if (get_u64(prev, "time_ns", &t0) || get_u64(cur, "time_ns", &t1))
		return malformed(why, "no \"time_ns\" in the stats");
	if (t1 <= t0)
		return malformed(why,
				 "\"time_ns\" did not advance between samples");
	out = json_pack("{s:I, s:I, s:{}}", "time_ns", (json_int_t)t1,
			"interval_ns", (json_int_t)(t1 - t0), "interfaces");
	*why = "out of memory";
	if (!out)
		return -ENOMEM;
	ret = pair_members(prev, cur, "interfaces", t1 - t0,
			   json_object_get(out, "interfaces"), iface_rates,
			   why);
	if (ret) {
		json_decref(out);
		return ret;
	}
	*rates = out;
	return 0;
}

static int rates_row(FILE *f, const char *iface, const char *hook,
		     const char *verdict, json_t *r, const char **why)
{
	json_t *pps = json_object_get(r, "pps");
	json_t *bps = json_object_get(r, "bps");
	char p[32], b[32];

	if (!json_is_number(pps) || !json_is_number(bps))
		return malformed(why, "a rate is not {\"pps\": X, \"bps\": Y}");
	show_si(p, sizeof(p), json_number_value(pps), "pps");
	show_si(b, sizeof(b), json_number_value(bps), "bit/s");
	fprintf(f, "%-16s %-12s %-10s %12s %14s\n", iface, hook, verdict, p, b);
	return 0;
}

static int render_rates(FILE *f, json_t *rates, const char **why)
{
	json_t *ifaces = json_object_get(rates, "interfaces");
	const char *iname, *hname, *vname;
	json_t *iface, *hook, *r;
	int ret;

	if (!json_is_object(ifaces))
		return malformed(why, "\"interfaces\" is not an object");
	fprintf(f, "%-16s %-12s %-10s %12s %14s\n", "interface", "hook",
		"verdict", "packets", "bits");
	json_object_foreach(ifaces, iname, iface) {
		json_object_foreach(iface, hname, hook) {
			json_object_foreach(hook, vname, r) {
				ret = rates_row(f, iname, hname, vname, r, why);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

int show_rates(FILE *out, json_t *rates, const char **why)
{
	return render(out, render_rates, rates, why);
}
