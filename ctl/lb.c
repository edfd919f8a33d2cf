// SPDX-License-Identifier: GPL-2.0
/*
 * VIPs and backends: ids, and the order in which map entries are written.
 * Changes mark their VIP dirty; lb_commit() computes the dirty rings
 * (lb_ring.c), writes the keys of new VIPs, then clears the entries of
 * deleted backends, which no ring names any more. The restore, config
 * apply and JSON views are in lb_state.c and lb_json.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>

#include "lb.h"
#include "lb_int.h"
#include "lb_conns.h"
#include "lb_hints.h"
#include "lb_neigh.h"
#include "log.h"
#include "maps.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

int lb_vip_find(const struct lb *lb, const struct xlb_vip_addr *v)
{
	for (__u32 id = 0; id < XLB_MAX_VIPS; id++)
		if (lb->vips[id].in_use && !xlb_vip_cmp(&lb->vips[id].vip, v))
			return id;
	return -ENOENT;
}

int lb_backend_find(const struct lb *lb, __u32 vip, const struct xlb_addr *addr)
{
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];

		if (b->in_use && !b->leaving && b->vip == vip &&
		    !xlb_addr_cmp(&b->addr, addr))
			return id;
	}
	return -ENOENT;
}

bool lb_backend_in_ring(const struct lb *lb, __u32 id)
{
	const struct lb_backend *b = &lb->backends[id];

	return b->in_use && !b->leaving && b->weight && !b->down &&
	       (b->dp.flags & XLB_BACKEND_RESOLVED) &&
	       !(b->dp.flags & XLB_BACKEND_DOWN);
}

void lb_backend_set_down(struct lb *lb, __u32 id, bool down)
{
	struct lb_backend *b = &lb->backends[id];

	if (!b->in_use || b->leaving || b->down == down)
		return;
	b->down = down;
	lb->vips[b->vip].dirty = true;
}

/*
 * XLB_BACKEND_DOWN follows the health checks' verdict: cleared before
 * the rings are written (a backend back up is usable before a slot names
 * it), set after (a backend gone down is in no slot by then, so its open
 * flows move to backends that are).
 */
static int sync_down(struct lb *lb, bool down, char *err, size_t errlen)
{
	int ret = 0, e;

	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		struct lb_backend *b = &lb->backends[id];

		if (!b->in_use || b->leaving || b->down != down ||
		    !(b->dp.flags & XLB_BACKEND_DOWN) == !down ||
		    (down && lb->vips[b->vip].dirty))
			continue;
		if (down)
			b->dp.flags |= XLB_BACKEND_DOWN;
		else
			b->dp.flags &= ~XLB_BACKEND_DOWN;
		e = lb_backend_write(lb, id);
		if (e && !ret) {
			ERRF("writing backend %u: %s", id, strerror(-e));
			ret = e;
		}
	}
	return ret;
}

int lb_backend_write(struct lb *lb, __u32 id)
{
	struct lb_backend *b = &lb->backends[id];
	struct lb_spec s = { .in_use = b->in_use && !b->leaving,
			     .vip = b->vip,
			     .weight = b->weight };

	if (bpf_map_update_elem(lb->m.backends, &id, &b->dp, BPF_ANY))
		return -errno;
	return bpf_map_update_elem(lb->specs, &id, &s, BPF_ANY) ? -errno : 0;
}

/* A deleted backend, out of every ring now: clear its entry. */
static int backend_finish(struct lb *lb, __u32 id)
{
	struct lb_backend *b = &lb->backends[id];

	memset(&b->dp, 0, sizeof(b->dp));
	b->in_use = false;
	b->leaving = false;
	lb->n_backends--;
	return lb_backend_write(lb, id);
}

/* New VIPs whose ring and pool are in place: the hints, then their keys. */
static int publish(struct lb *lb, char *err, size_t errlen)
{
	bool any = false;
	int ret = 0;

	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++)
		any |= lb->vips[vid].in_use && lb->vips[vid].pending &&
		       !lb->vips[vid].dirty && !lb->vips[vid].snat_dirty;
	if (!any)
		return 0;
	/* The hint before the key: the VIP is found as soon as it exists. */
	ret = lb_write_hints(lb);
	for (__u32 vid = 0; !ret && vid < XLB_MAX_VIPS; vid++) {
		struct lb_vip *v = &lb->vips[vid];
		struct xlb_vip val = { .id = vid, .mode = v->mode };
		struct xlb_vip_key key;

		if (!v->in_use || !v->pending || v->dirty || v->snat_dirty)
			continue;
		xlb_vip_key_of(&v->vip, &key);
		if (bpf_map_update_elem(lb->m.vips, &key, &val, BPF_NOEXIST))
			ret = -errno;
		else
			v->pending = false;
	}
	if (ret)
		ERRF("writing a VIP: %s", strerror(-ret));
	return ret;
}

int lb_commit(struct lb *lb, char *err, size_t errlen)
{
	int ret, e;

	/* Pools before the keys of their VIPs, hints around them. */
	ret = lb_snat_sync(lb);
	if (ret)
		ERRF("writing the NAT source pools: %s", strerror(-ret));
	/* Replies are recognised before the rings send flows their way. */
	if (lb->hints_dirty) {
		e = lb_write_hints(lb);
		if (e && !ret)
			ERRF("writing the VIP hints: %s", strerror(-e));
		ret = ret ? ret : e;
	}

	lb->gen++;
	e = sync_down(lb, false, ret ? NULL : err, ret ? 0 : errlen);
	ret = ret ? ret : e;
	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++) {
		if (!lb->vips[vid].in_use || !lb->vips[vid].dirty)
			continue;
		e = lb_ring_sync(lb, vid);
		if (e && !ret) {
			ERRF("writing the ring of VIP %u: %s", vid,
			     strerror(-e));
			ret = e;
		}
	}
	e = publish(lb, ret ? NULL : err, ret ? 0 : errlen);
	ret = ret ? ret : e;
	e = sync_down(lb, true, ret ? NULL : err, ret ? 0 : errlen);
	ret = ret ? ret : e;
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];

		/* Still named by a ring that could not be written: keep. */
		if (!b->in_use || !b->leaving ||
		    (lb->vips[b->vip].in_use && lb->vips[b->vip].dirty))
			continue;
		e = backend_finish(lb, id);
		if (e && !ret) {
			ERRF("clearing backend %u: %s", id, strerror(-e));
			ret = e;
		}
	}
	return ret;
}

int lb_write_hints(struct lb *lb)
{
	static const __be32 zero[4];
	struct xlb_vip_key keys[XLB_MAX_VIPS];
	struct lb_hint_addr *snat =
		calloc(XLB_MAX_BACKENDS + 2 * XLB_MAX_VIPS * XLB_SNAT_MAX,
		       sizeof(*snat));
	size_t n = 0, nsnat = 0;
	int ret;

	if (!snat)
		return -ENOMEM;

	for (__u32 id = 0; id < XLB_MAX_VIPS; id++)
		if (lb->vips[id].in_use)
			xlb_vip_key_of(&lb->vips[id].vip, &keys[n++]);
	/* NAT backends' snat addresses: where their replies arrive. */
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];

		if (!b->in_use || lb->vips[b->vip].mode != XLB_MODE_NAT ||
		    !memcmp(b->dp.snat, zero, sizeof(zero)))
			continue;
		snat[nsnat].family = b->dp.family;
		memcpy(snat[nsnat++].addr, b->dp.snat, sizeof(b->dp.snat));
	}
	/* NAT VIPs' pools: where their flows' replies arrive. */
	nsnat += lb_snat_addrs(lb, snat + nsnat);
	lb->hints_dirty = false;
	ret = lb_hints_write(lb->m.hints, keys, n, snat, nsnat);
	free(snat);
	return ret;
}

/* The next free VIP id after the last one given, or -ENOSPC. */
static int alloc_vip(struct lb *lb)
{
	for (__u32 i = 0; i < XLB_MAX_VIPS; i++) {
		__u32 id = (lb->next_vip + i) % XLB_MAX_VIPS;

		if (!lb->vips[id].in_use) {
			lb->next_vip = (id + 1) % XLB_MAX_VIPS;
			return id;
		}
	}
	return -ENOSPC;
}

/* The same for backends. */
static int alloc_backend_id(struct lb *lb)
{
	for (__u32 i = 0; i < XLB_MAX_BACKENDS; i++) {
		__u32 id = (lb->next_backend + i) % XLB_MAX_BACKENDS;

		if (!lb->backends[id].in_use) {
			lb->next_backend = (id + 1) % XLB_MAX_BACKENDS;
			return id;
		}
	}
	return -ENOSPC;
}

int lb_vip_add(struct lb *lb, const struct xlb_vip_addr *v,
	       enum xlb_lb_mode mode, __u32 *id, char *err, size_t errlen)
{
	char name[XLB_VIP_STRLEN];
	struct lb_vip *lv;
	int vid, ret;

	xlb_format_vip(v, name, sizeof(name));
	if (lb_vip_find(lb, v) >= 0) {
		ERRF("VIP %s exists", name);
		return -EEXIST;
	}
	vid = alloc_vip(lb);
	if (vid < 0) {
		ERRF("no room for another VIP (at most %d)", XLB_MAX_VIPS);
		return vid;
	}
	ret = lb_ring_mirror(lb, vid);
	if (!ret)
		ret = maps_percpu_zero(lb->m.vip_stats, vid,
				       sizeof(struct xlb_vip_stats));
	if (ret) {
		ERRF("adding VIP %s: %s", name, strerror(-ret));
		return ret;
	}
	lv = &lb->vips[vid];
	lv->in_use = true;
	lv->vip = *v;
	lv->mode = mode;
	lv->n_backends = 0;
	/* No pool until one is set: the map's entry is written (zeroed)
	 * at the commit all the same, before the key. */
	memset(&lv->snat, 0, sizeof(lv->snat));
	memset(&lv->snat_next, 0, sizeof(lv->snat_next));
	lv->snat_dirty = true;
	/* Its key is written at the commit, once its ring is. */
	lv->dirty = true;
	lv->pending = true;
	lb->n_vips++;
	*id = vid;
	return 0;
}

int lb_vip_del(struct lb *lb, const struct xlb_vip_addr *v, char *err,
	       size_t errlen)
{
	char name[XLB_VIP_STRLEN];
	struct xlb_vip_key key;
	int vid = lb_vip_find(lb, v), ret = 0, e;

	xlb_format_vip(v, name, sizeof(name));
	if (vid < 0) {
		ERRF("no VIP %s", name);
		return -ENOENT;
	}
	/* The key first: no packet finds the VIP while it is taken apart. */
	xlb_vip_key_of(v, &key);
	if (bpf_map_delete_elem(lb->m.vips, &key) && errno != ENOENT) {
		ret = -errno;
		ERRF("removing VIP %s: %s", name, strerror(-ret));
		return ret;
	}
	lb->vips[vid].in_use = false;
	lb->n_vips--;
	ret = lb_snat_clear(lb, vid);
	e = lb_write_hints(lb);
	ret = ret ? ret : e;
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		if (!lb->backends[id].in_use ||
		    lb->backends[id].vip != (__u32)vid)
			continue;
		e = backend_finish(lb, id);
		ret = ret ? ret : e;
	}
	/* No flow of it stays: a VIP given its id later starts clean. */
	e = lb_flows_forget(lb, vid, true, NULL);
	ret = ret ? ret : e;
	/* The ring stays in the map, and its mirror for the next VIP. */
	lb->vips[vid].pending = false;
	lb->vips[vid].dirty = false;
	if (ret)
		ERRF("removing VIP %s: %s", name, strerror(-ret));
	return ret;
}

/* The VIP of a backend request, with its name for messages. */
static int vip_of(struct lb *lb, const struct xlb_vip_addr *v, char *name,
		  char *err, size_t errlen)
{
	int vid = lb_vip_find(lb, v);

	xlb_format_vip(v, name, XLB_VIP_STRLEN);
	if (vid < 0)
		ERRF("no VIP %s", name);
	return vid;
}

/* Backends may come back while their ids still leave: free them first. */
static int alloc_backend(struct lb *lb, char *err, size_t errlen)
{
	int id = alloc_backend_id(lb);

	if (id < 0 && !lb_commit(lb, err, errlen))
		id = alloc_backend_id(lb);
	if (id < 0)
		ERRF("no room for another backend (at most %d in all VIPs)",
		     XLB_MAX_BACKENDS);
	return id;
}

int lb_backend_add(struct lb *lb, const struct xlb_vip_addr *v,
		   const struct xlb_addr *addr, __u32 weight, __u16 port,
		   __u32 *id, char *err, size_t errlen)
{
	char name[XLB_VIP_STRLEN], a[XLB_VIP_STRLEN];
	int vid = vip_of(lb, v, name, err, errlen), bid, ret;
	struct lb_backend *b;

	if (vid < 0)
		return vid;
	xlb_format_addr(addr, a, sizeof(a));
	if (addr->family != v->addr.family) {
		ERRF("backend %s is %s, VIP %s is %s", a,
		     addr->family == XLB_FAMILY_V4 ? "IPv4" : "IPv6", name,
		     v->addr.family == XLB_FAMILY_V4 ? "IPv4" : "IPv6");
		return -EINVAL;
	}
	if (lb_backend_find(lb, vid, addr) >= 0) {
		ERRF("VIP %s already has backend %s", name, a);
		return -EEXIST;
	}
	ret = xlb_check_backend_port(v, lb->vips[vid].mode, port, err, errlen);
	if (ret)
		return ret;
	if (lb->vips[vid].n_backends == XLB_MAX_BACKENDS_PER_VIP) {
		ERRF("VIP %s has %d backends, the most one VIP can have", name,
		     XLB_MAX_BACKENDS_PER_VIP);
		return -ENOSPC;
	}
	bid = alloc_backend(lb, err, errlen);
	if (bid < 0)
		return bid;
	b = &lb->backends[bid];
	*b = (struct lb_backend){
		.in_use = true, .vip = vid, .weight = weight, .addr = *addr
	};
	b->dp.family = addr->family;
	b->dp.flags = XLB_BACKEND_ACTIVE;
	b->dp.port = htons(port);
	memcpy(b->dp.addr, addr->addr, sizeof(b->dp.addr));
	if (lb->neigh)
		lb_neigh_resolve(lb, bid);
	ret = maps_percpu_zero(lb->m.backend_stats, bid,
			       sizeof(struct xlb_backend_stats));
	if (!ret)
		ret = lb_backend_write(lb, bid);
	if (ret) {
		b->in_use = false;
		ERRF("adding backend %s to %s: %s", a, name, strerror(-ret));
		return ret;
	}
	lb->n_backends++;
	lb->vips[vid].n_backends++;
	lb->vips[vid].dirty = true;
	*id = bid;
	return 0;
}

/* The backend of a request: its id, or -ENOENT with the message. */
static int backend_of(struct lb *lb, const struct xlb_vip_addr *v,
		      const struct xlb_addr *addr, char *err, size_t errlen)
{
	char name[XLB_VIP_STRLEN], a[XLB_VIP_STRLEN];
	int vid = vip_of(lb, v, name, err, errlen), bid;

	if (vid < 0)
		return vid;
	bid = lb_backend_find(lb, vid, addr);
	if (bid < 0) {
		xlb_format_addr(addr, a, sizeof(a));
		ERRF("VIP %s has no backend %s", name, a);
	}
	return bid;
}

int lb_backend_set(struct lb *lb, const struct xlb_vip_addr *v,
		   const struct xlb_addr *addr, __u32 weight, char *err,
		   size_t errlen)
{
	int bid = backend_of(lb, v, addr, err, errlen), ret;
	struct lb_backend *b;

	if (bid < 0)
		return bid;
	b = &lb->backends[bid];
	if (b->weight == weight)
		return 0;
	b->weight = weight;
	ret = lb_backend_write(lb, bid);
	if (ret)
		ERRF("writing backend %d: %s", bid, strerror(-ret));
	lb->vips[b->vip].dirty = true;
	return ret;
}

int lb_backend_del(struct lb *lb, const struct xlb_vip_addr *v,
		   const struct xlb_addr *addr, char *err, size_t errlen)
{
	int bid = backend_of(lb, v, addr, err, errlen), ret;
	struct lb_backend *b;

	if (bid < 0)
		return bid;
	b = &lb->backends[bid];
	/* The spec goes now, the entry once no ring names it. */
	b->leaving = true;
	lb->vips[b->vip].n_backends--;
	lb->vips[b->vip].dirty = true;
	ret = lb_backend_write(lb, bid);
	if (ret)
		ERRF("removing backend %d: %s", bid, strerror(-ret));
	return ret;
}
