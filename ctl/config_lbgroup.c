// SPDX-License-Identifier: GPL-2.0
/*
 * The lb group of the configuration file: the sizes of the load
 * balancer's connection and NAT tables and the idle timeouts of flows,
 * with their bounds, and the timeouts as the data plane holds them.
 * Errors read "FILE:LINE: key: reason".
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
	{ "tcp_timeout", XLB_CONFIG_MIN_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
	  offsetof(struct xlb_lb_group, tcp_timeout) },
	{ "fin_timeout", XLB_CONFIG_MIN_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
	  offsetof(struct xlb_lb_group, fin_timeout) },
	{ "closed_timeout", XLB_CONFIG_MIN_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
	  offsetof(struct xlb_lb_group, closed_timeout) },
	{ "udp_timeout", XLB_CONFIG_MIN_TIMEOUT, XLB_CONFIG_MAX_TIMEOUT,
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
