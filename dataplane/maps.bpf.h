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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_IFACES);
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

#endif /* XLB_MAPS_BPF_H */
