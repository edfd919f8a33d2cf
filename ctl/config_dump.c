// SPDX-License-Identifier: GPL-2.0
/*
 * `xlbctl config dump`: the daemon's running state (the lb group and the
 * NAT source pools in force included) gathered into a struct xlb_config, and any struct xlb_config printed in config-file
 * syntax. The printer is the project's own rather than libconfig's
 * writer: it keeps one rule, list entry or backend per line (a dump of a
 * million entries stays readable and diffable), spells out every default,
 * writes durations as the file takes them and an order past 2^31 - 1
 * with the L suffix libconfig 1.5 needs (config.md), and escapes strings
 * as libconfig reads them. Everything it writes goes through the same
 * formatters (rule.c, lb_parse.c) as xlbctl's output.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_dump.h"
#include "lb_parse.h"
#include "rule.h"

/* Interfaces do not change at run time: the file's. */
static void copy_ifaces(const struct xlb_config *file, struct xlb_config *out)
{
	memcpy(out->file, file->file, sizeof(out->file));
	out->n_ifaces = file->n_ifaces;
	memcpy(out->ifaces, file->ifaces, sizeof(out->ifaces));
}

static int by_order(const void *a, const void *b)
{
	const struct xlb_rule *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* The size a map needs: the file's, or the map's when n exceeds it. */
static __u32 size_for(__u32 file, __u32 map, size_t n)
{
	return n > file ? map : file;
}

static int rules_from(const struct filter *f, struct xlb_filter_conf_file *fc)
{
	fc->rules = calloc(f->n_rules ? f->n_rules : 1, sizeof(*fc->rules));
	if (!fc->rules)
		return -ENOMEM;
	for (__u32 id = 1; id <= f->max_rules && fc->n_rules < f->n_rules;
	     id++) {
		if (!f->rules[id].in_use)
			continue;
		fc->rules[fc->n_rules] = f->rules[id].r;
		fc->rules[fc->n_rules++].id = 0;
	}
	qsort(fc->rules, fc->n_rules, sizeof(*fc->rules), by_order);
	return 0;
}

/* The entries of one list and hook, by id, appended to fc's. */
static void entries_of(const struct filter *f, enum xlb_list list,
		       enum xlb_dir dir, struct xlb_filter_conf_file *fc)
{
	for (__u32 id = 1; id <= f->max_prefixes; id++) {
		const struct xlb_list_entry *e = &f->entries[id];

		if (!f->entry_used[id] || e->list != list || e->dir != dir ||
		    fc->n_entries == f->n_entries)
			continue;
		fc->entries[fc->n_entries] = *e;
		fc->entries[fc->n_entries++].id = 0;
	}
}

/* Grouped as the file writes them (allow, deny; ingress, egress), so
 * the dump reads back to the same order. */
static int entries_from(const struct filter *f, struct xlb_filter_conf_file *fc)
{
	fc->entries =
		calloc(f->n_entries ? f->n_entries : 1, sizeof(*fc->entries));
	if (!fc->entries)
		return -ENOMEM;
	for (int l = XLB_LIST_ALLOW; l <= XLB_LIST_DENY; l++)
		for (int d = XLB_DIR_INGRESS; d <= XLB_DIR_EGRESS; d++)
			entries_of(f, l, d, fc);
	return 0;
}

static int filter_from(const struct xlb_config *file, const struct filter *f,
		       struct xlb_filter_conf_file *fc)
{
	int ret = rules_from(f, fc);

	if (!ret)
		ret = entries_from(f, fc);
	fc->present = true;
	fc->max_rules =
		size_for(file->filter.max_rules, f->max_rules, fc->n_rules);
	fc->max_prefixes = size_for(file->filter.max_prefixes, f->max_prefixes,
				    fc->n_entries);
	return ret;
}

/*
 * The lb group in force: the tables' sizes and the timeouts xlb_lb_conf
 * holds (the file's where lb knows none).
 */
static void lb_group_from(const struct xlb_config *file, const struct lb *lb,
			  struct xlb_lb_group *g)
{
	*g = file->lb;
	if (lb->m.max_conns && lb->m.max_syns && lb->m.max_nat_ports) {
		g->max_conns = lb->m.max_conns;
		g->max_syns = lb->m.max_syns;
		g->max_nat_ports = lb->m.max_nat_ports;
	}
	if (lb->timeouts.syn_ns)
		xlb_lb_timeouts_of(&lb->timeouts, g);
}

static bool same_pool(const struct xlb_snat_pool *a,
		      const struct xlb_snat_pool *b)
{
	return a->count == b->count &&
	       !memcmp(a->addr, b->addr, a->count * sizeof(a->addr[0]));
}

/* A NAT VIP's pool, as an snat list of its own unless it is the one the
 * file's global list gives it. */
static void snat_from(const struct xlb_config *file, const struct lb_vip *v,
		      struct xlb_snat_conf *sc)
{
	struct xlb_snat_pool global;
	__u32 n = v->snat.count < XLB_SNAT_MAX ? v->snat.count : XLB_SNAT_MAX;

	xlb_snat_pool_of(&file->snat, v->vip.addr.family, &global);
	if (v->mode != XLB_MODE_NAT || same_pool(&v->snat, &global))
		return;
	sc->present = true;
	for (__u32 i = 0; i < n; i++) {
		sc->addr[i].family = v->vip.addr.family;
		memcpy(sc->addr[i].addr, v->snat.addr[i],
		       sizeof(sc->addr[i].addr));
	}
	sc->n = n;
}

/* The file's health group for VIP v, if the file has v. */
static void health_of(const struct xlb_config *file,
		      const struct xlb_vip_addr *v, struct xlb_health_conf *h)
{
	for (size_t i = 0; i < file->n_vips; i++) {
		if (!xlb_vip_cmp(&file->vips[i].vip, v)) {
			*h = file->vips[i].health;
			return;
		}
	}
	memset(h, 0, sizeof(*h));
}

static int vip_from(const struct lb *lb, __u32 vid, struct xlb_vip_conf *vc)
{
	const struct lb_vip *v = &lb->vips[vid];

	vc->vip = v->vip;
	vc->mode = v->mode;
	vc->backends = calloc(v->n_backends ? v->n_backends : 1,
			      sizeof(*vc->backends));
	if (!vc->backends)
		return -ENOMEM;
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];

		if (!b->in_use || b->leaving || b->vip != vid)
			continue;
		if (vc->n_backends == v->n_backends)
			return -EOVERFLOW; /* the counts disagree */
		vc->backends[vc->n_backends].addr = b->addr;
		vc->backends[vc->n_backends].port = lb_backend_port(lb, id);
		vc->backends[vc->n_backends++].weight = b->weight;
	}
	return 0;
}

static int vips_from(const struct xlb_config *file, const struct lb *lb,
		     struct xlb_config *out)
{
	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++) {
		struct xlb_vip_conf *vc = &out->vips[out->n_vips];
		int ret;

		if (!lb->vips[vid].in_use)
			continue;
		memset(vc, 0, sizeof(*vc));
		out->n_vips++; /* owned by out from here: freed on errors */
		ret = vip_from(lb, vid, vc);
		if (ret)
			return ret;
		health_of(file, &vc->vip, &vc->health);
		snat_from(file, &lb->vips[vid], &vc->snat);
	}
	return 0;
}

int xlb_config_from_state(const struct xlb_config *file, const struct filter *f,
			  const struct lb *lb, struct xlb_config *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	copy_ifaces(file, out);
	lb_group_from(file, lb, &out->lb);
	out->snat = file->snat;
	ret = filter_from(file, f, &out->filter);
	if (!ret)
		ret = vips_from(file, lb, out);
	return ret;
}

/* s as a libconfig string literal, quotes included. */
static void put_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < ' ' || *p > '~')
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* key = "s"; */
static void put_kv(FILE *out, const char *key, const char *s)
{
	fprintf(out, " %s = ", key);
	put_str(out, s);
	fputc(';', out);
}

static const char *bool_str(bool b)
{
	return b ? "true" : "false";
}

static void write_ifaces(const struct xlb_config *conf, FILE *out)
{
	fputs("interfaces = (\n", out);
	for (size_t i = 0; i < conf->n_ifaces; i++) {
		const struct xlb_iface_conf *c = &conf->ifaces[i];

		fputs("\t{", out);
		put_kv(out, "name", c->name);
		put_kv(out, "xdp", xlb_xdp_mode_str(c->xdp));
		put_kv(out, "tc", xlb_tc_dirs_str(c->tc));
		fprintf(out, " filter = %s; lb = %s; }%s\n",
			bool_str(c->stages & XLB_STAGE_FILTER),
			bool_str(c->stages & XLB_STAGE_LB),
			i + 1 < conf->n_ifaces ? "," : "");
	}
	fputs(");\n", out);
}

static void put_prefix(FILE *out, const char *key, const struct xlb_prefix *p)
{
	char buf[64];

	if (xlb_format_prefix(p, buf, sizeof(buf)) < 0)
		buf[0] = '\0'; /* refused when read back: never silent */
	put_kv(out, key, buf);
}

static void write_rule(const struct xlb_rule *r, FILE *out)
{
	char num[8];

	/* libconfig 1.5 wraps a 32-bit literal past INT32_MAX (config.md). */
	fprintf(out, "{ order = %u%s;", r->order,
		r->order > INT32_MAX ? "L" : "");
	put_kv(out, "action", xlb_action_str(r->action));
	put_kv(out, "hook", xlb_dir_str(r->dir));
	if (r->fields & XLB_FIELD_SRC)
		put_prefix(out, "src", &r->src);
	if (r->fields & XLB_FIELD_DST)
		put_prefix(out, "dst", &r->dst);
	if (r->fields & XLB_FIELD_PROTO)
		put_kv(out, "proto", xlb_proto_str(r->proto, num, sizeof(num)));
	if (r->fields & XLB_FIELD_SPORT)
		fprintf(out, " sport = %u;", r->sport);
	if (r->fields & XLB_FIELD_DPORT)
		fprintf(out, " dport = %u;", r->dport);
	fputs(" }", out);
}

/* One array of a list: allow.ingress = [ ... ] and the like. */
static void write_entries(const struct xlb_filter_conf_file *fc,
			  enum xlb_list list, enum xlb_dir dir, FILE *out)
{
	const char *sep = "\n";
	size_t n = 0;
	char buf[64];

	fprintf(out, "\t\t%s = [", xlb_dir_str(dir));
	for (size_t i = 0; i < fc->n_entries; i++) {
		const struct xlb_list_entry *e = &fc->entries[i];

		if (e->list != list || e->dir != dir)
			continue;
		if (xlb_format_prefix(&e->prefix, buf, sizeof(buf)) < 0)
			buf[0] = '\0';
		fprintf(out, "%s\t\t\t", sep);
		put_str(out, buf);
		sep = ",\n";
		n++;
	}
	fputs(n ? "\n\t\t];\n" : " ];\n", out);
}

static void write_filter(const struct xlb_filter_conf_file *fc, FILE *out)
{
	static const enum xlb_list lists[] = { XLB_LIST_ALLOW, XLB_LIST_DENY };

	fprintf(out, "filter = {\n\tmax_rules = %u;\n\tmax_prefixes = %u;\n",
		fc->max_rules, fc->max_prefixes);
	fputs("\trules = (", out);
	for (size_t i = 0; i < fc->n_rules; i++) {
		fputs(i ? ",\n\t\t" : "\n\t\t", out);
		write_rule(&fc->rules[i], out);
	}
	fputs(fc->n_rules ? "\n\t);\n" : " );\n", out);
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		fprintf(out, "\t%s = {\n", xlb_list_str(lists[l]));
		write_entries(fc, lists[l], XLB_DIR_INGRESS, out);
		write_entries(fc, lists[l], XLB_DIR_EGRESS, out);
		fputs("\t};\n", out);
	}
	fputs("};\n", out);
}

/* A duration as the file takes it: whole seconds, else milliseconds. */
static void put_duration(FILE *out, const char *key, __u32 ms)
{
	char buf[24];

	if (ms % 1000)
		snprintf(buf, sizeof(buf), "%ums", ms);
	else
		snprintf(buf, sizeof(buf), "%us", ms / 1000);
	put_kv(out, key, buf);
}

static void write_health(const struct xlb_health_conf *h, FILE *out)
{
	fputs("\t  health = {", out);
	put_kv(out, "type", xlb_health_type_str(h->type));
	if (h->port)
		fprintf(out, " port = %u;", h->port);
	if (h->type == XLB_HEALTH_HTTP) {
		put_kv(out, "path", h->path);
		fprintf(out, " status = %u;", h->status);
	}
	put_duration(out, "interval", h->interval_ms);
	put_duration(out, "timeout", h->timeout_ms);
	fprintf(out, " rise = %u; fall = %u; };\n", h->rise, h->fall);
}

static void write_lb(const struct xlb_lb_group *g, FILE *out)
{
	fprintf(out,
		"lb = {\n\tmax_conns = %u;\n\tmax_syns = %u;\n"
		"\tmax_nat_ports = %u;\n\tsyn_timeout = %u;\n"
		"\ttcp_timeout = %u;\n\tfin_timeout = %u;\n"
		"\tclosed_timeout = %u;\n\tudp_timeout = %u;\n};\n",
		g->max_conns, g->max_syns, g->max_nat_ports, g->syn_timeout,
		g->tcp_timeout, g->fin_timeout, g->closed_timeout,
		g->udp_timeout);
}

/* snat = [ "a", "b" ]; on one line, after indent. */
static void write_snat(const struct xlb_snat_conf *sc, const char *indent,
		       FILE *out)
{
	char buf[XLB_VIP_STRLEN];

	fprintf(out, "%ssnat = [", indent);
	for (size_t i = 0; i < sc->n; i++) {
		if (xlb_format_addr(&sc->addr[i], buf, sizeof(buf)) < 0)
			buf[0] = '\0';
		fputs(i ? ", " : " ", out);
		put_str(out, buf);
	}
	fputs(" ];\n", out);
}

static void write_vip(const struct xlb_vip_conf *v, bool last, FILE *out)
{
	char buf[XLB_VIP_STRLEN];

	if (xlb_format_addr(&v->vip.addr, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	fputs("\t{", out);
	put_kv(out, "address", buf);
	fprintf(out, " port = %u;", v->vip.port);
	put_kv(out, "proto", v->vip.proto == IPPROTO_UDP ? "udp" : "tcp");
	put_kv(out, "mode", xlb_lb_mode_str(v->mode));
	fputc('\n', out);
	if (v->health.type != XLB_HEALTH_NONE)
		write_health(&v->health, out);
	if (v->snat.present)
		write_snat(&v->snat, "\t  ", out);
	fputs("\t  backends = (", out);
	for (size_t i = 0; i < v->n_backends; i++) {
		if (xlb_format_addr(&v->backends[i].addr, buf, sizeof(buf)) < 0)
			buf[0] = '\0';
		fputs(i ? ",\n\t\t{" : "\n\t\t{", out);
		put_kv(out, "address", buf);
		fprintf(out, " weight = %u;", v->backends[i].weight);
		if (v->backends[i].port)
			fprintf(out, " port = %u;", v->backends[i].port);
		fputs(" }", out);
	}
	fprintf(out, "%s); }%s\n", v->n_backends ? "\n\t  " : " ",
		last ? "" : ",");
}

int xlb_config_write(const struct xlb_config *conf, FILE *out)
{
	write_ifaces(conf, out);
	write_filter(&conf->filter, out);
	write_lb(&conf->lb, out);
	write_snat(&conf->snat, "", out);
	fputs("vips = (\n", out);
	for (size_t i = 0; i < conf->n_vips; i++)
		write_vip(&conf->vips[i], i + 1 == conf->n_vips, out);
	fputs(");\n", out);
	return ferror(out) ? -EIO : 0;
}
