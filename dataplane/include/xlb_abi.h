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
#define XLB_ABI_VERSION 1

/* Interfaces one daemon can drive; each has a counter slot. */
#define XLB_MAX_IFACES 64
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
	XLB_REASON_MAX,
};

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
	__u32 pad;
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
	__u32 pad;
	__u64 loaded_at_ns; /* CLOCK_REALTIME of the first load */
};

#define XLB_HOOK_STATS_ENTRIES (XLB_MAX_IFACES * XLB_HOOK_MAX)

_Static_assert(sizeof(struct xlb_ctr) == 16, "xlb_ctr size");
_Static_assert(sizeof(struct xlb_iface) == 32, "xlb_iface size");
_Static_assert(sizeof(struct xlb_hook_stats) ==
		       16 * (XLB_VERDICT_MAX + XLB_PCLASS_MAX),
	       "xlb_hook_stats size");
_Static_assert(sizeof(struct xlb_reason_stats) == 8, "xlb_reason_stats size");
_Static_assert(sizeof(struct xlb_meta) == 16, "xlb_meta size");

#endif /* XLB_ABI_H */
