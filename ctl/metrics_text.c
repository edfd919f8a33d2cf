// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text format (version 0.0.4) of the stats object that
 * `xlbctl -j stats` prints, so both show the same numbers by
 * construction. Each family is written whole (HELP, TYPE, then its
 * samples) by walking the object once per family. Per-VIP and per-backend
 * members are turned into families by name (xlb_vip_KEY_total and so on),
 * so a counter added to those objects shows up here without a change;
 * their "conns" objects (what the reaper counted) and the "tables" are
 * gauges named in the tables below.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "util.h"

struct label {
	const char *name, *value;
};

/* Label values: backslash, double quote and newline escaped. */
static void put_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void sample(FILE *out, const char *name, const struct label *l, int n,
		   unsigned long long value)
{
	fputs(name, out);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "{", l[i].name);
		put_escaped(out, l[i].value);
		fputc('"', out);
	}
	fprintf(out, "%s %llu\n", n ? "}" : "", value);
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* An integer member: a counter (a JSON integer is signed; the counters
 * are unsigned 64-bit). */
static bool counter(json_t *v, unsigned long long *out)
{
	if (!json_is_integer(v))
		return false;
	*out = (unsigned long long)json_integer_value(v);
	return true;
}

/* Per interface, hook and verdict or class. */
struct hook_family {
	const char *group, *field, *name, *label, *help;
};

static const struct hook_family hook_families[] = {
	{ "verdicts", "packets", "xlb_packets_total", "action",
	  "Packets seen at a hook, by the verdict xlb gave them." },
	{ "verdicts", "bytes", "xlb_bytes_total", "action",
	  "Bytes seen at a hook, by the verdict xlb gave them." },
	{ "classes", "packets", "xlb_class_packets_total", "class",
	  "Packets seen at a hook, by packet class." },
	{ "classes", "bytes", "xlb_class_bytes_total", "class",
	  "Bytes seen at a hook, by packet class." },
};

static void hook_family(FILE *out, json_t *ifaces, const struct hook_family *f)
{
	const char *ifname, *hook, *key;
	json_t *ifc, *h, *v;
	unsigned long long n;

	family(out, f->name, "counter", f->help);
	json_object_foreach(ifaces, ifname, ifc) {
		json_object_foreach(json_object_get(ifc, "hooks"), hook, h) {
			json_object_foreach(json_object_get(h, f->group), key,
					    v) {
				struct label l[] = { { "ifname", ifname },
						     { "hook", hook },
						     { f->label, key } };

				if (counter(json_object_get(v, f->field), &n))
					sample(out, f->name, l, 3, n);
			}
		}
	}
}

/* {"reason": packets}. */
static void reason_family(FILE *out, json_t *o, const char *name,
			  const char *help)
{
	unsigned long long n;
	const char *key;
	json_t *v;

	family(out, name, "counter", help);
	json_object_foreach(o, key, v) {
		struct label l = { "reason", key };

		if (counter(v, &n))
			sample(out, name, &l, 1, n);
	}
}

/* {"id": {"packets": N, "bytes": N}}: the filter's hits. */
static void hits_family(FILE *out, json_t *o, const char *field,
			const char *label, const char *name, const char *help)
{
	unsigned long long n;
	const char *key;
	json_t *v;

	family(out, name, "counter", help);
	json_object_foreach(o, key, v) {
		struct label l = { label, key };

		if (counter(json_object_get(v, field), &n))
			sample(out, name, &l, 1, n);
	}
}

/* One VIP's or backend's object, with the labels naming it. */
struct leaf {
	json_t *obj;
	struct label l[2];
	int n;
};

struct member_help {
	const char *key, *help;
};

static const struct member_help vip_help[] = {
	{ "packets", "Packets the load balancer forwarded for a VIP." },
	{ "bytes", "Bytes the load balancer forwarded for a VIP." },
	{ "new_flows", "Flows a VIP gave a backend from its ring." },
	{ "conn_hits", "Packets of a VIP whose flow was in a table." },
	{ "conn_misses", "Packets of a VIP whose flow was not in a table." },
	{ "nat_exhausted",
	  "New flows of a VIP dropped for want of a free NAT port." },
	{},
};

static const struct member_help backend_help[] = {
	{ "packets", "Packets the load balancer forwarded to a backend." },
	{ "bytes", "Bytes the load balancer forwarded to a backend." },
	{ "new_flows", "Flows given to a backend." },
	{},
};

/* Gauges: a member of an object's "conns" (or a table's), by name. */
struct gauge {
	const char *key, *name, *help;
};

static const struct gauge vip_gauges[] = {
	{ "active", "xlb_vip_active_flows",
	  "Flows of a VIP in xlb_conns, not closed (at most one reaper pass "
	  "old)." },
	{ "syn", "xlb_vip_syn_flows",
	  "TCP flows of a VIP that have sent only a SYN (xlb_syns)." },
	{ "nat_ports", "xlb_vip_nat_ports", "NAT ports a VIP's flows hold." },
	{ "nat_ports_available", "xlb_vip_nat_ports_available",
	  "NAT ports a VIP's backends offer (backends x snat addresses x "
	  "28232)." },
	{},
};

static const struct gauge backend_gauges[] = {
	{ "active", "xlb_backend_active_conns",
	  "Flows of a backend in xlb_conns, not closed (at most one reaper "
	  "pass old)." },
	{ "syn", "xlb_backend_syn_conns",
	  "TCP flows to a backend that have sent only a SYN (xlb_syns)." },
	{ "nat_ports", "xlb_backend_nat_ports",
	  "NAT ports the flows to a backend hold." },
	{},
};

static const struct member_help health_help[] = {
	{ "checks_ok", "Health checks of a backend that passed." },
	{ "checks_failed", "Health checks of a backend that failed." },
	{ "checks_not_run",
	  "Health probes of a backend that xlbd could not make (out of "
	  "descriptors, memory or source ports): neither passed nor failed." },
	{},
};

/* The members with help (so their families are there before any VIP or
 * backend is), then any other integer member (but the id) of the
 * leaves[*].obj, in order of appearance. */
#define MAX_MEMBERS 32
struct members {
	const char *key[MAX_MEMBERS];
	int n;
};

static void members_of(const struct leaf *leaves, size_t n,
		       const struct member_help *help, struct members *m)
{
	const char *key;
	json_t *v;

	for (m->n = 0; help[m->n].key && m->n < MAX_MEMBERS; m->n++)
		m->key[m->n] = help[m->n].key;
	for (size_t i = 0; i < n; i++) {
		json_object_foreach(leaves[i].obj, key, v) {
			int k;

			if (!json_is_integer(v) || !strcmp(key, "id"))
				continue;
			for (k = 0; k < m->n && strcmp(m->key[k], key); k++)
				;
			if (k == m->n && m->n < MAX_MEMBERS)
				m->key[m->n++] = key;
		}
	}
}

/* prefix KEY _total, with characters a metric name cannot hold as '_'. */
static void member_name(char *buf, size_t len, const char *prefix,
			const char *key)
{
	size_t p = strlen(prefix);

	snprintf(buf, len, "%s%s_total", prefix, key);
	for (char *c = buf + p; *c && c < buf + len; c++)
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			*c = '_';
}

/* A counter family per integer member of the leaves. */
static void member_families(FILE *out, const struct leaf *leaves, size_t n,
			    const char *prefix, const struct member_help *help,
			    const char *what)
{
	char name[128], generic[192];
	unsigned long long v;
	struct members m;

	members_of(leaves, n, help, &m);
	for (int k = 0; k < m.n; k++) {
		const struct member_help *h = help;

		while (h->key && strcmp(h->key, m.key[k]))
			h++;
		member_name(name, sizeof(name), prefix, m.key[k]);
		snprintf(
			generic, sizeof(generic), "The '%.*s' counter of %s.",
			(int)(strlen(name) - strlen(prefix) - strlen("_total")),
			name + strlen(prefix), what);
		family(out, name, "counter", h->key ? h->help : generic);
		for (size_t i = 0; i < n; i++)
			if (counter(json_object_get(leaves[i].obj, m.key[k]),
				    &v))
				sample(out, name, leaves[i].l, leaves[i].n, v);
	}
}

/* The stats' "backends" ({vip: {address: object}}) as leaves; their
 * member `sub` instead (NULL: the backend itself). NULL when out of
 * memory. */
static struct leaf *backend_leaves(json_t *backends, const char *sub, size_t *n)
{
	const char *vip, *addr;
	json_t *per, *b;
	struct leaf *leaves;
	size_t cap = 0;

	json_object_foreach(backends, vip, per)
		cap += json_object_size(per);
	leaves = calloc(cap + 1, sizeof(*leaves));
	*n = 0;
	if (!leaves)
		return NULL;
	json_object_foreach(backends, vip, per) {
		json_object_foreach(per, addr, b) {
			if (*n == cap)
				break;
			leaves[*n] = (struct leaf){
				.obj = sub ? json_object_get(b, sub) : b,
				.l = { { "vip", vip }, { "backend", addr } },
				.n = 2,
			};
			(*n)++;
		}
	}
	return leaves;
}

/* A gauge family per entry of g, from member g->key of each leaf. */
static void gauge_families(FILE *out, const struct leaf *leaves, size_t n,
			   const struct gauge *g)
{
	unsigned long long v;

	for (; g->key; g++) {
		family(out, g->name, "gauge", g->help);
		for (size_t i = 0; i < n; i++)
			if (counter(json_object_get(leaves[i].obj, g->key), &v))
				sample(out, g->name, leaves[i].l, leaves[i].n,
				       v);
	}
}

/* Per connection table ({"conns": {"in_use": N, ...}, ...}). */
static const struct {
	const char *key, *name, *type, *help;
} table_families[] = {
	{ "in_use", "xlb_lb_table_entries", "gauge",
	  "Live entries of a connection table (at most one reaper pass "
	  "old)." },
	{ "size", "xlb_lb_table_size", "gauge",
	  "The entries a connection table can hold." },
	{ "reaped", "xlb_lb_table_reaped_total", "counter",
	  "Entries xlbd's reaper deleted from a connection table since xlbd "
	  "started." },
};

static void table_family(FILE *out, json_t *tables, size_t f)
{
	unsigned long long v;
	const char *key;
	json_t *t;

	family(out, table_families[f].name, table_families[f].type,
	       table_families[f].help);
	json_object_foreach(tables, key, t) {
		struct label l = { "table", key };

		if (counter(json_object_get(t, table_families[f].key), &v))
			sample(out, table_families[f].name, &l, 1, v);
	}
}

static int lb_families(FILE *out, json_t *stats)
{
	json_t *vips = json_object_get(stats, "vips"), *v;
	json_t *backends = json_object_get(stats, "backends");
	struct leaf *leaves;
	const char *key;
	size_t n = 0;

	leaves = calloc(json_object_size(vips) + 1, sizeof(*leaves));
	if (!leaves)
		return -ENOMEM;
	json_object_foreach(vips, key, v)
		leaves[n++] = (struct leaf){ .obj = v,
					     .l = { { "vip", key } },
					     .n = 1 };
	member_families(out, leaves, n, "xlb_vip_", vip_help, "a VIP");
	for (size_t i = 0; i < n; i++)
		leaves[i].obj = json_object_get(leaves[i].obj, "conns");
	gauge_families(out, leaves, n, vip_gauges);
	free(leaves);
	if (!(leaves = backend_leaves(backends, NULL, &n)))
		return -ENOMEM;
	member_families(out, leaves, n, "xlb_backend_", backend_help,
			"a backend");
	free(leaves);
	if (!(leaves = backend_leaves(backends, "conns", &n)))
		return -ENOMEM;
	gauge_families(out, leaves, n, backend_gauges);
	free(leaves);
	for (size_t f = 0; f < ARRAY_SIZE(table_families); f++)
		table_family(out, json_object_get(stats, "tables"), f);
	if (!(leaves = backend_leaves(backends, "health", &n)))
		return -ENOMEM;
	member_families(out, leaves, n, "xlb_backend_health_", health_help,
			"a backend's health checks");
	family(out, "xlb_backend_up", "gauge",
	       "1 unless the backend's health checks find it down.");
	for (size_t i = 0; i < n; i++) {
		const char *st = json_string_value(
			json_object_get(leaves[i].obj, "state"));

		sample(out, "xlb_backend_up", leaves[i].l, 2,
		       !st || strcmp(st, "down"));
	}
	free(leaves);
	return 0;
}

/* From the backends array of `backend list`. */
static void weight_family(FILE *out, json_t *backends)
{
	size_t i;
	json_t *b;

	family(out, "xlb_backend_weight", "gauge",
	       "A backend's weight (0: draining).");
	json_array_foreach(backends, i, b) {
		const char *vip = json_string_value(json_object_get(b, "vip"));
		const char *addr =
			json_string_value(json_object_get(b, "address"));
		struct label l[] = { { "vip", vip }, { "backend", addr } };
		unsigned long long w;

		if (vip && addr && counter(json_object_get(b, "weight"), &w))
			sample(out, "xlb_backend_weight", l, 2, w);
	}
}

int metrics_render(FILE *out, json_t *stats, json_t *backends,
		   const char *version)
{
	json_t *filter = json_object_get(stats, "filter");
	struct label ver = { "version", version };
	int ret;

	family(out, "xlb_up", "gauge", "1: xlbd is serving.");
	sample(out, "xlb_up", NULL, 0, 1);
	family(out, "xlb_build_info", "gauge", "xlbd's version, as a label.");
	sample(out, "xlb_build_info", &ver, 1, 1);
	for (size_t i = 0; i < ARRAY_SIZE(hook_families); i++)
		hook_family(out, json_object_get(stats, "interfaces"),
			    &hook_families[i]);
	reason_family(out, json_object_get(stats, "exceptions"),
		      "xlb_exceptions_total",
		      "Packets the parser could not handle and passed on, by "
		      "reason.");
	reason_family(out, json_object_get(stats, "drops"), "xlb_drops_total",
		      "Packets dropped, by reason.");
	reason_family(
		out, json_object_get(stats, "lb"), "xlb_lb_exceptions_total",
		"Packets for a VIP the load balancer passed to the kernel "
		"or dropped, by reason.");
	hits_family(out, json_object_get(filter, "rules"), "packets", "rule",
		    "xlb_rule_hits_total", "Packets a filter rule decided.");
	hits_family(out, json_object_get(filter, "rules"), "bytes", "rule",
		    "xlb_rule_bytes_total", "Bytes a filter rule decided.");
	hits_family(out, json_object_get(filter, "lists"), "packets", "entry",
		    "xlb_list_hits_total",
		    "Packets an allow or deny list entry matched.");
	hits_family(out, json_object_get(filter, "lists"), "bytes", "entry",
		    "xlb_list_bytes_total",
		    "Bytes an allow or deny list entry matched.");
	ret = lb_families(out, stats);
	if (!ret && backends)
		weight_family(out, backends);
	if (!ret && ferror(out))
		ret = -EIO;
	return ret;
}
