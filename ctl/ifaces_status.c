// SPDX-License-Identifier: GPL-2.0
/*
 * What `xlbctl status` shows of each interface xlb_ifaces records: its
 * index and link state, its stages, and for each hook what the kernel
 * says is attached (read with bpf_xdp_query and bpf_tc_query, never from
 * the record alone), or that it is missing: gone, and kept until it comes
 * back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ifaces.h"
#include "maps.h"
#include "netlink.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

static json_t *hook_json(struct xlb_dp *dp, int ifindex, unsigned int dir)
{
	struct dp_hook_state st;
	json_t *o;

	if (dir)
		dp_query_tc(dp, ifindex, dir, &st);
	else
		dp_query_xdp(dp, ifindex, &st);
	o = json_pack("{s:b}", "attached", st.attached);
	if (st.attached)
		json_object_set_new(o, "prog_id", json_integer(st.prog_id));
	if (st.stale)
		json_object_set_new(o, "stale_prog_id",
				    json_integer(st.stale_id));
	if (st.foreign)
		json_object_set_new(o, "foreign_prog_id",
				    json_integer(st.prog_id));
	if (!dir && st.attached)
		json_object_set_new(
			o, "via",
			json_string(st.dispatcher ? "libxdp dispatcher" :
						    "libxdp single-program"));
	return o;
}

static json_t *stages_json(const struct xlb_iface *ifc)
{
	json_t *a = json_array();

	json_array_append_new(a, json_string("counters"));
	if (ifc->stages & XLB_STAGE_FILTER)
		json_array_append_new(a, json_string("filter"));
	if (ifc->stages & XLB_STAGE_LB)
		json_array_append_new(a, json_string("lb"));
	return a;
}

/* Nothing is attached to an interface that is gone. */
static json_t *gone_hook_json(void)
{
	return json_pack("{s:b}", "attached", 0);
}

static json_t *iface_json(struct xlb_dp *dp, int ifindex,
			  const struct xlb_iface *ifc)
{
	enum xlb_xdp_mode mode = XLB_XDP_OFF;
	struct nl_link link;
	json_t *o, *xdp;
	int ret = nl_link_get(NULL, ifindex, &link);
	/* No link at its ifindex, or another one (the ifindex reused). */
	bool missing = ret == -ENODEV || (!ret && strncmp(link.name, ifc->name,
							  sizeof(ifc->name)));

	if (ifc->attach & XLB_ATTACH_XDP_NATIVE)
		mode = XLB_XDP_NATIVE;
	else if (ifc->attach & XLB_ATTACH_XDP_GENERIC)
		mode = XLB_XDP_GENERIC;
	o = json_pack("{s:s, s:i, s:b, s:b, s:o}", "name", ifc->name, "ifindex",
		      ifindex, "missing", missing, "up",
		      !ret && !missing && link.up, "stages", stages_json(ifc));
	xdp = missing ? gone_hook_json() : hook_json(dp, ifindex, 0);
	json_object_set_new(xdp, "mode", json_string(xlb_xdp_mode_str(mode)));
	json_object_set_new(o, "xdp", xdp);
	json_object_set_new(o, "tc_ingress",
			    missing ? gone_hook_json() :
				      hook_json(dp, ifindex, XLB_TC_INGRESS));
	json_object_set_new(o, "tc_egress",
			    missing ? gone_hook_json() :
				      hook_json(dp, ifindex, XLB_TC_EGRESS));
	return o;
}

json_t *ifaces_status(struct xlb_dp *dp, const char *only, char *err,
		      size_t errlen)
{
	__u32 ifindex[XLB_MAX_IFACES];
	struct xlb_iface ifc[XLB_MAX_IFACES];
	int n = maps_iface_list(dp->map_ifaces, ifindex, ifc, XLB_MAX_IFACES);
	json_t *a;

	if (n < 0) {
		ERRF("reading xlb_ifaces: %s", strerror(-n));
		return NULL;
	}
	a = json_array();
	for (int i = 0; i < n; i++)
		if (!only || !strcmp(only, ifc[i].name))
			json_array_append_new(a, iface_json(dp, ifindex[i],
							    &ifc[i]));
	if (only && !json_array_size(a)) {
		ERRF("unknown interface '%s'", only);
		json_decref(a);
		return NULL;
	}
	return a;
}
