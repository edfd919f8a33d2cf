// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the per-CPU counters into the stats JSON object. Which hooks an
 * interface shows follows how xlb attached it (its xlb_ifaces record), so
 * the object describes the data plane as it runs, config or not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "maps.h"
#include "stats.h"
#include "util.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

const char *const xlb_hook_names[XLB_HOOK_MAX] = {
	[XLB_HOOK_XDP] = "xdp",
	[XLB_HOOK_TC_INGRESS] = "tc_ingress",
	[XLB_HOOK_TC_EGRESS] = "tc_egress",
};

const char *const xlb_verdict_names[XLB_VERDICT_MAX] = {
	[XLB_VERDICT_PASS] = "pass",	   [XLB_VERDICT_DROP] = "drop",
	[XLB_VERDICT_TX] = "tx",	   [XLB_VERDICT_REDIRECT] = "redirect",
	[XLB_VERDICT_ABORTED] = "aborted",
};

const char *const xlb_pclass_names[XLB_PCLASS_MAX] = {
	[XLB_PCLASS_ARP] = "arp",
	[XLB_PCLASS_IPV4_TCP] = "ipv4_tcp",
	[XLB_PCLASS_IPV4_UDP] = "ipv4_udp",
	[XLB_PCLASS_IPV4_ICMP] = "ipv4_icmp",
	[XLB_PCLASS_IPV4_OTHER] = "ipv4_other",
	[XLB_PCLASS_IPV6_TCP] = "ipv6_tcp",
	[XLB_PCLASS_IPV6_UDP] = "ipv6_udp",
	[XLB_PCLASS_IPV6_ICMP] = "ipv6_icmp",
	[XLB_PCLASS_IPV6_OTHER] = "ipv6_other",
	[XLB_PCLASS_OTHER] = "other",
	[XLB_PCLASS_MALFORMED] = "malformed",
};

const char *const xlb_reason_names[XLB_REASON_MAX] = {
	[XLB_REASON_ETH_TRUNCATED] = "eth_truncated",
	[XLB_REASON_VLAN_TRUNCATED] = "vlan_truncated",
	[XLB_REASON_VLAN_TOO_DEEP] = "vlan_too_deep",
	[XLB_REASON_IPV4_TRUNCATED] = "ipv4_truncated",
	[XLB_REASON_IPV4_BAD_VERSION] = "ipv4_bad_version",
	[XLB_REASON_IPV4_BAD_IHL] = "ipv4_bad_ihl",
	[XLB_REASON_IPV4_BAD_LENGTH] = "ipv4_bad_length",
	[XLB_REASON_IPV6_TRUNCATED] = "ipv6_truncated",
	[XLB_REASON_IPV6_BAD_VERSION] = "ipv6_bad_version",
	[XLB_REASON_IPV6_BAD_LENGTH] = "ipv6_bad_length",
	[XLB_REASON_IPV6_EXT_TRUNCATED] = "ipv6_ext_truncated",
	[XLB_REASON_IPV6_EXT_TOO_DEEP] = "ipv6_ext_too_deep",
	[XLB_REASON_L4_TRUNCATED] = "l4_truncated",
	[XLB_REASON_ARP_TRUNCATED] = "arp_truncated",
	[XLB_REASON_UNKNOWN_IFACE] = "unknown_iface",
	[XLB_REASON_FILTER_RULE] = "filter_rule",
	[XLB_REASON_FILTER_DENY] = "filter_deny",
	[XLB_REASON_FILTER_NOT_ALLOWED] = "filter_not_allowed",
	[XLB_REASON_FILTER_MALFORMED] = "filter_malformed",
	[XLB_REASON_FILTER_FRAGMENT] = "filter_fragment",
	[XLB_REASON_LB_NO_BACKEND] = "lb_no_backend",
	[XLB_REASON_LB_UNRESOLVED] = "lb_unresolved",
	[XLB_REASON_LB_FRAGMENT] = "lb_fragment",
	[XLB_REASON_LB_IP_OPTIONS] = "lb_ip_options",
	[XLB_REASON_LB_ICMP_UNMATCHED] = "lb_icmp_unmatched",
	[XLB_REASON_LB_NAT_EXHAUSTED] = "lb_nat_ports_exhausted",
	[XLB_REASON_LB_HEADERS_TOO_LONG] = "lb_headers_too_long",
	[XLB_REASON_LB_NAT_FRAG_UNMATCHED] = "lb_nat_fragment_unmatched",
	[XLB_REASON_LB_TX_PORT_MISSING] = "lb_tx_port_missing",
	[XLB_REASON_LB_REWRITE_TRUNCATED] = "lb_rewrite_truncated",
};

_Static_assert(XLB_REASON_MAX == XLB_REASON_LB_REWRITE_TRUNCATED + 1,
	       "a name for every reason");

static json_t *ctr_json(const struct xlb_ctr *c)
{
	return json_pack("{s:I, s:I}", "packets", (json_int_t)c->packets,
			 "bytes", (json_int_t)c->bytes);
}

static json_t *ctrs_json(const struct xlb_ctr *c, const char *const *names,
			 int n)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		json_object_set_new(o, names[i], ctr_json(&c[i]));
	return o;
}

static int hook_enabled(const struct xlb_iface *ifc, enum xlb_hook hook)
{
	switch (hook) {
	case XLB_HOOK_XDP:
		return ifc->attach &
		       (XLB_ATTACH_XDP_NATIVE | XLB_ATTACH_XDP_GENERIC);
	case XLB_HOOK_TC_INGRESS:
		return ifc->attach & XLB_ATTACH_TC_INGRESS;
	default:
		return ifc->attach & XLB_ATTACH_TC_EGRESS;
	}
}

static json_t *iface_stats(struct xlb_dp *dp, __u32 ifindex,
			   const struct xlb_iface *ifc, int *ret)
{
	json_t *hooks = json_object();
	struct xlb_hook_stats hs;

	for (int h = 0; h < XLB_HOOK_MAX; h++) {
		if (!hook_enabled(ifc, h))
			continue;
		*ret = maps_hook_stats_read(dp->map_hook_stats, ifc->slot, h,
					    &hs);
		if (*ret)
			break;
		json_object_set_new(
			hooks, xlb_hook_names[h],
			json_pack("{s:o, s:o}", "verdicts",
				  ctrs_json(hs.verdict, xlb_verdict_names,
					    XLB_VERDICT_MAX),
				  "classes",
				  ctrs_json(hs.pclass, xlb_pclass_names,
					    XLB_PCLASS_MAX)));
	}
	return json_pack("{s:i, s:o}", "ifindex", (int)ifindex, "hooks", hooks);
}

json_t *stats_json(struct xlb_dp *dp, const char *only, char *err,
		   size_t errlen)
{
	__u32 ifindex[XLB_MAX_IFACES];
	struct xlb_iface ifc[XLB_MAX_IFACES];
	__u64 reasons[XLB_REASON_MAX];
	json_t *ifaces, *exc, *drops, *lb, *out;
	int n, ret = 0;

	n = maps_iface_list(dp->map_ifaces, ifindex, ifc, XLB_MAX_IFACES);
	if (n < 0) {
		ERRF("reading xlb_ifaces: %s", strerror(-n));
		return NULL;
	}
	ifaces = json_object();
	for (int i = 0; !ret && i < n; i++)
		if (!only || !strcmp(only, ifc[i].name))
			json_object_set_new(ifaces, ifc[i].name,
					    iface_stats(dp, ifindex[i], &ifc[i],
							&ret));
	if (!ret)
		ret = maps_reasons_read(dp->map_reasons, reasons);
	if (ret) {
		ERRF("reading counters: %s", strerror(-ret));
		json_decref(ifaces);
		return NULL;
	}
	if (only && !json_object_size(ifaces)) {
		ERRF("unknown interface '%s'", only);
		json_decref(ifaces);
		return NULL;
	}
	exc = json_object();
	drops = json_object();
	lb = json_object();
	for (int r = 0; r < XLB_REASON_MAX; r++)
		json_object_set_new(r < XLB_REASON_FIRST_DROP ? exc :
				    r < XLB_REASON_FIRST_LB   ? drops :
								lb,
				    xlb_reason_names[r],
				    json_integer((json_int_t)reasons[r]));
	out = json_pack("{s:I, s:o, s:o, s:o, s:o}", "time_ns",
			(json_int_t)now_ns(), "interfaces", ifaces,
			"exceptions", exc, "drops", drops, "lb", lb);
	return out;
}
