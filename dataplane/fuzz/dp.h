/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data plane under test (fuzz_dp.c): xlb's programs loaded with
 * private maps, as the BPF tier loads them (dataplane/tests/fixture.h);
 * a configuration written into them the way xlbd writes it (the filter
 * through the daemon's own filter module, the load balancer's maps in
 * xlbd's order: backends, rings and pools, hints, then VIP keys); frames
 * run through BPF_PROG_TEST_RUN with the counters read around each run;
 * and the tables read where the model needs the data plane's choices.
 */
#ifndef XLB_FUZZ_DP_H
#define XLB_FUZZ_DP_H

#include "filter.h"
#include "fuzz.h"
#include "model.h"

/* The filter's map sizes: room for any configuration the fuzzer draws. */
#define FZ_DP_MAX_RULES 256
#define FZ_DP_MAX_PREFIXES 256
/* The load balancer's: far more than the flows of an epoch. */
#define FZ_DP_TABLE_ENTRIES 65536

struct xlb;

struct fz_dp {
	struct xlb *skel;
	struct filter flt;
	bool flt_open;
	int ncpus;
	struct fz_net net;
	/* The VIP keys written last: deleted at the next apply. */
	struct xlb_vip_key keys[FZ_MAX_VIPS];
	size_t n_keys;
	/* Hit counters of the rules and entries when the epoch began. */
	struct xlb_ctr rule_base[FZ_MAX_RULES], entry_base[FZ_MAX_ENTRIES];
	void *pcpu; /* room for the per-CPU values of any map read */
	__u32 *ring; /* xlb_ring, mmapped */
	size_t ring_len;
};

/* Load the programs in the namespace net describes; 0 or -errno. */
int fz_dp_open(struct fz_dp *d, const struct fz_net *net, char *err,
	       size_t errlen);
void fz_dp_close(struct fz_dp *d);

/*
 * Make the data plane hold configuration c and nothing else: no flow, NAT
 * port or fragment of an earlier one. Sets the ids of c's rules and
 * entries. 0 or -errno, with err set.
 */
int fz_dp_apply(struct fz_dp *d, struct fz_config *c, char *err, size_t errlen);

/* Write backend bi of c (an event changed it) and its VIP's ring. */
int fz_dp_event(struct fz_dp *d, const struct fz_config *c, __u32 bi);

/*
 * BPF_PROG_TEST_RUN refuses a tc run of a frame whose ethertype is IPv4
 * or IPv6 (no VLAN tag) and which is shorter than that IP header: such a
 * frame is moved to the XDP hook.
 */
void fz_dp_fit(struct fz_frame *fr);

/* Run a frame; res gets what came of it. 0 or -errno of the run. */
int fz_dp_run(struct fz_dp *d, const struct fz_config *c,
	      const struct fz_frame *fr, struct fz_result *res);

/*
 * The hit counters of c's rules and entries since the apply, against the
 * model's: 0 when they agree, 1 with the first difference in msg, or
 * -errno.
 */
int fz_dp_hits(struct fz_dp *d, const struct fz_config *c,
	       const struct fz_model *m, char *msg, size_t len);

/* Entry id of a per-CPU map of struct xlb_ctr, summed: 0 or -errno. */
int fz_dp_ctr(struct fz_dp *d, int map, __u32 id, struct xlb_ctr *sum);

/* Give model m the data plane's namespace and its view of the tables. */
void fz_dp_model(struct fz_dp *d, struct fz_model *m);

#endif /* XLB_FUZZ_DP_H */
