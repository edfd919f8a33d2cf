/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data plane as xlbd holds it: the one place that touches the
 * skeleton, libxdp and bpf_tc_*. dp_open() adopts the programs and maps
 * pinned under the pin dir, or loads them and pins them; attach/detach
 * work per interface and hook, only ever on xlb's own programs.
 */
#ifndef XLB_LOADER_H
#define XLB_LOADER_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>

#include "config.h"

/* Map sizes xlbd chooses (from the config) when it loads the maps. */
struct dp_sizes {
	__u32 max_rules, max_prefixes; /* the filter's */
	__u32 max_conns, max_syns, max_nat_ports; /* the load balancer's */
};

struct xlb_dp {
	char pin_dir[PATH_MAX];
	int lock_fd; /* flock on the pin dir: one daemon per pin dir */
	bool adopted; /* programs came from pins, not from this process */
	int prog_xdp, prog_tc_ingress, prog_tc_egress;
	int prog_reap; /* xlbd's reaper (lb_conns.c), run, never attached */
	__u32 id_xdp, id_tc_ingress, id_tc_egress, id_reap;
	int map_ifaces, map_hook_stats, map_reasons, map_meta;
	int map_shapes, map_rules, map_rule_stats, map_rule_specs;
	int map_allow4, map_allow6, map_deny4, map_deny6;
	int map_list_stats, map_list_specs, map_filter_conf, map_frags;
	int map_rule_bloom;
	int map_vips, map_vip_hints, map_ring, map_backends, map_conns;
	int map_syns, map_nat_rev;
	int map_tx_ports, map_vip_stats, map_backend_stats;
	int map_lb_conf, map_snat_pools, map_nat_frags, map_reap_buf;
	int map_monitor, map_monitor_conf, map_monitor_cpu;
	/* xlb_ifaces' id: every program of this data plane, of any build,
	 * uses it (dp_query_*() tell an earlier build's programs by it). */
	__u32 ifaces_map_id;
	/* Map sizes, as loaded or as found in the pins. */
	struct dp_sizes sizes;
};

/*
 * Maps xlbd makes itself, which no BPF program uses, pinned beside the
 * others: the load balancer's backend specs (lb_state.c), the
 * transaction record and a batch's journal (txn.c). dp_unpin() removes
 * them too.
 */
#define XLB_PIN_LB_SPECS "xlb_lb_specs"
#define XLB_PIN_TXN "xlb_txn"
#define XLB_PIN_TXN_JOURNAL "xlb_txn_journal"

/* What is attached at one hook of one interface. */
struct dp_hook_state {
	bool attached; /* this build's program is attached here */
	/* an earlier build's program of this data plane is attached here
	 * (stale_id); attaching replaces it in one step */
	bool stale;
	bool foreign; /* no program of xlb's, some other program is here */
	__u32 prog_id; /* xlb's program here: this build's, or else stale_id */
	__u32 stale_id;
	enum xlb_xdp_mode mode; /* XDP only */
	bool dispatcher; /* XDP only: through libxdp's multi-prog dispatcher */
};

/* The sizes of a data plane loaded without a config. */
void dp_sizes_default(struct dp_sizes *s);

/*
 * Adopt or load the data plane under pin_dir, taking its lock. Returns 0 or
 * -errno with the cause in err. With `adopt_only`, a pin dir holding no
 * data plane returns -ENOENT instead of loading one. Without it, adopted
 * programs that differ from this build's are upgraded: this build's are
 * loaded against the pinned maps and pinned in their place, and the
 * dp_attach_*() calls that follow swap them in on every interface. Maps
 * are sized from *sizes when loaded; adopted maps keep the sizes they
 * were made with (dp->sizes).
 */
int dp_open(struct xlb_dp *dp, const char *pin_dir, bool adopt_only,
	    const struct dp_sizes *sizes, char *err, size_t errlen);
struct xlb;
/* Size the maps of an opened, not yet loaded skeleton. */
int dp_size_maps(struct xlb *skel, const struct dp_sizes *sizes);

/* Close every fd and the lock; what is attached and pinned stays. */
void dp_close(struct xlb_dp *dp);
/* Remove every pin and the pin dir (after the hooks are detached). */
int dp_unpin(struct xlb_dp *dp);

int dp_attach_xdp(struct xlb_dp *dp, int ifindex, enum xlb_xdp_mode mode,
		  char *err, size_t errlen);
int dp_detach_xdp(struct xlb_dp *dp, int ifindex, char *err, size_t errlen);
int dp_query_xdp(struct xlb_dp *dp, int ifindex, struct dp_hook_state *st);

/* dir is XLB_TC_INGRESS or XLB_TC_EGRESS; *created tells if clsact was new. */
int dp_attach_tc(struct xlb_dp *dp, int ifindex, unsigned int dir,
		 bool *created, char *err, size_t errlen);
int dp_detach_tc(struct xlb_dp *dp, int ifindex, unsigned int dir, char *err,
		 size_t errlen);
int dp_query_tc(struct xlb_dp *dp, int ifindex, unsigned int dir,
		struct dp_hook_state *st);
/* Remove the clsact qdisc xlb created on ifindex. */
int dp_remove_clsact(int ifindex);

#endif /* XLB_LOADER_H */
