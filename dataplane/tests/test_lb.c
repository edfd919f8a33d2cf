// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: the load balancer stage in DSR mode. A fixture table of
 * frames in, verdict expected, frame expected out byte for byte (in DSR
 * only the MACs change), plus the state the stage leaves: which
 * connection table holds the flow, which backend, and the counters. The
 * rings are filled here directly (the daemon's Maglev is tested on its
 * own); backends sit behind loopback, the test run's ingress interface,
 * so forwarding is XDP_TX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "lb_hints.h"
#include "maps.h"
#include "xlb_abi.h"
#include "fixture.h"
#include "frames.h"

#define LO_IFINDEX 1
#define N_BACKENDS 3

static struct xlb *skel;

static const __u8 next_hop[ETH_ALEN] = { 0x02, 0xbb, 0, 0, 0, 0 };
static const __u8 our_mac[ETH_ALEN] = { 0x02, 0xaa, 0, 0, 0, 1 };

/* VIP ids. */
enum { VIP_TCP, VIP_ALLPORTS, VIP_V6, VIP_EMPTY };

static int fd_of(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

static int put_backend(__u32 id, const char *addr, __u8 flags)
{
	struct xlb_backend b = { .flags = flags, .ifindex = LO_IFINDEX };

	b.family = strchr(addr, ':') ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	inet_pton(b.family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET, addr, b.addr);
	memcpy(b.dmac, next_hop, ETH_ALEN);
	b.dmac[5] = id;
	memcpy(b.smac, our_mac, ETH_ALEN);
	return bpf_map_update_elem(fd_of(skel->maps.xlb_backends), &id, &b,
				   BPF_ANY);
}

static int put_vip(__u32 id, const char *addr, __u16 port, __u8 proto)
{
	struct xlb_vip_key k = { .port = htons(port), .proto = proto };
	struct xlb_vip v = { .id = id, .mode = XLB_MODE_DSR };

	k.family = strchr(addr, ':') ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	inet_pton(k.family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET, addr, k.addr);
	return bpf_map_update_elem(fd_of(skel->maps.xlb_vips), &k, &v, BPF_ANY);
}

/* Fill a VIP's ring: slot i -> first + i % n (XLB_NO_BACKEND if n 0). */
static int put_ring(__u32 vip, __u32 first, __u32 n)
{
	__u32 *keys = calloc(XLB_RING_SIZE, sizeof(*keys));
	__u32 *vals = calloc(XLB_RING_SIZE, sizeof(*vals));
	__u32 count = XLB_RING_SIZE;
	int ret;

	if (!keys || !vals)
		return -ENOMEM;
	for (__u32 i = 0; i < XLB_RING_SIZE; i++) {
		keys[i] = vip * XLB_RING_SIZE + i;
		vals[i] = n ? first + i % n : XLB_NO_BACKEND;
	}
	ret = bpf_map_update_batch(fd_of(skel->maps.xlb_ring), keys, vals,
				   &count, NULL);
	free(keys);
	free(vals);
	return ret;
}

/* Run a frame through XDP; *out gets the frame as it left. */
static int run(const __u8 *in, size_t len, __u8 *out, __u32 *out_len)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = LO_IFINDEX };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = out, .data_size_out = *out_len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xlb_xdp),
					 &opts);

	if (!check(!err, "test run: %s", strerror(-err)))
		return -1;
	*out_len = opts.data_size_out;
	return opts.retval;
}

static __u64 reason(enum xlb_reason r)
{
	__u64 all[XLB_REASON_MAX];

	if (maps_reasons_read(fd_of(skel->maps.xlb_reasons), all))
		return ~0ull;
	return all[r];
}

static void flow_of(const struct frame_spec *p, struct xlb_flow_key *fk)
{
	bool v6 = strchr(p->src, ':') != NULL;

	memset(fk, 0, sizeof(*fk));
	fk->family = v6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	inet_pton(v6 ? AF_INET6 : AF_INET, p->src, fk->src);
	inet_pton(v6 ? AF_INET6 : AF_INET, p->dst, fk->dst);
	fk->sport = htons(p->sport);
	fk->dport = htons(p->dport);
	fk->proto = p->proto;
}

/* Where a flow is held: 0 nowhere, 1 xlb_syns, 2 xlb_conns. */
static int table_of(const struct frame_spec *p, struct xlb_conn *c)
{
	struct xlb_flow_key fk;

	flow_of(p, &fk);
	if (!bpf_map_lookup_elem(fd_of(skel->maps.xlb_conns), &fk, c))
		return 2;
	if (!bpf_map_lookup_elem(fd_of(skel->maps.xlb_syns), &fk, c))
		return 1;
	return 0;
}

/*
 * Expect p to be forwarded with XDP_TX, MACs rewritten for the backend
 * it lands on and nothing else changed; returns that backend (or -1).
 */
static int expect_tx(const char *what, const struct frame_spec *p)
{
	__u8 in[512], out[512], want[512];
	__u32 out_len = sizeof(out);
	size_t len = frame_build(in, p);
	struct xlb_conn c;
	int ret = run(in, len, out, &out_len);
	int backend;

	if (!check(ret == XDP_TX, "%s: verdict %d, want XDP_TX", what, ret))
		return -1;
	if (!check(out_len == len, "%s: length %u, want %zu", what, out_len,
		   len))
		return -1;
	backend = out[5]; /* our fixture's next-hop MACs end in the id */
	memcpy(want, in, len);
	memcpy(want, next_hop, ETH_ALEN);
	want[5] = backend;
	memcpy(want + ETH_ALEN, our_mac, ETH_ALEN);
	check(!memcmp(out, want, len), "%s: frame out differs", what);
	check(table_of(p, &c) && (int)c.backend == backend,
	      "%s: flow not held for backend %d", what, backend);
	return backend;
}

static void expect_verdict(const char *what, const struct frame_spec *p,
			   int verdict, int why)
{
	__u8 in[512], out[512];
	__u32 out_len = sizeof(out);
	size_t len = frame_build(in, p);
	__u64 r0 = why >= 0 ? reason(why) : 0;
	int ret = run(in, len, out, &out_len);

	check(ret == verdict, "%s: verdict %d, want %d", what, ret, verdict);
	if (verdict == XDP_PASS)
		check(out_len == len && !memcmp(in, out, len),
		      "%s: frame changed", what);
	if (why >= 0)
		check(reason(why) == r0 + 1, "%s: reason %d not counted once",
		      what, why);
}

#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define TCP_RST 0x04

static const struct frame_spec syn = { "198.18.5.1", "198.18.0.10", IPPROTO_TCP,
				       40000, 80 };

static void test_tcp_flow(void)
{
	struct frame_spec ack = syn, rst = syn;
	struct xlb_conn c;
	int b, b2;

	b = expect_tx("SYN to the VIP", &syn);
	check(table_of(&syn, &c) == 1, "a SYN-only flow is in xlb_syns");
	ack.tcp_flags = TCP_ACK;
	b2 = expect_tx("handshake ACK", &ack);
	check(b2 == b, "same backend for the flow: %d then %d", b, b2);
	check(table_of(&syn, &c) == 2, "established flow moved to xlb_conns");
	b2 = expect_tx("established packet", &ack);
	check(b2 == b, "still the same backend");
	rst.tcp_flags = TCP_RST | TCP_ACK;
	expect_tx("RST", &rst);
	check(table_of(&syn, &c) == 2 && (c.state & XLB_CONN_CLOSING),
	      "RST marks the flow closing");
}

/* Flows spread over the backends (here a ring of i % 3), each sticking. */
static void test_spread(void)
{
	int per[N_BACKENDS] = { 0 };
	struct frame_spec p = syn;

	for (int i = 0; i < 300; i++) {
		int b;

		p.sport = 20000 + i;
		b = expect_tx("flow", &p);
		if (b < 0 || b >= N_BACKENDS)
			return;
		per[b]++;
		check(expect_tx("flow again", &p) == b, "flow %d moved", i);
	}
	for (int i = 0; i < N_BACKENDS; i++)
		check(per[i] > 60, "backend %d got %d of 300 flows", i, per[i]);
}

static void test_udp_ipv6_allports(void)
{
	struct frame_spec udp = { "198.18.5.2", "198.18.0.11", IPPROTO_UDP,
				  5353, 9999 };
	struct frame_spec v6 = { "2001:db8:5::1", "2001:db8::10", IPPROTO_TCP,
				 40000, 443 };
	struct frame_spec v6_other_port = v6;
	struct xlb_conn c;

	expect_tx("UDP to an all-ports VIP", &udp);
	check(table_of(&udp, &c) == 2, "UDP flows go to xlb_conns");
	udp.dport = 1;
	expect_tx("another port of the all-ports VIP", &udp);
	check(expect_tx("IPv6 SYN", &v6) == 3, "IPv6 VIP's backend is 3");
	v6_other_port.dport = 444;
	expect_verdict("IPv6 VIP, other port", &v6_other_port, XDP_PASS, -1);
}

static void test_not_forwarded(void)
{
	struct frame_spec other = syn, frag = syn, opts = syn, unres = syn,
			  empty = syn, udp80 = syn;

	other.dst = "198.18.0.99";
	expect_verdict("not a VIP", &other, XDP_PASS, -1);
	udp80.proto = IPPROTO_UDP;
	expect_verdict("VIP address, other protocol", &udp80, XDP_PASS, -1);
	frag.frag = 1;
	frag.frag_id = 9;
	expect_verdict("fragment for a VIP", &frag, XDP_PASS,
		       XLB_REASON_LB_FRAGMENT);
	opts.ip_options = true;
	expect_verdict("IPv4 options for a VIP", &opts, XDP_PASS,
		       XLB_REASON_LB_IP_OPTIONS);
	unres.dst = "198.18.0.13";
	expect_verdict("unresolved next hop", &unres, XDP_PASS,
		       XLB_REASON_LB_UNRESOLVED);
	empty.dst = "198.18.0.14";
	expect_verdict("empty ring", &empty, XDP_DROP,
		       XLB_REASON_LB_NO_BACKEND);
}

/*
 * An ICMP error whose inner packet is the backend's reply from the VIP
 * (VIP -> client) belongs to the client's flow: same backend.
 */
static size_t icmp_error(__u8 *buf, const struct frame_spec *flow, bool v6)
{
	struct frame_spec reply = *flow;
	__u8 inner[512];
	size_t n, ilen;

	reply.src = flow->dst;
	reply.dst = flow->src;
	reply.sport = flow->dport;
	reply.dport = flow->sport;
	reply.tcp_flags = TCP_ACK;
	ilen = frame_build(inner, &reply) - ETH_HLEN;
	if (v6) {
		n = put_eth(buf, ETH_P_IPV6);
		n += put_ipv6(buf + n, IPPROTO_ICMPV6, 8 + ilen);
		inet_pton(AF_INET6, "2001:db8:77::1", buf + ETH_HLEN + 8);
		inet_pton(AF_INET6, flow->dst, buf + ETH_HLEN + 24);
		buf[n] = 2; /* packet too big */
	} else {
		n = put_eth(buf, ETH_P_IP);
		n += put_ipv4(buf + n, IPPROTO_ICMP, 0, 8 + ilen, 0);
		inet_pton(AF_INET, "198.18.77.1", buf + ETH_HLEN + 12);
		inet_pton(AF_INET, flow->dst, buf + ETH_HLEN + 16);
		buf[n] = 3; /* destination unreachable */
		buf[n + 1] = 4; /* fragmentation needed */
	}
	memset(buf + n + 1 + !v6, 0, 7 - !v6);
	memcpy(buf + n + 8, inner + ETH_HLEN, ilen);
	return n + 8 + ilen;
}

static void test_icmp_errors(void)
{
	struct frame_spec flow = syn, v6 = { "2001:db8:5::9", "2001:db8::10",
					     IPPROTO_TCP, 41000, 443 };
	__u8 in[512], out[512];
	__u32 out_len = sizeof(out);
	size_t len;
	__u64 r0;
	int b, ret;

	flow.sport = 30001;
	b = expect_tx("flow before the ICMP error", &flow);
	len = icmp_error(in, &flow, false);
	ret = run(in, len, out, &out_len);
	check(ret == XDP_TX && out[5] == b,
	      "frag-needed goes to the flow's backend %d (verdict %d, %d)", b,
	      ret, out[5]);
	expect_tx("IPv6 flow before the ICMPv6 error", &v6);
	len = icmp_error(in, &v6, true);
	out_len = sizeof(out);
	ret = run(in, len, out, &out_len);
	check(ret == XDP_TX && out[5] == 3,
	      "packet-too-big goes to the IPv6 flow's backend (verdict %d)",
	      ret);
	flow.sport = 30002; /* a flow the LB never saw */
	len = icmp_error(in, &flow, false);
	r0 = reason(XLB_REASON_LB_ICMP_UNMATCHED);
	out_len = sizeof(out);
	check(run(in, len, out, &out_len) == XDP_PASS,
	      "ICMP error for an unknown flow passes");
	check(reason(XLB_REASON_LB_ICMP_UNMATCHED) == r0 + 1,
	      "unmatched ICMP error counted");
}

/* A backend that goes down loses its flows; a draining one keeps them. */
static void test_backend_down(void)
{
	struct frame_spec p = syn;
	int b, b2;

	p.sport = 31000;
	p.tcp_flags = TCP_ACK;
	b = expect_tx("flow on some backend", &p);
	if (b < 0)
		return;
	/* Drain b: out of the ring, still active: the flow stays. */
	check(!put_ring(VIP_TCP, (b + 1) % N_BACKENDS, 1), "ring without b");
	check(expect_tx("draining backend keeps its flow", &p) == b,
	      "flow left a draining backend");
	/* b fails: its flows move to the ring's choice. */
	check(!put_backend(b, "198.18.1.9",
			   XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED |
				   XLB_BACKEND_DOWN),
	      "mark down");
	b2 = expect_tx("flow of a failed backend", &p);
	check(b2 == (b + 1) % N_BACKENDS, "moved to %d, want %d", b2,
	      (b + 1) % N_BACKENDS);
	check(!put_backend(b, "198.18.1.9",
			   XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED),
	      "restore");
	check(!put_ring(VIP_TCP, 0, N_BACKENDS), "ring restored");
}

/* A SYN flood churns xlb_syns; established flows stay in xlb_conns. */
static void test_syn_flood(void)
{
	struct frame_spec est = syn, flood = syn;
	__u8 in[512], out[512];
	struct xlb_conn c;
	int b;

	est.sport = 32000;
	est.tcp_flags = TCP_ACK;
	b = expect_tx("established flow", &est);
	flood.src = "198.18.99.1";
	for (__u32 i = 0; i < XLB_SYN_ENTRIES + 4096; i++) {
		__u32 out_len = sizeof(out);
		size_t len;

		flood.sport = 1024 + i % 60000;
		flood.dport = 80;
		len = frame_build(in, &flood);
		/* vary the source address too */
		in[ETH_HLEN + 14] = i >> 16;
		in[ETH_HLEN + 15] = i >> 8;
		if (run(in, len, out, &out_len) != XDP_TX)
			break;
	}
	check(table_of(&est, &c) == 2 && (int)c.backend == b,
	      "the established flow survived the SYN flood");
	check(expect_tx("established flow after the flood", &est) == b,
	      "same backend after the flood");
}

static int setup(void)
{
	struct xlb_iface ifc = { .slot = 0,
				 .stages = XLB_STAGE_LB,
				 .attach = XLB_ATTACH_XDP_NATIVE,
				 .active = 1 };
	const char *addrs[N_BACKENDS] = { "198.18.1.2", "198.18.1.3",
					  "198.18.1.4" };
	__u32 lo = LO_IFINDEX;
	int ret;

	/* A small connection table, so that SYNs landing in it would evict
	 * the established flow the SYN flood test watches. */
	ret = fixture_open(&skel, 64, 64, 8192);
	for (__u32 i = 0; !ret && i < N_BACKENDS; i++)
		ret = put_backend(i, addrs[i],
				  XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED);
	if (!ret)
		ret = put_backend(3, "2001:db8:1::2",
				  XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED);
	if (!ret)
		ret = put_backend(5, "198.18.1.5", XLB_BACKEND_ACTIVE);
	if (!ret)
		ret = put_ring(VIP_TCP, 0, N_BACKENDS)		    ?:
			      put_ring(VIP_ALLPORTS, 0, N_BACKENDS) ?:
			      put_ring(VIP_V6, 3, 1)		    ?:
			      put_ring(VIP_EMPTY, 5, 1)		    ?:
			      put_ring(VIP_EMPTY + 1, 0, 0);
	if (!ret)
		ret = put_vip(VIP_TCP, "198.18.0.10", 80, IPPROTO_TCP) ?:
			      put_vip(VIP_ALLPORTS, "198.18.0.11", 0, IPPROTO_UDP) ?:
			      put_vip(VIP_V6, "2001:db8::10", 443, IPPROTO_TCP) ?:
			      put_vip(VIP_EMPTY, "198.18.0.13", 80, IPPROTO_TCP) ?:
			      put_vip(VIP_EMPTY + 1, "198.18.0.14", 80,
				      IPPROTO_TCP);
	if (!ret)
		ret = bpf_map_update_elem(fd_of(skel->maps.xlb_ifaces), &lo,
					  &ifc, BPF_ANY);
	return ret;
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "lb: TCP flow, SYN table then established", test_tcp_flow },
		{ "lb: 300 flows spread and stick", test_spread },
		{ "lb: UDP, all-ports VIP, IPv6", test_udp_ipv6_allports },
		{ "lb: not forwarded (non-VIP, fragments, options, "
		  "unresolved, empty ring)",
		  test_not_forwarded },
		{ "lb: ICMP errors follow their flow", test_icmp_errors },
		{ "lb: draining keeps flows, down moves them",
		  test_backend_down },
		{ "lb: SYN flood keeps established flows", test_syn_flood },
	};
	int err, status;

	if (!harness_need_root("test_lb", &status))
		return status;
	err = setup();
	if (err)
		return harness_setup_failed("test_lb", "setup", err);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		harness_run(tests[i].name, tests[i].fn);
	xlb__destroy(skel);
	return harness_done();
}
