// SPDX-License-Identifier: GPL-2.0
/*
 * Reconciling the configured interfaces with what is attached. The record
 * of each interface (its counter slot, stages and how xlb attached) lives
 * in the pinned xlb_ifaces map, so a restarted daemon, or `xlbd --detach`
 * without the old configuration, knows exactly what is xlb's to undo.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

#include "ifaces.h"
#include "log.h"
#include "maps.h"
#include "netlink.h"
#include "util.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

/* The data plane's interface records, read once per operation. */
struct records {
	int n;
	__u32 ifindex[XLB_MAX_IFACES];
	struct xlb_iface ifc[XLB_MAX_IFACES];
};

/* One configured interface resolved to its ifindex and record. */
struct plan {
	const struct xlb_iface_conf *conf;
	int ifindex;
	bool existed; /* it had a record before this call */
	struct xlb_iface ifc;
};

static int records_read(struct xlb_dp *dp, struct records *r)
{
	r->n = maps_iface_list(dp->map_ifaces, r->ifindex, r->ifc,
			       XLB_MAX_IFACES);
	return r->n < 0 ? r->n : 0;
}

static const struct xlb_iface *records_find(const struct records *r,
					    int ifindex)
{
	for (int i = 0; i < r->n; i++)
		if ((int)r->ifindex[i] == ifindex)
			return &r->ifc[i];
	return NULL;
}

static unsigned int wanted_attach(const struct xlb_iface_conf *c)
{
	unsigned int a = 0;

	if (c->xdp == XLB_XDP_NATIVE)
		a |= XLB_ATTACH_XDP_NATIVE;
	else if (c->xdp == XLB_XDP_GENERIC)
		a |= XLB_ATTACH_XDP_GENERIC;
	if (c->tc & XLB_TC_INGRESS)
		a |= XLB_ATTACH_TC_INGRESS;
	if (c->tc & XLB_TC_EGRESS)
		a |= XLB_ATTACH_TC_EGRESS;
	return a;
}

/* Resolve every interface and refuse foreign XDP programs: no changes. */
static int plan_resolve(struct xlb_dp *dp, const struct xlb_config *conf,
			const struct records *r, struct plan *plan, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < conf->n_ifaces; i++) {
		const struct xlb_iface_conf *c = &conf->ifaces[i];
		const struct xlb_iface *old;
		struct dp_hook_state st;
		struct nl_link link;
		int ret;

		ret = nl_link_get(c->name, 0, &link);
		if (ret) {
			ERRF("%s:%d: interface '%s': %s", conf->file, c->line,
			     c->name,
			     ret == -ENODEV ? "no such device" :
					      strerror(-ret));
			return ret;
		}
		if (c->xdp != XLB_XDP_OFF) {
			ret = dp_query_xdp(dp, link.ifindex, &st);
			if (!ret && st.foreign) {
				ERRF("%s:%d: interface '%s': another XDP "
				     "program is attached (id %u)",
				     conf->file, c->line, c->name,
				     link.xdp_prog_id);
				return -EBUSY;
			}
		}
		old = records_find(r, link.ifindex);
		plan[i].conf = c;
		plan[i].ifindex = link.ifindex;
		plan[i].existed = old != NULL;
		if (old)
			plan[i].ifc = *old;
		else
			memset(&plan[i].ifc, 0, sizeof(plan[i].ifc));
	}
	return 0;
}

/* Give new interfaces the lowest slots no kept interface uses. */
static int plan_slots(struct plan *plan, size_t n, char *err, size_t errlen)
{
	bool used[XLB_MAX_IFACES] = { false };
	__u32 next = 0;

	for (size_t i = 0; i < n; i++)
		if (plan[i].existed && plan[i].ifc.slot < XLB_MAX_IFACES)
			used[plan[i].ifc.slot] = true;
	for (size_t i = 0; i < n; i++) {
		if (plan[i].existed)
			continue;
		while (next < XLB_MAX_IFACES && used[next])
			next++;
		if (next == XLB_MAX_IFACES) {
			ERRF("no free counter slot for '%s'",
			     plan[i].conf->name);
			return -ENOSPC;
		}
		used[next] = true;
		plan[i].ifc.slot = next;
	}
	return 0;
}

/* Detach every hook recorded in ifc from ifindex; keeps going on errors. */
static int detach_iface(struct xlb_dp *dp, int ifindex,
			const struct xlb_iface *ifc, unsigned int which)
{
	char err[256];
	int ret = 0, r;

	if (which & (XLB_ATTACH_XDP_NATIVE | XLB_ATTACH_XDP_GENERIC)) {
		r = dp_detach_xdp(dp, ifindex, err, sizeof(err));
		if (r) {
			log_err("%s: %s", ifc->name, err);
			ret = r;
		}
	}
	for (unsigned int dir = XLB_TC_INGRESS; dir <= XLB_TC_EGRESS;
	     dir <<= 1) {
		unsigned int bit = dir == XLB_TC_INGRESS ?
					   XLB_ATTACH_TC_INGRESS :
					   XLB_ATTACH_TC_EGRESS;

		if (!(which & bit))
			continue;
		r = dp_detach_tc(dp, ifindex, dir, err, sizeof(err));
		if (r) {
			log_err("%s: %s", ifc->name, err);
			ret = r;
		}
	}
	return ret;
}

/*
 * xlb_tx_ports holds every interface with xlb's XDP program: the load
 * balancer may redirect a frame to any of them.
 */
static int tx_port_set(struct xlb_dp *dp, int ifindex, bool on)
{
	__u32 key = ifindex, val = ifindex;

	if (on)
		return bpf_map_update_elem(dp->map_tx_ports, &key, &val,
					   BPF_ANY) ?
			       -errno :
			       0;
	if (bpf_map_delete_elem(dp->map_tx_ports, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Remove an interface entirely: hooks, xlb's clsact, and its record. */
static int forget_iface(struct xlb_dp *dp, int ifindex,
			const struct xlb_iface *ifc)
{
	int port = tx_port_set(dp, ifindex, false);
	int ret = detach_iface(dp, ifindex, ifc, ifc->attach);

	ret = ret ? ret : port;
	if (ifc->attach & XLB_ATTACH_OWN_CLSACT)
		dp_remove_clsact(ifindex);
	if (!ret)
		ret = maps_iface_del(dp->map_ifaces, ifindex);
	log_info("%s: detached", ifc->name);
	return ret;
}

/* Attach the hooks p wants and detach those it no longer wants. */
static int converge(struct xlb_dp *dp, struct plan *p, char *err, size_t errlen)
{
	unsigned int want = wanted_attach(p->conf);
	unsigned int had = p->ifc.attach;
	bool created;
	int ret;

	ret = p->conf->xdp == XLB_XDP_OFF ? tx_port_set(dp, p->ifindex, false) :
					    0;
	if (!ret)
		ret = detach_iface(dp, p->ifindex, &p->ifc, had & ~want);
	if (ret)
		return ret;
	p->ifc.attach &= want | XLB_ATTACH_OWN_CLSACT;
	if (p->conf->xdp != XLB_XDP_OFF) {
		ret = dp_attach_xdp(dp, p->ifindex, p->conf->xdp, err, errlen);
		if (ret)
			return ret;
		p->ifc.attach |=
			want & (XLB_ATTACH_XDP_NATIVE | XLB_ATTACH_XDP_GENERIC);
		ret = tx_port_set(dp, p->ifindex, true);
		if (ret) {
			snprintf(err, errlen, "xlb_tx_ports: %s",
				 strerror(-ret));
			return ret;
		}
	}
	for (unsigned int dir = XLB_TC_INGRESS; dir <= XLB_TC_EGRESS;
	     dir <<= 1) {
		if (!(p->conf->tc & dir))
			continue;
		ret = dp_attach_tc(dp, p->ifindex, dir, &created, err, errlen);
		if (created)
			p->ifc.attach |= XLB_ATTACH_OWN_CLSACT;
		if (ret)
			return ret;
		p->ifc.attach |= dir == XLB_TC_INGRESS ? XLB_ATTACH_TC_INGRESS :
							 XLB_ATTACH_TC_EGRESS;
	}
	return maps_iface_set(dp->map_ifaces, p->ifindex, &p->ifc);
}

/* Write a new interface's record (zeroed counters) before any hook runs. */
static int prepare_new(struct xlb_dp *dp, struct plan *p)
{
	int ret;

	snprintf(p->ifc.name, sizeof(p->ifc.name), "%s", p->conf->name);
	p->ifc.stages = p->conf->stages;
	if (p->existed)
		return maps_iface_set(dp->map_ifaces, p->ifindex, &p->ifc);
	ret = maps_hook_stats_clear(dp->map_hook_stats, p->ifc.slot);
	return ret ? ret : maps_iface_set(dp->map_ifaces, p->ifindex, &p->ifc);
}

static bool planned(const struct plan *plan, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (plan[i].ifindex == ifindex)
			return true;
	return false;
}

int ifaces_apply(struct xlb_dp *dp, const struct xlb_config *conf, char *err,
		 size_t errlen)
{
	struct plan plan[XLB_MAX_IFACES];
	struct records r;
	size_t i, n = conf->n_ifaces;
	int ret;

	ret = records_read(dp, &r);
	if (ret) {
		ERRF("reading xlb_ifaces: %s", strerror(-ret));
		return ret;
	}
	ret = plan_resolve(dp, conf, &r, plan, err, errlen);
	if (!ret)
		ret = plan_slots(plan, n, err, errlen);
	if (ret)
		return ret;

	/* Interfaces no longer configured go first, freeing their slots. */
	for (int k = 0; k < r.n; k++)
		if (!planned(plan, n, r.ifindex[k]))
			forget_iface(dp, r.ifindex[k], &r.ifc[k]);

	for (i = 0; i < n; i++) {
		char why[256];

		ret = prepare_new(dp, &plan[i]);
		if (ret) {
			snprintf(why, sizeof(why), "%s", strerror(-ret));
		} else {
			ret = converge(dp, &plan[i], why, sizeof(why));
		}
		if (ret) {
			ERRF("%s:%d: interface '%s': %s", conf->file,
			     plan[i].conf->line, plan[i].conf->name, why);
			break;
		}
		log_info("%s: ifindex %d, xdp %s, tc %s, counter slot %u",
			 plan[i].conf->name, plan[i].ifindex,
			 xlb_xdp_mode_str(plan[i].conf->xdp),
			 xlb_tc_dirs_str(plan[i].conf->tc), plan[i].ifc.slot);
	}
	if (!ret)
		return 0;
	/* Roll back the interfaces this call added, the failed one too. */
	for (size_t k = 0; k <= i && k < n; k++)
		if (!plan[k].existed)
			forget_iface(dp, plan[k].ifindex, &plan[k].ifc);
	return ret;
}

int ifaces_detach_all(struct xlb_dp *dp)
{
	struct records r;
	int ret = records_read(dp, &r);

	if (ret)
		return ret;
	for (int i = 0; i < r.n; i++) {
		int e = forget_iface(dp, r.ifindex[i], &r.ifc[i]);

		ret = ret ? ret : e;
	}
	return ret;
}
