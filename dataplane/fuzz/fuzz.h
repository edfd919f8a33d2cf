/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differential fuzzer's shared types. A run is a series of epochs:
 * each draws a configuration (interfaces, filter rules and lists, VIPs,
 * backends, rings, snat pools), writes it into the data plane, then runs
 * random and mutated frames through the XDP and tc programs and through
 * the reference model (model_*.c, written from docs/filter.md, docs/lb.md
 * and docs/design.md), and compares the two: verdict, parse class,
 * reasons counted, the frame as it leaves, and, at the epoch's end, the
 * hit counters of rules and list entries.
 */
#ifndef XLB_FUZZ_H
#define XLB_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "rule.h"
#include "xlb_abi.h"

/* Room for any frame: long IPv6 extension chains reach 2 KB. */
#define FZ_FRAME_MAX 2048
/* BPF_PROG_TEST_RUN refuses frames shorter than an Ethernet header. */
#define FZ_FRAME_MIN 14

/* A small, fast, seeded generator (xorshift64*). */
struct fz_rng {
	__u64 s;
};

static inline __u64 fz_next(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* A number below n (n > 0). */
static inline __u32 fz_below(struct fz_rng *r, __u32 n)
{
	return (__u32)((fz_next(r) >> 32) % n);
}

/* True one time in n. */
static inline bool fz_one_in(struct fz_rng *r, __u32 n)
{
	return fz_below(r, n) == 0;
}

/* The interfaces of the fuzzer's namespace: xt1 has no record. */
enum fz_if {
	FZ_IF_LO = 0,
	FZ_IF_XT0,
	FZ_IF_XT1,
	FZ_IF_MAX,
};

#define FZ_MAX_RULES 48
#define FZ_MAX_ENTRIES 24
#define FZ_MAX_VIPS 12
#define FZ_VIP_BACKENDS 4
#define FZ_MAX_BACKENDS (FZ_MAX_VIPS * FZ_VIP_BACKENDS)
/* A ring is a pattern of backend ids repeated over its slots. */
#define FZ_RING_MAX (FZ_VIP_BACKENDS * 3)
/* Clients with a permanent neighbour: NAT replies to them are sent. */
#define FZ_NEIGH_CLIENTS 6

struct fz_iface_conf {
	bool on; /* has a record in xlb_ifaces */
	__u32 slot;
	__u32 stages; /* enum xlb_stage_flags */
	__u32 attach; /* enum xlb_attach_flags */
};

struct fz_backend {
	__u32 id;
	__u32 vip; /* index in fz_config.vips */
	__u32 weight; /* 0: draining, out of the ring */
	enum fz_if egress;
	struct xlb_backend b; /* as written to xlb_backends */
};

struct fz_vip {
	__u32 id;
	struct xlb_vip_key key;
	__u32 mode; /* enum xlb_lb_mode */
	struct xlb_snat_pool pool;
	__u32 ring_n; /* 0: an empty ring */
	__u32 ring[FZ_RING_MAX];
};

struct fz_config {
	struct fz_iface_conf ifs[FZ_IF_MAX];
	struct xlb_rule rules[FZ_MAX_RULES]; /* ids set once applied */
	size_t n_rules;
	struct xlb_list_entry entries[FZ_MAX_ENTRIES];
	size_t n_entries;
	struct fz_vip vips[FZ_MAX_VIPS];
	size_t n_vips;
	struct fz_backend backends[FZ_MAX_BACKENDS];
	size_t n_backends;
};

/* The fuzzer's network namespace (fuzz_net.c). */
struct fz_net {
	__u32 ifindex[FZ_IF_MAX];
	__u8 mac[FZ_IF_MAX][6];
	__u32 tx_port; /* the one interface in xlb_tx_ports: xt0 */
};

/* Make the namespace, or -errno. */
int fz_net_setup(struct fz_net *net);

/* fuzz_conf.c: a random configuration, whole. */
void fz_conf_random(struct fz_config *c, struct fz_rng *r,
		    const struct fz_net *net);
/* A backend's interface, next hop and source MAC from its egress. */
void fz_conf_backend_net(struct fz_backend *b, const struct fz_net *net);
/* Make VIP vi's ring what xlbd would: its usable backends by weight. */
void fz_conf_ring(struct fz_config *c, __u32 vi);

/* What the generator made a frame as, for the summary. */
enum fz_kind {
	FZ_K_OTHER = 0, /* an ethertype xlb does not handle */
	FZ_K_ARP,
	FZ_K_IPV4,
	FZ_K_IPV6,
	FZ_K_FRAG, /* a fragment of a datagram */
	FZ_K_ICMP_ERR, /* an ICMP error carrying a packet */
	FZ_K_VIP, /* a client's packet of a VIP flow */
	FZ_K_REPLY, /* a backend's answer to a NAT flow */
	FZ_K_MAX,
};

/* A frame and where it is run. */
struct fz_frame {
	enum xlb_hook hook;
	enum fz_if ifc;
	__u32 kind; /* enum fz_kind */
	bool mutated; /* bytes flipped, cut or lengths broken after building */
	__u32 len;
	__u8 data[FZ_FRAME_MAX];
};

/* A change to a backend in the middle of an epoch. */
struct fz_event {
	__u32 backend; /* index in fz_config.backends */
	__u8 flags; /* its new flags */
	__u32 weight;
};

/* Draw a change to one of c's backends (c has one), and make it. */
void fz_conf_event(struct fz_config *c, struct fz_rng *r, struct fz_event *ev);
/* Make change ev to c (its backend, then its VIP's ring). */
void fz_conf_apply_event(struct fz_config *c, const struct fz_event *ev);

/* An L4 or IPv4 header checksum the model compares in one's complement. */
struct fz_csum {
	__u32 off;
	bool keep_zero; /* a UDP/IPv4 checksum of 0 must stay 0 */
};

#define FZ_MAX_CSUMS 2

/* What the model says must come of a frame. */
struct fz_expect {
	int verdict; /* enum xlb_verdict */
	int pclass; /* enum xlb_pclass at the hook; -1: not counted */
	__u32 reasons[XLB_REASON_MAX];
	/* lb_nat_frag_unmatched may be counted, or not (a later fragment
	 * to an address whose hint byte an snat address shares). */
	bool maybe_frag_unmatched;
	bool filtered; /* the filter judged the frame */
	bool check_out; /* compare the frame out */
	__u32 out_len;
	__u8 out[FZ_FRAME_MAX];
	struct fz_csum csums[FZ_MAX_CSUMS];
	int n_csums;
	char why[256]; /* an invariant the data plane's choice broke */
};

/* What the data plane did with a frame. */
struct fz_result {
	int verdict; /* enum xlb_verdict, from the hook's return code */
	int pclass; /* the class counted at the hook; -1: none */
	int vclass; /* the verdict counted at the hook; -1: none */
	__u32 reasons[XLB_REASON_MAX];
	__u32 out_len;
	__u8 out[FZ_FRAME_MAX];
};

/* What of a frame's outcome differs from the model's (fuzz_check.c). */
enum fz_part {
	FZ_P_WHY = 1u << 0, /* an invariant of a free choice */
	FZ_P_VERDICT = 1u << 1,
	FZ_P_CLASS = 1u << 2, /* the class counted at the hook */
	FZ_P_COUNTED = 1u << 3, /* the verdict counted at the hook */
	FZ_P_REASONS = 1u << 4,
	FZ_P_OUT = 1u << 5, /* the frame as it left */
};

#define FZ_TEXT_LEN 2048

struct fz_mismatch {
	unsigned int parts; /* enum fz_part */
	int known; /* the known mismatch it is (fuzz_known.c), or -1 */
	char text[FZ_TEXT_LEN]; /* what differs, one line each */
};

/* Did the data plane do what the model says? mm says how not. */
bool fz_check(const struct fz_expect *e, const struct fz_result *res,
	      struct fz_mismatch *mm);

const char *fz_kind_str(__u32 kind);
const char *fz_if_str(enum fz_if ifc);
const char *fz_hook_str(enum xlb_hook hook);
const char *fz_verdict_str(int verdict);
const char *fz_pclass_str(int pclass);
const char *fz_reason_str(int reason);
/* The index of a name, or -1. */
int fz_verdict_parse(const char *s);
int fz_hook_parse(const char *s);
int fz_if_parse(const char *s);
int fz_pclass_parse(const char *s);
int fz_reason_parse(const char *s);
int fz_kind_parse(const char *s);

#endif /* XLB_FUZZ_H */
