/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The ABI shared by the data plane and the control plane: every map key,
 * value, enum and limit that both sides use. Only <linux/types.h> types,
 * explicit padding, and sizes checked at compile time, so the BPF objects
 * and xlbd agree byte for byte. The pinned maps are laid out from these
 * definitions: any change to a struct here bumps XLB_ABI_VERSION.
 */
#ifndef XLB_ABI_H
#define XLB_ABI_H

#include <linux/types.h>

/* Layout version of every pinned map, stored in xlb_meta. */
#define XLB_ABI_VERSION 6

/* Interfaces one daemon can drive; each has a counter slot. */
#define XLB_MAX_IFACES 64
/* xlb_ifaces is an array indexed by ifindex (a lookup the verifier
 * inlines); interfaces with a larger ifindex are refused by xlbd. */
#define XLB_IFINDEX_MAX 65536
#define XLB_IFNAMSIZ 16

/* tc filter identity: xlb owns exactly this handle/priority on clsact. */
#define XLB_TC_HANDLE 0x71b
#define XLB_TC_PRIORITY 0x71b

/* The hooks a packet is counted at. */
enum xlb_hook {
	XLB_HOOK_XDP = 0,
	XLB_HOOK_TC_INGRESS,
	XLB_HOOK_TC_EGRESS,
	XLB_HOOK_MAX,
};

/* The final verdict of a packet, common to XDP and tc. */
enum xlb_verdict {
	XLB_VERDICT_PASS = 0,
	XLB_VERDICT_DROP,
	XLB_VERDICT_TX,
	XLB_VERDICT_REDIRECT,
	XLB_VERDICT_ABORTED,
	XLB_VERDICT_MAX,
};

/* What the parser recognised: one class per packet. */
enum xlb_pclass {
	XLB_PCLASS_ARP = 0,
	XLB_PCLASS_IPV4_TCP,
	XLB_PCLASS_IPV4_UDP,
	XLB_PCLASS_IPV4_ICMP,
	XLB_PCLASS_IPV4_OTHER,
	XLB_PCLASS_IPV6_TCP,
	XLB_PCLASS_IPV6_UDP,
	XLB_PCLASS_IPV6_ICMP,
	XLB_PCLASS_IPV6_OTHER,
	XLB_PCLASS_OTHER,
	XLB_PCLASS_MALFORMED,
	XLB_PCLASS_MAX,
};

/*
 * Why a packet could not be parsed (or was not ours to handle). Each is
 * counted in xlb_reasons; the packet itself is passed to the kernel stack,
 * which makes its own decision on it.
 */
enum xlb_reason {
	XLB_REASON_ETH_TRUNCATED = 0,
	XLB_REASON_VLAN_TRUNCATED,
	XLB_REASON_VLAN_TOO_DEEP,
	XLB_REASON_IPV4_TRUNCATED,
	XLB_REASON_IPV4_BAD_VERSION,
	XLB_REASON_IPV4_BAD_IHL,
	XLB_REASON_IPV4_BAD_LENGTH,
	XLB_REASON_IPV6_TRUNCATED,
	XLB_REASON_IPV6_BAD_VERSION,
	XLB_REASON_IPV6_BAD_LENGTH,
	XLB_REASON_IPV6_EXT_TRUNCATED,
	XLB_REASON_IPV6_EXT_TOO_DEEP,
	XLB_REASON_L4_TRUNCATED,
	XLB_REASON_ARP_TRUNCATED,
	XLB_REASON_UNKNOWN_IFACE, /* attached where xlbd has no slot */
	/* Drops by the filter stage; everything above is passed on. */
	XLB_REASON_FILTER_RULE, /* a drop rule matched */
	XLB_REASON_FILTER_DENY, /* the deny list matched */
	XLB_REASON_FILTER_NOT_ALLOWED, /* allow list non-empty, no match */
	XLB_REASON_FILTER_MALFORMED, /* IP packet that cannot be parsed */
	XLB_REASON_FILTER_FRAGMENT, /* first fragment too short for L4 */
	/* The load balancer: packets for a VIP it could not forward. */
	XLB_REASON_LB_NO_BACKEND, /* the VIP's ring is empty */
	XLB_REASON_LB_UNRESOLVED, /* no next-hop MAC yet: passed, counted */
	XLB_REASON_LB_FRAGMENT, /* IP fragment for a VIP: passed */
	XLB_REASON_LB_IP_OPTIONS, /* IPv4 options for a VIP: passed */
	XLB_REASON_LB_ICMP_UNMATCHED, /* ICMP error for no known flow */
	XLB_REASON_LB_NAT_EXHAUSTED, /* NAT: no free port: dropped */
	XLB_REASON_LB_HEADERS_TOO_LONG, /* L4 header beyond XLB_L4_OFF_MAX */
	XLB_REASON_LB_NAT_FRAG_UNMATCHED, /* NAT reply fragment, no first */
	XLB_REASON_LB_TX_PORT_MISSING, /* egress not in xlb_tx_ports: aborted */
	XLB_REASON_LB_REWRITE_TRUNCATED, /* headers not in frame: aborted */
	XLB_REASON_MAX,
};

/* The first reason that is a drop (the ones before it are exceptions),
 * and the first after the drops: the load balancer's, which are passed
 * to the kernel stack (or, for an empty ring, dropped). */
#define XLB_REASON_FIRST_DROP XLB_REASON_FILTER_RULE
#define XLB_REASON_FIRST_LB XLB_REASON_LB_NO_BACKEND

/* Stages an interface runs; counters always run. */
enum xlb_stage_flags {
	XLB_STAGE_FILTER = 1u << 0,
	XLB_STAGE_LB = 1u << 1,
};

/* How xlb attached to an interface, recorded so detach needs no config. */
enum xlb_attach_flags {
	XLB_ATTACH_XDP_NATIVE = 1u << 0,
	XLB_ATTACH_XDP_GENERIC = 1u << 1,
	XLB_ATTACH_TC_INGRESS = 1u << 2,
	XLB_ATTACH_TC_EGRESS = 1u << 3,
	/* xlb created the clsact qdisc and removes it on detach */
	XLB_ATTACH_OWN_CLSACT = 1u << 4,
};

/* One packet and byte counter pair. */
struct xlb_ctr {
	__u64 packets;
	__u64 bytes;
};

/* xlb_ifaces value: key is the ifindex (__u32). Written by xlbd. */
struct xlb_iface {
	__u32 slot; /* counter slot, < XLB_MAX_IFACES */
	__u32 stages; /* enum xlb_stage_flags */
	__u32 attach; /* enum xlb_attach_flags */
	__u32 active; /* 0: no interface of xlb's at this ifindex */
	char name[XLB_IFNAMSIZ];
};

/*
 * xlb_hook_stats value, per CPU: key is slot * XLB_HOOK_MAX + hook.
 * Written by the data plane, read (summed over CPUs) by xlbd.
 */
struct xlb_hook_stats {
	struct xlb_ctr verdict[XLB_VERDICT_MAX];
	struct xlb_ctr pclass[XLB_PCLASS_MAX];
};

/* xlb_reasons value, per CPU: key is an enum xlb_reason. */
struct xlb_reason_stats {
	__u64 packets;
};

/* xlb_meta value, single entry (key 0). Written once by xlbd at load. */
struct xlb_meta {
	__u32 abi_version;
	/* hash of the BPF object the pinned programs were loaded from, so a
	 * restart of the same build skips loading them again (0: unknown) */
	__u32 obj_hash;
	__u64 loaded_at_ns; /* CLOCK_REALTIME of the first load */
};

#define XLB_HOOK_STATS_ENTRIES (XLB_MAX_IFACES * XLB_HOOK_MAX)

/*
 * Filter. Rules live in one hash map keyed by (shape, masked fields): a
 * shape is which fields a rule matches and its prefix lengths, so a packet
 * costs one lookup per distinct shape, whatever the number of rules.
 */

/* Rule shapes per direction and family; more is refused by xlbd. */
#define XLB_MAX_SHAPES 32

/* Default map sizes; the config's filter.max_rules / max_prefixes set them. */
#define XLB_DEFAULT_MAX_RULES 4096
#define XLB_DEFAULT_MAX_PREFIXES 65536
/* Fragments whose first fragment's verdict is remembered. */
#define XLB_FRAG_ENTRIES 16384

/* The direction a rule or list applies to. */
enum xlb_dir {
	XLB_DIR_INGRESS = 0, /* XDP, or tc ingress where XDP is off */
	XLB_DIR_EGRESS, /* tc egress */
	XLB_DIR_MAX,
};

enum xlb_family {
	XLB_FAMILY_V4 = 0,
	XLB_FAMILY_V6,
	XLB_FAMILY_MAX,
};

enum xlb_rule_field {
	XLB_FIELD_SRC = 1u << 0,
	XLB_FIELD_DST = 1u << 1,
	XLB_FIELD_PROTO = 1u << 2,
	XLB_FIELD_SPORT = 1u << 3,
	XLB_FIELD_DPORT = 1u << 4,
};

enum xlb_action {
	XLB_ACTION_PASS = 0,
	XLB_ACTION_DROP,
};

enum xlb_list {
	XLB_LIST_ALLOW = 0,
	XLB_LIST_DENY,
};

/* One rule shape, with the masks its prefix lengths make. */
struct xlb_shape {
	__u32 id; /* part of every key of the shape's rules */
	__u8 fields; /* enum xlb_rule_field */
	__u8 src_plen;
	__u8 dst_plen;
	__u8 pad[9];
	__be32 src_mask[4];
	__be32 dst_mask[4];
};

/* The shape lists are double-buffered: xlbd writes the generation not in
 * use, then switches xlb_filter_conf.shape_gen to it. */
#define XLB_SHAPE_LISTS (2 * XLB_DIR_MAX * XLB_FAMILY_MAX)

/*
 * xlb_shapes value: key is gen * 4 + dir * XLB_FAMILY_MAX + family. The
 * shapes of that direction and family. Written by xlbd.
 */
struct xlb_shape_list {
	__u32 count;
	__u32 pad;
	struct xlb_shape shapes[XLB_MAX_SHAPES];
};

/* xlb_rules key: fields the shape does not match are zero. */
struct xlb_rule_key {
	__u32 shape;
	__u8 proto;
	__u8 pad;
	__be16 sport;
	__be16 dport;
	__u16 pad2;
	__be32 src[4]; /* masked to the shape's src_plen; IPv4 in [0] */
	__be32 dst[4];
};

/* xlb_rules value. */
struct xlb_rule_val {
	__u32 id; /* index into xlb_rule_stats and xlb_rule_specs */
	__u32 order;
	__u32 action; /* enum xlb_action */
	__u32 pad;
};

/* The rule as configured, kept pinned so a restart recovers it. */
struct xlb_rule_spec {
	__u32 in_use;
	__u32 order;
	__u8 action; /* enum xlb_action */
	__u8 dir; /* enum xlb_dir */
	__u8 family; /* enum xlb_family, or XLB_FAMILY_MAX for both */
	__u8 fields; /* enum xlb_rule_field */
	__u8 src_plen;
	__u8 dst_plen;
	__u8 proto;
	__u8 pad;
	__be16 sport;
	__be16 dport;
	__u32 pad2;
	__be32 src[4];
	__be32 dst[4];
};

/* Allow/deny trie keys: prefixlen counts the dir byte (8 bits) too. */
struct xlb_lpm4_key {
	__u32 prefixlen;
	__u8 dir;
	__u8 addr[4];
	__u8 pad[3];
};

struct xlb_lpm6_key {
	__u32 prefixlen;
	__u8 dir;
	__u8 addr[16];
	__u8 pad[3];
};

/* Allow/deny trie value: the entry's id in xlb_list_stats/_specs. */
struct xlb_list_val {
	__u32 id;
};

/* A list entry as configured, kept pinned so a restart recovers it. */
struct xlb_list_spec {
	__u8 in_use;
	__u8 list; /* enum xlb_list */
	__u8 dir;
	__u8 family;
	__u8 plen;
	__u8 pad[3];
	__u8 addr[16];
};

/*
 * A counting filter in front of the rule hash: a rule key's hash picks a
 * counter; zero means no rule has that key, so the (costlier) hash lookup
 * is skipped. Lines of 64 one-byte counters; 255 sticks.
 */
#define XLB_BLOOM_LINE 64
#define XLB_BLOOM_LINES 65536
struct xlb_bloom_line {
	__u8 count[XLB_BLOOM_LINE];
};

/* xlb_filter_conf value (key 0): what the data plane needs globally. */
struct xlb_filter_conf {
	__u32 allow_entries[XLB_DIR_MAX]; /* non-zero: allow list enforced */
	__u32 deny_entries[XLB_DIR_MAX][XLB_FAMILY_MAX]; /* 0: skip the trie */
	__u32 shape_gen; /* which generation of xlb_shapes is in use */
	__u32 pad;
};

/* xlb_frags key: a fragmented datagram in one direction. */
struct xlb_frag_key {
	__be32 src[4];
	__be32 dst[4];
	__u32 id; /* IPv4 id or IPv6 fragment identification */
	__u8 proto;
	__u8 family;
	__u8 dir;
	__u8 pad;
};

/* xlb_frags value: what the first fragment's rule lookup decided. */
struct xlb_frag_val {
	__u32 rule_id; /* 0: no rule matched it */
	__u32 action; /* enum xlb_action of that rule */
};

_Static_assert(sizeof(struct xlb_ctr) == 16, "xlb_ctr size");
_Static_assert(sizeof(struct xlb_iface) == 32, "xlb_iface size");
_Static_assert(sizeof(struct xlb_hook_stats) ==
		       16 * (XLB_VERDICT_MAX + XLB_PCLASS_MAX),
	       "xlb_hook_stats size");
_Static_assert(sizeof(struct xlb_reason_stats) == 8, "xlb_reason_stats size");
_Static_assert(sizeof(struct xlb_meta) == 16, "xlb_meta size");
_Static_assert(sizeof(struct xlb_shape) == 48, "xlb_shape size");
_Static_assert(sizeof(struct xlb_bloom_line) == XLB_BLOOM_LINE, "bloom line");
_Static_assert(sizeof(struct xlb_shape_list) == 8 + 48 * XLB_MAX_SHAPES,
	       "xlb_shape_list size");
_Static_assert(sizeof(struct xlb_rule_key) == 44, "xlb_rule_key size");
_Static_assert(sizeof(struct xlb_rule_val) == 16, "xlb_rule_val size");
_Static_assert(sizeof(struct xlb_rule_spec) == 56, "xlb_rule_spec size");
_Static_assert(sizeof(struct xlb_lpm4_key) == 12, "xlb_lpm4_key size");
_Static_assert(sizeof(struct xlb_lpm6_key) == 24, "xlb_lpm6_key size");
_Static_assert(sizeof(struct xlb_list_spec) == 24, "xlb_list_spec size");
_Static_assert(sizeof(struct xlb_filter_conf) == 32, "xlb_filter_conf size");
_Static_assert(sizeof(struct xlb_frag_key) == 40, "xlb_frag_key size");
_Static_assert(sizeof(struct xlb_frag_val) == 8, "xlb_frag_val size");

/*
 * Load balancer. A VIP (address, protocol, port or every port) has an id;
 * its Maglev ring is XLB_RING_SIZE slots of xlb_ring holding backend ids.
 * Flows are pinned to backends in two connection tables: new TCP flows
 * (SYN only) in xlb_syns, the rest in xlb_conns, so a SYN flood only
 * churns the first.
 */
#define XLB_MAX_VIPS 64
#define XLB_MAX_BACKENDS 4096
#define XLB_RING_SIZE 65537 /* prime; 100 x up to 655 backends per VIP */
#define XLB_NO_BACKEND 0xffffffffu

/* Default table sizes; the config's lb.max_conns, lb.max_syns and
 * lb.max_nat_ports set them. */
#define XLB_DEFAULT_CONNS 1048576
#define XLB_DEFAULT_SYNS 65536
#define XLB_DEFAULT_NAT_PORTS 1048576

enum xlb_lb_mode {
	XLB_MODE_DSR = 0, /* MAC rewrite; backends answer the client */
	XLB_MODE_NAT, /* address and port translation both ways */
};

/* xlb_vips key. port 0: every port of the address and protocol. */
struct xlb_vip_key {
	__be32 addr[4]; /* IPv4 in [0] */
	__be16 port;
	__u8 proto;
	__u8 family;
};

/* xlb_vips value. Written by xlbd, whole, once the ring is in place. */
struct xlb_vip {
	__u32 id; /* ring and counters index, < XLB_MAX_VIPS */
	__u32 mode; /* enum xlb_lb_mode */
};

enum xlb_backend_flags {
	XLB_BACKEND_ACTIVE = 1u << 0, /* in use by some VIP */
	XLB_BACKEND_RESOLVED = 1u << 1, /* next hop MAC known */
	XLB_BACKEND_DOWN = 1u << 2, /* failed health checks: flows move */
};

/* xlb_backends value, by backend id. Written by xlbd. */
struct xlb_backend {
	__be32 addr[4];
	__u8 family;
	__u8 flags; /* enum xlb_backend_flags */
	__be16 port; /* NAT: the backend's port; 0 keeps the VIP's */
	__u32 ifindex; /* where the next hop is */
	__u8 dmac[6]; /* next hop (the backend or a gateway) */
	__u8 smac[6]; /* the MAC of ifindex */
	__be32 snat[4]; /* NAT: the LB's route source towards the backend */
};

/* Connection table key: the flow as the client sent it. */
struct xlb_flow_key {
	__be32 src[4];
	__be32 dst[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

/* What a TCP flow has shown of its end. Replies cross the LB in NAT
 * mode only, so a DSR flow never has XLB_CONN_FIN_OUT. */
enum xlb_conn_state {
	XLB_CONN_FIN_IN = 1u << 0, /* FIN from the client */
	XLB_CONN_FIN_OUT = 1u << 1, /* FIN from the backend */
	XLB_CONN_RST = 1u << 2, /* RST either way */
};

#define XLB_CONN_FIN (XLB_CONN_FIN_IN | XLB_CONN_FIN_OUT)

/* A NAT flow whose LB address is the backend's route source, not one of
 * its VIP's snat pool (struct xlb_conn.snat_slot). */
#define XLB_SNAT_ROUTE 0xff

/* xlb_conns and xlb_syns value. Written by the data plane; read, and
 * deleted once expired, by xlbd. */
struct xlb_conn {
	__u32 backend; /* backend id */
	__u32 vip; /* vip id */
	__u64 seen_ns; /* last packet either way (coarse, refreshed once a
			* second; replies are seen in NAT mode only) */
	__u64 created_ns;
	__u64 packets; /* from the client; the flow caches' are added when
			* the flow next passes the tables */
	__be32 snat[4]; /* NAT: the LB's address towards the backend */
	__u32 state; /* enum xlb_conn_state */
	__be16 nat_port; /* NAT: the LB's source port towards the backend */
	__u8 snat_slot; /* NAT: snat's slot in the VIP's pool, or
			 * XLB_SNAT_ROUTE */
	__u8 pad;
};

/*
 * How long a flow may be idle (no packet either way) before its entry,
 * and its NAT port, are free: xlb_lb_conf (key 0), written by xlbd from
 * the config's lb group. A lookup that finds an entry past its time
 * treats the flow as new; xlbd deletes such entries in the background.
 */
struct xlb_lb_conf {
	__u64 syn_ns; /* TCP, only SYNs seen (xlb_syns) */
	__u64 tcp_ns; /* TCP, established */
	__u64 fin_ns; /* TCP, FIN seen one way (DSR: from the client) */
	__u64 closed_ns; /* TCP, RST, or FIN both ways */
	__u64 udp_ns; /* UDP */
};

/* Defaults, in seconds. A flow the flow caches may send (TCP established
 * or with one FIN, UDP) needs 3 s at least: its time may lag its last
 * packet by up to 2 s (see xlb_conn_touch()). */
#define XLB_MIN_CACHED_TIMEOUT 3
#define XLB_DEFAULT_SYN_TIMEOUT 5
#define XLB_DEFAULT_TCP_TIMEOUT 900
#define XLB_DEFAULT_FIN_TIMEOUT 10
#define XLB_DEFAULT_CLOSED_TIMEOUT 2
#define XLB_DEFAULT_UDP_TIMEOUT 120

/*
 * NAT: a flow's packets to the backend leave from an LB address (one of
 * its VIP's snat pool, or the backend's route source) with a port of
 * this range; replies are found by (backend, LB address, ports) in
 * xlb_nat_rev. A port stays taken while its flow is alive in a
 * connection table (same flow, same address and port, not expired).
 */
#define XLB_NAT_PORT_BASE 32768
#define XLB_NAT_PORT_COUNT 28232 /* up to 60999, as Linux's ephemeral */
#define XLB_NAT_PORT_TRIES 8

/* xlb_snat_pools value, by vip id: the VIP's NAT source addresses, all
 * of its family. count 0: each backend's route source. Written by xlbd,
 * which bumps the VIP generation after. */
#define XLB_SNAT_MAX 16
struct xlb_snat_pool {
	__u32 count;
	__u32 pad;
	__be32 addr[XLB_SNAT_MAX][4];
};

/* xlb_nat_rev key: a reply as the backend sends it. */
struct xlb_nat_key {
	__be32 backend[4];
	__be32 lb[4];
	__be16 bport;
	__be16 lport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};

/*
 * xlb_nat_rev value: what the reply is rewritten back to, which is also
 * the flow (client, VIP, ports) that owns the port. A port whose owner
 * is gone (no live entry in a connection table names it) is taken over
 * in place by the first new flow that probes it: whoever changes `tag`
 * from the value it read (an atomic compare-and-exchange) owns it. xlbd
 * deletes such entries the same way, setting XLB_NAT_REAPING first, so
 * that a port taken over meanwhile is never deleted under its new flow.
 * The tag's upper half is when the owner took the port (coarse ns >>
 * XLB_NAT_BORN_SHIFT): an owner younger than XLB_NAT_GRACE_NS is alive
 * even before its table entry is written.
 */
#define XLB_NAT_REAPING 0xffffffffffffffffull
#define XLB_NAT_GRACE_NS 1000000000ull
#define XLB_NAT_BORN_SHIFT 20

struct xlb_nat_val {
	__be32 client[4];
	__be32 vip[4];
	__be16 cport;
	__be16 vport;
	__u32 vip_id;
	__u64 tag; /* born << 32 | take-overs; see above */
};

/*
 * Later fragments of NAT replies carry no ports: the first fragment
 * records how its datagram is rewritten in xlb_nat_frags, keyed by
 * struct xlb_frag_key (src: the backend, dst: the LB address, id).
 */
#define XLB_NAT_FRAG_ENTRIES 8192
struct xlb_nat_frag {
	__be32 client[4];
	__be32 vip[4];
	__u32 vip_id;
	__u32 pad;
};

/*
 * xlbd's reaper (the xlb_reap program, run through BPF_PROG_TEST_RUN):
 * xlbd reads a table in batches and hands the program up to
 * XLB_REAP_BATCH of its keys; the program judges each entry with the
 * data plane's own rules and clock (alive, or expired / its owner gone)
 * and, when asked to reap, deletes the dead ones. A NAT entry is deleted
 * only if its tag is still the one xlbd read, and only after setting it
 * to XLB_NAT_REAPING, so that a port a new flow takes over meanwhile is
 * never deleted under it.
 */
#define XLB_REAP_BATCH 64

enum xlb_reap_table {
	XLB_REAP_CONNS = 0,
	XLB_REAP_SYNS,
	XLB_REAP_NAT,
};

enum xlb_reap_result {
	XLB_REAP_ALIVE = 0,
	XLB_REAP_DEAD, /* expired, or its owner gone; kept (judge only) */
	XLB_REAP_DELETED,
	XLB_REAP_GONE, /* not there any more, or changed since read */
};

struct xlb_reap_entry {
	union {
		struct xlb_flow_key flow; /* XLB_REAP_CONNS, XLB_REAP_SYNS */
		struct xlb_nat_key nat; /* XLB_REAP_NAT */
	};
	__u64 tag; /* XLB_REAP_NAT: the tag read with the entry */
	__u32 result; /* enum xlb_reap_result, written by the program */
	__u32 pad;
};

struct xlb_reap_args {
	__u32 table; /* enum xlb_reap_table */
	__u32 count; /* entries in e, up to XLB_REAP_BATCH */
	__u32 reap; /* 0: judge only */
	__u32 pad;
	__u64 now_ns; /* written by the program: the clock it judged by */
	struct xlb_reap_entry e[XLB_REAP_BATCH];
};

/*
 * VIP hints (xlb_vip_hints): a hash of a destination address picks one
 * byte; it says whether some VIP with that address hash has a port
 * (XLB_HINT_PORT) or all ports (XLB_HINT_ALL_PORTS). A zero byte means
 * the packet is for no VIP, and costs no map call to find out.
 */
#define XLB_VIP_HINT_LINES 1024
#define XLB_HINT_PORT 1u
#define XLB_HINT_ALL_PORTS 2u
#define XLB_HINT_SNAT 4u /* the LB's NAT source address: replies */

/*
 * The line after the hints is not hints: it holds the VIP generation,
 * which xlbd increments after each write of the hints (every change to
 * the VIPs or the NAT source addresses, after a VIP is deleted). The
 * data plane's flow cache trusts only entries made in the generation in
 * force, so a deleted VIP's flows stop at once.
 */
#define XLB_VIP_GEN_LINE XLB_VIP_HINT_LINES
#define XLB_VIP_HINT_ENTRIES (XLB_VIP_HINT_LINES + 1)

struct xlb_vip_gen {
	__u32 gen;
	__u8 pad[XLB_BLOOM_LINE - 4];
};

/* Per-VIP counters (xlb_vip_stats, by vip id), per CPU. */
struct xlb_vip_stats {
	struct xlb_ctr fwd; /* forwarded */
	__u64 new_flows; /* flows given a backend from the ring */
	__u64 conn_hits; /* packets whose flow was in a table */
	__u64 conn_misses; /* packets whose flow was not */
	__u64 nat_exhausted; /* new flows dropped: no free NAT port */
};

/* Per-backend counters (xlb_backend_stats, by backend id), per CPU. */
struct xlb_backend_stats {
	struct xlb_ctr fwd; /* forwarded to it */
	__u64 new_flows; /* flows given to it */
	__u64 pad;
};

/* What a NAT rewrite puts in the IP and L4 headers. */
struct xlb_nat_rw {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
};

/* The NAT rewrite reaches L4 headers this far into the frame; a packet
 * whose L4 header starts further (long IPv6 extension chains) is passed
 * to the kernel, counted as XLB_REASON_LB_HEADERS_TOO_LONG. */
#define XLB_L4_OFF_MAX 1024

/*
 * The flow caches: per CPU, of what the tables said about flows the data
 * plane forwarded, so that their next packets need no hash lookup. An
 * entry is trusted for XLB_FCACHE_TTL_JIFFIES, only in the VIP
 * generation it was made in and, for a forwarded flow, while its backend
 * is up and resolved (checked on every packet) and for TCP packets
 * without SYN, FIN or RST; everything else asks the tables, which then
 * make a new entry. Data plane only, and not pinned: they belong to one
 * load of the programs (the tests read them).
 *
 * xlb_flow_cache: client to VIP flows. Each flow hashes to two slots
 * (two-choice hashing: it is found in either, and a new entry replaces
 * the older of the two), so that a CPU keeps as many flows as about half
 * its slots even when they take turns. 64 bytes, one cache line. The
 * map is one array of XLB_FCACHE_SLOTS slots per CPU, CPU n's from
 * n << XLB_FCACHE_BITS.
 */
#define XLB_FCACHE_BITS 17
#define XLB_FCACHE_SLOTS (1u << XLB_FCACHE_BITS)
#define XLB_FCACHE_TTL_JIFFIES 250

struct xlb_flow_cache {
	union {
		struct xlb_flow_key key; /* the packet's flow */
		__u64 key_words[5];
	};
	__u32 expires; /* jiffies (low 32 bits): from then on, the tables */
	__u32 packets; /* sent through the entry, not yet in the table's */
	__u32 vip_gen; /* the VIP generation it was made in */
	__u32 backend; /* backend id */
	__u16 vip; /* vip id */
	__be16 nat_port; /* NAT: the LB's port towards the backend */
	__u8 mode; /* enum xlb_lb_mode */
	__u8 snat_slot; /* NAT: the LB address's pool slot (XLB_SNAT_ROUTE) */
	__u8 pad[2];
};

/*
 * xlb_reply_cache: NAT replies, backend to LB, with how they are
 * rewritten and the next hop towards the client. One slot per hash.
 */
#define XLB_RCACHE_BITS 13
#define XLB_RCACHE_SLOTS (1u << XLB_RCACHE_BITS)

struct xlb_reply_cache {
	union {
		struct xlb_flow_key key; /* the reply's flow */
		__u64 key_words[5];
	};
	__u32 expires; /* jiffies (low 32 bits) */
	__u32 vip_gen;
	__u16 vip;
	__u16 pad;
	struct xlb_nat_rw rw;
	__u32 ifindex;
	__u8 dmac[6];
	__u8 smac[6];
	__u8 pad2[24];
};

/*
 * The packet monitor (xlbctl monitor): while xlbd has a listener, the
 * entry programs put an event for every dropped packet, and with
 * XLB_MON_ALL one in `sample` of the others, in the xlb_monitor ring
 * buffer. With flags 0 (nobody listens) the cost is one load per packet.
 */
enum xlb_mon_flags {
	XLB_MON_DROPS = 1u << 0, /* dropped and aborted packets */
	XLB_MON_ALL = 1u << 1, /* and one in `sample` of the others */
};

/* xlb_monitor_conf value (key 0). Written by xlbd. */
struct xlb_monitor_conf {
	__u32 flags; /* enum xlb_mon_flags */
	__u32 sample; /* XLB_MON_ALL: 1 in sample (0 or 1: every one) */
};

#define XLB_MON_RING_BYTES (1u << 20)
#define XLB_MON_SNAPLEN 128
#define XLB_MON_NONE 0xffffffffu /* no VIP or backend */
#define XLB_MON_NO_REASON 0xff

/* xlb_monitor_cpu value (key 0), per CPU: the packet in hand's reason,
 * the sampling count, and how many events were put or lost. */
struct xlb_monitor_cpu {
	__u32 reason; /* the last reason counted, + 1 (0: none) */
	__u32 seq; /* packets not dropped, for sampling */
	__u64 events;
	__u64 lost; /* the ring buffer was full */
};

/* One event in xlb_monitor. */
struct xlb_mon_event {
	__u64 ts_ns; /* bpf_ktime_get_ns() */
	__u32 ifindex;
	__u32 len; /* the frame's length */
	__u8 hook; /* enum xlb_hook */
	__u8 verdict; /* enum xlb_verdict */
	__u8 reason; /* enum xlb_reason, or XLB_MON_NO_REASON */
	__u8 pclass; /* enum xlb_pclass */
	__u8 proto; /* IPPROTO_*, for IP */
	__u8 family; /* enum xlb_family, for IP */
	__u16 cap_len; /* bytes of the frame in data */
	__be16 sport;
	__be16 dport;
	__u32 vip; /* vip id, or XLB_MON_NONE */
	__u32 backend; /* backend id, or XLB_MON_NONE */
	__u32 pad;
	__be32 saddr[4];
	__be32 daddr[4];
	__u8 data[XLB_MON_SNAPLEN]; /* the frame as it leaves (rewritten
				      * when forwarded) */
};

_Static_assert(sizeof(struct xlb_vip_key) == 20, "xlb_vip_key size");
_Static_assert(sizeof(struct xlb_vip) == 8, "xlb_vip size");
_Static_assert(sizeof(struct xlb_backend) == 52, "xlb_backend size");
_Static_assert(sizeof(struct xlb_flow_key) == 40, "xlb_flow_key size");
_Static_assert(sizeof(struct xlb_conn) == 56, "xlb_conn size");
_Static_assert(sizeof(struct xlb_lb_conf) == 40, "xlb_lb_conf size");
_Static_assert(sizeof(struct xlb_snat_pool) == 8 + 16 * XLB_SNAT_MAX,
	       "xlb_snat_pool size");
_Static_assert(sizeof(struct xlb_nat_key) == 40, "xlb_nat_key size");
_Static_assert(sizeof(struct xlb_nat_val) == 48, "xlb_nat_val size");
_Static_assert(sizeof(struct xlb_nat_frag) == 40, "xlb_nat_frag size");
_Static_assert(sizeof(struct xlb_vip_stats) == 48, "xlb_vip_stats size");
_Static_assert(sizeof(struct xlb_backend_stats) == 32,
	       "xlb_backend_stats size");
_Static_assert(sizeof(struct xlb_vip_gen) == XLB_BLOOM_LINE, "xlb_vip_gen");
_Static_assert(sizeof(struct xlb_nat_rw) == 36, "xlb_nat_rw size");
_Static_assert(sizeof(struct xlb_flow_cache) == 64, "xlb_flow_cache size");
_Static_assert(sizeof(struct xlb_reply_cache) == 128, "xlb_reply_cache size");
_Static_assert(sizeof(struct xlb_reap_entry) == 56, "xlb_reap_entry size");
_Static_assert(sizeof(struct xlb_reap_args) == 24 + 56 * XLB_REAP_BATCH,
	       "xlb_reap_args size");
_Static_assert(sizeof(struct xlb_monitor_conf) == 8, "xlb_monitor_conf");
_Static_assert(sizeof(struct xlb_monitor_cpu) == 24, "xlb_monitor_cpu");
_Static_assert(sizeof(struct xlb_mon_event) == 72 + XLB_MON_SNAPLEN,
	       "xlb_mon_event size");

#endif /* XLB_ABI_H */
