/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load balancer's connection tables as xlbd sees them. lb_conns.c is
 * the reaper: from the poll loop, a bounded step at a time, it walks
 * xlb_conns, xlb_syns and xlb_nat_rev with bpf_map_lookup_batch(), hands
 * each chunk of keys to the xlb_reap program (which judges them with the
 * data plane's own rules and clock, and deletes the dead ones), and
 * tallies what is alive per VIP, per backend and per table, published at
 * the end of each pass; it also samples the backends' new connections per
 * second. lb_flows.c walks whole tables at once for the requests: conn
 * list, conn flush, and the flows of a deleted VIP.
 */
#ifndef XLB_LB_CONNS_H
#define XLB_LB_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <linux/types.h>

#include "lb_parse.h"
#include "loader.h"
#include "xlb_abi.h"

/* The reaper's pace: a step of at most LB_REAP_STEP_ENTRIES entries
 * every LB_REAP_STEP_MS, a new pass at most every LB_REAP_PASS_MS. */
#define LB_REAP_STEP_ENTRIES 8192
#define LB_REAP_STEP_MS 100
#define LB_REAP_PASS_MS 1000
/* How often the backends' new connections per second are sampled. */
#define LB_RATE_MS 1000

/* xlb_conns, xlb_syns, xlb_nat_rev: enum xlb_reap_table. */
#define LB_TABLES 3

/* Entries read from a table at once. */
#define LB_READ 1024

/* What a pass counts of a VIP's or a backend's live flows. */
struct lb_flow_counts {
	__u64 active; /* in xlb_conns, not closed (RST, or FIN both ways) */
	__u64 syn; /* in xlb_syns: TCP flows that have sent only a SYN */
	__u64 nat_ports; /* xlb_nat_rev entries alive */
};

struct lb_tally {
	struct lb_flow_counts vip[XLB_MAX_VIPS];
	struct lb_flow_counts backend[XLB_MAX_BACKENDS];
	__u64 in_use[LB_TABLES]; /* live entries per table */
};

/* A table read in batches of up to LB_READ entries. */
struct lb_walk {
	int fd;
	enum xlb_reap_table table;
	__u32 cursor; /* the kernel's batch token (a bucket index) */
	bool started, done;
};

union lb_key {
	struct xlb_flow_key flow;
	struct xlb_nat_key nat;
};

/* One read: keys, values (conn for xlb_conns and xlb_syns, nat for
 * xlb_nat_rev), and what the xlb_reap program said of each. */
struct lb_chunk {
	__u32 n;
	__u64 now_ns; /* the program's clock when it judged them */
	union lb_key key[LB_READ];
	struct xlb_conn conn[LB_READ];
	struct xlb_nat_val nat[LB_READ];
	__u8 result[LB_READ]; /* enum xlb_reap_result */
};

/* (VIP, address) -> backend id, for NAT entries, which name a backend
 * by its address. */
struct lb_backend_ref {
	__u32 vip;
	struct xlb_addr addr;
	__u32 id;
};

struct lb_conns {
	struct lb_walk walk[LB_TABLES];
	int table; /* the table being walked; LB_TABLES between passes */
	__u64 next_step_ns, next_pass_ns, pass_start_ns;
	__u64 passes; /* completed */
	bool failed; /* a read or a run failed in this pass */
	bool warned; /* ...and was logged; quiet until a pass succeeds */
	struct lb_tally work, pub; /* being counted; the last pass's */
	__u64 reaped[LB_TABLES]; /* entries deleted since xlbd started */
	__u32 size[LB_TABLES]; /* max_entries */
	struct lb_backend_ref refs[XLB_MAX_BACKENDS]; /* sorted */
	size_t n_refs;
	/* New connections per second, per backend. */
	__u64 next_rate_ns, rate_ns;
	__u64 new_flows[XLB_MAX_BACKENDS];
	bool sampled[XLB_MAX_BACKENDS];
	double new_per_s[XLB_MAX_BACKENDS];
	struct lb_chunk chunk;
};

struct lb;
struct lb_maps;

/* Attach the reaper to lb (lb->conns), for tables of the given sizes. */
int lb_conns_open(struct lb *lb, const struct dp_sizes *sizes, char *err,
		  size_t errlen);
void lb_conns_close(struct lb *lb);

/* Milliseconds until the next step or sample is due; -1 for none. */
int lb_conns_timeout(struct lb *lb);
/* Run what is due: a step of the walk, a sample of the rates. */
void lb_conns_process(struct lb *lb);

/*
 * One step of at most budget entries: a pass begins when none is under
 * way. Returns 1 when it completed a pass (whose tallies are then
 * published), 0 when there is more, or -errno.
 */
int lb_conns_step(struct lb *lb, size_t budget);
/* Walk the tables from a fresh pass to its end (tests, benchmarks). */
int lb_conns_pass(struct lb *lb);
/* Forget the pass under way: the next step starts a new one. */
void lb_conns_restart(struct lb *lb);
/* Zero the published tallies of VIP vid (-1: every VIP) and its
 * backends, whose flows were just deleted. */
void lb_conns_clear(struct lb *lb, int vid);

/* A walk of table t from its start. */
struct lb_walk lb_walk_start(const struct lb_maps *m, enum xlb_reap_table t);
/* Read the next chunk of w into c (c->n 0 at the end); 0 or -errno. */
int lb_walk_read(struct lb_walk *w, struct lb_chunk *c);
/*
 * Have the xlb_reap program judge c's n entries of table t (deleting the
 * dead ones when reap): c->result and c->now_ns. 0 or -errno.
 */
int lb_judge(const struct lb_maps *m, enum xlb_reap_table t, struct lb_chunk *c,
	     bool reap);
/* Is a flow in state (enum xlb_conn_state) closed: RST, or FIN both ways? */
bool lb_conn_closed(__u32 state);

/* JSON of the published tallies. */
json_t *lb_conns_vip_json(struct lb *lb, __u32 vid);
json_t *lb_conns_backend_json(struct lb *lb, __u32 id, bool rate);
json_t *lb_conns_tables_json(struct lb *lb);

/* lb_flows.c: whole-table walks. */

/* Which flows conn list shows, and how many at most. */
struct lb_conn_filter {
	int vid; /* -1: every VIP */
	bool has_backend;
	struct xlb_addr backend; /* in any VIP when vid is -1 */
	__u32 count;
};

/* {"conns": [...], "matched": N}: the live flows that match, at most
 * f->count of them. NULL with err set on failure. */
json_t *lb_flows_list(struct lb *lb, const struct lb_conn_filter *f, char *err,
		      size_t errlen);

/* What lb_flows_forget() did. */
struct lb_flushed {
	__u64 flows; /* entries deleted from xlb_conns and xlb_syns */
	__u64 nat_ports; /* ports freed (xlb_nat_rev) */
};

/*
 * Delete the flows of VIP vid (-1: every VIP) from xlb_conns and
 * xlb_syns, write the VIP hints (a new VIP generation: the flow caches
 * forget them), then count the NAT ports they held, free now (their
 * owner is gone): the reaper deletes their records unless a flow comes
 * back to its port first. A port the xlb_reap program finds alive (its
 * flow made again meanwhile, or taken less than a second ago) stays.
 * When the VIP is gone (`gone`: its key is already deleted), every port
 * of it is deleted now. n (or NULL) gets the counts. 0 or -errno.
 */
int lb_flows_forget(struct lb *lb, int vid, bool gone, struct lb_flushed *n);

#endif /* XLB_LB_CONNS_H */
