// SPDX-License-Identifier: GPL-2.0
/*
 * xlbd's reaper of the connection tables. A pass walks xlb_conns, then
 * xlb_syns, then xlb_nat_rev, keeping the kernel's batch cursor between
 * steps, so each step costs at most LB_REAP_STEP_ENTRIES entries however
 * big the tables are. Each chunk read goes to the xlb_reap program with
 * `reap` set: it deletes what the data plane would judge expired (or,
 * for a NAT port, whose owner is gone), with the data plane's own
 * timeouts and clock, so nothing here knows a timeout. What it finds
 * alive is tallied; the tallies are published when the pass ends, so
 * what xlbd shows is at most one pass old.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "lb.h"
#include "lb_conns.h"
#include "log.h"
#include "maps.h"
#include "util.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

_Static_assert(sizeof(struct xlb_flow_key) == sizeof(struct xlb_nat_key),
	       "one key size for every table");

bool lb_conn_closed(__u32 state)
{
	return (state & XLB_CONN_RST) || (state & XLB_CONN_FIN) == XLB_CONN_FIN;
}

struct lb_walk lb_walk_start(const struct lb_maps *m, enum xlb_reap_table t)
{
	const int fds[LB_TABLES] = { m->conns, m->syns, m->nat_rev };

	return (struct lb_walk){ .fd = fds[t], .table = t };
}

int lb_walk_read(struct lb_walk *w, struct lb_chunk *c)
{
	void *vals = w->table == XLB_REAP_NAT ? (void *)c->nat :
						(void *)c->conn;
	__u32 out = 0, count = LB_READ;
	int ret;

	c->n = 0;
	if (w->done)
		return 0;
	ret = bpf_map_lookup_batch(w->fd, w->started ? &w->cursor : NULL, &out,
				   c->key, vals, &count, NULL);
	if (ret < 0 && errno != ENOENT)
		return -errno;
	/* ENOENT: the last entries (if any) are in; a bucket index that
	 * did not move would read the same entries again. */
	if (ret < 0 || (w->started && out == w->cursor && !count))
		w->done = true;
	w->started = true;
	w->cursor = out;
	c->n = count;
	return 0;
}

/* Entries i.. of c (at most XLB_REAP_BATCH) into a. */
static void judge_args(enum xlb_reap_table t, const struct lb_chunk *c, __u32 i,
		       bool reap, struct xlb_reap_args *a)
{
	__u32 n = c->n - i < XLB_REAP_BATCH ? c->n - i : XLB_REAP_BATCH;

	memset(a, 0, sizeof(*a));
	a->table = t;
	a->count = n;
	a->reap = reap;
	for (__u32 j = 0; j < n; j++) {
		if (t == XLB_REAP_NAT) {
			a->e[j].nat = c->key[i + j].nat;
			a->e[j].tag = c->nat[i + j].tag;
		} else {
			a->e[j].flow = c->key[i + j].flow;
		}
	}
}

int lb_judge(const struct lb_maps *m, enum xlb_reap_table t, struct lb_chunk *c,
	     bool reap)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct xlb_reap_args a;
	__u32 key = 0;

	for (__u32 i = 0; i < c->n; i += XLB_REAP_BATCH) {
		judge_args(t, c, i, reap, &a);
		if (bpf_map_update_elem(m->reap_buf, &key, &a, BPF_ANY) ||
		    bpf_prog_test_run_opts(m->reap, &opts) ||
		    bpf_map_lookup_elem(m->reap_buf, &key, &a))
			return -errno;
		for (__u32 j = 0; j < a.count; j++)
			c->result[i + j] = a.e[j].result;
		c->now_ns = a.now_ns;
	}
	return 0;
}

static int ref_cmp(const void *pa, const void *pb)
{
	const struct lb_backend_ref *a = pa, *b = pb;

	if (a->vip != b->vip)
		return a->vip < b->vip ? -1 : 1;
	return xlb_addr_cmp(&a->addr, &b->addr);
}

/* The backends by (VIP, address), for the NAT entries of this pass. */
static void refs_build(struct lb *lb, struct lb_conns *x)
{
	x->n_refs = 0;
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];

		if (b->in_use)
			x->refs[x->n_refs++] = (struct lb_backend_ref){
				.vip = b->vip, .addr = b->addr, .id = id
			};
	}
	qsort(x->refs, x->n_refs, sizeof(x->refs[0]), ref_cmp);
}

/* The backend a NAT entry's port belongs to, or -1. */
static int nat_backend(const struct lb_conns *x, const struct xlb_nat_key *k,
		       const struct xlb_nat_val *v)
{
	struct lb_backend_ref want = { .vip = v->vip_id };
	const struct lb_backend_ref *r;

	want.addr.family = k->family;
	memcpy(want.addr.addr, k->backend, sizeof(want.addr.addr));
	r = bsearch(&want, x->refs, x->n_refs, sizeof(x->refs[0]), ref_cmp);
	return r ? (int)r->id : -1;
}

/* Count one live flow entry of xlb_conns or xlb_syns. */
static void tally_flow(struct lb_tally *t, enum xlb_reap_table table,
		       const struct xlb_conn *c)
{
	bool syn = table == XLB_REAP_SYNS;
	bool active = !syn && !lb_conn_closed(c->state);

	if (c->vip < XLB_MAX_VIPS) {
		t->vip[c->vip].syn += syn;
		t->vip[c->vip].active += active;
	}
	if (c->backend < XLB_MAX_BACKENDS) {
		t->backend[c->backend].syn += syn;
		t->backend[c->backend].active += active;
	}
}

/* What the program said of a chunk: deleted, or alive and counted. */
static void tally_chunk(struct lb_conns *x, enum xlb_reap_table table)
{
	const struct lb_chunk *c = &x->chunk;
	struct lb_tally *t = &x->work;
	int id;

	for (__u32 i = 0; i < c->n; i++) {
		if (c->result[i] == XLB_REAP_DELETED)
			x->reaped[table]++;
		if (c->result[i] != XLB_REAP_ALIVE)
			continue;
		t->in_use[table]++;
		if (table != XLB_REAP_NAT) {
			tally_flow(t, table, &c->conn[i]);
			continue;
		}
		if (c->nat[i].vip_id < XLB_MAX_VIPS)
			t->vip[c->nat[i].vip_id].nat_ports++;
		id = nat_backend(x, &c->key[i].nat, &c->nat[i]);
		if (id >= 0)
			t->backend[id].nat_ports++;
	}
}

static void pass_begin(struct lb *lb, struct lb_conns *x)
{
	for (int t = 0; t < LB_TABLES; t++)
		x->walk[t] = lb_walk_start(&lb->m, t);
	memset(&x->work, 0, sizeof(x->work));
	refs_build(lb, x);
	x->table = XLB_REAP_CONNS;
	x->failed = false;
	x->pass_start_ns = now_ns();
}

static void pass_end(struct lb_conns *x)
{
	x->pub = x->work;
	x->passes++;
	x->table = LB_TABLES;
	x->next_pass_ns = x->pass_start_ns + LB_REAP_PASS_MS * NS_PER_MS;
}

int lb_conns_step(struct lb *lb, size_t budget)
{
	struct lb_conns *x = lb->conns;
	size_t done = 0;
	int ret;

	if (!x)
		return -ENODEV;
	if (x->table == LB_TABLES)
		pass_begin(lb, x);
	while (done < budget && x->table < LB_TABLES) {
		struct lb_walk *w = &x->walk[x->table];

		ret = lb_walk_read(w, &x->chunk);
		if (!ret)
			ret = lb_judge(&lb->m, x->table, &x->chunk, true);
		if (ret) {
			/* This table waits for the next pass. */
			w->done = true;
			x->chunk.n = 0;
			x->failed = true;
		}
		tally_chunk(x, x->table);
		done += x->chunk.n ? x->chunk.n : 1;
		if (w->done)
			x->table++;
		if (ret)
			return ret;
	}
	if (x->table < LB_TABLES)
		return 0;
	pass_end(x);
	return 1;
}

int lb_conns_pass(struct lb *lb)
{
	int ret;

	lb_conns_restart(lb);
	do
		ret = lb_conns_step(lb, LB_REAP_STEP_ENTRIES);
	while (!ret);
	return ret < 0 ? ret : 0;
}

void lb_conns_restart(struct lb *lb)
{
	if (lb->conns)
		lb->conns->table = LB_TABLES;
}

void lb_conns_clear(struct lb *lb, int vid)
{
	struct lb_conns *x = lb->conns;

	if (!x)
		return;
	for (__u32 v = 0; v < XLB_MAX_VIPS; v++)
		if (vid < 0 || v == (__u32)vid)
			memset(&x->pub.vip[v], 0, sizeof(x->pub.vip[v]));
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++)
		if (vid < 0 || lb->backends[id].vip == (__u32)vid)
			memset(&x->pub.backend[id], 0,
			       sizeof(x->pub.backend[id]));
	lb_conns_restart(lb);
}

/* Rates are kept to this many decimals. */
#define RATE_SCALE 1000.0

/* Each backend's new flows since the last sample, per second. */
static void sample_rates(struct lb *lb, struct lb_conns *x, __u64 now)
{
	struct xlb_backend_stats s;
	__u64 dt = now - x->rate_ns;

	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		bool ok = lb->backends[id].in_use &&
			  !maps_percpu_sum(lb->m.backend_stats, id, &s,
					   sizeof(s));

		x->new_per_s[id] = 0;
		/* A counter that went back belongs to a new backend. */
		if (ok && x->sampled[id] && s.new_flows >= x->new_flows[id] &&
		    dt)
			x->new_per_s[id] =
				(double)(s.new_flows - x->new_flows[id]) *
				NS_PER_S / dt;
		x->sampled[id] = ok;
		x->new_flows[id] = ok ? s.new_flows : 0;
	}
	x->rate_ns = now;
	x->next_rate_ns = now + LB_RATE_MS * NS_PER_MS;
}

static __u64 next_due(const struct lb_conns *x)
{
	__u64 step = x->next_step_ns;

	if (x->table == LB_TABLES && x->next_pass_ns > step)
		step = x->next_pass_ns;
	return step < x->next_rate_ns ? step : x->next_rate_ns;
}

int lb_conns_timeout(struct lb *lb)
{
	return lb->conns ? poll_timeout_ms(next_due(lb->conns)) : -1;
}

void lb_conns_process(struct lb *lb)
{
	struct lb_conns *x = lb->conns;
	__u64 now = now_ns();
	int ret;

	if (!x)
		return;
	if (now >= x->next_rate_ns)
		sample_rates(lb, x, now);
	if (now < x->next_step_ns ||
	    (x->table == LB_TABLES && now < x->next_pass_ns))
		return;
	ret = lb_conns_step(lb, LB_REAP_STEP_ENTRIES);
	if (ret < 0 && !x->warned)
		log_warn("lb: reaping the connection tables: %s (not said "
			 "again until a pass succeeds)",
			 strerror(-ret));
	x->warned |= ret < 0;
	if (ret == 1 && !x->failed && x->warned) {
		log_info("lb: reaping the connection tables again");
		x->warned = false;
	}
	x->next_step_ns = now_ns() + LB_REAP_STEP_MS * NS_PER_MS;
}

int lb_conns_open(struct lb *lb, const struct dp_sizes *sizes, char *err,
		  size_t errlen)
{
	struct lb_conns *x = calloc(1, sizeof(*x));

	if (!x) {
		snprintf(err, errlen, "lb: connection tables: %s",
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	x->size[XLB_REAP_CONNS] = sizes->max_conns;
	x->size[XLB_REAP_SYNS] = sizes->max_syns;
	x->size[XLB_REAP_NAT] = sizes->max_nat_ports;
	x->table = LB_TABLES;
	x->rate_ns = now_ns();
	lb->conns = x;
	/* The first sample now, the first pass at the first step. */
	sample_rates(lb, x, x->rate_ns);
	return 0;
}

void lb_conns_close(struct lb *lb)
{
	free(lb->conns);
	lb->conns = NULL;
}

/* Without the reaper attached: nothing counted. */
static const struct lb_flow_counts no_counts;

json_t *lb_conns_vip_json(struct lb *lb, __u32 vid)
{
	const struct lb_flow_counts *c = lb->conns ? &lb->conns->pub.vip[vid] :
						     &no_counts;
	struct xlb_snat_pool pool = {};
	json_int_t n = 0;
	json_t *o;

	o = json_pack("{s:I, s:I}", "active", (json_int_t)c->active, "syn",
		      (json_int_t)c->syn);
	if (lb->vips[vid].mode != XLB_MODE_NAT)
		return o;
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++)
		n += lb->backends[id].in_use && !lb->backends[id].leaving &&
		     lb->backends[id].vip == vid;
	if (bpf_map_lookup_elem(lb->m.snat_pools, &vid, &pool) ||
	    pool.count > XLB_SNAT_MAX)
		pool.count = 0;
	json_object_set_new(o, "nat_ports",
			    json_integer((json_int_t)c->nat_ports));
	json_object_set_new(o, "nat_ports_available",
			    json_integer(n * (pool.count ? pool.count : 1) *
					 XLB_NAT_PORT_COUNT));
	return o;
}

json_t *lb_conns_backend_json(struct lb *lb, __u32 id, bool rate)
{
	const struct lb_conns *x = lb->conns;
	const struct lb_flow_counts *c = x ? &x->pub.backend[id] : &no_counts;
	json_t *o = json_pack("{s:I, s:I}", "active", (json_int_t)c->active,
			      "syn", (json_int_t)c->syn);

	if (lb->vips[lb->backends[id].vip].mode == XLB_MODE_NAT)
		json_object_set_new(o, "nat_ports",
				    json_integer((json_int_t)c->nat_ports));
	if (rate)
		json_object_set_new(o, "new_per_s",
				    json_real(x ? x->new_per_s[id] : 0.0));
	return o;
}

json_t *lb_conns_tables_json(struct lb *lb)
{
	static const char *const names[LB_TABLES] = { "conns", "syns",
						      "nat_ports" };
	const struct lb_conns *x = lb->conns;
	json_t *o = json_object();

	for (int t = 0; x && t < LB_TABLES; t++)
		json_object_set_new(o, names[t],
				    json_pack("{s:I, s:I, s:I}", "in_use",
					      (json_int_t)x->pub.in_use[t],
					      "size", (json_int_t)x->size[t],
					      "reaped",
					      (json_int_t)x->reaped[t]));
	return o;
}
