// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's address plan, in 198.18.0.0/15 and 2001:db8::/32: one /24
 * (IPv6: one /48) per role, so that rules, lists, VIPs and NAT addresses
 * drawn from the pools meet the frames drawn from them. Clients 1 to
 * FZ_NEIGH_CLIENTS of the client pool have a permanent neighbour on xt0
 * (fuzz_net.c), so NAT replies to them are sent; the others of that /24
 * have none (passed), and the far pool has no route at all.
 */
#include <string.h>
#include <arpa/inet.h>

#include "gen.h"

/* The third byte of each pool's addresses (IPv6: the third group). */
static const __u8 pool_net[FZ_POOL_MAX] = {
	[FZ_POOL_CLIENT] = 5,  [FZ_POOL_FAR] = 7,  [FZ_POOL_VIP] = 0,
	[FZ_POOL_BACKEND] = 1, [FZ_POOL_SNAT] = 2, [FZ_POOL_SNAT_POOL] = 4,
};

#define V4_NET 0xc612 /* 198.18 */
#define V6_NET0 0x20010db8u /* 2001:db8 */
/* Random addresses outside the pools: anywhere in 198.18.0.0/15. */
#define V4_RANDOM_BITS 17
#define NEIGH_MAC_LAST 0x10

void fz_addr(int family, enum fz_pool pool, __u32 n, __be32 *addr)
{
	memset(addr, 0, 16);
	if (family == XLB_FAMILY_V4) {
		addr[0] = htonl(V4_NET << 16 | (__u32)pool_net[pool] << 8 |
				(n & 0xff));
		return;
	}
	addr[0] = htonl(V6_NET0);
	addr[1] = htonl((__u32)pool_net[pool] << 16);
	addr[3] = htonl(n);
}

void fz_neigh_mac(__u32 n, __u8 *mac)
{
	static const __u8 base[6] = { 0x02, 0, 0, 0, 0x05, NEIGH_MAC_LAST };

	memcpy(mac, base, sizeof(base));
	mac[5] += (__u8)n;
}

void fz_addr_random(struct fz_rng *r, int family, __be32 *addr)
{
	if (!fz_one_in(r, 4)) {
		fz_addr(family, (enum fz_pool)fz_below(r, FZ_POOL_MAX),
			1 + fz_below(r, 24), addr);
		return;
	}
	memset(addr, 0, 16);
	if (family == XLB_FAMILY_V4) {
		addr[0] = htonl(V4_NET << 16 ^
				(__u32)fz_below(r, 1u << V4_RANDOM_BITS));
		return;
	}
	addr[0] = htonl(V6_NET0);
	for (int i = 1; i < 4; i++)
		addr[i] = (__be32)fz_next(r);
}
