/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load balancer's control side: VIPs and their backends held in
 * memory and written to the data plane's maps so that packets never see
 * a half-built state (a backend's entry is in place before the ring
 * names it, the ring before the VIP's key; a VIP's key goes first when it
 * is deleted, a backend's ring slots before its entry is cleared). Each
 * (VIP, backend address) pair has its own backend id, so weights,
 * draining and counters are per VIP. What the data plane's maps do not
 * hold (a backend's VIP and weight) is kept in a pinned map of xlbd's
 * own, xlb_lb_specs, so a restarted daemon restores every id. A NAT
 * VIP's source pool is in xlb_snat_pools before its key, and its
 * addresses in the VIP hints before the pool names them.
 */
#ifndef XLB_LB_H
#define XLB_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "config.h"
#include "lb_parse.h"
#include "loader.h"

/* The pinned map of backend specs, in the pin dir; by backend id. */
#define LB_SPECS_PIN XLB_PIN_LB_SPECS

/* xlb_lb_specs value: what xlb_backends does not say about a backend. */
struct lb_spec {
	__u32 in_use;
	__u32 vip; /* its VIP's id */
	__u32 weight;
	__u32 pad;
};

struct lb_maps {
	int vips, hints, ring, backends, vip_stats, backend_stats;
	int ifaces; /* xlb_ifaces: which interfaces have XDP of xlb's */
	int lb_conf, snat_pools; /* timeouts; the VIPs' NAT addresses */
	int conns, syns, nat_rev; /* the connection tables */
	int reap_buf, reap; /* xlbd's reaper: its batch, its program */
	__u32 max_conns, max_syns, max_nat_ports; /* the tables' sizes */
};

/* The bytes a backend's Maglev permutation is hashed from. */
struct lb_mkey {
	__u8 addr[16];
	__be16 port;
};

struct lb_backend {
	bool in_use;
	bool leaving; /* deleted: leaves the map once out of the ring */
	__u32 vip; /* its VIP's id */
	__u32 weight;
	struct xlb_addr addr;
	struct xlb_backend dp; /* what xlb_backends holds for it */
	/* The next hop, kept by lb_neigh.c. */
	bool nh_known; /* nh and dp.ifindex are from a route */
	struct xlb_addr nh; /* the gateway, or the backend itself */
	char why[192]; /* why it is unresolved; "" once resolved */
	__u64 retry_ns; /* when to try resolving it again */
	__u32 tries;
	/* Health checks (health.c) say down: out of the ring, then
	 * XLB_BACKEND_DOWN in dp.flags (lb_commit() orders the writes). */
	bool down;
};

struct lb_vip {
	bool in_use;
	bool dirty; /* its ring must be computed again */
	bool pending; /* its key is written at the next commit */
	struct xlb_vip_addr vip;
	enum xlb_lb_mode mode;
	/* XLB_RING_SIZE backend ids, as xlb_ring holds them; kept for the
	 * next VIP of this id when the VIP goes (NULL: not read yet). */
	__u32 *ring;
	__u32 n_backends;
	/* NAT source addresses: what xlb_snat_pools holds for it, and
	 * (snat_dirty) what it gets at the next commit. */
	struct xlb_snat_pool snat, snat_next;
	bool snat_dirty;
};

struct lb_neigh;
struct health;
struct lb_conns;

struct lb {
	struct lb_maps m;
	int specs; /* xlb_lb_specs */
	struct lb_vip vips[XLB_MAX_VIPS];
	struct lb_backend backends[XLB_MAX_BACKENDS];
	__u32 n_vips, n_backends;
	__u32 next_vip, next_backend; /* ids are handed out round robin */
	__u32 *scratch; /* a ring being computed */
	bool fresh; /* the maps were just loaded: every ring slot is 0 */
	bool hints_dirty; /* an snat address changed: write the hints */
	struct lb_neigh *neigh; /* next-hop resolution, or NULL */
	struct health *health; /* health checks, or NULL */
	struct lb_conns *conns; /* the reaper and its tallies, or NULL */
	__u32 gen; /* counts lb_commit() calls: backends may have changed */
	struct xlb_lb_conf timeouts; /* what xlb_lb_conf holds */
};

#define LB_ERRLEN 256

/*
 * Set up over the maps, open (or create and pin) xlb_lb_specs in
 * pin_dir, and restore (fresh: the maps were just loaded, empty) what the maps hold (an earlier daemon's VIPs and
 * backends, with their ids). Returns 0 or -errno with err set.
 */
int lb_open(struct lb *lb, const struct lb_maps *m, const char *pin_dir,
	    bool fresh, char *err, size_t errlen);
void lb_close(struct lb *lb);

/* Find by value; the id, or -ENOENT. */
int lb_vip_find(const struct lb *lb, const struct xlb_vip_addr *v);
int lb_backend_find(const struct lb *lb, __u32 vip,
		    const struct xlb_addr *addr);

/*
 * Add a VIP with no backends; *id gets its id. Like backend changes, it
 * takes effect at lb_commit(): its ring is written, then its hint and
 * its key.
 */
int lb_vip_add(struct lb *lb, const struct xlb_vip_addr *v,
	       enum xlb_lb_mode mode, __u32 *id, char *err, size_t errlen);
/*
 * Give VIP vid the NAT source pool `pool` (count 0: each backend's route
 * source) at the next lb_commit(), which writes it before the VIP's key
 * for a new VIP, and the VIP hints around it. A VIP starts without one.
 */
int lb_vip_set_snat(struct lb *lb, __u32 vid, const struct xlb_snat_pool *pool);
/* Remove a VIP, its backends and its flows (their NAT ports too). */
int lb_vip_del(struct lb *lb, const struct xlb_vip_addr *v, char *err,
	       size_t errlen);

/*
 * Backend changes take effect in the ring at lb_commit(), which every
 * caller runs after its changes (one ring computation per VIP for a
 * whole config). weight 0: draining, out of the ring, flows kept. port
 * (NAT only): where the backend listens, 0 for the VIP's port; it stays
 * what it is for the backend's life (a new port is a new backend).
 */
int lb_backend_add(struct lb *lb, const struct xlb_vip_addr *v,
		   const struct xlb_addr *addr, __u32 weight, __u16 port,
		   __u32 *id, char *err, size_t errlen);
/* The port backend id is sent to (NAT), 0 when the VIP's. */
static inline __u16 lb_backend_port(const struct lb *lb, __u32 id)
{
	return ntohs(lb->backends[id].dp.port);
}
int lb_backend_set(struct lb *lb, const struct xlb_vip_addr *v,
		   const struct xlb_addr *addr, __u32 weight, char *err,
		   size_t errlen);
int lb_backend_del(struct lb *lb, const struct xlb_vip_addr *v,
		   const struct xlb_addr *addr, char *err, size_t errlen);
int lb_commit(struct lb *lb, char *err, size_t errlen);

/* Make xlb_vip_hints those of the VIPs in use. */
int lb_write_hints(struct lb *lb);

/* Write backend id's xlb_backends entry, whole, and its spec. */
int lb_backend_write(struct lb *lb, __u32 id);
/* Is backend id in its VIP's ring (active, weight > 0, resolved, up)? */
bool lb_backend_in_ring(const struct lb *lb, __u32 id);

/*
 * Health checks' verdict on backend id. At lb_commit(), a backend gone
 * down leaves its ring and then gets XLB_BACKEND_DOWN (its open flows
 * move to the ring's choice); one back up loses the flag, then rejoins.
 */
void lb_backend_set_down(struct lb *lb, __u32 id, bool down);

/*
 * Make the VIPs and backends exactly those of conf, changing only the
 * difference (kept ones keep their ids, counters and flows).
 */
int lb_apply(struct lb *lb, const struct xlb_config *conf, char *err,
	     size_t errlen);

/* JSON for vip_list, backend_list (vip NULL: all) and the stats. */
json_t *lb_vips_json(struct lb *lb);
json_t *lb_backends_json(struct lb *lb, const struct xlb_vip_addr *vip);
/* The stats' "vips" and "backends" objects, set into stats. */
int lb_stats_json(struct lb *lb, json_t *stats);

#endif /* XLB_LB_H */
