/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The one packet parse every stage shares: Ethernet, up to two VLAN tags,
 * ARP, IPv4 (options skipped), IPv6 (extension header chain followed), and
 * the TCP/UDP/ICMP header. Works on any [data, data_end) window, so XDP and
 * tc use it alike.
 *
 * Return contract of xlb_parse(): 0 when the packet is understood (pclass
 * set, and for IP the addresses, protocol, offsets and ports where there
 * are any); -1 when it is malformed (pclass = XLB_PCLASS_MALFORMED and
 * reason set). A packet of an ethertype xlb does not handle is not
 * malformed: it parses as XLB_PCLASS_OTHER.
 */
#ifndef XLB_PARSE_BPF_H
#define XLB_PARSE_BPF_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xlb_abi.h"

/* VLAN tags followed (802.1Q and 802.1ad); one more is malformed. */
#define XLB_VLAN_MAX 2
/* IPv6 extension headers followed before giving up. */
#define XLB_IPV6_EXT_MAX 6

#define XLB_IP_OFFSET_MASK 0x1fff
#define XLB_IP_MF 0x2000
/* The offset bits of an IPv6 Fragment header's frag_off (in 8 bytes). */
#define XLB_IP6_OFFSET_MASK 0xfff8

enum xlb_pkt_flags {
	XLB_PKT_FRAGMENT = 1u << 0, /* part of a fragmented datagram */
	XLB_PKT_LATER_FRAGMENT = 1u << 1, /* not the first: no L4 header */
	XLB_PKT_IP_OPTIONS = 1u << 2, /* IPv4 header longer than 20 bytes */
};

/* The fixed part of an ARP header (linux/if_arp.h drags in libc). */
struct xlb_arp_hdr {
	__be16 hrd;
	__be16 pro;
	__u8 hln;
	__u8 pln;
	__be16 op;
};

/* ICMP and ICMPv6 share this 8-byte header (linux/icmp.h drags in libc). */
struct xlb_icmp_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

/* The IPv6 fragment header (not in the UAPI headers). */
struct xlb_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3, flags below */
	__be32 identification;
};

struct xlb_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/*
 * The fields are laid out so that the ports are one aligned 32-bit word
 * and the addresses aligned 64-bit words: the load balancer's flow cache
 * reads them as such (stack accesses must be aligned for the verifier).
 * The parser writes addresses as whole words too: a load of a word that
 * two smaller stores wrote cannot take its value from the store buffer
 * and waits for the cache (a stall of about 10 ns per word measured on
 * the load balancer's path, AMD EPYC).
 */
struct xlb_pkt {
	__u8 pclass; /* enum xlb_pclass */
	__u8 reason; /* enum xlb_reason, when malformed */
	__u8 l4_proto; /* IPPROTO_*, for IP packets */
	__u8 flags; /* enum xlb_pkt_flags */
	__be16 l3_proto; /* ETH_P_* of the payload after any VLAN tags */
	__u16 l3_off; /* offsets from the start of the frame */
	__be16 sport; /* TCP/UDP ports; 0 when there are none */
	__be16 dport;
	__u16 l4_off;
	__u8 icmp_type; /* ICMP or ICMPv6 type, when there is one */
	__u8 tcp_flags; /* byte 13 of the TCP header (FIN 0x01 ... ) */
	union {
		__be32 saddr[4]; /* IPv4 uses [0] */
		__u64 saddr_w[2];
	};
	union {
		__be32 daddr[4];
		__u64 daddr_w[2];
	};
	__u32 frag_id; /* IPv4 id or IPv6 identification, for fragments */
	/* What every fragment of a datagram names alike: the IPv4 protocol,
	 * or the IPv6 Fragment header's next header (which, for a later
	 * fragment, may be an extension header only the first one holds). */
	__u8 frag_proto;
	__u8 pad;
	__u16 l4_len; /* bytes of the IP datagram from l4_off on (<= 65535) */
} __attribute__((aligned(8)));

_Static_assert(__builtin_offsetof(struct xlb_pkt, sport) % 4 == 0 &&
		       __builtin_offsetof(struct xlb_pkt, dport) ==
			       __builtin_offsetof(struct xlb_pkt, sport) + 2,
	       "xlb_pkt: ports form one aligned word");
_Static_assert(__builtin_offsetof(struct xlb_pkt, saddr) % 8 == 0 &&
		       __builtin_offsetof(struct xlb_pkt, daddr) % 8 == 0,
	       "xlb_pkt: addresses are aligned words");

/*
 * Where the parse is: pos in [data, data_end), and for IP how many bytes
 * of the datagram are left from pos on. A header must fit both: in the
 * frame, for the verifier, and in the datagram, as link padding after it
 * is none of its headers.
 */
struct xlb_cursor {
	void *pos;
	void *end;
	__u32 room;
};

static __always_inline int xlb_malformed(struct xlb_pkt *pkt,
					 enum xlb_reason reason)
{
	pkt->pclass = XLB_PCLASS_MALFORMED;
	pkt->reason = reason;
	return -1;
}

/* Class of an IP packet from its L4 protocol; icmp_proto differs by family. */
static __always_inline __u8 xlb_ip_class(__u8 l4_proto, __u8 icmp_proto,
					 __u8 base)
{
	/* base is XLB_PCLASS_IPV4_TCP or XLB_PCLASS_IPV6_TCP; the four
	 * classes of a family follow in the order tcp, udp, icmp, other. */
	if (l4_proto == IPPROTO_TCP)
		return base;
	if (l4_proto == IPPROTO_UDP)
		return base + 1;
	if (l4_proto == icmp_proto)
		return base + 2;
	return base + 3;
}

/*
 * Read the L4 header at the cursor: ports for TCP/UDP, bounds for ICMP of
 * the family (icmp_proto: IPPROTO_ICMP or IPPROTO_ICMPV6; the other one
 * is a protocol like any, its header not read).
 */
static __always_inline int xlb_parse_l4(struct xlb_cursor *c,
					struct xlb_pkt *pkt, void *data,
					__u8 icmp_proto)
{
	pkt->l4_off = c->pos - data;
	pkt->l4_len = c->room;
	if (pkt->flags & XLB_PKT_LATER_FRAGMENT)
		return 0;

	if (pkt->l4_proto == IPPROTO_TCP) {
		struct tcphdr *th = c->pos;

		if ((void *)(th + 1) > c->end || sizeof(*th) > c->room ||
		    th->doff < 5)
			return xlb_malformed(pkt, XLB_REASON_L4_TRUNCATED);
		pkt->sport = th->source;
		pkt->dport = th->dest;
		pkt->tcp_flags = ((__u8 *)th)[13];
	} else if (pkt->l4_proto == IPPROTO_UDP) {
		struct udphdr *uh = c->pos;

		if ((void *)(uh + 1) > c->end || sizeof(*uh) > c->room)
			return xlb_malformed(pkt, XLB_REASON_L4_TRUNCATED);
		pkt->sport = uh->source;
		pkt->dport = uh->dest;
	} else if (pkt->l4_proto == icmp_proto) {
		struct xlb_icmp_hdr *ih = c->pos;

		if ((void *)(ih + 1) > c->end || sizeof(*ih) > c->room)
			return xlb_malformed(pkt, XLB_REASON_L4_TRUNCATED);
		pkt->icmp_type = ih->type;
	}
	return 0;
}

/* The first word of an IPv4 address as xlb_pkt holds it: [0], then 0. */
static __always_inline __u64 xlb_addr4_word(__be32 addr)
{
	union {
		__be32 a[2];
		__u64 w;
	} u = { .a = { addr, 0 } };

	return u.w;
}

static __always_inline int xlb_parse_ipv4(struct xlb_cursor *c,
					  struct xlb_pkt *pkt, void *data)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot_len;
	__u16 frag;

	if ((void *)(iph + 1) > c->end)
		return xlb_malformed(pkt, XLB_REASON_IPV4_TRUNCATED);
	if (iph->version != 4)
		return xlb_malformed(pkt, XLB_REASON_IPV4_BAD_VERSION);
	hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph))
		return xlb_malformed(pkt, XLB_REASON_IPV4_BAD_IHL);
	if (c->pos + hlen > c->end)
		return xlb_malformed(pkt, XLB_REASON_IPV4_TRUNCATED);
	/* The frame may carry link padding after the datagram, never less. */
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len < hlen || c->pos + tot_len > c->end)
		return xlb_malformed(pkt, XLB_REASON_IPV4_BAD_LENGTH);

	pkt->l3_off = c->pos - data;
	pkt->l4_proto = iph->protocol;
	pkt->saddr_w[0] = xlb_addr4_word(iph->saddr);
	pkt->daddr_w[0] = xlb_addr4_word(iph->daddr);
	if (hlen > sizeof(*iph))
		pkt->flags |= XLB_PKT_IP_OPTIONS;
	frag = bpf_ntohs(iph->frag_off);
	if (frag & (XLB_IP_MF | XLB_IP_OFFSET_MASK)) {
		pkt->flags |= XLB_PKT_FRAGMENT;
		pkt->frag_id = iph->id;
		pkt->frag_proto = iph->protocol;
	}
	if (frag & XLB_IP_OFFSET_MASK)
		pkt->flags |= XLB_PKT_LATER_FRAGMENT;
	pkt->pclass =
		xlb_ip_class(iph->protocol, IPPROTO_ICMP, XLB_PCLASS_IPV4_TCP);

	c->pos += hlen;
	c->room = tot_len - hlen;
	return xlb_parse_l4(c, pkt, data, IPPROTO_ICMP);
}

static __always_inline bool xlb_ipv6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_FRAGMENT ||
	       nexthdr == IPPROTO_AH;
}

/*
 * Follow the extension header chain; leaves the cursor on the L4 header.
 * A later fragment's chain ends at its Fragment header: what follows is
 * the datagram's data from some offset on, whatever header the Fragment
 * header names (that header is in the first fragment only), and *nexthdr
 * is left naming it.
 */
static __always_inline int xlb_skip_ipv6_ext(struct xlb_cursor *c,
					     struct xlb_pkt *pkt, __u8 *nexthdr)
{
	for (int i = 0; i < XLB_IPV6_EXT_MAX; i++) {
		struct ipv6_opt_hdr *eh = c->pos;
		__u32 len;

		if (!xlb_ipv6_is_ext(*nexthdr))
			return 0;
		if ((void *)(eh + 1) > c->end || sizeof(*eh) > c->room)
			return xlb_malformed(pkt,
					     XLB_REASON_IPV6_EXT_TRUNCATED);
		if (*nexthdr == IPPROTO_FRAGMENT) {
			struct xlb_frag_hdr *fh = c->pos;

			if ((void *)(fh + 1) > c->end || sizeof(*fh) > c->room)
				return xlb_malformed(
					pkt, XLB_REASON_IPV6_EXT_TRUNCATED);
			pkt->flags |= XLB_PKT_FRAGMENT;
			pkt->frag_id = fh->identification;
			pkt->frag_proto = fh->nexthdr;
			if (fh->frag_off & bpf_htons(XLB_IP6_OFFSET_MASK))
				pkt->flags |= XLB_PKT_LATER_FRAGMENT;
			len = sizeof(*fh);
		} else if (*nexthdr == IPPROTO_AH) {
			len = (eh->hdrlen + 2) * 4;
		} else {
			len = (eh->hdrlen + 1) * 8;
		}
		if (c->pos + len > c->end || len > c->room)
			return xlb_malformed(pkt,
					     XLB_REASON_IPV6_EXT_TRUNCATED);
		*nexthdr = eh->nexthdr;
		c->pos += len;
		c->room -= len;
		if (pkt->flags & XLB_PKT_LATER_FRAGMENT)
			return 0;
	}
	if (xlb_ipv6_is_ext(*nexthdr))
		return xlb_malformed(pkt, XLB_REASON_IPV6_EXT_TOO_DEEP);
	return 0;
}

static __always_inline int xlb_parse_ipv6(struct xlb_cursor *c,
					  struct xlb_pkt *pkt, void *data)
{
	struct ipv6hdr *ip6h = c->pos;
	__u8 nexthdr;

	if ((void *)(ip6h + 1) > c->end)
		return xlb_malformed(pkt, XLB_REASON_IPV6_TRUNCATED);
	if (ip6h->version != 6)
		return xlb_malformed(pkt, XLB_REASON_IPV6_BAD_VERSION);
	if ((void *)(ip6h + 1) + bpf_ntohs(ip6h->payload_len) > c->end)
		return xlb_malformed(pkt, XLB_REASON_IPV6_BAD_LENGTH);

	pkt->l3_off = c->pos - data;
	__builtin_memcpy(pkt->saddr, &ip6h->saddr, sizeof(pkt->saddr));
	__builtin_memcpy(pkt->daddr, &ip6h->daddr, sizeof(pkt->daddr));
	nexthdr = ip6h->nexthdr;
	c->pos = ip6h + 1;
	c->room = bpf_ntohs(ip6h->payload_len);
	if (xlb_skip_ipv6_ext(c, pkt, &nexthdr))
		return -1;
	pkt->l4_proto = nexthdr;
	pkt->pclass =
		xlb_ip_class(nexthdr, IPPROTO_ICMPV6, XLB_PCLASS_IPV6_TCP);
	return xlb_parse_l4(c, pkt, data, IPPROTO_ICMPV6);
}

static __always_inline int xlb_parse_arp(struct xlb_cursor *c,
					 struct xlb_pkt *pkt, void *data)
{
	struct xlb_arp_hdr *ah = c->pos;

	if ((void *)(ah + 1) > c->end)
		return xlb_malformed(pkt, XLB_REASON_ARP_TRUNCATED);
	pkt->l3_off = c->pos - data;
	pkt->pclass = XLB_PCLASS_ARP;
	return 0;
}

static __always_inline int xlb_parse(void *data, void *data_end,
				     struct xlb_pkt *pkt)
{
	struct xlb_cursor c = { .pos = data, .end = data_end };
	struct ethhdr *eth = data;
	__be16 proto;

	if ((void *)(eth + 1) > data_end)
		return xlb_malformed(pkt, XLB_REASON_ETH_TRUNCATED);
	proto = eth->h_proto;
	c.pos = eth + 1;

	for (int i = 0; i <= XLB_VLAN_MAX; i++) {
		struct xlb_vlan_hdr *vh = c.pos;

		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if (i == XLB_VLAN_MAX)
			return xlb_malformed(pkt, XLB_REASON_VLAN_TOO_DEEP);
		if ((void *)(vh + 1) > data_end)
			return xlb_malformed(pkt, XLB_REASON_VLAN_TRUNCATED);
		proto = vh->encap_proto;
		c.pos = vh + 1;
	}
	pkt->l3_proto = proto;

	if (proto == bpf_htons(ETH_P_IP))
		return xlb_parse_ipv4(&c, pkt, data);
	if (proto == bpf_htons(ETH_P_IPV6))
		return xlb_parse_ipv6(&c, pkt, data);
	if (proto == bpf_htons(ETH_P_ARP))
		return xlb_parse_arp(&c, pkt, data);
	pkt->pclass = XLB_PCLASS_OTHER;
	return 0;
}

#endif /* XLB_PARSE_BPF_H */
