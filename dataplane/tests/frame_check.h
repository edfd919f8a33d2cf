/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the frames the tests get back: where the IP and L4 headers
 * are (IPv6 extension headers followed), the addresses and ports in
 * them, and checksums summed from scratch (not the data plane's
 * incremental updates) to fill in and to check.
 */
#ifndef XLB_TEST_FRAME_CHECK_H
#define XLB_TEST_FRAME_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

/* One's complement sums, from scratch. */
static inline __u32 sum16(const __u8 *p, size_t len, __u32 sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static inline __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Where a frame's IP and L4 headers are (after any IPv6 extensions). */
struct l3 {
	bool v6;
	size_t ip, l4, l4len; /* offsets in the frame, L4 length */
	__u8 proto; /* the L4 protocol */
	__u8 first_proto; /* IPv6: the first next header */
};

static inline bool ipv6_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_FRAGMENT;
}

static inline struct l3 l3_of(const __u8 *f, size_t len)
{
	struct l3 x = { .ip = ETH_HLEN };

	x.v6 = f[12] == 0x86 && f[13] == 0xdd;
	if (!x.v6) {
		x.l4 = ETH_HLEN + (f[ETH_HLEN] & 0xf) * 4;
		x.proto = f[ETH_HLEN + 9];
	} else {
		x.l4 = ETH_HLEN + sizeof(struct ipv6hdr);
		x.proto = x.first_proto = f[ETH_HLEN + 6];
	}
	while (x.v6 && ipv6_ext(x.proto) && x.l4 + 8 <= len) {
		__u8 next = f[x.l4];

		x.l4 += x.proto == IPPROTO_FRAGMENT ? 8 : (f[x.l4 + 1] + 1) * 8;
		x.proto = next;
	}
	x.l4len = len - x.l4;
	return x;
}

/* The sum of an L4 segment and its pseudo header (addrs: src, dst). */
static inline __u16 seg_sum(const __u8 *addrs, bool v6, __u8 proto,
			    const __u8 *seg, size_t len)
{
	__u32 s = sum16(addrs, v6 ? 32 : 8, 0) + proto + len;

	return fold(sum16(seg, len, s));
}

static inline const __u8 *addrs_of(const __u8 *f, const struct l3 *x)
{
	return f + x->ip + (x->v6 ? 8 : 12);
}

/* What a frame's L4 checksum sums to: with a pseudo header but for ICMP. */
static inline __u16 l4_sum(const __u8 *f, const struct l3 *x)
{
	if (x->proto == IPPROTO_ICMP)
		return fold(sum16(f + x->l4, x->l4len, 0));
	return seg_sum(addrs_of(f, x), x->v6, x->proto, f + x->l4, x->l4len);
}

/* Where a frame's L4 checksum is. */
static inline size_t csum_off(const struct l3 *x)
{
	if (x->proto == IPPROTO_TCP)
		return x->l4 + offsetof(struct tcphdr, check);
	if (x->proto == IPPROTO_UDP)
		return x->l4 + offsetof(struct udphdr, check);
	return x->l4 + 2; /* ICMP and ICMPv6 */
}

static inline void put_be16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* Fill in the IPv4 header checksum and the L4 checksum. */
static inline void fill_csums(__u8 *f, size_t len)
{
	struct l3 x = l3_of(f, len);
	__u16 c;

	if (!x.v6) {
		f[x.ip + 10] = f[x.ip + 11] = 0;
		put_be16(f + x.ip + 10, ~fold(sum16(f + x.ip, x.l4 - x.ip, 0)));
	}
	f[csum_off(&x)] = f[csum_off(&x) + 1] = 0;
	c = ~l4_sum(f, &x);
	if (x.proto == IPPROTO_UDP && !c)
		c = 0xffff;
	put_be16(f + csum_off(&x), c);
}

static inline bool ip_csum_ok(const __u8 *f, const struct l3 *x)
{
	return x->v6 || fold(sum16(f + x->ip, x->l4 - x->ip, 0)) == 0xffff;
}

static inline bool csums_ok(const __u8 *f, size_t len)
{
	struct l3 x = l3_of(f, len);

	return ip_csum_ok(f, &x) && l4_sum(f, &x) == 0xffff;
}

/* Where a frame's source and destination addresses are, and their size. */
static inline size_t src_off(const struct l3 *x)
{
	return x->ip + (x->v6 ? offsetof(struct ipv6hdr, saddr) :
				offsetof(struct iphdr, saddr));
}

static inline size_t dst_off(const struct l3 *x)
{
	return x->ip + (x->v6 ? offsetof(struct ipv6hdr, daddr) :
				offsetof(struct iphdr, daddr));
}

static inline size_t addr_len(const struct l3 *x)
{
	return x->v6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

static inline bool addr_is(const __u8 *f, size_t off, const char *want, bool v6)
{
	__u8 a[16];

	inet_pton(v6 ? AF_INET6 : AF_INET, want, a);
	return !memcmp(f + off, a, v6 ? 16 : 4);
}

static inline __u16 port_at(const __u8 *f, size_t off)
{
	return f[off] << 8 | f[off + 1];
}

#endif /* XLB_TEST_FRAME_CHECK_H */
