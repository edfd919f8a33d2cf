/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's frames: a packet described by its parts (struct fz_pkt)
 * and built into bytes with checksums summed from scratch (fuzz_build.c);
 * the choice of parts, at random or from the flows and NAT ports the
 * model knows (fuzz_gen.c); the mutations applied after building
 * (fuzz_mutate.c): bytes flipped, lengths broken, frames cut or padded.
 */
#ifndef XLB_FUZZ_GEN_H
#define XLB_FUZZ_GEN_H

#include "fuzz.h"
#include "model.h"

#define FZ_EXT_MAX 8

enum fz_frag {
	FZ_FRAG_NONE = 0,
	FZ_FRAG_FIRST,
	FZ_FRAG_LATER,
};

struct fz_pkt {
	int vlans; /* tags before the payload's ethertype, 0 to 3 */
	__u16 tpid[3];
	int family; /* enum xlb_family; -1 for ARP and other ethertypes */
	bool arp;
	__u16 ethertype; /* of a frame that is neither IP nor ARP */
	__be32 src[4], dst[4];
	__u8 proto;
	__be16 sport, dport;
	__u8 tcp_flags;
	__u8 icmp_type, icmp_code;
	__u32 optlen; /* IPv4 options, a multiple of 4, up to 40 */
	int frag; /* enum fz_frag */
	__u32 frag_id;
	__u16 frag_off; /* a later fragment's offset, in 8-byte units */
	__u8 ext[FZ_EXT_MAX]; /* IPv6 extension headers, in order */
	__u8 ext_units[FZ_EXT_MAX]; /* each one's length field */
	int n_ext;
	/* IPv6 later fragment: its Fragment header's next header. */
	__u8 frag_next;
	bool no_udp_sum; /* UDP over IPv4 without a checksum */
	__u32 l4_cut; /* keep only this much of the L4 header (0: whole) */
	__u32 arp_cut; /* keep only arp_cut - 1 bytes of ARP (0: whole) */
	__u32 payload;
	const struct fz_pkt *inner; /* an ICMP error's packet */
	__u32 inner_len; /* bytes of it inside (0: all) */
	__u32 pad; /* link padding after the datagram */
};

/* Build p into buf (room bytes): the frame's length. */
size_t fz_build(const struct fz_pkt *p, struct fz_rng *r, __u8 *buf,
		size_t room);

/* A datagram starting at its IP header (an ICMP error's inner packet). */
size_t fz_build_ip(const struct fz_pkt *p, struct fz_rng *r, __u8 *buf,
		   size_t room);

/* Break frame fr in one of a few ways; sets fr->mutated. */
void fz_mutate(struct fz_frame *fr, struct fz_rng *r);

/* What the generator keeps between frames. */
#define FZ_GEN_FLOWS 256
#define FZ_GEN_PENDING 8

struct fz_gen_flow {
	__u32 vip; /* index in fz_config.vips */
	__be32 client[4];
	__be16 cport, vport;
};

struct fz_gen {
	struct fz_rng *rng;
	const struct fz_config *cfg;
	struct fz_model *model; /* its NAT records: replies to make */
	struct fz_gen_flow flows[FZ_GEN_FLOWS];
	size_t n_flows;
	/* Frames held back: the later fragments of a datagram sent. */
	struct fz_pkt pending[FZ_GEN_PENDING];
	size_t n_pending;
};

void fz_gen_reset(struct fz_gen *g, const struct fz_config *cfg);
/* The next frame: its parts chosen, built, and sometimes mutated. */
void fz_gen_frame(struct fz_gen *g, struct fz_frame *fr);

/* fuzz_addr.c: the address plan of the fuzzer's namespace. */
enum fz_pool {
	FZ_POOL_CLIENT = 0, /* 198.18.5.0/24: on xt0's link */
	FZ_POOL_FAR, /* 198.18.7.0/24: no route */
	FZ_POOL_VIP, /* 198.18.0.0/24 */
	FZ_POOL_BACKEND, /* 198.18.1.0/24 */
	FZ_POOL_SNAT, /* 198.18.2.0/24: backends' route sources */
	FZ_POOL_SNAT_POOL, /* 198.18.4.0/24: VIPs' snat pools */
	FZ_POOL_MAX,
};

/* Address n of a pool in a family (IPv6: 2001:db8:X::n alike). */
void fz_addr(int family, enum fz_pool pool, __u32 n, __be32 *addr);
/* A client of the neighbour table (n < FZ_NEIGH_CLIENTS), and its MAC. */
void fz_neigh_mac(__u32 n, __u8 *mac);
/* A random address: mostly of the pools, now and then anywhere. */
void fz_addr_random(struct fz_rng *r, int family, __be32 *addr);

#endif /* XLB_FUZZ_GEN_H */
