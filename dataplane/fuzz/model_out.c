// SPDX-License-Identifier: GPL-2.0
/*
 * The frame the model expects out of the load balancer: MACs, and for NAT
 * the addresses, ports and checksums. Checksums are summed from scratch,
 * never updated: the checksum a field must hold is the one that keeps the
 * one's complement sum it covers what it was on the way in (a valid
 * checksum stays valid, a wrong one stays as wrong), over the bytes of
 * this frame (an IPv4 header; the pseudo header's addresses and the L4
 * bytes of the datagram: a fragment's share of the sum is all that
 * changes). Such fields compare as one's complement values (0 and 0xffff
 * alike), but a UDP/IPv4 checksum of 0 (none) must stay 0.
 */
#include <string.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "fz_csum.h"
#include "model.h"

#define IPV4_CSUM_OFF 10
#define IPV4_ADDRS_OFF 12
#define IPV6_ADDRS_OFF 8
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6
#define MAC_LEN 6

void fz_out_macs(struct fz_expect *e, const __u8 *dmac, const __u8 *smac)
{
	memcpy(e->out, dmac, MAC_LEN);
	memcpy(e->out + MAC_LEN, smac, MAC_LEN);
}

/* What the L4 checksum covers in this frame: the addresses, the L4 bytes. */
static __u16 l4_sum(const __u8 *f, const struct fz_parse *p, size_t aoff,
		    size_t alen)
{
	return fz_fold(fz_sum16(f + p->l4, p->end - p->l4,
				fz_sum16(f + aoff, 2 * alen, 0)));
}

/*
 * Set the checksum at off so that the sum it covers, now `now` with the
 * field zeroed, is `was` again; and have it compared.
 */
static void csum_set(struct fz_expect *e, size_t off, __u16 was, __u16 now)
{
	fz_put16(e->out + off, fz_fold((__u64)was + (__u16)~now));
	if (e->n_csums < FZ_MAX_CSUMS)
		e->csums[e->n_csums++] = (struct fz_csum){ .off = off };
}

static void ipv4_csum(struct fz_expect *e, const struct fz_parse *p, __u16 was)
{
	__u8 *f = e->out;

	fz_put16(f + p->l3 + IPV4_CSUM_OFF, 0);
	csum_set(e, p->l3 + IPV4_CSUM_OFF, was,
		 fz_fold(fz_sum16(f + p->l3, p->l4 - p->l3, 0)));
}

void fz_out_nat(struct fz_expect *e, const struct fz_parse *p,
		const __be32 *saddr, const __be32 *daddr, __be16 sport,
		__be16 dport, bool ports)
{
	bool v4 = p->family == XLB_FAMILY_V4;
	size_t alen = v4 ? 4 : 16;
	size_t aoff = p->l3 + (v4 ? IPV4_ADDRS_OFF : IPV6_ADDRS_OFF);
	size_t coff =
		p->l4 + (p->proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF);
	__u8 *f = e->out;
	__u16 ip_was = 0, l4_was = 0;
	bool no_sum;

	ports = ports && (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP);
	no_sum = ports && v4 && p->proto == IPPROTO_UDP && !f[coff] &&
		 !f[coff + 1];
	if (v4)
		ip_was = fz_fold(fz_sum16(f + p->l3, p->l4 - p->l3, 0));
	if (ports)
		l4_was = l4_sum(f, p, aoff, alen);
	memcpy(f + aoff, saddr, alen);
	memcpy(f + aoff + alen, daddr, alen);
	if (ports) {
		memcpy(f + p->l4, &sport, sizeof(sport));
		memcpy(f + p->l4 + 2, &dport, sizeof(dport));
	}
	if (v4)
		ipv4_csum(e, p, ip_was);
	if (ports && no_sum) {
		e->csums[e->n_csums++] =
			(struct fz_csum){ .off = coff, .keep_zero = true };
	} else if (ports) {
		fz_put16(f + coff, 0);
		csum_set(e, coff, l4_was, l4_sum(f, p, aoff, alen));
	}
}
