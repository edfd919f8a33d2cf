// SPDX-License-Identifier: GPL-2.0
/*
 * The load balancer as JSON: the vip_list and backend_list replies and
 * the stats' "vips", "backends" and "tables" objects, with the per-CPU
 * counters of xlb_vip_stats and xlb_backend_stats summed, each backend's
 * health (health.c), and the flows the reaper counted (lb_conns.c). VIPs
 * and addresses are in the text forms xlbctl takes, so a listing can be
 * typed back.
 */
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "health.h"
#include "lb.h"
#include "lb_conns.h"
#include "maps.h"

/* A backend's state, worst first. */
static const char *backend_state(const struct lb_backend *b)
{
	if (b->down || (b->dp.flags & XLB_BACKEND_DOWN))
		return "down";
	if (!(b->dp.flags & XLB_BACKEND_RESOLVED))
		return "unresolved";
	return b->weight ? "active" : "draining";
}

static json_t *vip_counters(struct lb *lb, __u32 id)
{
	struct xlb_vip_stats s;

	if (maps_percpu_sum(lb->m.vip_stats, id, &s, sizeof(s)))
		memset(&s, 0, sizeof(s));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "packets",
			 (json_int_t)s.fwd.packets, "bytes",
			 (json_int_t)s.fwd.bytes, "new_flows",
			 (json_int_t)s.new_flows, "conn_hits",
			 (json_int_t)s.conn_hits, "conn_misses",
			 (json_int_t)s.conn_misses, "nat_exhausted",
			 (json_int_t)s.nat_exhausted);
}

static json_t *backend_counters(struct lb *lb, __u32 id)
{
	struct xlb_backend_stats c;

	if (maps_percpu_sum(lb->m.backend_stats, id, &c, sizeof(c)))
		memset(&c, 0, sizeof(c));
	return json_pack("{s:I, s:I, s:I}", "packets",
			 (json_int_t)c.fwd.packets, "bytes",
			 (json_int_t)c.fwd.bytes, "new_flows",
			 (json_int_t)c.new_flows);
}

static bool listed(const struct lb_backend *b)
{
	return b->in_use && !b->leaving;
}

/* Merge counters (an object) into o. */
static json_t *merged(json_t *o, json_t *counters)
{
	json_object_update(o, counters);
	json_decref(counters);
	return o;
}

static json_t *backend_json(struct lb *lb, __u32 id, bool with_vip)
{
	const struct lb_backend *b = &lb->backends[id];
	char a[XLB_VIP_STRLEN], ifname[IF_NAMESIZE];
	const __u8 *m = b->dp.dmac;
	json_t *o;

	xlb_format_addr(&b->addr, a, sizeof(a));
	o = json_pack("{s:s, s:i, s:i, s:s, s:b}", "address", a, "id", (int)id,
		      "weight", (int)b->weight, "state", backend_state(b),
		      "in_ring", lb_backend_in_ring(lb, id));
	if (lb_backend_port(lb, id))
		json_object_set_new(o, "port",
				    json_integer(lb_backend_port(lb, id)));
	if (with_vip) {
		xlb_format_vip(&lb->vips[b->vip].vip, a, sizeof(a));
		json_object_set_new(o, "vip", json_string(a));
	}
	if (b->dp.ifindex) {
		json_object_set_new(o, "ifindex", json_integer(b->dp.ifindex));
		if (if_indextoname(b->dp.ifindex, ifname))
			json_object_set_new(o, "ifname", json_string(ifname));
	}
	if (b->nh_known && xlb_format_addr(&b->nh, a, sizeof(a)) >= 0)
		json_object_set_new(o, "next_hop", json_string(a));
	if (b->dp.flags & XLB_BACKEND_RESOLVED) {
		snprintf(a, sizeof(a), "%02x:%02x:%02x:%02x:%02x:%02x", m[0],
			 m[1], m[2], m[3], m[4], m[5]);
		json_object_set_new(o, "mac", json_string(a));
	} else if (b->why[0]) {
		json_object_set_new(o, "why", json_string(b->why));
	}
	json_object_set_new(o, "health", health_json(lb, id));
	json_object_set_new(o, "conns", lb_conns_backend_json(lb, id, true));
	return merged(o, backend_counters(lb, id));
}

/* A NAT VIP's source pool in force: [] when its flows leave from each
 * backend's route source. */
static json_t *vip_snat_json(const struct lb_vip *v)
{
	struct xlb_addr a = { .family = v->vip.addr.family };
	char buf[XLB_VIP_STRLEN];
	json_t *pool = json_array();

	for (__u32 i = 0; i < v->snat.count && i < XLB_SNAT_MAX; i++) {
		memcpy(a.addr, v->snat.addr[i], sizeof(a.addr));
		xlb_format_addr(&a, buf, sizeof(buf));
		json_array_append_new(pool, json_string(buf));
	}
	return pool;
}

json_t *lb_vips_json(struct lb *lb)
{
	json_t *vips = json_array();
	char v[XLB_VIP_STRLEN];

	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++) {
		const struct lb_vip *lv = &lb->vips[vid];
		json_t *backends, *o;
		int in_ring = 0;

		if (!lv->in_use)
			continue;
		backends = json_array();
		for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
			const struct lb_backend *b = &lb->backends[id];

			if (!listed(b) || b->vip != vid)
				continue;
			in_ring += lb_backend_in_ring(lb, id);
			json_array_append_new(backends,
					      backend_json(lb, id, false));
		}
		xlb_format_vip(&lv->vip, v, sizeof(v));
		o = json_pack("{s:s, s:i, s:s, s:i, s:o, s:o}", "vip", v, "id",
			      (int)vid, "mode", xlb_lb_mode_str(lv->mode),
			      "in_ring", in_ring, "backends", backends, "conns",
			      lb_conns_vip_json(lb, vid));
		if (lv->mode == XLB_MODE_NAT)
			json_object_set_new(o, "snat", vip_snat_json(lv));
		json_array_append_new(vips, merged(o, vip_counters(lb, vid)));
	}
	return json_pack("{s:o}", "vips", vips);
}

json_t *lb_backends_json(struct lb *lb, const struct xlb_vip_addr *vip)
{
	int only = vip ? lb_vip_find(lb, vip) : -1;
	json_t *a = json_array();

	/* By VIP, then by id: the order of vip_list. */
	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++) {
		if (!lb->vips[vid].in_use || (vip && (int)vid != only))
			continue;
		for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++)
			if (listed(&lb->backends[id]) &&
			    lb->backends[id].vip == vid)
				json_array_append_new(a, backend_json(lb, id,
								      true));
	}
	return json_pack("{s:o}", "backends", a);
}

int lb_stats_json(struct lb *lb, json_t *stats)
{
	json_t *vips = json_object(), *backends = json_object(), *per;
	char v[XLB_VIP_STRLEN], a[XLB_VIP_STRLEN];

	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++) {
		if (!lb->vips[vid].in_use)
			continue;
		xlb_format_vip(&lb->vips[vid].vip, v, sizeof(v));
		json_object_set_new(
			vips, v,
			merged(json_pack("{s:i, s:o}", "id", (int)vid, "conns",
					 lb_conns_vip_json(lb, vid)),
			       vip_counters(lb, vid)));
		per = json_object();
		for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
			const struct lb_backend *b = &lb->backends[id];

			if (!listed(b) || b->vip != vid)
				continue;
			xlb_format_addr(&b->addr, a, sizeof(a));
			json_object_set_new(
				per, a,
				merged(json_pack("{s:i, s:o, s:o}", "id",
						 (int)id, "health",
						 health_json(lb, id), "conns",
						 lb_conns_backend_json(lb, id,
								       false)),
				       backend_counters(lb, id)));
		}
		json_object_set_new(backends, v, per);
	}
	json_object_set_new(stats, "vips", vips);
	json_object_set_new(stats, "backends", backends);
	json_object_set_new(stats, "tables", lb_conns_tables_json(lb));
	return 0;
}
