/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * How the load balancer sends a frame on, once it knows where: the NAT
 * rewrite (addresses and ports, checksums updated incrementally), the
 * MAC rewrite, and XDP_TX or XDP_REDIRECT. Shared by the flow cache's
 * inline path and the table path (lb.bpf.h).
 */
#ifndef XLB_LB_FWD_BPF_H
#define XLB_LB_FWD_BPF_H

#include "maps.bpf.h"
#include "parse.bpf.h"
#include "stats.bpf.h"
#include "csum.bpf.h"

#define XLB_TCP_FIN 0x01
#define XLB_TCP_SYN 0x02
#define XLB_TCP_RST 0x04
#define XLB_TCP_ACK 0x10

/*
 * Rewrite the IP addresses to saddr and daddr (IPv4 in [0]), updating
 * the IPv4 header checksum. Returns the checksum difference the change
 * makes to a pseudo header (for the L4 checksum), or -1 when the header
 * is not in the frame (which the parse has already ruled out).
 */
static __always_inline __s64 xlb_nat_rewrite_l3(struct xdp_md *ctx,
						const struct xlb_pkt *pkt,
						const __be32 *saddr,
						const __be32 *daddr)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 diff = 0;

	/* After at most two VLAN tags: the mask bounds the offset. */
	if (pkt->l3_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = data + (pkt->l3_off & 0x3f);

		if ((void *)(iph + 1) > data_end)
			return -1;
		diff = xlb_csum_diff4(diff, iph->saddr, saddr[0]);
		diff = xlb_csum_diff4(diff, iph->daddr, daddr[0]);
		xlb_csum_apply(&iph->check, diff);
		iph->saddr = saddr[0];
		iph->daddr = daddr[0];
	} else {
		struct ipv6hdr *ip6h = data + (pkt->l3_off & 0x3f);
		__be32 *s, *d;

		if ((void *)(ip6h + 1) > data_end)
			return -1;
		s = (__be32 *)&ip6h->saddr;
		d = (__be32 *)&ip6h->daddr;
		for (int i = 0; i < 4; i++) {
			diff = xlb_csum_diff4(diff, s[i], saddr[i]);
			diff = xlb_csum_diff4(diff, d[i], daddr[i]);
			s[i] = saddr[i];
			d[i] = daddr[i];
		}
	}
	/* Sums of at most 8 x 2 words of 32 bits: never negative. */
	return diff;
}

/*
 * Rewrite addresses and ports to saddr, daddr, sport and dport, updating
 * the IPv4 header checksum and the TCP/UDP checksum (which covers the
 * addresses through its pseudo header) incrementally, with one difference
 * for all the words. A UDP/IPv4 checksum of 0 means none and stays 0; a
 * computed 0 is sent as 0xffff. Returns 0, or -1 when the L4 header
 * starts beyond XLB_L4_OFF_MAX (callers check that first, and count it)
 * or is not in the frame; the frame is then unchanged.
 */
static __always_inline int xlb_nat_rewrite(struct xdp_md *ctx,
					   const struct xlb_pkt *pkt,
					   const __be32 *saddr,
					   const __be32 *daddr, __be16 sport,
					   __be16 dport)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 off = pkt->l4_off;
	__sum16 *l4sum = NULL;
	__be16 *ports;
	__s64 diff;

	barrier_var(off);
	if (off > XLB_L4_OFF_MAX)
		return -1;
	ports = data + off;
	if (pkt->l4_proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)ports;

		if ((void *)(th + 1) > data_end)
			return -1;
		l4sum = &th->check;
	} else {
		struct udphdr *uh = (void *)ports;

		if ((void *)(uh + 1) > data_end)
			return -1;
		if (uh->check || pkt->l3_proto == bpf_htons(ETH_P_IPV6))
			l4sum = &uh->check;
	}
	diff = xlb_nat_rewrite_l3(ctx, pkt, saddr, daddr);
	if (diff < 0)
		return -1;
	if (l4sum) {
		/* The pseudo header's addresses, then the ports. */
		diff = xlb_csum_diff2(diff, ports[0], sport);
		diff = xlb_csum_diff2(diff, ports[1], dport);
		xlb_csum_apply(l4sum, diff);
		if (pkt->l4_proto == IPPROTO_UDP && !*l4sum)
			*l4sum = 0xffff;
	}
	ports[0] = sport;
	ports[1] = dport;
	return 0;
}

/* 16 bits of a MAC address, which may alias bytes. */
typedef __u16 __attribute__((may_alias)) xlb_mac_word;

/*
 * Write the two MACs as 16-bit words: a memcpy of byte arrays becomes
 * twelve byte loads and stores (clang 14). MACs in the maps (struct
 * xlb_backend, struct xlb_flow_cache, struct bpf_fib_lookup) are at
 * even offsets, and so is the frame's start (NET_IP_ALIGN at most 2).
 */
static __always_inline void xlb_put_macs(struct ethhdr *eth, const __u8 *dmac,
					 const __u8 *smac)
{
	xlb_mac_word *d = (xlb_mac_word *)eth;
	const xlb_mac_word *dm = (const xlb_mac_word *)dmac;
	const xlb_mac_word *sm = (const xlb_mac_word *)smac;

	d[0] = dm[0];
	d[1] = dm[1];
	d[2] = dm[2];
	d[3] = sm[0];
	d[4] = sm[1];
	d[5] = sm[2];
}

/*
 * Leave through the next hop of ifindex with these MACs. An egress port
 * missing from xlb_tx_ports (an interface gone since the next hop was
 * learnt) aborts the packet, counted.
 */
static __always_inline __u32 xlb_send(struct xdp_md *ctx, __u32 ifindex,
				      const __u8 *dmac, const __u8 *smac)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return xlb_abort(XLB_REASON_LB_REWRITE_TRUNCATED);
	xlb_put_macs(eth, dmac, smac);
	if (ifindex == ctx->ingress_ifindex)
		return XLB_VERDICT_TX;
	if (bpf_redirect_map(&xlb_tx_ports, ifindex, 0) == XDP_REDIRECT)
		return XLB_VERDICT_REDIRECT;
	return xlb_abort(XLB_REASON_LB_TX_PORT_MISSING);
}

/*
 * Send the frame to backend b (id), whose next hop is resolved, and
 * count it for the backend and in vs (its VIP's counters, if any). DSR
 * (snat NULL) rewrites the MACs only; NAT also sends it from LB address
 * snat and the flow's port to the backend's address and port.
 */
static __always_inline __u32 xlb_deliver(struct xdp_md *ctx,
					 const struct xlb_pkt *pkt,
					 const struct xlb_backend *b, __u32 id,
					 struct xlb_vip_stats *vs,
					 const __be32 *snat, __be16 nat_port,
					 __u64 bytes)
{
	struct xlb_backend_stats *bs;

	if (snat && xlb_nat_rewrite(ctx, pkt, snat, b->addr, nat_port,
				    b->port ? b->port : pkt->dport))
		return xlb_abort(XLB_REASON_LB_REWRITE_TRUNCATED);
	if (vs)
		xlb_ctr_add(&vs->fwd, bytes);
	bs = bpf_map_lookup_elem(&xlb_backend_stats, &id);
	if (bs)
		xlb_ctr_add(&bs->fwd, bytes);
	return xlb_send(ctx, b->ifindex, b->dmac, b->smac);
}

#endif /* XLB_LB_FWD_BPF_H */
