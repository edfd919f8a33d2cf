/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame builders for the BPF tests: each writes one Ethernet frame into
 * buf (at least 512 bytes) and returns its length. Addresses come from the
 * benchmarking ranges 198.18.0.0/15 and 2001:db8::/32.
 */
#ifndef XLB_TEST_FRAMES_H
#define XLB_TEST_FRAMES_H

#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#define FRAME_PAYLOAD 32

static const __u8 frame_src_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static const __u8 frame_dst_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };

static inline size_t put_eth(__u8 *buf, __u16 proto)
{
	struct ethhdr *eth = (struct ethhdr *)buf;

	memcpy(eth->h_dest, frame_dst_mac, ETH_ALEN);
	memcpy(eth->h_source, frame_src_mac, ETH_ALEN);
	eth->h_proto = htons(proto);
	return sizeof(*eth);
}

static inline size_t put_vlan(__u8 *buf, __u16 tci, __u16 proto)
{
	__be16 tag[2] = { htons(tci), htons(proto) };

	memcpy(buf, tag, sizeof(tag));
	return sizeof(tag);
}

/* IPv4 header with `optlen` bytes of NOP options and a payload of plen. */
static inline size_t put_ipv4(__u8 *buf, __u8 proto, size_t optlen, size_t plen,
			      __u16 frag)
{
	struct iphdr *iph = (struct iphdr *)buf;
	size_t hlen = sizeof(*iph) + optlen;

	memset(buf, 0, hlen);
	iph->version = 4;
	iph->ihl = hlen / 4;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->tot_len = htons(hlen + plen);
	iph->frag_off = htons(frag);
	iph->saddr = htonl(0xc6120001); /* 198.18.0.1 */
	iph->daddr = htonl(0xc6120002); /* 198.18.0.2 */
	memset(buf + sizeof(*iph), 1, optlen); /* IPOPT_NOOP */
	return hlen;
}

static inline size_t put_ipv6(__u8 *buf, __u8 nexthdr, size_t plen)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)buf;

	memset(ip6h, 0, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ip6h->payload_len = htons(plen);
	inet_pton(AF_INET6, "2001:db8::1", &ip6h->saddr);
	inet_pton(AF_INET6, "2001:db8::2", &ip6h->daddr);
	return sizeof(*ip6h);
}

/* An 8-byte IPv6 extension header (hop-by-hop, destination options). */
static inline size_t put_ipv6_ext(__u8 *buf, __u8 nexthdr)
{
	memset(buf, 0, 8);
	buf[0] = nexthdr;
	buf[2] = 1; /* PadN ... */
	buf[3] = 4; /* ... over the remaining 4 bytes */
	return 8;
}

static inline size_t put_udp(__u8 *buf, size_t plen)
{
	struct udphdr *uh = (struct udphdr *)buf;

	memset(buf, 0xab, sizeof(*uh) + plen);
	uh->source = htons(40000);
	uh->dest = htons(9000);
	uh->len = htons(sizeof(*uh) + plen);
	uh->check = 0;
	return sizeof(*uh) + plen;
}

static inline size_t put_tcp(__u8 *buf)
{
	struct tcphdr *th = (struct tcphdr *)buf;

	memset(th, 0, sizeof(*th));
	th->source = htons(40000);
	th->dest = htons(80);
	th->doff = 5;
	th->syn = 1;
	th->window = htons(65535);
	return sizeof(*th);
}

static inline size_t put_icmp(__u8 *buf)
{
	memset(buf, 0, 8);
	buf[0] = 8; /* echo request; ICMPv6 uses 128, same layout */
	return 8;
}

#define UDP_LEN (sizeof(struct udphdr) + FRAME_PAYLOAD)

static inline size_t frame_ipv4_udp(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_UDP, 0, UDP_LEN, 0);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

static inline size_t frame_ipv4_tcp(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_TCP, 0, sizeof(struct tcphdr), 0);
	return n + put_tcp(buf + n);
}

static inline size_t frame_ipv4_icmp(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_ICMP, 0, 8, 0);
	return n + put_icmp(buf + n);
}

static inline size_t frame_ipv4_gre(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_GRE, 0, 4, 0);
	memset(buf + n, 0, 4);
	return n + 4;
}

static inline size_t frame_ipv4_options(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_UDP, 12, UDP_LEN, 0);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

/* A non-first fragment: offset 185 (1480 bytes), payload without ports. */
static inline size_t frame_ipv4_later_frag(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_UDP, 0, 4, 185);
	memset(buf + n, 0xcd, 4);
	return n + 4;
}

static inline size_t frame_vlan_ipv4(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_8021Q);

	n += put_vlan(buf + n, 100, ETH_P_IP);
	n += put_ipv4(buf + n, IPPROTO_UDP, 0, UDP_LEN, 0);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

static inline size_t frame_qinq_ipv4(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_8021AD);

	n += put_vlan(buf + n, 10, ETH_P_8021Q);
	n += put_vlan(buf + n, 100, ETH_P_IP);
	n += put_ipv4(buf + n, IPPROTO_UDP, 0, UDP_LEN, 0);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

static inline size_t frame_ipv6_udp(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IPV6);

	n += put_ipv6(buf + n, IPPROTO_UDP, UDP_LEN);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

static inline size_t frame_ipv6_tcp(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IPV6);

	n += put_ipv6(buf + n, IPPROTO_TCP, sizeof(struct tcphdr));
	return n + put_tcp(buf + n);
}

static inline size_t frame_ipv6_icmp(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IPV6);

	n += put_ipv6(buf + n, IPPROTO_ICMPV6, 8);
	n += put_icmp(buf + n);
	buf[n - 8] = 128;
	return n;
}

/* Hop-by-hop, then destination options, then UDP. */
static inline size_t frame_ipv6_ext_udp(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IPV6);

	n += put_ipv6(buf + n, IPPROTO_HOPOPTS, 16 + UDP_LEN);
	n += put_ipv6_ext(buf + n, IPPROTO_DSTOPTS);
	n += put_ipv6_ext(buf + n, IPPROTO_UDP);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

static inline size_t frame_arp(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_ARP);

	memset(buf + n, 0, 28);
	buf[n + 1] = 1; /* Ethernet */
	buf[n + 2] = 0x08; /* IPv4 */
	buf[n + 4] = 6;
	buf[n + 5] = 4;
	buf[n + 7] = 1; /* request */
	return n + 28;
}

static inline size_t frame_other(__u8 *buf)
{
	size_t n = put_eth(buf, 0x88b5); /* local experimental ethertype */

	memset(buf + n, 0x5a, 46);
	return n + 46;
}

static inline size_t frame_vlan3(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_8021AD);

	n += put_vlan(buf + n, 10, ETH_P_8021Q);
	n += put_vlan(buf + n, 100, ETH_P_8021Q);
	n += put_vlan(buf + n, 200, ETH_P_IP);
	n += put_ipv4(buf + n, IPPROTO_UDP, 0, UDP_LEN, 0);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

/* A VLAN ethertype and only two bytes of the tag. */
static inline size_t frame_vlan_trunc(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_8021Q);

	buf[n] = 0;
	buf[n + 1] = 100;
	return n + 2;
}

static inline size_t frame_ipv4_trunc(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	put_ipv4(buf + n, IPPROTO_UDP, 0, UDP_LEN, 0);
	return n + 12;
}

static inline size_t frame_ipv4_bad_ihl(__u8 *buf)
{
	size_t n = frame_ipv4_udp(buf);

	buf[ETH_HLEN] = 0x44; /* version 4, ihl 4 */
	return n;
}

static inline size_t frame_ipv4_bad_version(__u8 *buf)
{
	size_t n = frame_ipv4_udp(buf);

	buf[ETH_HLEN] = 0x65;
	return n;
}

/* tot_len claims 100 bytes more than the frame holds. */
static inline size_t frame_ipv4_bad_len(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_UDP, 0, UDP_LEN + 100, 0);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

/* An IPv4 header promising UDP, and 4 bytes of it. */
static inline size_t frame_ipv4_udp_trunc(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_UDP, 0, 4, 0);
	memset(buf + n, 0, 4);
	return n + 4;
}

static inline size_t frame_ipv4_tcp_trunc(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IP);

	n += put_ipv4(buf + n, IPPROTO_TCP, 0, 12, 0);
	memset(buf + n, 0, 12);
	return n + 12;
}

static inline size_t frame_ipv6_trunc(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IPV6);

	put_ipv6(buf + n, IPPROTO_UDP, 0);
	return n + 30;
}

/* A hop-by-hop header claiming 16 bytes with only 8 in the packet. */
static inline size_t frame_ipv6_ext_trunc(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IPV6);

	n += put_ipv6(buf + n, IPPROTO_HOPOPTS, 8);
	n += put_ipv6_ext(buf + n, IPPROTO_UDP);
	buf[n - 7] = 1; /* hdrlen 1: 16 bytes */
	return n;
}

/* Seven destination-options headers: one more than the parser follows. */
static inline size_t frame_ipv6_ext_deep(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_IPV6);

	n += put_ipv6(buf + n, IPPROTO_DSTOPTS, 7 * 8 + UDP_LEN);
	for (int i = 0; i < 6; i++)
		n += put_ipv6_ext(buf + n, IPPROTO_DSTOPTS);
	n += put_ipv6_ext(buf + n, IPPROTO_UDP);
	return n + put_udp(buf + n, FRAME_PAYLOAD);
}

static inline size_t frame_arp_trunc(__u8 *buf)
{
	size_t n = put_eth(buf, ETH_P_ARP);

	memset(buf + n, 0, 4);
	return n + 4;
}

/*
 * A frame from a spec: the family follows the addresses; TCP and UDP
 * get ports (UDP its length), ICMP a type; fragments, VLAN tags, IPv6
 * destination options and a payload on request. buf holds at least 512
 * bytes, and as many as the extension headers and payload need.
 */
struct frame_spec {
	const char *src, *dst;
	__u8 proto;
	__u16 sport, dport;
	__u8 icmp_type;
	int frag; /* 0 whole, 1 first fragment, 2 later fragment */
	__u16 frag_id;
	bool short_l4; /* first fragment cut inside the L4 header */
	bool vlan;
	__u8 tcp_flags; /* 0: SYN */
	bool ip_options; /* IPv4: 4 bytes of NOP options */
	__u16 ext_len; /* IPv6: destination options of this many bytes (a
			* multiple of 8, at most 2048) before L4; a later
			* fragment names them in its Fragment header only */
	__u16 payload; /* bytes after the L4 header (frame_payload_byte()) */
};

/* The largest PadN option: its type and length bytes, 255 of data. */
#define FRAME_PADN_MAX (2 + 255)

/* Byte i of a frame's payload: not constant, so a misplaced write shows. */
static inline __u8 frame_payload_byte(size_t i)
{
	return (__u8)(i * 7 + 1);
}

/*
 * An IPv6 destination options header of len bytes (a multiple of 8),
 * padded with PadN options (a last odd byte is Pad1, a zero).
 */
static inline size_t put_ipv6_dstopts(__u8 *buf, __u8 nexthdr, size_t len)
{
	memset(buf, 0, len);
	buf[0] = nexthdr;
	buf[1] = len / 8 - 1;
	for (size_t at = 2; at + 1 < len;) {
		size_t opt = len - at < FRAME_PADN_MAX ? len - at :
							 FRAME_PADN_MAX;

		buf[at] = 1; /* PadN */
		buf[at + 1] = opt - 2;
		at += opt;
	}
	return len;
}

/* The IPv6 header and extension headers of a spec, l4len bytes after. */
static inline size_t frame_put_ipv6(__u8 *buf, const struct frame_spec *p,
				    size_t l4len)
{
	size_t fh = p->frag ? 8 : 0, ext = p->frag == 2 ? 0 : p->ext_len, n;
	__u8 after_frag = p->ext_len ? IPPROTO_DSTOPTS : p->proto;

	n = put_ipv6(buf, p->frag ? IPPROTO_FRAGMENT : after_frag,
		     fh + ext + l4len);
	inet_pton(AF_INET6, p->src, buf + 8);
	inet_pton(AF_INET6, p->dst, buf + 24);
	if (p->frag) {
		memset(buf + n, 0, 8);
		buf[n] = after_frag;
		/* offset 1480/8 for later fragments, M flag on first */
		buf[n + 3] = p->frag == 2 ? (185 << 3) & 0xff : 1;
		buf[n + 2] = p->frag == 2 ? 185 >> 5 : 0;
		buf[n + 7] = p->frag_id & 0xff;
		buf[n + 6] = p->frag_id >> 8;
		n += 8;
	}
	if (p->ext_len && p->frag != 2)
		n += put_ipv6_dstopts(buf + n, p->proto, p->ext_len);
	return n;
}

/* The L4 header of a spec (l4 bytes of it), then its payload. */
static inline size_t frame_put_l4(__u8 *h, const struct frame_spec *p,
				  size_t l4)
{
	memset(h, 0, l4);
	if (l4 >= 4 && (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP)) {
		h[0] = p->sport >> 8;
		h[1] = p->sport & 0xff;
		h[2] = p->dport >> 8;
		h[3] = p->dport & 0xff;
	}
	if (p->proto == IPPROTO_UDP && l4 == sizeof(struct udphdr)) {
		h[4] = (l4 + p->payload) >> 8;
		h[5] = (l4 + p->payload) & 0xff;
	}
	if (p->proto == IPPROTO_TCP && l4 == sizeof(struct tcphdr)) {
		h[12] = 5 << 4;
		h[13] = p->tcp_flags ? p->tcp_flags : 0x02;
	}
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6)
		h[0] = p->icmp_type;
	for (size_t i = 0; i < p->payload; i++)
		h[l4 + i] = frame_payload_byte(i);
	return l4 + p->payload;
}

static inline size_t frame_build(__u8 *buf, const struct frame_spec *p)
{
	bool v6 = strchr(p->src, ':') != NULL;
	size_t n = put_eth(buf, p->vlan ? ETH_P_8021Q :
				v6	? ETH_P_IPV6 :
					  ETH_P_IP);
	size_t l4 = p->proto == IPPROTO_TCP ? 20 : 8, ip;

	if (p->vlan)
		n += put_vlan(buf + n, 7, v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (p->frag == 2 || p->short_l4)
		l4 = 4;
	ip = n;
	if (v6) {
		n += frame_put_ipv6(buf + n, p, l4 + p->payload);
	} else {
		__u16 frag = p->frag == 1 ? 0x2000 : p->frag == 2 ? 185 : 0;

		n += put_ipv4(buf + n, p->proto, p->ip_options ? 4 : 0,
			      l4 + p->payload, frag);
		inet_pton(AF_INET, p->src, buf + ip + 12);
		inet_pton(AF_INET, p->dst, buf + ip + 16);
		buf[ip + 4] = p->frag_id >> 8;
		buf[ip + 5] = p->frag_id & 0xff;
	}
	return n + frame_put_l4(buf + n, p, l4);
}

#endif /* XLB_TEST_FRAMES_H */
