// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-table walks of the connection tables: the flows of a VIP (or of
 * every VIP) deleted with their NAT ports, when the VIP is. They read
 * the tables in chunks as the reaper does, but to the end at once, so
 * their cost grows with the tables (docs/lb.md says how much).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "lb.h"
#include "lb_conns.h"

/* Keep, at the front of c, the entries of VIP vid (-1: any) whose
 * backend is one of want (NULL: any). */
static void keep_flows(struct lb_chunk *c, int vid, const bool *want)
{
	__u32 n = 0;

	for (__u32 i = 0; i < c->n; i++) {
		const struct xlb_conn *v = &c->conn[i];

		if ((vid >= 0 && v->vip != (__u32)vid) ||
		    (want &&
		     (v->backend >= XLB_MAX_BACKENDS || !want[v->backend])))
			continue;
		c->key[n] = c->key[i];
		c->conn[n++] = *v;
	}
	c->n = n;
}

/* The same for xlb_nat_rev's entries, by their VIP. */
static void keep_ports(struct lb_chunk *c, int vid)
{
	__u32 n = 0;

	for (__u32 i = 0; i < c->n; i++) {
		if (vid >= 0 && c->nat[i].vip_id != (__u32)vid)
			continue;
		c->key[n] = c->key[i];
		c->nat[n++] = c->nat[i];
	}
	c->n = n;
}

/* Delete keys[0..n) from fd; how many went (some may be gone already). */
static __u64 delete_keys(int fd, const union lb_key *keys, __u32 n)
{
	__u64 deleted = 0;
	__u32 i = 0;

	while (i < n) {
		__u32 count = n - i;
		int ret = bpf_map_delete_batch(fd, &keys[i], &count, NULL);

		deleted += count;
		i += count;
		/* keys[i] could not go (the data plane deleted it): on. */
		if (ret < 0)
			i++;
	}
	return deleted;
}

/* Delete the flows of vid from xlb_conns or xlb_syns. */
static int forget_flows(struct lb *lb, enum xlb_reap_table t, int vid,
			struct lb_chunk *c, __u64 *deleted)
{
	struct lb_walk w = lb_walk_start(&lb->m, t);
	int ret = 0;

	while (!ret && !w.done) {
		ret = lb_walk_read(&w, c);
		if (ret)
			break;
		keep_flows(c, vid, NULL);
		*deleted += delete_keys(w.fd, c->key, c->n);
	}
	return ret;
}

/* A port of a VIP that is gone, alive still: deleted if unchanged. */
static bool forget_port(struct lb *lb, const struct xlb_nat_key *k,
			const struct xlb_nat_val *v)
{
	struct xlb_nat_val now;

	if (bpf_map_lookup_elem(lb->m.nat_rev, k, &now) || now.tag != v->tag ||
	    now.vip_id != v->vip_id)
		return false;
	return !bpf_map_delete_elem(lb->m.nat_rev, k);
}

/* The NAT ports of vid whose flows are gone (all of them, if the VIP
 * is): the program deletes the dead ones, with its tag protocol. */
static int forget_ports(struct lb *lb, int vid, bool gone, struct lb_chunk *c,
			__u64 *deleted)
{
	struct lb_walk w = lb_walk_start(&lb->m, XLB_REAP_NAT);
	int ret = 0;

	while (!ret && !w.done) {
		ret = lb_walk_read(&w, c);
		if (ret)
			break;
		keep_ports(c, vid);
		ret = lb_judge(&lb->m, XLB_REAP_NAT, c, true);
		for (__u32 i = 0; !ret && i < c->n; i++)
			*deleted +=
				c->result[i] == XLB_REAP_DELETED ||
				(gone && c->result[i] == XLB_REAP_ALIVE &&
				 forget_port(lb, &c->key[i].nat, &c->nat[i]));
	}
	return ret;
}

int lb_flows_forget(struct lb *lb, int vid, bool gone, struct lb_flushed *n)
{
	struct lb_chunk *c = malloc(sizeof(*c));
	struct lb_flushed done = {};
	int ret, e;

	if (!c)
		return -ENOMEM;
	ret = forget_flows(lb, XLB_REAP_CONNS, vid, c, &done.flows);
	e = forget_flows(lb, XLB_REAP_SYNS, vid, c, &done.flows);
	ret = ret ? ret : e;
	/* The flow caches forget them too, before their ports go. */
	e = lb_write_hints(lb);
	ret = ret ? ret : e;
	e = forget_ports(lb, vid, gone, c, &done.nat_ports);
	ret = ret ? ret : e;
	free(c);
	lb_conns_clear(lb, vid);
	if (n)
		*n = done;
	return ret;
}
