// modules: config_dump config util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `xlbctl config dump`'s two halves: xlb_config_write()
 * prints a configuration that xlb_config_parse() reads back to the same
 * struct (every key, defaults spelt out, escapes, 64-bit orders, empty
 * sections), in the exact layout documented; xlb_config_from_state()
 * gathers a filter and a load balancer built by hand (runtime changes
 * among them) into the configuration that describes them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_dump.h"
#include "harness.h"
#include "util.h"

static char err[XLB_CONFIG_ERRLEN];

/* Everything the file can say, some of it in non-canonical forms. */
static const char rich_text[] =
	"interfaces = (\n"
	"  { name = \"eth0\"; },\n"
	"  { name = \"we\\\"ird\\\\x\"; xdp = \"generic\"; tc = \"egress\";\n"
	"    filter = true; lb = true; },\n"
	"  { name = \"v6\"; xdp = \"off\"; tc = \"ingress\"; filter = true; },\n"
	"  { name = \"del\\x7F\"; }\n"
	");\n"
	"filter = {\n"
	"  max_rules = 1024; max_prefixes = 300;\n"
	"  rules = (\n"
	"    { order = 4294967294L; action = \"pass\"; },\n"
	"    { order = 20; action = \"drop\"; hook = \"egress\";\n"
	"      dst = \"2001:DB8:66::/48\"; proto = 132; },\n"
	"    { order = 10; action = \"drop\"; src = \"198.18.9.0/24\";\n"
	"      dst = \"198.18.0.10\"; proto = \"udp\"; sport = 1; dport = 53; },\n"
	"    { order = 0; action = \"drop\"; proto = \"icmpv6\"; }\n"
	"  );\n"
	"  allow = { ingress = [ \"198.18.0.0/15\", \"2001:db8::/32\" ]; };\n"
	"  deny = { egress = ( \"198.18.66.0/24\" ); ingress = [ ]; };\n"
	"};\n"
	"lb = { max_syns = 1024; tcp_timeout = 3600; };\n"
	"snat = [ \"198.18.1.11\", \"2001:DB8:1::11\", \"198.18.1.12\" ];\n"
	"vips = (\n"
	"  { address = \"198.18.0.10\"; port = 80; proto = \"tcp\";\n"
	"    health = { type = \"http\"; path = \"/h\\\"\\\\z\"; status = 204;\n"
	"               interval = \"0.5s\"; timeout = \"250ms\"; rise = 1; };\n"
	"    backends = ( { address = \"198.18.1.2\"; },\n"
	"                 { address = \"198.18.1.3\"; weight = 0; } ); },\n"
	"  { address = \"2001:db8::10\"; proto = \"udp\"; mode = \"nat\";\n"
	"    health = { port = 8080; interval = \"3s\"; }; snat = [ ];\n"
	"    backends = ( { address = \"2001:db8:1::2\"; weight = 65535; } ); },\n"
	"  { address = \"198.18.0.11\"; port = 443; proto = \"tcp\"; },\n"
	"  { address = \"198.18.0.12\"; port = 80; proto = \"tcp\"; mode = \"nat\";\n"
	"    snat = ( \"198.18.2.1\" );\n"
	"    backends = ( { address = \"198.18.1.5\"; port = 8080; } ); }\n"
	");\n";

/* What xlb_config_write() makes of rich_text: the documented layout. */
static const char rich_written[] =
	"interfaces = (\n"
	"\t{ name = \"eth0\"; xdp = \"native\"; tc = \"both\"; filter = false; lb = false; },\n"
	"\t{ name = \"we\\\"ird\\\\x\"; xdp = \"generic\"; tc = \"egress\"; filter = true; lb = true; },\n"
	"\t{ name = \"v6\"; xdp = \"off\"; tc = \"ingress\"; filter = true; lb = false; },\n"
	"\t{ name = \"del\\x7f\"; xdp = \"native\"; tc = \"both\"; filter = false; lb = false; }\n"
	");\n"
	"filter = {\n"
	"\tmax_rules = 1024;\n"
	"\tmax_prefixes = 300;\n"
	"\trules = (\n"
	"\t\t{ order = 4294967294L; action = \"pass\"; hook = \"ingress\"; },\n"
	"\t\t{ order = 20; action = \"drop\"; hook = \"egress\"; dst = \"2001:db8:66::/48\"; proto = \"132\"; },\n"
	"\t\t{ order = 10; action = \"drop\"; hook = \"ingress\"; src = \"198.18.9.0/24\"; dst = \"198.18.0.10/32\"; proto = \"udp\"; sport = 1; dport = 53; },\n"
	"\t\t{ order = 0; action = \"drop\"; hook = \"ingress\"; proto = \"icmpv6\"; }\n"
	"\t);\n"
	"\tallow = {\n"
	"\t\tingress = [\n"
	"\t\t\t\"198.18.0.0/15\",\n"
	"\t\t\t\"2001:db8::/32\"\n"
	"\t\t];\n"
	"\t\tegress = [ ];\n"
	"\t};\n"
	"\tdeny = {\n"
	"\t\tingress = [ ];\n"
	"\t\tegress = [\n"
	"\t\t\t\"198.18.66.0/24\"\n"
	"\t\t];\n"
	"\t};\n"
	"};\n"
	"lb = {\n"
	"\tmax_conns = 1048576;\n"
	"\tmax_syns = 1024;\n"
	"\tmax_nat_ports = 1048576;\n"
	"\tsyn_timeout = 5;\n"
	"\ttcp_timeout = 3600;\n"
	"\tfin_timeout = 10;\n"
	"\tclosed_timeout = 2;\n"
	"\tudp_timeout = 120;\n"
	"};\n"
	"snat = [ \"198.18.1.11\", \"2001:db8:1::11\", \"198.18.1.12\" ];\n"
	"vips = (\n"
	"\t{ address = \"198.18.0.10\"; port = 80; proto = \"tcp\"; mode = \"dsr\";\n"
	"\t  health = { type = \"http\"; path = \"/h\\\"\\\\z\"; status = 204; interval = \"500ms\"; timeout = \"250ms\"; rise = 1; fall = 3; };\n"
	"\t  backends = (\n"
	"\t\t{ address = \"198.18.1.2\"; weight = 1; },\n"
	"\t\t{ address = \"198.18.1.3\"; weight = 0; }\n"
	"\t  ); },\n"
	"\t{ address = \"2001:db8::10\"; port = 0; proto = \"udp\"; mode = \"nat\";\n"
	"\t  health = { type = \"tcp\"; port = 8080; interval = \"3s\"; timeout = \"1s\"; rise = 2; fall = 3; };\n"
	"\t  snat = [ ];\n"
	"\t  backends = (\n"
	"\t\t{ address = \"2001:db8:1::2\"; weight = 65535; }\n"
	"\t  ); },\n"
	"\t{ address = \"198.18.0.11\"; port = 443; proto = \"tcp\"; mode = \"dsr\";\n"
	"\t  backends = ( ); },\n"
	"\t{ address = \"198.18.0.12\"; port = 80; proto = \"tcp\"; mode = \"nat\";\n"
	"\t  snat = [ \"198.18.2.1\" ];\n"
	"\t  backends = (\n"
	"\t\t{ address = \"198.18.1.5\"; weight = 1; port = 8080; }\n"
	"\t  ); }\n"
	");\n";

/* conf written to a string (malloc'd), or NULL. */
static char *written(const struct xlb_config *conf)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int ret;

	if (!out)
		return NULL;
	ret = xlb_config_write(conf, out);
	fclose(out);
	if (!ret)
		return text;
	free(text);
	return NULL;
}

static bool same_prefix(const struct xlb_prefix *a, const struct xlb_prefix *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static bool same_rule(const struct xlb_rule *a, const struct xlb_rule *b)
{
	unsigned int f = a->fields;

	return a->order == b->order && a->action == b->action &&
	       a->dir == b->dir && a->fields == b->fields &&
	       (!(f & XLB_FIELD_SRC) || same_prefix(&a->src, &b->src)) &&
	       (!(f & XLB_FIELD_DST) || same_prefix(&a->dst, &b->dst)) &&
	       (!(f & XLB_FIELD_PROTO) || a->proto == b->proto) &&
	       (!(f & XLB_FIELD_SPORT) || a->sport == b->sport) &&
	       (!(f & XLB_FIELD_DPORT) || a->dport == b->dport);
}

static bool same_health(const struct xlb_health_conf *a,
			const struct xlb_health_conf *b)
{
	if (a->type != b->type)
		return false;
	return a->type == XLB_HEALTH_NONE ||
	       (a->port == b->port && a->interval_ms == b->interval_ms &&
		a->timeout_ms == b->timeout_ms && a->rise == b->rise &&
		a->fall == b->fall &&
		(a->type != XLB_HEALTH_HTTP ||
		 (a->status == b->status && !strcmp(a->path, b->path))));
}

/* The same addresses in the same order (present or not: an empty list
 * and none are the same state at top level). */
static bool same_snat(const struct xlb_snat_conf *a,
		      const struct xlb_snat_conf *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (xlb_addr_cmp(&a->addr[i], &b->addr[i]))
			return false;
	return true;
}

static bool same_vip(const struct xlb_vip_conf *a, const struct xlb_vip_conf *b)
{
	if (xlb_vip_cmp(&a->vip, &b->vip) || a->mode != b->mode ||
	    !same_health(&a->health, &b->health) ||
	    a->snat.present != b->snat.present ||
	    !same_snat(&a->snat, &b->snat) || a->n_backends != b->n_backends)
		return false;
	for (size_t i = 0; i < a->n_backends; i++)
		if (xlb_addr_cmp(&a->backends[i].addr, &b->backends[i].addr) ||
		    a->backends[i].weight != b->backends[i].weight ||
		    a->backends[i].port != b->backends[i].port)
			return false;
	return true;
}

/* Two configurations that describe the same state, reporting the first
 * difference. */
static void check_same(const struct xlb_config *a, const struct xlb_config *b)
{
	const struct xlb_filter_conf_file *fa = &a->filter, *fb = &b->filter;

	if (!check(a->n_ifaces == b->n_ifaces, "interfaces: %zu, %zu",
		   a->n_ifaces, b->n_ifaces))
		return;
	for (size_t i = 0; i < a->n_ifaces; i++) {
		const struct xlb_iface_conf *x = &a->ifaces[i],
					    *y = &b->ifaces[i];

		check(!strcmp(x->name, y->name) && x->xdp == y->xdp &&
			      x->tc == y->tc && x->stages == y->stages,
		      "interface %zu: '%s' %d %u %u, '%s' %d %u %u", i, x->name,
		      x->xdp, x->tc, x->stages, y->name, y->xdp, y->tc,
		      y->stages);
	}
	check(fa->max_rules == fb->max_rules &&
		      fa->max_prefixes == fb->max_prefixes,
	      "sizes: %u/%u, %u/%u", fa->max_rules, fa->max_prefixes,
	      fb->max_rules, fb->max_prefixes);
	if (check(fa->n_rules == fb->n_rules, "rules: %zu, %zu", fa->n_rules,
		  fb->n_rules))
		for (size_t i = 0; i < fa->n_rules; i++)
			check(same_rule(&fa->rules[i], &fb->rules[i]),
			      "rule %zu (order %u) differs", i,
			      fa->rules[i].order);
	if (check(fa->n_entries == fb->n_entries, "entries: %zu, %zu",
		  fa->n_entries, fb->n_entries))
		for (size_t i = 0; i < fa->n_entries; i++)
			check(fa->entries[i].list == fb->entries[i].list &&
				      fa->entries[i].dir ==
					      fb->entries[i].dir &&
				      same_prefix(&fa->entries[i].prefix,
						  &fb->entries[i].prefix),
			      "entry %zu differs", i);
	check(!memcmp(&a->lb, &b->lb, sizeof(a->lb)), "lb groups differ");
	check(same_snat(&a->snat, &b->snat), "global snat: %zu, %zu", a->snat.n,
	      b->snat.n);
	if (check(a->n_vips == b->n_vips, "VIPs: %zu, %zu", a->n_vips,
		  b->n_vips))
		for (size_t i = 0; i < a->n_vips; i++)
			check(same_vip(&a->vips[i], &b->vips[i]),
			      "VIP %zu differs", i);
}

/* Written, loaded back: the same config; written again: the same text. */
static void test_round_trip(void)
{
	static struct xlb_config a, b;
	char *text = NULL, *again = NULL;

	if (!check(!xlb_config_parse("rich.conf", rich_text, &a, err,
				     sizeof(err)),
		   "rich.conf: %s", err))
		return;
	text = written(&a);
	if (!check(text != NULL, "written"))
		goto out;
	if (!check(!xlb_config_parse("dump.conf", text, &b, err, sizeof(err)),
		   "the dump loads back: %s\n%s", err, text))
		goto out;
	check_same(&a, &b);
	again = written(&b);
	check(again && !strcmp(text, again), "written twice, the same text");
out:
	free(text);
	free(again);
	xlb_config_free(&a);
	xlb_config_free(&b);
}

static void test_layout(void)
{
	static struct xlb_config a;
	char *text;

	if (!check(!xlb_config_parse("rich.conf", rich_text, &a, err,
				     sizeof(err)),
		   "rich.conf: %s", err))
		return;
	text = written(&a);
	if (check(text != NULL, "written"))
		check(!strcmp(text, rich_written), "layout:\n%s", text);
	free(text);
	xlb_config_free(&a);
}

/* Interfaces only: the dump still spells out the filter's sizes, empty
 * rules and lists, and an empty vips list, and loads back. */
static void test_minimal(void)
{
	static struct xlb_config a, b;
	char *text;

	if (!check(!xlb_config_parse("min.conf",
				     "interfaces = ( { name = \"lo\"; } );\n",
				     &a, err, sizeof(err)),
		   "min.conf: %s", err))
		return;
	text = written(&a);
	if (check(text != NULL, "written")) {
		check(strstr(text, "\trules = ( );\n") &&
			      strstr(text, "\t\tegress = [ ];\n") &&
			      strstr(text, "vips = (\n);\n") &&
			      strstr(text, "max_rules = 4096;") &&
			      strstr(text, "\tudp_timeout = 120;\n};\n"
					   "snat = [ ];\n"),
		      "empty sections:\n%s", text);
		if (check(!xlb_config_parse("dump.conf", text, &b, err,
					    sizeof(err)),
			  "loads back: %s", err))
			check_same(&a, &b);
	}
	free(text);
	xlb_config_free(&a);
	xlb_config_free(&b);
}

/* A hand-built running state: the filter's and lb's arrays by id. */
#define T_MAX_RULES 8
#define T_MAX_PREFIXES 4

static struct filter_rule t_rules[T_MAX_RULES + 1];
static struct xlb_list_entry t_entries[T_MAX_PREFIXES + 1];
static bool t_used[T_MAX_PREFIXES + 1];
static struct lb t_lb;

static void rule_at(__u32 id, __u32 order, enum xlb_action action)
{
	t_rules[id] = (struct filter_rule){
		.in_use = true,
		.r = { .id = id, .order = order, .action = action },
	};
}

static void entry_at(__u32 id, enum xlb_list list, const char *pfx)
{
	t_entries[id] = (struct xlb_list_entry){ .id = id, .list = list };
	xlb_parse_prefix(pfx, &t_entries[id].prefix, NULL, 0);
	t_used[id] = true;
}

static void vip_at(__u32 id, const char *vip, enum xlb_lb_mode mode)
{
	t_lb.vips[id].in_use = true;
	t_lb.vips[id].mode = mode;
	xlb_parse_vip(vip, &t_lb.vips[id].vip, NULL, 0);
	t_lb.n_vips++;
}

static void backend_at(__u32 id, __u32 vip, const char *addr, __u32 weight,
		       bool leaving)
{
	struct lb_backend *b = &t_lb.backends[id];

	b->in_use = true;
	b->leaving = leaving;
	b->vip = vip;
	b->weight = weight;
	xlb_parse_addr(addr, &b->addr, NULL, 0);
	if (!leaving)
		t_lb.vips[vip].n_backends++;
}

static void test_from_state(void)
{
	static struct xlb_config file, out, back;
	struct filter f = { .max_rules = T_MAX_RULES,
			    .max_prefixes = T_MAX_PREFIXES,
			    .rules = t_rules,
			    .entries = t_entries,
			    .entry_used = t_used };
	const char *file_text =
		"interfaces = ( { name = \"eth0\"; lb = true; } );\n"
		"filter = { max_rules = 2; rules = ( { order = 5; action = "
		"\"drop\"; } ); };\n"
		"vips = ( { address = \"198.18.0.10\"; port = 80; proto = "
		"\"tcp\"; health = { port = 81; }; } );\n";
	char *text = NULL;

	if (!check(!xlb_config_parse("f.conf", file_text, &file, err,
				     sizeof(err)),
		   "f.conf: %s", err))
		return;
	/* Rules by id, not by order; one of the file's, two added. */
	rule_at(2, 30, XLB_ACTION_PASS);
	rule_at(5, 5, XLB_ACTION_DROP);
	rule_at(7, 1, XLB_ACTION_DROP);
	f.n_rules = 3;
	entry_at(1, XLB_LIST_DENY, "198.18.66.0/24");
	entry_at(3, XLB_LIST_ALLOW, "2001:db8::/32");
	f.n_entries = 2;
	/* The file's VIP at id 3 (checked as the file says), one added at
	 * run time at id 0; a backend on its way out is not listed. */
	vip_at(3, "198.18.0.10:80/tcp", XLB_MODE_DSR);
	vip_at(0, "[2001:db8::10]:0/udp", XLB_MODE_NAT);
	backend_at(9, 3, "198.18.1.3", 2, false);
	backend_at(4, 3, "198.18.1.2", 0, false);
	backend_at(6, 3, "198.18.1.4", 1, true);
	backend_at(1, 0, "2001:db8:1::2", 1, false);

	if (!check(!xlb_config_from_state(&file, &f, &t_lb, &out),
		   "from state"))
		goto done;
	check(out.filter.n_rules == 3 && out.filter.rules[0].order == 1 &&
		      out.filter.rules[1].order == 5 &&
		      out.filter.rules[2].order == 30 &&
		      out.filter.rules[2].action == XLB_ACTION_PASS &&
		      out.filter.rules[0].id == 0,
	      "rules in order, ids dropped");
	check(out.filter.max_rules == T_MAX_RULES &&
		      out.filter.max_prefixes == XLB_DEFAULT_MAX_PREFIXES,
	      "sizes: the maps' when the file's is too small (%u), else "
	      "the file's (%u)",
	      out.filter.max_rules, out.filter.max_prefixes);
	check(out.filter.n_entries == 2 &&
		      out.filter.entries[0].list == XLB_LIST_ALLOW &&
		      out.filter.entries[1].list == XLB_LIST_DENY,
	      "entries by list, then id");
	if (check(out.n_vips == 2, "2 VIPs, got %zu", out.n_vips)) {
		check(out.vips[0].mode == XLB_MODE_NAT &&
			      out.vips[0].n_backends == 1 &&
			      out.vips[0].health.type == XLB_HEALTH_NONE,
		      "the runtime VIP: nat, 1 backend, no checks");
		check(out.vips[1].n_backends == 2 &&
			      out.vips[1].backends[0].weight == 0 &&
			      out.vips[1].backends[1].weight == 2 &&
			      out.vips[1].health.type == XLB_HEALTH_TCP &&
			      out.vips[1].health.port == 81,
		      "the file's VIP: backends by id, the leaving one "
		      "left out, the file's health group");
	}
	check(out.n_ifaces == 1 && !strcmp(out.ifaces[0].name, "eth0"),
	      "the file's interfaces");
	text = written(&out);
	if (check(text != NULL, "written") &&
	    check(!xlb_config_parse("dump.conf", text, &back, err, sizeof(err)),
		  "loads back: %s\n%s", err, text))
		check_same(&out, &back);
done:
	free(text);
	xlb_config_free(&file);
	xlb_config_free(&out);
	xlb_config_free(&back);
}

/* VIP id of lb l in mode, with a pool of the addresses (text). */
static void pool_vip_at(struct lb *l, __u32 id, const char *vip,
			enum xlb_lb_mode mode, const char *a0, const char *a1)
{
	struct lb_vip *v = &l->vips[id];
	int af;

	v->in_use = true;
	v->mode = mode;
	xlb_parse_vip(vip, &v->vip, NULL, 0);
	af = v->vip.addr.family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;
	v->snat.count = !!a0 + !!a1;
	if (a0)
		inet_pton(af, a0, v->snat.addr[0]);
	if (a1)
		inet_pton(af, a1, v->snat.addr[1]);
	l->n_vips++;
}

/* The lb group in force and the pools: written so that they load back
 * to the same sizes, timeouts and pools. */
static void test_from_state_lb(void)
{
	static struct xlb_config file, out, back;
	static const __u32 ids[] = { 1, 2, 4, 5 }; /* the VIPs, by id */
	static struct lb l;
	struct xlb_lb_group g = { .syn_timeout = 3,
				  .tcp_timeout = 60,
				  .fin_timeout = 7,
				  .closed_timeout = 1,
				  .udp_timeout = 30 };
	struct filter f = { 0 };
	struct xlb_snat_pool p;
	char *text = NULL;

	if (!check(!xlb_config_parse(
			   "f.conf",
			   "interfaces = ( { name = \"eth0\"; } );\n"
			   "lb = { max_conns = 1000; };\n"
			   "snat = [ \"198.18.1.11\", \"2001:db8::11\" ];",
			   &file, err, sizeof(err)),
		   "f.conf: %s", err))
		return;
	l.m.max_conns = 2048;
	l.m.max_syns = 512;
	l.m.max_nat_ports = 4096;
	xlb_lb_timeouts(&g, &l.timeouts);
	pool_vip_at(&l, 1, "198.18.0.10:80/tcp", XLB_MODE_NAT, "198.18.1.11",
		    NULL);
	pool_vip_at(&l, 2, "[2001:db8::10]:80/tcp", XLB_MODE_NAT, NULL, NULL);
	pool_vip_at(&l, 4, "198.18.0.11:80/tcp", XLB_MODE_NAT, "198.18.2.1",
		    "198.18.2.2");
	pool_vip_at(&l, 5, "198.18.0.12:80/tcp", XLB_MODE_DSR, NULL, NULL);
	if (!check(!xlb_config_from_state(&file, &f, &l, &out), "from state"))
		goto done;
	g.max_conns = 2048;
	g.max_syns = 512;
	g.max_nat_ports = 4096;
	check(!memcmp(&out.lb, &g, sizeof(g)),
	      "the tables' sizes (%u), the "
	      "timeouts in force (%u)",
	      out.lb.max_conns, out.lb.udp_timeout);
	check(same_snat(&out.snat, &file.snat), "the file's global list");
	check(out.n_vips == 4 && !out.vips[0].snat.present &&
		      out.vips[1].snat.present && out.vips[1].snat.n == 0 &&
		      out.vips[2].snat.present && out.vips[2].snat.n == 2 &&
		      !out.vips[3].snat.present,
	      "a list of its own only where the global one differs");
	text = written(&out);
	if (!check(text && !xlb_config_parse("dump.conf", text, &back, err,
					     sizeof(err)),
		   "loads back: %s\n%s", err, text))
		goto done;
	check_same(&out, &back);
	for (size_t i = 0; i < back.n_vips && i < ARRAY_SIZE(ids); i++) {
		const struct xlb_snat_pool *want = &l.vips[ids[i]].snat;

		xlb_vip_snat_pool(&back, &back.vips[i], &p);
		check(p.count == want->count &&
			      !memcmp(p.addr, want->addr,
				      p.count * sizeof(p.addr[0])),
		      "VIP %u: the same pool once loaded back", ids[i]);
	}
done:
	free(text);
	xlb_config_free(&file);
	xlb_config_free(&out);
	xlb_config_free(&back);
}

/* A write error is reported, not a truncated file taken for a dump. */
static void test_write_error(void)
{
	static struct xlb_config a;
	FILE *ro = fopen("/dev/null", "r");

	if (!check(ro != NULL, "/dev/null: %s", strerror(errno)))
		return;
	if (check(!xlb_config_parse("min.conf",
				    "interfaces = ( { name = \"lo\"; } );\n",
				    &a, err, sizeof(err)),
		  "min.conf: %s", err))
		check(xlb_config_write(&a, ro) == -EIO, "-EIO on a read-only "
							"stream");
	fclose(ro);
	xlb_config_free(&a);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "round trip: write, load, same config", test_round_trip },
		{ "layout of the written file", test_layout },
		{ "minimal config", test_minimal },
		{ "running state to config", test_from_state },
		{ "lb group and pools in force", test_from_state_lb },
		{ "write errors", test_write_error },
	};

	harness_run_table(tests, ARRAY_SIZE(tests));
	return harness_done();
}
