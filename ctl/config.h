/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration file: parsed with libconfig and validated whole into a
 * typed struct before anything acts on it. Every error names FILE:LINE and
 * the reason. Parsing never exits and never touches the system, so it is
 * unit-tested without privileges.
 */
#ifndef XLB_CONFIG_H
#define XLB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "../dataplane/include/xlb_abi.h"
#include "lb_parse.h"
#include "rule.h"

enum xlb_xdp_mode {
	XLB_XDP_OFF = 0,
	XLB_XDP_NATIVE,
	XLB_XDP_GENERIC,
};

/* tc directions, as bits: "ingress" = 1, "egress" = 2, "both" = 3. */
enum xlb_tc_dirs {
	XLB_TC_OFF = 0,
	XLB_TC_INGRESS = 1u << 0,
	XLB_TC_EGRESS = 1u << 1,
	XLB_TC_BOTH = XLB_TC_INGRESS | XLB_TC_EGRESS,
};

struct xlb_iface_conf {
	char name[XLB_IFNAMSIZ];
	enum xlb_xdp_mode xdp;
	unsigned int tc; /* enum xlb_tc_dirs */
	unsigned int stages; /* enum xlb_stage_flags */
	int line; /* where the interface is defined, for later errors */
};

/* The largest map sizes the filter section accepts. */
#define XLB_CONFIG_MAX_RULES 4000000
#define XLB_CONFIG_MAX_PREFIXES 16000000

/*
 * The filter section: rules and allow/deny entries in file order, each
 * with the line it was written at (a rule's is the line of its '{').
 * The arrays are on the heap (a file may hold millions of entries).
 */
struct xlb_filter_conf_file {
	bool present; /* the file has a filter section */
	__u32 max_rules; /* size of the rule maps */
	__u32 max_prefixes; /* size of the allow/deny maps, both lists */
	size_t n_rules;
	struct xlb_rule *rules; /* ids 0; dir, action, fields set */
	int *rule_lines;
	size_t n_entries; /* allow and deny, both hooks */
	struct xlb_list_entry *entries;
	int *entry_lines;
};

/*
 * The lb group's bounds: tables of at least a few hundred entries (the
 * per-CPU LRU lists of xlb_conns and xlb_syns share them out among the
 * CPUs) and at most what one table can take in memory; idle timeouts of
 * a second to a day.
 */
#define XLB_CONFIG_MIN_TABLE 256
#define XLB_CONFIG_MAX_TABLE 16777216
#define XLB_CONFIG_MIN_TIMEOUT 1
#define XLB_CONFIG_MAX_TIMEOUT 86400

/*
 * The lb group: the sizes of the connection tables (xlb_conns, xlb_syns)
 * and of the NAT ports table (xlb_nat_rev), and how long a flow may be
 * idle in each state, in seconds (struct xlb_lb_conf).
 */
struct xlb_lb_group {
	__u32 max_conns, max_syns, max_nat_ports;
	__u32 syn_timeout, tcp_timeout, fin_timeout, closed_timeout;
	__u32 udp_timeout;
};

/* An snat list holds at most XLB_SNAT_MAX addresses of each family. */
#define XLB_SNAT_LIST_MAX (XLB_SNAT_MAX * XLB_FAMILY_MAX)

/*
 * An snat list (top level: the global pool; in a VIP: its own), in file
 * order. A VIP uses the addresses of its family.
 */
struct xlb_snat_conf {
	bool present; /* the key is there (an empty list: no pool) */
	size_t n;
	struct xlb_addr addr[XLB_SNAT_LIST_MAX];
	int line; /* where the key is */
};

/* One backend of a VIP, with the line of its '{'. */
struct xlb_backend_conf {
	struct xlb_addr addr;
	__u32 weight; /* 0..XLB_WEIGHT_MAX; 0: draining */
	__u16 port; /* NAT: the port the backend listens on; 0: the VIP's */
	int line;
};

enum xlb_health_type {
	XLB_HEALTH_NONE = 0, /* no checks: every backend counts as up */
	XLB_HEALTH_TCP, /* a TCP connection is accepted */
	XLB_HEALTH_HTTP, /* and GET path answers with the expected status */
};

#define XLB_HEALTH_PATH_MAX 256 /* with its terminator */
#define XLB_HEALTH_RUN_MAX 100 /* rise and fall: 1..100 */
#define XLB_HEALTH_INTERVAL_MIN_MS 100
#define XLB_HEALTH_TIMEOUT_MIN_MS 10
#define XLB_HEALTH_DURATION_MAX_MS 3600000

/*
 * A VIP's health checks (its `health` group): every backend is probed
 * every interval_ms; a probe that has not succeeded within timeout_ms
 * fails. `fall` failures in a row take an up backend down, `rise`
 * successes in a row bring a down one back.
 */
struct xlb_health_conf {
	enum xlb_health_type type;
	__u16 port; /* 0: the backend's (the VIP's) port */
	__u16 status; /* http: the status expected */
	__u32 interval_ms, timeout_ms;
	__u32 rise, fall;
	char path[XLB_HEALTH_PATH_MAX]; /* http: the path asked for */
	int line; /* where the group is */
};

/* One VIP of the vips section; its backends are on the heap. */
struct xlb_vip_conf {
	struct xlb_vip_addr vip;
	enum xlb_lb_mode mode;
	struct xlb_health_conf health; /* type NONE without a health group */
	struct xlb_snat_conf snat; /* its own pool; absent: the global one */
	size_t n_backends;
	struct xlb_backend_conf *backends;
	int line;
};

/*
 * A parsed configuration. It owns heap arrays (filter.rules, the VIPs'
 * backends, ...): release it with xlb_config_free(). A copy by value
 * shares them, so exactly one copy may be freed, and the other must not
 * be used after that.
 */
struct xlb_config {
	char file[256];
	size_t n_ifaces;
	struct xlb_iface_conf ifaces[XLB_MAX_IFACES];
	struct xlb_filter_conf_file filter;
	struct xlb_lb_group lb;
	struct xlb_snat_conf snat; /* the global NAT source pool */
	size_t n_vips; /* the vips section, in file order */
	struct xlb_vip_conf vips[XLB_MAX_VIPS];
};

/* Room for "FILE:LINE: reason". */
#define XLB_CONFIG_ERRLEN 512

/*
 * Parse and validate FILE into *conf. Returns 0, or -EINVAL with
 * "FILE:LINE: reason" in err (-errno with "FILE: cause" if it cannot be
 * read, -ENOMEM if it does not fit in memory). *conf is overwritten
 * without being freed first: pass a struct that holds nothing. It is only
 * meaningful on success, and on failure holds nothing to free (calling
 * xlb_config_free() on it is harmless).
 */
int xlb_config_load(const char *file, struct xlb_config *conf, char *err,
		    size_t errlen);

/* The same, from a string; `name` stands for the file in messages. */
int xlb_config_parse(const char *name, const char *text,
		     struct xlb_config *conf, char *err, size_t errlen);

/*
 * Free the heap arrays *conf holds and reset them to NULL with counts 0;
 * safe on a zeroed struct and when called twice.
 */
void xlb_config_free(struct xlb_config *conf);

/* The lb group's timeouts as xlb_lb_conf holds them, and back. */
void xlb_lb_timeouts(const struct xlb_lb_group *g, struct xlb_lb_conf *lc);
void xlb_lb_timeouts_of(const struct xlb_lb_conf *lc, struct xlb_lb_group *g);

/* The addresses of family in list, as a pool (count 0: none). */
void xlb_snat_pool_of(const struct xlb_snat_conf *list, __u8 family,
		      struct xlb_snat_pool *pool);

/*
 * The NAT source pool of VIP v under conf: its own snat list if it has
 * one, else the global one, of the VIP's family; none for a DSR VIP.
 */
void xlb_vip_snat_pool(const struct xlb_config *conf,
		       const struct xlb_vip_conf *v,
		       struct xlb_snat_pool *pool);

const char *xlb_xdp_mode_str(enum xlb_xdp_mode mode);
const char *xlb_tc_dirs_str(unsigned int tc);
/* "tcp", "http", or "none". */
const char *xlb_health_type_str(enum xlb_health_type type);

#endif /* XLB_CONFIG_H */
