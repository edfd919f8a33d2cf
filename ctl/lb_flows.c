// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-table walks of the connection tables, for the control socket:
 * conn list (the live flows, judged by the xlb_reap program without
 * deleting anything), conn flush, and the flows of a deleted VIP. Each
 * reads the tables in chunks as the reaper does, but to the end at once,
 * so its cost grows with the tables (docs/lb.md says how much).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <bpf/bpf.h>

#include "lb.h"
#include "lb_conns.h"
#include "log.h"

#define NS_PER_MS 1000000ll
#define MS_PER_S 1000.0

/* The state of a live flow, as conn list names it. */
static const char *flow_state(enum xlb_reap_table t,
			      const struct xlb_flow_key *k,
			      const struct xlb_conn *c)
{
	if (k->proto != IPPROTO_TCP)
		return "udp";
	if (t == XLB_REAP_SYNS)
		return "syn";
	if (lb_conn_closed(c->state))
		return "closed";
	if (c->state & XLB_CONN_FIN_IN)
		return "fin_in";
	if (c->state & XLB_CONN_FIN_OUT)
		return "fin_out";
	return "established";
}

/* Seconds from then to now, to the millisecond; 0 if then is later. */
static double seconds(__u64 then, __u64 now)
{
	__s64 ms = ((__s64)(now - then)) / NS_PER_MS;

	return ms > 0 ? ms / MS_PER_S : 0.0;
}

static void set_addr(json_t *o, const char *key, __u8 family,
		     const __be32 *addr)
{
	struct xlb_addr a = { .family = family };
	char text[XLB_VIP_STRLEN];

	memcpy(a.addr, addr, sizeof(a.addr));
	if (xlb_format_addr(&a, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "-");
	json_object_set_new(o, key, json_string(text));
}

/* The VIP and backend a flow entry names, "-" when gone. */
static void set_ends(struct lb *lb, json_t *o, const struct xlb_conn *c)
{
	char text[XLB_VIP_STRLEN] = "-";

	if (c->vip < XLB_MAX_VIPS && lb->vips[c->vip].in_use)
		xlb_format_vip(&lb->vips[c->vip].vip, text, sizeof(text));
	json_object_set_new(o, "vip", json_string(text));
	snprintf(text, sizeof(text), "-");
	if (c->backend < XLB_MAX_BACKENDS && lb->backends[c->backend].in_use)
		xlb_format_addr(&lb->backends[c->backend].addr, text,
				sizeof(text));
	json_object_set_new(o, "backend", json_string(text));
	if (c->backend < XLB_MAX_BACKENDS && lb->backends[c->backend].in_use &&
	    lb_backend_port(lb, c->backend))
		json_object_set_new(
			o, "backend_port",
			json_integer(lb_backend_port(lb, c->backend)));
}

static json_t *flow_json(struct lb *lb, enum xlb_reap_table t,
			 const struct xlb_flow_key *k, const struct xlb_conn *c,
			 __u64 now)
{
	json_t *o = json_object();

	set_addr(o, "client", k->family, k->src);
	json_object_set_new(o, "client_port", json_integer(ntohs(k->sport)));
	set_ends(lb, o, c);
	json_object_set_new(o, "dport", json_integer(ntohs(k->dport)));
	if (c->nat_port) {
		set_addr(o, "nat_address", k->family, c->snat);
		json_object_set_new(o, "nat_port",
				    json_integer(ntohs(c->nat_port)));
	}
	json_object_set_new(o, "state", json_string(flow_state(t, k, c)));
	json_object_set_new(o, "age_s", json_real(seconds(c->created_ns, now)));
	json_object_set_new(o, "idle_s", json_real(seconds(c->seen_ns, now)));
	json_object_set_new(o, "packets", json_integer((json_int_t)c->packets));
	json_object_set_new(o, "table",
			    json_string(t == XLB_REAP_SYNS ? "syns" : "conns"));
	return o;
}

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

/* The next chunk of w, with only the entries of VIP vid (-1: any) and,
 * for flows, of the backends in want (NULL: any). */
static int read_kept(struct lb_walk *w, struct lb_chunk *c, int vid,
		     const bool *want)
{
	int ret = lb_walk_read(w, c);

	if (!ret && w->table == XLB_REAP_NAT)
		keep_ports(c, vid);
	else if (!ret)
		keep_flows(c, vid, want);
	return ret;
}

/* The backends a filter names. */
static void wanted_backends(struct lb *lb, const struct lb_conn_filter *f,
			    bool *want)
{
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];

		want[id] = b->in_use && !xlb_addr_cmp(&b->addr, &f->backend) &&
			   (f->vid < 0 || b->vip == (__u32)f->vid);
	}
}

/* One table's live flows that match into list, counted in *matched. */
static int list_table(struct lb *lb, enum xlb_reap_table t,
		      const struct lb_conn_filter *f, const bool *want,
		      struct lb_chunk *c, json_t *list, __u64 *matched)
{
	struct lb_walk w = lb_walk_start(&lb->m, t);
	int ret = 0;

	while (!ret && !w.done) {
		ret = read_kept(&w, c, f->vid, want);
		if (!ret)
			ret = lb_judge(&lb->m, t, c, false);
		for (__u32 i = 0; !ret && i < c->n; i++) {
			if (c->result[i] != XLB_REAP_ALIVE)
				continue;
			(*matched)++;
			if (json_array_size(list) < f->count)
				json_array_append_new(
					list,
					flow_json(lb, t, &c->key[i].flow,
						  &c->conn[i], c->now_ns));
		}
	}
	return ret;
}

json_t *lb_flows_list(struct lb *lb, const struct lb_conn_filter *f, char *err,
		      size_t errlen)
{
	struct lb_chunk *c = malloc(sizeof(*c));
	bool *want = f->has_backend ? calloc(XLB_MAX_BACKENDS, 1) : NULL;
	json_t *list = json_array();
	__u64 matched = 0;
	int ret = -ENOMEM;

	if (c && (want || !f->has_backend) && list) {
		if (want)
			wanted_backends(lb, f, want);
		ret = list_table(lb, XLB_REAP_CONNS, f, want, c, list,
				 &matched);
		if (!ret)
			ret = list_table(lb, XLB_REAP_SYNS, f, want, c, list,
					 &matched);
	}
	free(c);
	free(want);
	if (ret) {
		snprintf(err, errlen, "reading the connection tables: %s",
			 strerror(-ret));
		json_decref(list);
		return NULL;
	}
	return json_pack("{s:o, s:I}", "conns", list, "matched",
			 (json_int_t)matched);
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
		ret = read_kept(&w, c, vid, NULL);
		if (!ret)
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

/*
 * The NAT ports of vid whose flows are gone: counted as freed (the
 * program judges them dead: any new flow may take them over). Their
 * records stay for the reaper, so that an open connection whose next
 * packet makes its flow again finds its port, and the backend's replies
 * meanwhile are still translated (without the record, they would reach
 * the LB's own stack, which answers them with a reset). When the VIP is
 * gone, no flow of it comes back: every record goes now, the dead ones
 * with the program's tag protocol.
 */
static int forget_ports(struct lb *lb, int vid, bool gone, struct lb_chunk *c,
			__u64 *freed)
{
	struct lb_walk w = lb_walk_start(&lb->m, XLB_REAP_NAT);
	int ret = 0;

	while (!ret && !w.done) {
		ret = read_kept(&w, c, vid, NULL);
		if (!ret)
			ret = lb_judge(&lb->m, XLB_REAP_NAT, c, gone);
		for (__u32 i = 0; !ret && i < c->n; i++)
			*freed += c->result[i] == XLB_REAP_DEAD ||
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
	/* The flow caches forget them too, before their ports are judged. */
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
