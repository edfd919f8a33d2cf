// SPDX-License-Identifier: GPL-2.0
/*
 * The VIPs' Maglev rings: each is mirrored in memory as xlb_ring holds it,
 * computed again by maglev_update() from that mirror and the backends that
 * belong in it (so only the slots that must move change), and written as
 * the slots that differ: one batch update, element by element where
 * batches fail. A failed write reads the ring back, so the mirror stays
 * true to the map.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "lb.h"
#include "lb_int.h"
#include "maglev.h"

_Static_assert(MAGLEV_RING_SIZE == XLB_RING_SIZE, "ring sizes");
_Static_assert(MAGLEV_EMPTY == XLB_NO_BACKEND, "empty slot");
_Static_assert(MAGLEV_MAX_BACKENDS == XLB_MAX_BACKENDS_PER_VIP, "per VIP");

/* Read the ring of VIP vid from xlb_ring (batches of its slots). */
int lb_ring_read(struct lb *lb, __u32 vid, __u32 *ring)
{
	__u32 first = vid * XLB_RING_SIZE, done = 0, in, out, count;
	__u32 *keys = calloc(XLB_RING_SIZE, sizeof(*keys));
	int ret = 0;

	while (keys && done < XLB_RING_SIZE) {
		count = XLB_RING_SIZE - done;
		in = first + done - 1;
		ret = bpf_map_lookup_batch(lb->m.ring,
					   first + done ? &in : NULL, &out,
					   keys, ring + done, &count, NULL);
		if (ret && errno != ENOENT)
			break;
		if (count == 0 || keys[0] != first + done)
			break;
		done += count;
	}
	/* Batches unsupported or short: the slots left, one by one. */
	for (ret = 0; keys && !ret && done < XLB_RING_SIZE; done++) {
		__u32 key = first + done;

		if (bpf_map_lookup_elem(lb->m.ring, &key, &ring[done]))
			ret = -errno;
	}
	free(keys);
	return keys ? ret : -ENOMEM;
}

/* Write the slots where next differs from the mirror cur, then cur. */
static int ring_write(struct lb *lb, __u32 vid, __u32 *cur, const __u32 *next)
{
	__u32 *keys = malloc(XLB_RING_SIZE * sizeof(*keys));
	__u32 *vals = malloc(XLB_RING_SIZE * sizeof(*vals));
	__u32 n = 0, count;
	int ret = 0;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (__u32 s = 0; s < XLB_RING_SIZE; s++) {
		if (cur[s] == next[s])
			continue;
		keys[n] = vid * XLB_RING_SIZE + s;
		vals[n++] = next[s];
	}
	count = n;
	if (n && bpf_map_update_batch(lb->m.ring, keys, vals, &count, NULL))
		count = 0;
	for (__u32 i = count; !ret && i < n; i++)
		if (bpf_map_update_elem(lb->m.ring, &keys[i], &vals[i],
					BPF_ANY))
			ret = -errno;
	if (ret) /* the map is somewhere in between: mirror it again */
		lb_ring_read(lb, vid, cur);
	else
		memcpy(cur, next, XLB_RING_SIZE * sizeof(*cur));
out:
	free(keys);
	free(vals);
	return ret;
}

/* Compute VIP vid's ring from its mirror and write what changed. */
int lb_ring_sync(struct lb *lb, __u32 vid)
{
	struct lb_vip *v = &lb->vips[vid];
	struct maglev_backend *mb =
		calloc(XLB_MAX_BACKENDS_PER_VIP + 1, sizeof(*mb));
	struct lb_mkey *keys =
		calloc(XLB_MAX_BACKENDS_PER_VIP + 1, sizeof(*keys));
	size_t n = 0;
	int ret;

	for (__u32 id = 0; mb && keys && id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];

		if (b->vip != vid || !lb_backend_in_ring(lb, id) ||
		    n == XLB_MAX_BACKENDS_PER_VIP)
			continue;
		memcpy(keys[n].addr, b->addr.addr, sizeof(keys[n].addr));
		keys[n].port = b->dp.port;
		mb[n] = (struct maglev_backend){ .id = id,
						 .weight = b->weight,
						 .key = &keys[n],
						 .key_len = sizeof(keys[n]) };
		n++;
	}
	ret = mb && keys ? maglev_update(v->ring, lb->scratch, XLB_RING_SIZE,
					 mb, n) :
			   -ENOMEM;
	if (!ret)
		ret = ring_write(lb, vid, v->ring, lb->scratch);
	free(mb);
	free(keys);
	if (!ret)
		v->dirty = false;
	return ret;
}

/* The mirror of VIP vid's ring: kept from an earlier VIP, or read. */
int lb_ring_mirror(struct lb *lb, __u32 vid)
{
	struct lb_vip *v = &lb->vips[vid];
	int ret;

	if (v->ring)
		return 0;
	/* Maps just loaded hold zeros; others are read. */
	v->ring = calloc(XLB_RING_SIZE, sizeof(*v->ring));
	if (!v->ring)
		return -ENOMEM;
	ret = lb->fresh ? 0 : lb_ring_read(lb, vid, v->ring);
	if (ret) {
		free(v->ring);
		v->ring = NULL;
	}
	return ret;
}
