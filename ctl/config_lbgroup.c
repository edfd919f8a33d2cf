// SPDX-License-Identifier: GPL-2.0
/*
 * The load balancer's settings beside the vips list: the lb group (the
 * sizes of the connection and NAT tables, the idle timeouts of flows)
 * and the snat lists of NAT source addresses, at top level (the global
 * pool) and in a VIP (its own), with the pool a VIP gets from them.
 * Addresses go through lb_parse.c as everywhere else; errors read
 * "FILE:LINE: key: reason".
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "config_int.h"
#include "lb_parse.h"
#include "util.h"

/* A key of the lb group: its bounds and its field. */
struct lb_key {
	const char *name;
	long long min, max;
	size_t off; /* of its __u32 in struct xlb_lb_group */
};

static const struct lb_key lb_keys[] = {
	{ "max_conns", XLB_CONFIG_MIN_TABLE, XLB_CONFIG_MAX_TABLE,
	  offsetof(struct xlb_lb_group, max_conns) },
	{ "max_syns", XLB_CONFIG_MIN_TABLE, XLB_CONFIG_MAX_TABLE,
	  offsetof(struct xlb_lb_group, max_syns) },
	{ "max_nat_ports", XLB_CONFIG_MIN_TABLE, XLB_CONFIG_MAX_TABLE,
	  offsetof(struct xlb_lb_group, max_nat_ports) },
	{ "syn_timeout", XLB_CONFIG_MIN_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
	  offsetof(struct xlb_lb_group, syn_timeout) },
	{ "tcp_timeout", XLB_MIN_CACHED_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
	  offsetof(struct xlb_lb_group, tcp_timeout) },
	{ "fin_timeout", XLB_MIN_CACHED_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
	  offsetof(struct xlb_lb_group, fin_timeout) },
	{ "closed_timeout", XLB_CONFIG_MIN_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
	  offsetof(struct xlb_lb_group, closed_timeout) },
	{ "udp_timeout", XLB_MIN_CACHED_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
	  offsetof(struct xlb_lb_group, udp_timeout) },
};

void cfg_lb_defaults(struct xlb_lb_group *g)
{
	*g = (struct xlb_lb_group){
		.max_conns = XLB_DEFAULT_CONNS,
		.max_syns = XLB_DEFAULT_SYNS,
		.max_nat_ports = XLB_DEFAULT_NAT_PORTS,
		.syn_timeout = XLB_DEFAULT_SYN_TIMEOUT,
		.tcp_timeout = XLB_DEFAULT_TCP_TIMEOUT,
		.fin_timeout = XLB_DEFAULT_FIN_TIMEOUT,
		.closed_timeout = XLB_DEFAULT_CLOSED_TIMEOUT,
		.udp_timeout = XLB_DEFAULT_UDP_TIMEOUT,
	};
}

#define NS_PER_SEC 1000000000ull

void xlb_lb_timeouts(const struct xlb_lb_group *g, struct xlb_lb_conf *lc)
{
	*lc = (struct xlb_lb_conf){
		.syn_ns = g->syn_timeout * NS_PER_SEC,
		.tcp_ns = g->tcp_timeout * NS_PER_SEC,
		.fin_ns = g->fin_timeout * NS_PER_SEC,
		.closed_ns = g->closed_timeout * NS_PER_SEC,
		.udp_ns = g->udp_timeout * NS_PER_SEC,
	};
}

void xlb_lb_timeouts_of(const struct xlb_lb_conf *lc, struct xlb_lb_group *g)
{
	g->syn_timeout = lc->syn_ns / NS_PER_SEC;
	g->tcp_timeout = lc->tcp_ns / NS_PER_SEC;
	g->fin_timeout = lc->fin_ns / NS_PER_SEC;
	g->closed_timeout = lc->closed_ns / NS_PER_SEC;
	g->udp_timeout = lc->udp_ns / NS_PER_SEC;
}

static int unknown_lb_key(struct parse_ctx *c, const config_setting_t *s)
{
	char known[256] = "";

	for (size_t i = 0; i < ARRAY_SIZE(lb_keys); i++)
		cfg_list_add(known, sizeof(known), lb_keys[i].name);
	return cfg_fail(c, s, "unknown lb key '%s' (known: %s)",
			config_setting_name(s), known);
}

int cfg_parse_lb(struct parse_ctx *c, const config_setting_t *s)
{
	const config_setting_t *e;
	long long v = 0;
	size_t k;
	int err;

	if (!config_setting_is_group(s))
		return cfg_fail(c, s, "lb: expected a group { ... }");
	for (int i = 0; (e = config_setting_get_elem(s, i)); i++) {
		for (k = 0; k < ARRAY_SIZE(lb_keys); k++)
			if (!strcmp(config_setting_name(e), lb_keys[k].name))
				break;
		if (k == ARRAY_SIZE(lb_keys))
			return unknown_lb_key(c, e);
		err = cfg_get_int(c, e, lb_keys[k].min, lb_keys[k].max, &v);
		if (err)
			return err;
		*(__u32 *)((char *)&c->conf->lb + lb_keys[k].off) = v;
	}
	return 0;
}

static const char *family_str(__u8 family)
{
	return family == XLB_FAMILY_V4 ? "IPv4" : "IPv6";
}

/* Element i of list s, an address unlike the ones before it, into *a. */
static int snat_addr(struct parse_ctx *c, const config_setting_t *s, int i,
		     const struct xlb_snat_conf *out, struct xlb_addr *a)
{
	const config_setting_t *e = config_setting_get_elem(s, i);
	char msg[XLB_VIP_STRLEN + 64], buf[XLB_VIP_STRLEN];

	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return cfg_fail(c, e,
				"snat: expected a list of address strings");
	if (xlb_parse_addr(config_setting_get_string(e), a, msg, sizeof(msg)))
		return cfg_fail(c, e, "snat: %s", msg);
	for (size_t k = 0; k < out->n; k++) {
		if (xlb_addr_cmp(&out->addr[k], a))
			continue;
		xlb_format_addr(a, buf, sizeof(buf));
		return cfg_fail(c, e,
				"snat: duplicate address %s (first at line %d)",
				buf,
				cfg_line(c, config_setting_get_elem(s, k)));
	}
	return 0;
}

int cfg_parse_snat_list(struct parse_ctx *c, const config_setting_t *s,
			struct xlb_snat_conf *out)
{
	size_t per[XLB_FAMILY_MAX] = { 0 };
	int n = config_setting_length(s), err;
	struct xlb_addr a;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cfg_fail(c, s,
				"snat: expected a list of address strings");
	*out = (struct xlb_snat_conf){ .present = true,
				       .line = config_setting_source_line(s) };
	for (int i = 0; i < n; i++) {
		err = snat_addr(c, s, i, out, &a);
		if (err)
			return err;
		if (++per[a.family] > XLB_SNAT_MAX)
			return cfg_fail(c, config_setting_get_elem(s, i),
					"snat: more than %d %s addresses",
					XLB_SNAT_MAX, family_str(a.family));
		out->addr[out->n++] = a;
	}
	return 0;
}

int cfg_parse_snat(struct parse_ctx *c, const config_setting_t *s)
{
	return cfg_parse_snat_list(c, s, &c->conf->snat);
}

int cfg_check_vip_snat(struct parse_ctx *c, const struct xlb_vip_conf *v)
{
	char vip[XLB_VIP_STRLEN];

	if (!v->snat.present || v->mode != XLB_MODE_DSR)
		return 0;
	xlb_format_vip(&v->vip, vip, sizeof(vip));
	return cfg_fail_at(c, v->snat.line,
			   "snat: VIP %s is dsr, which leaves the source "
			   "address as it is (only nat sends from the LB's "
			   "addresses)",
			   vip);
}

void xlb_snat_pool_of(const struct xlb_snat_conf *list, __u8 family,
		      struct xlb_snat_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
	for (size_t i = 0; i < list->n && pool->count < XLB_SNAT_MAX; i++)
		if (list->addr[i].family == family)
			memcpy(pool->addr[pool->count++], list->addr[i].addr,
			       sizeof(pool->addr[0]));
}

void xlb_vip_snat_pool(const struct xlb_config *conf,
		       const struct xlb_vip_conf *v, struct xlb_snat_pool *pool)
{
	const struct xlb_snat_conf *list = v->snat.present ? &v->snat :
							     &conf->snat;

	if (v->mode != XLB_MODE_NAT) {
		memset(pool, 0, sizeof(*pool));
		return;
	}
	xlb_snat_pool_of(list, v->vip.addr.family, pool);
}
