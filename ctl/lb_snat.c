// SPDX-License-Identifier: GPL-2.0
/*
 * The VIPs' NAT source pools (xlb_snat_pools, by vip id). A change is
 * staged with lb_vip_set_snat() and written at lb_commit() so that every
 * address a flow may leave from is a NAT reply address first: the VIP
 * hints with the old and the new addresses, then the pools, then (back
 * in lb_commit()) the hints of the pools in force alone, whose write
 * bumps the VIP generation, so no flow cache entry names a slot of a
 * pool that changed. A deleted VIP's pool is zeroed after its key goes.
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "lb.h"
#include "lb_int.h"
#include "log.h"

int lb_vip_set_snat(struct lb *lb, __u32 vid, const struct xlb_snat_pool *pool)
{
	struct lb_vip *v;

	if (vid >= XLB_MAX_VIPS || !lb->vips[vid].in_use ||
	    pool->count > XLB_SNAT_MAX)
		return -EINVAL;
	v = &lb->vips[vid];
	if (!v->snat_dirty && !memcmp(&v->snat, pool, sizeof(*pool)))
		return 0;
	v->snat_next = *pool;
	v->snat_next.pad = 0;
	v->snat_dirty = true;
	return 0;
}

/* The count addresses of pool p, of family, into out; how many. */
static size_t pool_addrs(const struct xlb_snat_pool *p, __u8 family,
			 struct lb_hint_addr *out)
{
	size_t n = p->count <= XLB_SNAT_MAX ? p->count : 0;

	for (size_t i = 0; i < n; i++) {
		out[i].family = family;
		memcpy(out[i].addr, p->addr[i], sizeof(out[i].addr));
	}
	return n;
}

size_t lb_snat_addrs(const struct lb *lb, struct lb_hint_addr *out)
{
	size_t n = 0;

	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++) {
		const struct lb_vip *v = &lb->vips[vid];
		__u8 family = v->vip.addr.family;

		if (!v->in_use || v->mode != XLB_MODE_NAT)
			continue;
		n += pool_addrs(&v->snat, family, out + n);
		if (v->snat_dirty)
			n += pool_addrs(&v->snat_next, family, out + n);
	}
	return n;
}

int lb_snat_sync(struct lb *lb)
{
	bool any = false;
	int ret;

	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++)
		any |= lb->vips[vid].in_use && lb->vips[vid].snat_dirty;
	if (!any)
		return 0;
	ret = lb_write_hints(lb);
	for (__u32 vid = 0; !ret && vid < XLB_MAX_VIPS; vid++) {
		struct lb_vip *v = &lb->vips[vid];

		if (!v->in_use || !v->snat_dirty)
			continue;
		if (bpf_map_update_elem(lb->m.snat_pools, &vid, &v->snat_next,
					BPF_ANY)) {
			ret = -errno;
			break;
		}
		v->snat = v->snat_next;
		v->snat_dirty = false;
	}
	/* The hints of the pools in force, and a new generation. */
	lb->hints_dirty = true;
	return ret;
}

int lb_snat_clear(struct lb *lb, __u32 vid)
{
	struct lb_vip *v = &lb->vips[vid];

	memset(&v->snat, 0, sizeof(v->snat));
	v->snat_dirty = false;
	return bpf_map_update_elem(lb->m.snat_pools, &vid, &v->snat, BPF_ANY) ?
		       -errno :
		       0;
}

void lb_snat_restore(struct lb *lb, __u32 vid)
{
	struct lb_vip *v = &lb->vips[vid];

	if (!bpf_map_lookup_elem(lb->m.snat_pools, &vid, &v->snat) &&
	    v->snat.count <= XLB_SNAT_MAX)
		return;
	log_warn("lb: VIP %u had no NAT source pool that could be read: "
		 "its backends' route sources until the next reload",
		 vid);
	memset(&v->snat, 0, sizeof(v->snat));
	memset(&v->snat_next, 0, sizeof(v->snat_next));
	v->snat_dirty = true;
}
