// SPDX-License-Identifier: GPL-2.0
/*
 * The model's parser, from docs/design.md ("The parser"): Ethernet and up
 * to two VLAN tags, ARP's fixed header, IPv4 (version, IHL, the header and
 * tot_len inside the frame, options, fragments), IPv6 (version,
 * payload_len inside the frame, up to six extension headers, a later
 * fragment's chain ending at its Fragment header) and the TCP, UDP and
 * ICMP headers. Every header after the IP one must lie inside the IP
 * datagram: link padding after it is not part of it.
 */
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "fz_csum.h"
#include "model.h"

#define VLAN_MAX 2
#define VLAN_LEN 4
#define ARP_FIXED_LEN 8
#define IPV4_MIN_LEN 20
#define IPV6_LEN 40
#define IPV6_EXT_MAX 6
#define FRAG_HDR_LEN 8
#define TCP_MIN_LEN 20
#define TCP_MIN_DOFF 5
#define UDP_LEN 8
#define ICMP_LEN 8
#define IP_MF_OFFSET 0x3fff
#define IP_OFFSET 0x1fff
#define IPV6_FRAG_OFFSET 0xfff8

static int malformed(struct fz_parse *p, int reason)
{
	p->pclass = XLB_PCLASS_MALFORMED;
	p->reason = reason;
	return -1;
}

/* The class of an IP packet: tcp, udp, icmp (of the family) or other. */
static int ip_class(int family, __u8 proto)
{
	int base = family == XLB_FAMILY_V4 ? XLB_PCLASS_IPV4_TCP :
					     XLB_PCLASS_IPV6_TCP;
	__u8 icmp = family == XLB_FAMILY_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	if (proto == IPPROTO_TCP)
		return base;
	if (proto == IPPROTO_UDP)
		return base + 1;
	if (proto == icmp)
		return base + 2;
	return base + 3;
}

/* The L4 header at p->l4, inside the datagram; later fragments have none. */
static int parse_l4(const __u8 *f, struct fz_parse *p)
{
	size_t room = p->end - p->l4;
	const __u8 *h = f + p->l4;
	__u8 icmp = p->family == XLB_FAMILY_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	if (p->later)
		return 0;
	if (p->proto == IPPROTO_TCP) {
		if (room < TCP_MIN_LEN || (h[12] >> 4) < TCP_MIN_DOFF)
			return malformed(p, XLB_REASON_L4_TRUNCATED);
		memcpy(&p->sport, h, 2);
		memcpy(&p->dport, h + 2, 2);
		p->tcp_flags = h[13];
	} else if (p->proto == IPPROTO_UDP) {
		if (room < UDP_LEN)
			return malformed(p, XLB_REASON_L4_TRUNCATED);
		memcpy(&p->sport, h, 2);
		memcpy(&p->dport, h + 2, 2);
	} else if (p->proto == icmp) {
		if (room < ICMP_LEN)
			return malformed(p, XLB_REASON_L4_TRUNCATED);
		p->icmp_type = h[0];
	}
	return 0;
}

static int parse_ipv4(const __u8 *f, size_t len, struct fz_parse *p)
{
	const __u8 *h = f + p->l3;
	size_t hlen, tot;
	__u16 frag;

	if (p->l3 + IPV4_MIN_LEN > len)
		return malformed(p, XLB_REASON_IPV4_TRUNCATED);
	if (h[0] >> 4 != 4)
		return malformed(p, XLB_REASON_IPV4_BAD_VERSION);
	hlen = (h[0] & 0xf) * 4;
	if (hlen < IPV4_MIN_LEN)
		return malformed(p, XLB_REASON_IPV4_BAD_IHL);
	if (p->l3 + hlen > len)
		return malformed(p, XLB_REASON_IPV4_TRUNCATED);
	tot = fz_get16(h + 2);
	if (tot < hlen || p->l3 + tot > len)
		return malformed(p, XLB_REASON_IPV4_BAD_LENGTH);
	p->family = XLB_FAMILY_V4;
	p->end = p->l3 + tot;
	p->proto = h[9];
	memcpy(p->src, h + 12, 4);
	memcpy(p->dst, h + 16, 4);
	p->options = hlen > IPV4_MIN_LEN;
	frag = fz_get16(h + 6);
	p->frag = frag & IP_MF_OFFSET;
	p->later = frag & IP_OFFSET;
	if (p->frag)
		memcpy(&p->frag_id, h + 4, 2);
	p->pclass = ip_class(p->family, p->proto);
	p->l4 = p->l3 + hlen;
	return parse_l4(f, p);
}

bool fz_ipv6_ext(__u8 next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING ||
	       next == IPPROTO_DSTOPTS || next == IPPROTO_FRAGMENT ||
	       next == IPPROTO_AH;
}

/* One extension header at pos: its length, or 0 when it is cut. */
static size_t ipv6_ext_len(const __u8 *f, size_t pos, __u8 next,
			   struct fz_parse *p)
{
	if (pos + 2 > p->end)
		return 0;
	if (next == IPPROTO_FRAGMENT) {
		if (pos + FRAG_HDR_LEN > p->end)
			return 0;
		p->frag = true;
		p->later = fz_get16(f + pos + 2) & IPV6_FRAG_OFFSET;
		p->frag_next = f[pos];
		memcpy(&p->frag_id, f + pos + 4, 4);
		return FRAG_HDR_LEN;
	}
	if (next == IPPROTO_AH)
		return (size_t)(f[pos + 1] + 2) * 4;
	return (size_t)(f[pos + 1] + 1) * 8;
}

static int parse_ipv6(const __u8 *f, size_t len, struct fz_parse *p)
{
	const __u8 *h = f + p->l3;
	size_t pos, hl;
	__u8 next;

	if (p->l3 + IPV6_LEN > len)
		return malformed(p, XLB_REASON_IPV6_TRUNCATED);
	if (h[0] >> 4 != 6)
		return malformed(p, XLB_REASON_IPV6_BAD_VERSION);
	if (p->l3 + IPV6_LEN + fz_get16(h + 4) > len)
		return malformed(p, XLB_REASON_IPV6_BAD_LENGTH);
	p->family = XLB_FAMILY_V6;
	p->end = p->l3 + IPV6_LEN + fz_get16(h + 4);
	memcpy(p->src, h + 8, 16);
	memcpy(p->dst, h + 24, 16);
	next = h[6];
	pos = p->l3 + IPV6_LEN;
	for (int n = 0; fz_ipv6_ext(next) && !p->later; n++) {
		if (n == IPV6_EXT_MAX)
			return malformed(p, XLB_REASON_IPV6_EXT_TOO_DEEP);
		hl = ipv6_ext_len(f, pos, next, p);
		if (!hl || pos + hl > p->end)
			return malformed(p, XLB_REASON_IPV6_EXT_TRUNCATED);
		next = f[pos];
		pos += hl;
	}
	p->proto = next;
	p->pclass = ip_class(p->family, next);
	p->l4 = pos;
	return parse_l4(f, p);
}

int fz_parse(const __u8 *f, size_t len, struct fz_parse *p)
{
	__u16 type;
	size_t off = ETH_HLEN;

	memset(p, 0, sizeof(*p));
	p->reason = -1;
	p->family = -1;
	p->end = len;
	if (len < ETH_HLEN)
		return malformed(p, XLB_REASON_ETH_TRUNCATED);
	type = fz_get16(f + 12);
	for (int tags = 0; type == ETH_P_8021Q || type == ETH_P_8021AD;
	     tags++) {
		if (tags == VLAN_MAX)
			return malformed(p, XLB_REASON_VLAN_TOO_DEEP);
		if (off + VLAN_LEN > len)
			return malformed(p, XLB_REASON_VLAN_TRUNCATED);
		type = fz_get16(f + off + 2);
		off += VLAN_LEN;
	}
	p->l3 = off;
	if (type == ETH_P_IP)
		return parse_ipv4(f, len, p);
	if (type == ETH_P_IPV6)
		return parse_ipv6(f, len, p);
	if (type == ETH_P_ARP) {
		if (off + ARP_FIXED_LEN > len)
			return malformed(p, XLB_REASON_ARP_TRUNCATED);
		p->pclass = XLB_PCLASS_ARP;
		return 0;
	}
	p->pclass = XLB_PCLASS_OTHER;
	return 0;
}
