/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Every map of the data plane. Keys and values come from xlb_abi.h; each
 * map is pinned by name under xlbd's --pin-dir, so a restarted daemon
 * re-adopts it and counters survive. Maps the data plane only reads are
 * BPF_F_RDONLY_PROG.
 */
#ifndef XLB_MAPS_BPF_H
#define XLB_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xlb_abi.h"

/* ifindex (__u32) -> struct xlb_iface. Written by xlbd on attach. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_IFINDEX_MAX);
	__type(key, __u32);
	__type(value, struct xlb_iface);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_ifaces SEC(".maps");

/*
 * slot * XLB_HOOK_MAX + hook -> struct xlb_hook_stats, per CPU.
 * Written by every program; read and summed by xlbd.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_HOOK_STATS_ENTRIES);
	__type(key, __u32);
	__type(value, struct xlb_hook_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_hook_stats SEC(".maps");

/* enum xlb_reason -> struct xlb_reason_stats, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_REASON_MAX);
	__type(key, __u32);
	__type(value, struct xlb_reason_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_reasons SEC(".maps");

/* 0 -> struct xlb_meta: the layout version of the pinned state. xlbd only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_meta);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_meta SEC(".maps");

/*
 * Filter maps. Sizes marked "config" are set by xlbd from the config's
 * filter.max_rules / filter.max_prefixes before load.
 */

/* gen * 4 + dir * XLB_FAMILY_MAX + family -> struct xlb_shape_list. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_SHAPE_LISTS);
	__type(key, __u32);
	__type(value, struct xlb_shape_list);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_shapes SEC(".maps");

/* struct xlb_rule_key -> struct xlb_rule_val. xlbd; 2 x max_rules. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XLB_DEFAULT_MAX_RULES);
	__type(key, struct xlb_rule_key);
	__type(value, struct xlb_rule_val);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_rules SEC(".maps");

/* hash line -> struct xlb_bloom_line: rule keys present. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_BLOOM_LINES);
	__type(key, __u32);
	__type(value, struct xlb_bloom_line);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_rule_bloom SEC(".maps");

/* rule id -> struct xlb_ctr, per CPU. Data plane; max_rules + 1. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_RULES + 1);
	__type(key, __u32);
	__type(value, struct xlb_ctr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_rule_stats SEC(".maps");

/* rule id -> struct xlb_rule_spec. xlbd only; max_rules + 1. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_RULES + 1);
	__type(key, __u32);
	__type(value, struct xlb_rule_spec);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_rule_specs SEC(".maps");

/* Allow and deny tries, per family: prefix -> struct xlb_list_val. xlbd. */
#define XLB_LPM_MAP(_name, _key)                                          \
	struct {                                                          \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);                      \
		__uint(max_entries, XLB_DEFAULT_MAX_PREFIXES);            \
		__type(key, _key);                                        \
		__type(value, struct xlb_list_val);                       \
		__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG); \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                      \
	} _name SEC(".maps")

XLB_LPM_MAP(xlb_allow4, struct xlb_lpm4_key);
XLB_LPM_MAP(xlb_allow6, struct xlb_lpm6_key);
XLB_LPM_MAP(xlb_deny4, struct xlb_lpm4_key);
XLB_LPM_MAP(xlb_deny6, struct xlb_lpm6_key);

/* list entry id -> struct xlb_ctr, per CPU. Data plane; max_prefixes + 1. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_PREFIXES + 1);
	__type(key, __u32);
	__type(value, struct xlb_ctr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_list_stats SEC(".maps");

/* list entry id -> struct xlb_list_spec. xlbd only; max_prefixes + 1. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_PREFIXES + 1);
	__type(key, __u32);
	__type(value, struct xlb_list_spec);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_list_specs SEC(".maps");

/* 0 -> struct xlb_filter_conf. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_filter_conf);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_filter_conf SEC(".maps");

/* struct xlb_frag_key -> struct xlb_frag_val. Data plane (LRU). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_FRAG_ENTRIES);
	__type(key, struct xlb_frag_key);
	__type(value, struct xlb_frag_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_frags SEC(".maps");

/* Load balancer maps. */

/* struct xlb_vip_key -> struct xlb_vip. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, struct xlb_vip_key);
	__type(value, struct xlb_vip);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_vips SEC(".maps");

/* address hash line -> struct xlb_bloom_line of XLB_HINT_* bytes. xlbd
 * sets a hint before the VIP exists and clears it after it is gone.
 * XLB_VIP_GEN_LINE -> struct xlb_vip_gen, bumped by xlbd after each
 * write of the hints. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_VIP_HINT_ENTRIES);
	__type(key, __u32);
	__type(value, struct xlb_bloom_line);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_vip_hints SEC(".maps");

/* vip id * XLB_RING_SIZE + slot -> backend id (Maglev). xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS *XLB_RING_SIZE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_ring SEC(".maps");

/* backend id -> struct xlb_backend. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_backends SEC(".maps");

/*
 * struct xlb_flow_key -> struct xlb_conn: established flows. Data plane;
 * xlbd deletes expired entries (lb_conns.c). Sized by xlbd from the
 * config (lb.max_conns).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_CONNS);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_conn);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_conns SEC(".maps");

/* The same for TCP flows that have sent only a SYN (lb.max_syns). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_SYNS);
	__type(key, struct xlb_flow_key);
	__type(value, struct xlb_conn);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_syns SEC(".maps");

/*
 * struct xlb_nat_key -> struct xlb_nat_val: the NAT ports in use, by the
 * replies that come back to them. A plain hash, never LRU: an entry goes
 * only when its flow is gone (taken over in place by a new flow, or
 * deleted by xlbd's reaper), so no live flow loses its port to a full
 * table. Data plane; xlbd (lb.max_nat_ports).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_DEFAULT_NAT_PORTS);
	__type(key, struct xlb_nat_key);
	__type(value, struct xlb_nat_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_nat_rev SEC(".maps");

/* 0 -> struct xlb_lb_conf: connection timeouts. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_lb_conf);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_lb_conf SEC(".maps");

/* vip id -> struct xlb_snat_pool: the VIP's NAT source addresses. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xlb_snat_pool);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_snat_pools SEC(".maps");

/* struct xlb_frag_key (backend, LB address, id) -> struct xlb_nat_frag:
 * how a fragmented NAT reply's later fragments are rewritten. Data
 * plane (LRU). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_NAT_FRAG_ENTRIES);
	__type(key, struct xlb_frag_key);
	__type(value, struct xlb_nat_frag);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_nat_frags SEC(".maps");

/* ifindex -> ifindex: where XDP_REDIRECT may send. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XLB_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_tx_ports SEC(".maps");

/* vip id -> struct xlb_vip_stats, per CPU. Data plane. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct xlb_vip_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_vip_stats SEC(".maps");

/* backend id -> struct xlb_backend_stats, per CPU. Data plane. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_backend_stats SEC(".maps");

/*
 * CPU << XLB_FCACHE_BITS | either of two hashes of a flow -> struct
 * xlb_flow_cache: client to VIP flows recently forwarded, each CPU in its
 * own region (xlbd sizes the map for the possible CPUs; a CPU beyond it
 * finds no slot and asks the tables). Data plane. Not pinned: a cache of
 * the tables above, it starts empty with each load of the programs. An
 * array lookup is inlined by the verifier into one address computation;
 * a per-CPU array would first load the value's per-CPU pointer, a second
 * memory access per packet, and a hash lookup is a call. 8 MiB per CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_FCACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct xlb_flow_cache);
} xlb_flow_cache SEC(".maps");

/* hash of a reply -> struct xlb_reply_cache, per CPU: NAT replies
 * recently sent back. Data plane, not pinned. 1 MiB per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_RCACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct xlb_reply_cache);
} xlb_reply_cache SEC(".maps");

/* 0 -> struct xlb_reap_args: the batch xlbd hands the xlb_reap program. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_reap_args);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_reap_buf SEC(".maps");

/*
 * Per-CPU room for the load balancer's keys and entries, which would not
 * fit in the 512 bytes of stack a program and the functions it calls
 * share. XDP only: an XDP program's run is never interrupted on its CPU
 * by another that uses this. Data plane, not pinned.
 */
/* A flow key, also as the words the flow cache hashes and compares. */
union xlb_fkey {
	struct xlb_flow_key k;
	__u64 w[5];
};

struct xlb_nat_scratch {
	union xlb_fkey fk; /* xlb_lb(): the packet's flow */
	struct xlb_conn c; /* xlb_lb(): its table entry, as found or made */
	struct xlb_nat_key k;
	struct xlb_nat_val v;
	struct xlb_flow_key owner;
	struct xlb_frag_key frag;
	struct xlb_nat_frag fv;
	struct bpf_fib_lookup fib;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_nat_scratch);
} xlb_nat_scratch SEC(".maps");

/* The packet monitor (xlbctl monitor). */

/* Events for xlbd, which relays them to its monitor clients. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XLB_MON_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_monitor SEC(".maps");

/* 0 -> struct xlb_monitor_conf: what to put in xlb_monitor. xlbd. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_monitor_conf);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_monitor_conf SEC(".maps");

/* 0 -> struct xlb_monitor_cpu, per CPU: the packet in hand's reason and
 * the events put or lost. Data plane; xlbd reads the counts. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_monitor_cpu);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xlb_monitor_cpu SEC(".maps");

#endif /* XLB_MAPS_BPF_H */
