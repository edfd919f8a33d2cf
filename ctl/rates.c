// SPDX-License-Identifier: GPL-2.0
/*
 * Rates for xlbctl stats --watch: per-second packet and bit rates between
 * two stats samples, per interface, hook and verdict, and per VIP and
 * backend with their new flows per second, timed by the daemon's own
 * sampling clock so a slow round trip does not skew them, rendered with
 * SI units for people.
 */
#include <errno.h>

#include "show.h"
#include "util.h"

/* A VIP's or backend's row: label, packets, bits, new flows. */
#define LB_RATES_ROW "%-40s %12s %14s %12s\n"

/* Rates are kept to this many decimals (0.001 pps). */
#define RATE_SCALE 1000.0

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
		return show_malformed(why, "\"verdicts\" is not an object");
	json_object_foreach(cv, name, entry) {
		old = json_object_get(pv, name);
		if (!old)
			continue;
		ret = show_get_pair(entry, &p1, &b1, why);
		if (!ret)
			ret = show_get_pair(old, &p0, &b0, why);
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
 * For each member of the object cm that the object pm also has, an object
 * of the same name in out, filled by fn from the two members.
 */
static int pair_all(json_t *pm, json_t *cm, uint64_t dt, json_t *out,
		    rates_fn fn, const char **why)
{
	json_t *member, *old, *r;
	const char *name;
	int ret;

	if (!json_is_object(cm))
		return show_malformed(why, "\"interfaces\", \"hooks\", "
					   "\"vips\" or \"backends\" is not "
					   "an object");
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

/* The same for the members of prev[key] and cur[key]. */
static int pair_members(json_t *prev, json_t *cur, const char *key, uint64_t dt,
			json_t *out, rates_fn fn, const char **why)
{
	return pair_all(json_object_get(prev, key), json_object_get(cur, key),
			dt, out, fn, why);
}

/* A VIP's or backend's {"pps", "bps", "new_flows_per_s"}. */
static int lb_rates(json_t *prev, json_t *cur, uint64_t dt, json_t *out,
		    const char **why)
{
	uint64_t p0, b0, p1, b1, n0, n1;
	int ret = show_get_pair(cur, &p1, &b1, why);

	if (!ret)
		ret = show_get_pair(prev, &p0, &b0, why);
	if (ret)
		return ret;
	json_object_set_new(out, "pps",
			    json_real(rate_round(show_rate(p0, p1, dt))));
	json_object_set_new(out, "bps",
			    json_real(rate_round(8.0 * show_rate(b0, b1, dt))));
	if (!show_get_u64(prev, "new_flows", &n0) &&
	    !show_get_u64(cur, "new_flows", &n1))
		json_object_set_new(
			out, "new_flows_per_s",
			json_real(rate_round(show_rate(n0, n1, dt))));
	return 0;
}

/* One VIP's backends: {"address": counters}. */
static int vip_backend_rates(json_t *prev, json_t *cur, uint64_t dt,
			     json_t *out, const char **why)
{
	return pair_all(prev, cur, dt, out, lb_rates, why);
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

	if (show_get_u64(prev, "time_ns", &t0) ||
	    show_get_u64(cur, "time_ns", &t1))
		return show_malformed(why, "no \"time_ns\" in the stats");
	if (t1 <= t0)
		return show_malformed(
			why, "\"time_ns\" did not advance between samples");
	out = json_pack("{s:I, s:I, s:{}}", "time_ns", (json_int_t)t1,
			"interval_ns", (json_int_t)(t1 - t0), "interfaces");
	*why = "out of memory";
	if (!out)
		return -ENOMEM;
	ret = pair_members(prev, cur, "interfaces", t1 - t0,
			   json_object_get(out, "interfaces"), iface_rates,
			   why);
	/* The load balancer's, when there is one. */
	if (!ret && json_object_get(cur, "vips")) {
		json_object_set_new(out, "vips", json_object());
		json_object_set_new(out, "backends", json_object());
		ret = pair_members(prev, cur, "vips", t1 - t0,
				   json_object_get(out, "vips"), lb_rates, why);
	}
	if (!ret && json_object_get(cur, "backends"))
		ret = pair_members(prev, cur, "backends", t1 - t0,
				   json_object_get(out, "backends"),
				   vip_backend_rates, why);
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
		return show_malformed(why,
				      "a rate is not {\"pps\": X, \"bps\": Y}");
	show_si(p, sizeof(p), json_number_value(pps), "pps");
	show_si(b, sizeof(b), json_number_value(bps), "bit/s");
	fprintf(f, "%-16s %-12s %-10s %12s %14s\n", iface, hook, verdict, p, b);
	return 0;
}

/* One VIP's or backend's row: packets, bits, new flows per second. */
static int lb_rates_row(FILE *f, const char *label, json_t *r, const char **why)
{
	json_t *pps = json_object_get(r, "pps"),
	       *bps = json_object_get(r, "bps");
	json_t *nf = json_object_get(r, "new_flows_per_s");
	char p[32], b[32], n[32] = "-";

	if (!json_is_number(pps) || !json_is_number(bps) ||
	    (nf && !json_is_number(nf)))
		return show_malformed(why, "a VIP's or backend's rate is not "
					   "{\"pps\": X, \"bps\": Y}");
	show_si(p, sizeof(p), json_number_value(pps), "pps");
	show_si(b, sizeof(b), json_number_value(bps), "bit/s");
	if (nf)
		show_si(n, sizeof(n), json_number_value(nf), "/s");
	fprintf(f, LB_RATES_ROW, label, p, b, n);
	return 0;
}

/* The VIPs' rates, then the backends', by VIP and address. */
static int render_lb_rates(FILE *f, json_t *rates, const char **why)
{
	json_t *vips = json_object_get(rates, "vips"), *r, *per;
	json_t *backends = json_object_get(rates, "backends");
	const char *name, *addr;
	char label[160];

	if (!json_object_size(vips))
		return 0;
	fprintf(f, "\n" LB_RATES_ROW, "vip", "packets", "bits", "new flows");
	json_object_foreach(vips, name, r)
		if (lb_rates_row(f, name, r, why))
			return -EPROTO;
	fprintf(f, LB_RATES_ROW, "backend", "packets", "bits", "new flows");
	json_object_foreach(backends, name, per) {
		json_object_foreach(per, addr, r) {
			snprintf(label, sizeof(label), "%s %s", name, addr);
			if (lb_rates_row(f, label, r, why))
				return -EPROTO;
		}
	}
	return 0;
}

static int render_rates(FILE *f, json_t *rates, const char **why)
{
	json_t *ifaces = json_object_get(rates, "interfaces");
	const char *iname, *hname, *vname;
	json_t *iface, *hook, *r;
	int ret;

	if (!json_is_object(ifaces))
		return show_malformed(why, "\"interfaces\" is not an object");
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
	return render_lb_rates(f, rates, why);
}

int show_rates(FILE *out, json_t *rates, const char **why)
{
	return show_render(out, render_rates, rates, why);
}
