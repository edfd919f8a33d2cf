/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the load balancer benchmarks: medians, checksums of
 * a fixture frame, and load balancer state written straight into the
 * maps of a loaded xlb skeleton (backends, VIPs with their rings and
 * hints), the way xlbd would leave it.
 */
#ifndef XLB_BENCH_UTIL_H
#define XLB_BENCH_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lb_hints.h"
#include "xlb_abi.h"
#include "xlb.skel.h"

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of n values (sorts them). */
static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline __u32 bench_sum16(const __u8 *p, size_t n, __u32 sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n % 2)
		sum += p[n - 1] << 8;
	return sum;
}

static inline __u16 bench_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * Fill in the IPv4 header checksum and the TCP or UDP checksum of an
 * untagged frame without extension headers or options (what frame_build
 * makes for the benchmarks), so rewrites update real checksums.
 */
static inline void bench_fill_csums(__u8 *f, size_t len)
{
	bool v6 = f[12] == 0x86 && f[13] == 0xdd;
	size_t l3 = ETH_HLEN, l4 = l3 + (v6 ? 40 : 20), alen = v6 ? 16 : 4;
	__u8 proto = v6 ? f[l3 + 6] : f[l3 + 9];
	size_t csum_at = l4 + (proto == IPPROTO_TCP ? 16 : 6);
	__u32 sum;
	__u16 c;

	if (!v6) {
		f[l3 + 10] = f[l3 + 11] = 0;
		c = bench_fold(bench_sum16(f + l3, 20, 0));
		f[l3 + 10] = c >> 8;
		f[l3 + 11] = c;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return;
	f[csum_at] = f[csum_at + 1] = 0;
	sum = bench_sum16(f + l3 + (v6 ? 8 : 12), 2 * alen, 0);
	sum += proto + (len - l4);
	c = bench_fold(bench_sum16(f + l4, len - l4, sum));
	if (!c && proto == IPPROTO_UDP)
		c = 0xffff;
	f[csum_at] = c >> 8;
	f[csum_at + 1] = c;
}

static inline __u8 bench_family(const char *addr, __be32 *out)
{
	bool v6 = strchr(addr, ':') != NULL;

	inet_pton(v6 ? AF_INET6 : AF_INET, addr, out);
	return v6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
}

/*
 * Backends first .. first + n - 1, resolved, behind ifindex: addresses
 * prefix + 1, + 2, ... (the last byte), and for NAT the LB's snat
 * address and the backends' port.
 */
static inline int bench_put_backends(struct xlb *skel, __u32 first, __u32 n,
				     const char *prefix, __u32 ifindex,
				     const __u8 *dmac, const __u8 *smac,
				     const char *snat, __u16 port)
{
	int fd = bpf_map__fd(skel->maps.xlb_backends);

	for (__u32 i = 0; i < n; i++) {
		struct xlb_backend b = {
			.flags = XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED,
			.ifindex = ifindex,
			.port = htons(port),
		};
		__u32 id = first + i;

		b.family = bench_family(prefix, b.addr);
		((__u8 *)b.addr)[b.family == XLB_FAMILY_V6 ? 15 : 3] = i + 1;
		memcpy(b.dmac, dmac, ETH_ALEN);
		memcpy(b.smac, smac, ETH_ALEN);
		if (snat)
			bench_family(snat, b.snat);
		if (bpf_map_update_elem(fd, &id, &b, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* VIP `id`: its ring shared among backends first .. first + n - 1. */
static inline int bench_put_ring(struct xlb *skel, __u32 id, __u32 first,
				 __u32 n)
{
	static __u32 keys[XLB_RING_SIZE], vals[XLB_RING_SIZE];
	__u32 count = XLB_RING_SIZE;

	for (__u32 i = 0; i < XLB_RING_SIZE; i++) {
		keys[i] = id * XLB_RING_SIZE + i;
		vals[i] = n ? first + i % n : XLB_NO_BACKEND;
	}
	if (bpf_map_update_batch(bpf_map__fd(skel->maps.xlb_ring), keys, vals,
				 &count, NULL))
		return -errno;
	return 0;
}

/* The VIP key of addr:port/proto. */
static inline struct xlb_vip_key bench_vip_key(const char *addr, __u16 port,
					       __u8 proto)
{
	struct xlb_vip_key k = { .port = htons(port), .proto = proto };

	k.family = bench_family(addr, k.addr);
	return k;
}

/* The interface record that runs the load balancer on ifindex. */
static inline int bench_put_iface(struct xlb *skel, __u32 ifindex)
{
	struct xlb_iface ifc = { .stages = XLB_STAGE_LB,
				 .attach = XLB_ATTACH_XDP_NATIVE,
				 .active = 1 };

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ifaces), &ifindex,
				&ifc, BPF_ANY))
		return -errno;
	return 0;
}

#endif /* XLB_BENCH_UTIL_H */
