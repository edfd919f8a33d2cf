// SPDX-License-Identifier: GPL-2.0
/*
 * Frames from their parts (struct fz_pkt): Ethernet, VLAN tags, then ARP,
 * another ethertype's bytes, or an IP datagram: IPv4 with options and
 * fragment fields, or IPv6 with its extension chain (hop-by-hop, routing,
 * destination options, AH, Fragment); TCP, UDP, ICMP or another
 * protocol's bytes; an ICMP error's inner packet; random payload; link
 * padding. Lengths and checksums are filled in from scratch, the L4 ones
 * over what this datagram (or fragment) holds.
 */
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "fz_csum.h"
#include "gen.h"

#define ETH_ADDRS_LEN 12
#define VLAN_LEN 4
#define ARP_LEN 28
#define IPV4_LEN 20
#define IPV6_LEN 40
#define FRAG_LEN 8
#define TCP_LEN 20
#define UDP_LEN 8
#define ICMP_LEN 8
#define IP_MF 0x2000
#define IPV6_MF 1
#define DEFAULT_TTL 64
#define TCP_DOFF_PLAIN 5
#define TCP_WINDOW 0x7210
#define IPOPT_NOOP 1
/* Room an inner packet needs: its IP header, options or extensions. */
#define INNER_ROOM 128

static const __u8 src_mac[ETH_ALEN] = { 0x02, 0xcc, 0, 0, 0, 0x01 };
static const __u8 dst_mac[ETH_ALEN] = { 0x02, 0xaa, 0, 0, 0, 0x01 };

static void random_bytes(struct fz_rng *r, __u8 *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (__u8)fz_next(r);
}

/* The L4 header of p, whole, in h: its length. */
static size_t l4_header(const struct fz_pkt *p, struct fz_rng *r, __u8 *h)
{
	__u8 icmp = p->family == XLB_FAMILY_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	memset(h, 0, TCP_LEN);
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		memcpy(h, &p->sport, 2);
		memcpy(h + 2, &p->dport, 2);
	}
	if (p->proto == IPPROTO_TCP) {
		random_bytes(r, h + 4, TCP_LEN - 4);
		h[12] = TCP_DOFF_PLAIN << 4;
		h[13] = p->tcp_flags;
		fz_put16(h + 14, TCP_WINDOW);
		return TCP_LEN;
	}
	if (p->proto == IPPROTO_UDP)
		return UDP_LEN;
	if (p->proto != icmp)
		return 0;
	random_bytes(r, h + 4, 4);
	h[0] = p->icmp_type;
	h[1] = p->icmp_code;
	return ICMP_LEN;
}

/*
 * The L4 header (or the first l4_cut bytes of it), an ICMP error's inner
 * packet, the payload: as much of them as room holds.
 */
static size_t put_l4(const struct fz_pkt *p, struct fz_rng *r, __u8 *b,
		     size_t room)
{
	__u8 h[TCP_LEN];
	size_t n = l4_header(p, r, h), in;

	if (p->l4_cut && p->l4_cut < n)
		n = p->l4_cut;
	if (n > room)
		n = room;
	memcpy(b, h, n);
	if (p->inner && n == ICMP_LEN && room - n >= INNER_ROOM) {
		in = fz_build_ip(p->inner, r, b + n, room - n);
		if (p->inner_len && p->inner_len < in)
			in = p->inner_len;
		n += in;
	}
	if (n + p->payload > room)
		return n;
	random_bytes(r, b + n, p->payload);
	return n + p->payload;
}

/* Fill the L4 checksum over [l4, end) with the pseudo header's addrs. */
static void l4_csum(const struct fz_pkt *p, __u8 *b, size_t l4, size_t end,
		    const __u8 *addrs, size_t alen)
{
	__u8 icmp = p->family == XLB_FAMILY_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	size_t off;
	__u64 s = 0;

	if (p->frag == FZ_FRAG_LATER)
		return;
	if (p->proto == IPPROTO_TCP)
		off = 16;
	else if (p->proto == IPPROTO_UDP)
		off = 6;
	else if (p->proto == icmp)
		off = 2;
	else
		return;
	if (l4 + off + 2 > end)
		return;
	if (p->proto == IPPROTO_UDP)
		fz_put16(b + l4 + 4, (__u16)(end - l4));
	fz_put16(b + l4 + off, 0);
	if (p->proto == IPPROTO_UDP && p->no_udp_sum &&
	    p->family == XLB_FAMILY_V4)
		return;
	if (p->proto != IPPROTO_ICMP)
		s = fz_sum16(addrs, 2 * alen, p->proto + (end - l4));
	s = (__u16)~fz_fold(fz_sum16(b + l4, end - l4, s));
	if (!s && p->proto == IPPROTO_UDP)
		s = 0xffff;
	fz_put16(b + l4 + off, (__u16)s);
}

static size_t put_ipv4(const struct fz_pkt *p, struct fz_rng *r, __u8 *b,
		       size_t room)
{
	size_t hlen = IPV4_LEN + p->optlen, n;
	__u16 frag = 0;

	memset(b, 0, hlen);
	b[0] = 0x40 | (__u8)(hlen / 4);
	random_bytes(r, b + 1, 1);
	b[8] = DEFAULT_TTL;
	b[9] = p->proto;
	memcpy(b + 12, p->src, 4);
	memcpy(b + 16, p->dst, 4);
	memset(b + IPV4_LEN, IPOPT_NOOP, p->optlen);
	if (p->frag == FZ_FRAG_FIRST)
		frag = IP_MF;
	else if (p->frag == FZ_FRAG_LATER)
		frag = p->frag_off;
	fz_put16(b + 4, (__u16)p->frag_id);
	fz_put16(b + 6, frag);
	if (p->frag == FZ_FRAG_LATER) {
		n = p->payload < room - hlen ? p->payload : room - hlen;
		random_bytes(r, b + hlen, n);
	} else {
		n = put_l4(p, r, b + hlen, room - hlen);
	}
	fz_put16(b + 2, (__u16)(hlen + n));
	fz_put16(b + 10, (__u16)~fz_fold(fz_sum16(b, hlen, 0)));
	l4_csum(p, b, hlen, hlen + n, b + 12, 4);
	return hlen + n;
}

static size_t ext_len(__u8 t, __u8 units)
{
	if (t == IPPROTO_FRAGMENT)
		return FRAG_LEN;
	if (t == IPPROTO_AH)
		return (size_t)(units + 2) * 4;
	return (size_t)(units + 1) * 8;
}

/* An extension header of type t, `units` long, followed by next. */
static size_t put_ext(const struct fz_pkt *p, struct fz_rng *r, __u8 *b, __u8 t,
		      __u8 units, __u8 next)
{
	size_t len = ext_len(t, units);

	memset(b, 0, len);
	if (t == IPPROTO_FRAGMENT) {
		fz_put16(b + 2,
			 p->frag == FZ_FRAG_LATER ?
				 (__u16)(p->frag_off << 3) :
				 (p->frag == FZ_FRAG_FIRST ? IPV6_MF : 0));
		memcpy(b + 4, &p->frag_id, 4);
	} else {
		b[1] = units;
		if (t == IPPROTO_AH)
			random_bytes(r, b + 4, len - 4);
	}
	b[0] = next;
	return len;
}

static size_t put_ipv6(const struct fz_pkt *p, struct fz_rng *r, __u8 *b,
		       size_t room)
{
	size_t n = IPV6_LEN, l4;
	bool later = p->frag == FZ_FRAG_LATER;
	int i;

	memset(b, 0, IPV6_LEN);
	b[0] = 0x60;
	b[6] = p->n_ext ? p->ext[0] : p->proto;
	b[7] = DEFAULT_TTL;
	memcpy(b + 8, p->src, 16);
	memcpy(b + 24, p->dst, 16);
	for (i = 0; i < p->n_ext; i++) {
		bool last = i + 1 == p->n_ext;
		__u8 next = last ? p->proto : p->ext[i + 1];

		if (n + ext_len(p->ext[i], p->ext_units[i]) > room)
			break;

		if (later && p->ext[i] == IPPROTO_FRAGMENT)
			next = p->frag_next;
		n += put_ext(p, r, b + n, p->ext[i], p->ext_units[i], next);
		if (later && p->ext[i] == IPPROTO_FRAGMENT)
			break;
	}
	l4 = n;
	if (later && i < p->n_ext) {
		size_t k = p->payload < room - n ? p->payload : room - n;

		random_bytes(r, b + n, k);
		n += k;
	} else {
		n += put_l4(p, r, b + n, room - n);
	}
	fz_put16(b + 4, (__u16)(n - IPV6_LEN));
	l4_csum(p, b, l4, n, b + 8, 16);
	return n;
}

size_t fz_build_ip(const struct fz_pkt *p, struct fz_rng *r, __u8 *buf,
		   size_t room)
{
	if (p->family == XLB_FAMILY_V4)
		return put_ipv4(p, r, buf, room);
	return put_ipv6(p, r, buf, room);
}

size_t fz_build(const struct fz_pkt *p, struct fz_rng *r, __u8 *buf,
		size_t room)
{
	__u16 type = p->ethertype;
	size_t n = ETH_HLEN, len;

	if (p->arp)
		type = ETH_P_ARP;
	else if (p->family >= 0)
		type = p->family == XLB_FAMILY_V4 ? ETH_P_IP : ETH_P_IPV6;
	memcpy(buf, dst_mac, ETH_ALEN);
	memcpy(buf + ETH_ALEN, src_mac, ETH_ALEN);
	fz_put16(buf + ETH_ADDRS_LEN, p->vlans ? p->tpid[0] : type);
	for (int i = 0; i < p->vlans; i++) {
		fz_put16(buf + n, (__u16)fz_below(r, 4096));
		fz_put16(buf + n + 2, i + 1 < p->vlans ? p->tpid[i + 1] : type);
		n += VLAN_LEN;
	}
	if (p->arp)
		len = ARP_LEN;
	else if (p->family < 0)
		len = p->payload;
	else
		len = fz_build_ip(p, r, buf + n, room - n - p->pad);
	if (p->family < 0)
		random_bytes(r, buf + n, len);
	if (p->arp && p->arp_cut)
		len = p->arp_cut - 1;
	n += len;
	random_bytes(r, buf + n, p->pad);
	return n + p->pad;
}
