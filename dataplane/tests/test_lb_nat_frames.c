// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: NAT frames the rewrite must not get wrong. L4 headers far
 * into the frame (IPv6 destination options): rewritten at the right
 * bytes up to XLB_L4_OFF_MAX, passed unchanged and counted beyond it;
 * the same for an ICMP error whose packet lies beyond 512 bytes (DSR:
 * it goes to its flow's backend). Fragmented replies from a backend
 * (IPv4 and IPv6): each fragment translated, the datagram's checksum
 * right once reassembled; a later fragment without its first passed
 * and counted. Every frame out is compared byte for byte with one built
 * afresh, checksums summed from scratch.
 */
#include "nat_fixture.h"

#define ROUTER6 "2001:db8:77::1"
#define BACKEND4 "198.18.2.2"
#define BACKEND6 "2001:db8:2::2"
/* Options putting L4 at 598, 998 and 1022 bytes (Ethernet and IPv6
 * headers are 54), and at 1030, beyond XLB_L4_OFF_MAX. */
#define EXT_598 544
#define EXT_998 944
#define EXT_1022 968
#define EXT_1030 976
#define PAYLOAD 40
/* IPv4's fragment offset field: more fragments, the offset (8 bytes). */
#define IP_MF 0x2000
#define IP_OFFSET_MASK 0x1fff
/* IPv6's fragment header: the offset's field, its M flag. */
#define IP6_OFFSET_MASK 0xfff8
#define IP6_MF 1

_Static_assert(ETH_HLEN + 40 + EXT_1022 <= XLB_L4_OFF_MAX &&
		       ETH_HLEN + 40 + EXT_1030 > XLB_L4_OFF_MAX,
	       "EXT_1022 within the limit, EXT_1030 beyond it");

/* p through its NAT VIP to backend bid and back, as built afresh. */
static void round_trip(const char *what, const struct frame_spec *p,
		       const char *snat, const char *backend, __u8 bid)
{
	__u8 out[LB_FRAME_MAX];
	struct nat_sent s;
	int verdict = nat_send(p, &s);

	if (!check(verdict == XDP_TX, "%s: verdict %d", what, verdict))
		return;
	check(is_request(s.frame, s.len, p, snat, s.lport, backend, BPORT, bid),
	      "%s: the request as it must leave", what);
	check(nat_answer(&s, 0, out) == XDP_REDIRECT &&
		      is_answer(out, s.len, p, 0),
	      "%s: the reply as it must leave", what);
}

static void test_long_headers(void)
{
	struct frame_spec tcp = { CLIENT6,
				  "2001:db8::20",
				  IPPROTO_TCP,
				  42400,
				  80,
				  .tcp_flags = TCP_ACK,
				  .ext_len = EXT_598,
				  .payload = PAYLOAD };
	struct frame_spec udp = {
		CLIENT6, "2001:db8::21",     IPPROTO_UDP,	42401,
		53,	 .ext_len = EXT_998, .payload = PAYLOAD
	};
	struct frame_spec max = tcp;

	round_trip("TCP at 598", &tcp, SNAT6, BACKEND6, B_NAT6);
	round_trip("UDP at 998", &udp, SNAT6, BACKEND6, B_NAT6);
	max.sport = 42402;
	max.ext_len = EXT_1022;
	round_trip("TCP at 1022", &max, SNAT6, BACKEND6, B_NAT6);
}

/* Beyond XLB_L4_OFF_MAX, a request or a reply is passed as it came. */
static void test_too_long(void)
{
	struct frame_spec p = {
		CLIENT6, "2001:db8::20",       IPPROTO_TCP,	  42410,
		80,	 .tcp_flags = TCP_ACK, .payload = PAYLOAD
	};
	struct frame_spec rep = { BACKEND6,
				  SNAT6,
				  IPPROTO_TCP,
				  BPORT,
				  0,
				  .tcp_flags = TCP_ACK,
				  .ext_len = EXT_1030,
				  .payload = PAYLOAD };
	struct frame_spec req = p;
	__u8 in[LB_FRAME_MAX];
	struct nat_sent s;
	size_t len;

	req.ext_len = EXT_1030;
	len = frame_build(in, &req);
	fill_csums(in, len);
	expect_frame("request beyond the limit", in, len, XDP_PASS,
		     XLB_REASON_LB_HEADERS_TOO_LONG);
	if (!check(nat_send(&p, &s) == XDP_TX, "the flow, short headers"))
		return;
	rep.dport = s.lport;
	len = frame_build(in, &rep);
	fill_csums(in, len);
	expect_frame("reply beyond the limit", in, len, XDP_PASS,
		     XLB_REASON_LB_HEADERS_TOO_LONG);
}

/*
 * An ICMPv6 error (packet too big) from a router about what the
 * backend sent from the VIP to client p, its ICMP header behind ext
 * bytes of options.
 */
static size_t icmp_error(__u8 *buf, const struct frame_spec *p, __u16 ext)
{
	struct frame_spec inner = { p->dst,   p->src,	p->proto,
				    p->dport, p->sport, .tcp_flags = TCP_ACK };
	struct frame_spec outer = { ROUTER6, p->dst, IPPROTO_ICMPV6,
				    .icmp_type = 2, .ext_len = ext };
	__u8 ib[LB_FRAME_MAX];
	size_t ilen = frame_build(ib, &inner) - ETH_HLEN, n;

	outer.payload = ilen;
	n = frame_build(buf, &outer);
	memcpy(buf + n - ilen, ib + ETH_HLEN, ilen);
	fill_csums(buf, n);
	return n;
}

static void test_icmp_far(void)
{
	struct frame_spec p = { CLIENT6, "2001:db8::10", IPPROTO_TCP, 42420,
				443 };
	__u8 in[LB_FRAME_MAX];
	size_t len;

	check(expect_tx("the DSR flow", &p) == B_DSR6, "on its backend");
	len = icmp_error(in, &p, EXT_598);
	check(expect_macs_only("ICMP error at 598", in, len) == B_DSR6,
	      "the error goes to the flow's backend");
	len = icmp_error(in, &p, EXT_1030);
	expect_frame("ICMP error beyond the limit", in, len, XDP_PASS,
		     XLB_REASON_LB_HEADERS_TOO_LONG);
}

/* The IP header of a frame without options or extension headers. */
static size_t ip_hlen(bool v6)
{
	return v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
}

/*
 * Frame f's datagram cut into fragments of id `id` (IPv4: its lower
 * half), its L4 data at
 * offsets cuts[0] (0) .. cuts[n - 1] (multiples of 8): each in
 * frags[i], lens[i] bytes.
 */
static void fragment(const __u8 *f, size_t len, const size_t *cuts, int n,
		     __u32 id, __u8 (*frags)[LB_FRAME_MAX], size_t *lens)
{
	bool v6 = f[12] == 0x86 && f[13] == 0xdd;
	size_t hl = ETH_HLEN + ip_hlen(v6), fh = v6 ? 8 : 0;

	for (int i = 0; i < n; i++) {
		size_t end = i + 1 < n ? cuts[i + 1] : len - hl;
		size_t dlen = end - cuts[i];
		__u16 units = cuts[i] / 8;
		bool more = i + 1 < n;
		__u8 *g = frags[i];

		memcpy(g, f, hl);
		memcpy(g + hl + fh, f + hl + cuts[i], dlen);
		lens[i] = hl + fh + dlen;
		if (v6) {
			put_be16(g + ETH_HLEN + 4, fh + dlen);
			g[ETH_HLEN + 6] = IPPROTO_FRAGMENT;
			memset(g + hl, 0, fh);
			g[hl] = f[ETH_HLEN + 6];
			put_be16(g + hl + 2, units << 3 | (more ? IP6_MF : 0));
			put_be16(g + hl + 4, id >> 16);
			put_be16(g + hl + 6, id);
			continue;
		}
		put_be16(g + ETH_HLEN + 2, ip_hlen(v6) + dlen);
		put_be16(g + ETH_HLEN + 4, id);
		put_be16(g + ETH_HLEN + 6, units | (more ? IP_MF : 0));
		g[ETH_HLEN + 10] = g[ETH_HLEN + 11] = 0;
		put_be16(g + ETH_HLEN + 10,
			 ~fold(sum16(g + ETH_HLEN, ip_hlen(v6), 0)));
	}
}

/*
 * Put fragments back together: does their UDP checksum hold? ext: bytes
 * of extension headers before the UDP header, in the first fragment.
 */
static bool reassembled_ok(__u8 (*frags)[LB_FRAME_MAX], const size_t *lens,
			   int n, size_t ext)
{
	static __u8 seg[LB_FRAME_MAX];
	bool v6 = frags[0][12] == 0x86 && frags[0][13] == 0xdd;
	size_t hl = ETH_HLEN + ip_hlen(v6) + (v6 ? 8 : 0), seglen = 0;
	struct l3 x = l3_of(frags[0], lens[0]);

	for (int i = 0; i < n; i++) {
		const __u8 *g = frags[i];
		__u16 fo = port_at(g, v6 ? ETH_HLEN + 42 : ETH_HLEN + 6);
		size_t off = v6 ? (fo & IP6_OFFSET_MASK) :
				  (fo & IP_OFFSET_MASK) * 8;

		memcpy(seg + off, g + hl, lens[i] - hl);
		if (off + lens[i] - hl > seglen)
			seglen = off + lens[i] - hl;
	}
	return seg_sum(addrs_of(frags[0], &x), v6, IPPROTO_UDP, seg + ext,
		       seglen - ext) == 0xffff;
}

#define FRAGS 3

/*
 * A flow through VIP vip from client p; the backend's reply, of PAYLOAD
 * x 5 bytes after ext bytes of IPv6 destination options, comes back in
 * FRAGS fragments (the options in the first): each must leave as the
 * fragments of the reply built afresh, translated, would.
 */
static void frag_case(const char *what, struct frame_spec p,
		      const char *backend, const char *snat, __u16 ext)
{
	static __u8 in[FRAGS][LB_FRAME_MAX], want[FRAGS][LB_FRAME_MAX];
	static __u8 out[FRAGS][LB_FRAME_MAX];
	const size_t cuts[FRAGS] = { 0, 96, 192 };
	struct frame_spec rep = {
		backend, snat,		 IPPROTO_UDP,		BPORT,
		0,	 .ext_len = ext, .payload = 5 * PAYLOAD
	};
	struct frame_spec back = p;
	__u8 whole[LB_FRAME_MAX];
	size_t lens[FRAGS], wlens[FRAGS], len;
	struct nat_sent s;

	if (!check(nat_send(&p, &s) == XDP_TX, "%s: the flow", what))
		return;
	rep.dport = s.lport;
	len = frame_build(whole, &rep);
	fill_csums(whole, len);
	fragment(whole, len, cuts, FRAGS, 0x4242, in, lens);
	back.src = p.dst;
	back.dst = p.src;
	back.sport = p.dport;
	back.dport = p.sport;
	back.payload = rep.payload;
	back.ext_len = ext;
	len = frame_build(whole, &back);
	fill_csums(whole, len);
	memcpy(whole, client_mac, ETH_ALEN);
	memcpy(whole + ETH_ALEN, reply_mac, ETH_ALEN);
	fragment(whole, len, cuts, FRAGS, 0x4242, want, wlens);
	for (int i = 0; i < FRAGS; i++) {
		__u32 out_len = LB_FRAME_MAX;
		struct l3 x;

		check(run(in[i], lens[i], out[i], &out_len) == XDP_REDIRECT &&
			      out_len == wlens[i],
		      "%s: fragment %d sent on", what, i);
		x = l3_of(out[i], out_len);
		check(ip_csum_ok(out[i], &x), "%s: fragment %d's IP checksum",
		      what, i);
		check(!memcmp(out[i], want[i], wlens[i]),
		      "%s: fragment %d as it must leave", what, i);
	}
	check(reassembled_ok(out, wlens, FRAGS, ext),
	      "%s: reassembled, the UDP checksum holds", what);
}

static void test_frag_replies(void)
{
	frag_case("IPv4",
		  (struct frame_spec){ CLIENT4, "198.18.0.22", IPPROTO_UDP,
				       42430, 53 },
		  BACKEND4, SNAT4, 0);
	frag_case("IPv6",
		  (struct frame_spec){ CLIENT6, "2001:db8::21", IPPROTO_UDP,
				       42431, 53 },
		  BACKEND6, SNAT6, 0);
	/* The later fragments' Fragment headers name the options, which
	 * only the first holds. */
	frag_case("IPv6, options after the fragment header",
		  (struct frame_spec){ CLIENT6, "2001:db8::21", IPPROTO_UDP,
				       42432, 53 },
		  BACKEND6, SNAT6, 8);
}

/* A later fragment of a reply whose first never came: passed, counted. */
static void test_frag_unmatched(void)
{
	static __u8 in[2][LB_FRAME_MAX];
	const size_t cuts[2] = { 0, 16 };
	struct frame_spec v4 = { BACKEND4,	    SNAT4,
				 IPPROTO_UDP,	    BPORT,
				 XLB_NAT_PORT_BASE, .payload = PAYLOAD };
	struct frame_spec v6 = v4;
	__u8 whole[LB_FRAME_MAX];
	size_t lens[2], len;

	v6.src = BACKEND6;
	v6.dst = SNAT6;
	for (int i = 0; i < 2; i++) {
		len = frame_build(whole, i ? &v6 : &v4);
		fill_csums(whole, len);
		fragment(whole, len, cuts, 2, 0x5151, in, lens);
		expect_frame(i ? "IPv6" : "IPv4", in[1], lens[1], XDP_PASS,
			     XLB_REASON_LB_NAT_FRAG_UNMATCHED);
	}
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "nat: L4 at 598, 998, 1022 bytes: rewritten in place",
		  test_long_headers },
		{ "nat: L4 beyond the limit: passed as it came, counted",
		  test_too_long },
		{ "dsr: ICMP error beyond 512 bytes follows its flow",
		  test_icmp_far },
		{ "nat: fragmented replies translated, reassemble right",
		  test_frag_replies },
		{ "nat: a later fragment without its first: passed, counted",
		  test_frag_unmatched },
	};

	return nat_test_main("test_lb_nat_frames", tests,
			     sizeof(tests) / sizeof(*tests));
}
