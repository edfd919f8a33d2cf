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

/*
 * One configured interface resolved to its ifindex and record. One that
 * is gone keeps its record (and counter slot) at the ifindex it had, with
 * nothing attached; one back under another ifindex takes its record
 * there, from moved_from.
 */
struct plan {
	const struct xlb_iface_conf *conf;
	int ifindex;
	bool existed; /* it had a record before this call */
	bool missing; /* gone: its record is kept as it is */
	int moved_from; /* back under a new ifindex: the old one, else 0 */
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

/* The record named name (the configured interface's), and its ifindex. */
static const struct xlb_iface *records_find_name(const struct records *r,
						 const char *name, int *ifindex)
{
	for (int i = 0; i < r->n; i++)
		if (!strncmp(r->ifc[i].name, name, sizeof(r->ifc[i].name))) {
			*ifindex = r->ifindex[i];
			return &r->ifc[i];
		}
	return NULL;
}

/*
 * Is the interface a record was made for still at its ifindex (a link
 * there, of its name)? 0 if so, -ENODEV if it is gone, another -errno
 * when that cannot be told.
 */
static int record_present(int ifindex, const struct xlb_iface *ifc)
{
	struct nl_link link;
	int ret = nl_link_get(NULL, ifindex, &link);

	if (ret)
		return ret;
	return strncmp(link.name, ifc->name, sizeof(ifc->name)) ? -ENODEV : 0;
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

/*
 * A configured interface that no link has the name of: one with a record
 * is missing, kept as it is until it comes back; one without is an
 * error. 0 or -ENODEV.
 */
static int plan_missing(const struct records *r, const struct xlb_iface_conf *c,
			struct plan *p)
{
	const struct xlb_iface *old =
		records_find_name(r, c->name, &p->ifindex);

	if (!old)
		return -ENODEV;
	p->existed = true;
	p->missing = true;
	p->ifc = *old;
	return 0;
}

/*
 * The record of c's interface, now at ifindex: the one there, or, when
 * the interface was made again (a new ifindex), its record at the old
 * one, whose hooks went with the old link. 0 or -errno.
 */
static int plan_record(const struct records *r, const struct xlb_iface_conf *c,
		       int ifindex, struct plan *p)
{
	const struct xlb_iface *old = records_find(r, ifindex);
	int from = 0, ret;

	if (!old) {
		old = records_find_name(r, c->name, &from);
		ret = old ? record_present(from, old) : 0;
		if (ret != -ENODEV)
			old = NULL;
		if (ret && ret != -ENODEV)
			return ret;
	}
	p->ifindex = ifindex;
	p->existed = old != NULL;
	p->moved_from = old && from ? from : 0;
	if (old)
		p->ifc = *old;
	if (p->moved_from)
		p->ifc.attach = 0;
	return 0;
}

/* Resolve every interface and refuse foreign XDP programs: no changes. */
static int plan_resolve(struct xlb_dp *dp, const struct xlb_config *conf,
			const struct records *r, struct plan *plan, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < conf->n_ifaces; i++) {
		const struct xlb_iface_conf *c = &conf->ifaces[i];
		struct dp_hook_state st;
		struct nl_link link;
		int ret;

		memset(&plan[i], 0, sizeof(plan[i]));
		plan[i].conf = c;
		ret = nl_link_get(c->name, 0, &link);
		if (ret == -ENODEV)
			ret = plan_missing(r, c, &plan[i]);
		else if (!ret)
			ret = plan_record(r, c, link.ifindex, &plan[i]);
		if (ret) {
			ERRF("%s:%d: interface '%s': %s", conf->file, c->line,
			     c->name,
			     ret == -ENODEV ? "no such device" :
					      strerror(-ret));
			return ret;
		}
		if (plan[i].missing || c->xdp == XLB_XDP_OFF)
			continue;
		ret = dp_query_xdp(dp, link.ifindex, &st);
		if (!ret && st.foreign) {
			ERRF("%s:%d: interface '%s': another XDP program is "
			     "attached (id %u)",
			     conf->file, c->line, c->name, link.xdp_prog_id);
			return -EBUSY;
		}
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

/*
 * Remove an interface entirely: hooks, xlb's clsact, and its record. The
 * hooks of an interface that is gone went with it.
 */
static int forget_iface(struct xlb_dp *dp, int ifindex,
			const struct xlb_iface *ifc)
{
	int port = tx_port_set(dp, ifindex, false);
	bool gone = record_present(ifindex, ifc) == -ENODEV;
	int ret = gone ? 0 : detach_iface(dp, ifindex, ifc, ifc->attach);

	ret = ret ? ret : port;
	if (!gone && (ifc->attach & XLB_ATTACH_OWN_CLSACT))
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
		if (plan[i].ifindex == ifindex || plan[i].moved_from == ifindex)
			return true;
	return false;
}

/*
 * The record of an interface that is gone, as it is now: its hooks went
 * with the link, so it records none, and its ifindex is out of
 * xlb_tx_ports (the kernel took it out); its counter slot stays.
 */
static int mark_gone(struct xlb_dp *dp, int ifindex, struct xlb_iface *ifc)
{
	if (ifc->attach)
		log_warn("%s: gone (ifindex %d): kept, with its counter slot "
			 "%u, until an interface of that name comes back",
			 ifc->name, ifindex, ifc->slot);
	ifc->attach = 0;
	tx_port_set(dp, ifindex, false);
	return maps_iface_set(dp->map_ifaces, ifindex, ifc);
}

/* Bring the data plane to what p says; why on failure. */
static int apply_one(struct xlb_dp *dp, struct plan *p, char *why,
		     size_t whylen)
{
	int ret;

	if (p->missing) {
		p->ifc.stages = p->conf->stages;
		ret = mark_gone(dp, p->ifindex, &p->ifc);
		if (ret)
			snprintf(why, whylen, "%s", strerror(-ret));
		return ret;
	}
	ret = prepare_new(dp, p);
	if (ret) {
		snprintf(why, whylen, "%s", strerror(-ret));
		return ret;
	}
	ret = converge(dp, p, why, whylen);
	if (ret || !p->moved_from)
		return ret;
	log_info("%s: back, as ifindex %d (was %d)", p->conf->name, p->ifindex,
		 p->moved_from);
	ret = maps_iface_del(dp->map_ifaces, p->moved_from);
	if (ret)
		snprintf(why, whylen, "removing the record of ifindex %d: %s",
			 p->moved_from, strerror(-ret));
	return ret;
}

static void log_applied(const struct plan *p)
{
	if (p->missing)
		log_info("%s: missing (was ifindex %d), counter slot %u: "
			 "attached again when it comes back",
			 p->conf->name, p->ifindex, p->ifc.slot);
	else
		log_info("%s: ifindex %d, xdp %s, tc %s, counter slot %u",
			 p->conf->name, p->ifindex,
			 xlb_xdp_mode_str(p->conf->xdp),
			 xlb_tc_dirs_str(p->conf->tc), p->ifc.slot);
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

		ret = apply_one(dp, &plan[i], why, sizeof(why));
		if (ret) {
			ERRF("%s:%d: interface '%s': %s", conf->file,
			     plan[i].conf->line, plan[i].conf->name, why);
			break;
		}
		log_applied(&plan[i]);
	}
	if (!ret)
		return 0;
	/* Roll back the interfaces this call added, the failed one too; one
	 * that failed to come back keeps its old record. */
	for (size_t k = 0; k <= i && k < n; k++)
		if (!plan[k].existed || (k == i && plan[k].moved_from))
			forget_iface(dp, plan[k].ifindex, &plan[k].ifc);
	return ret;
}

static const struct xlb_iface_conf *conf_find(const struct xlb_config *conf,
					      const char *name)
{
	for (size_t i = 0; i < conf->n_ifaces; i++)
		if (!strcmp(conf->ifaces[i].name, name))
			return &conf->ifaces[i];
	return NULL;
}

/* A link was deleted (or left the namespace): xlb's, if it has a record. */
static int link_gone(struct xlb_dp *dp, const struct records *r, int ifindex)
{
	const struct xlb_iface *rec = records_find(r, ifindex);
	struct xlb_iface ifc;
	int ret;

	if (!rec || !rec->attach)
		return 0;
	ifc = *rec;
	ret = mark_gone(dp, ifindex, &ifc);
	return ret ? ret : 1;
}

int ifaces_link_event(struct xlb_dp *dp, const struct xlb_config *conf,
		      const struct nl_link *link, bool gone)
{
	const struct xlb_iface_conf *c;
	const struct xlb_iface *rec;
	char err[XLB_CONFIG_ERRLEN];
	struct records r;
	int at = 0, ret;

	ret = records_read(dp, &r);
	if (ret)
		return ret;
	if (gone)
		return link_gone(dp, &r, link->ifindex);
	c = conf_find(conf, link->name);
	if (!c)
		return 0;
	rec = records_find_name(&r, link->name, &at);
	if (rec && at == link->ifindex && (rec->attach || !wanted_attach(c)))
		return 0;
	ret = ifaces_apply(dp, conf, err, sizeof(err));
	if (ret) {
		log_err("%s is back, but: %s", link->name, err);
		return ret;
	}
	return 1;
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
