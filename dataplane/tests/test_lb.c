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
#include "lb_fixture.h"

#define N_BACKENDS 3

/* VIP ids. */
enum {
	VIP_TCP,
	VIP_ALLPORTS,
	VIP_V6,
	VIP_EMPTY,
	VIP_NONE,
	VIP_NAT,
	VIP_NAT_UDP,
	VIP_NAT6,
	VIP_GONE, /* deleted by a test */
	VIP_NO_PORT /* its backend's egress port is not in xlb_tx_ports */
};

/* The backend of VIP_NO_PORT and the ifindex it is reached through. */
#define B_NO_PORT 9
#define NO_PORT_IFINDEX 4242

/*
 * The slot of some CPU's flow cache that holds flow fk (fresh or not):
 * its index in *slot and its entry in *e. The slots are found by looking
 * at them all, not by the data plane's hash, which this test does not
 * repeat.
 */
static bool cache_find(const struct xlb_flow_key *fk, __u32 *slot,
		       struct xlb_flow_cache *entry)
{
	enum { BATCH = 4096 };
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct xlb_flow_cache *e = calloc(BATCH, sizeof(*e));
	__u32 *keys = calloc(BATCH, sizeof(*keys)), next = 0, n;
	int fd = fd_of(skel->maps.xlb_flow_cache), err = 0;
	bool found = false, first = true;

	/* Every CPU's slots, a batch at a time, until the array's end. */
	while (e && keys && !found && err != -ENOENT) {
		__u32 from = next;

		n = BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &from, &next,
					   keys, e, &n, &opts);
		if (err && err != -ENOENT)
			break;
		first = false;
		for (__u32 j = 0; !found && j < n; j++) {
			if (memcmp(&e[j].key, fk, sizeof(*fk)))
				continue;
			found = true;
			*slot = keys[j];
			*entry = e[j];
		}
	}
	free(keys);
	free(e);
	return found;
}

/* Does some CPU's flow cache hold flow fk? Its backend in *backend. */
static bool cached_fwd(const struct xlb_flow_key *fk, __u32 *backend)
{
	struct xlb_flow_cache e;
	__u32 slot;

	if (!cache_find(fk, &slot, &e))
		return false;
	*backend = e.backend;
	return true;
}

/*
 * Keep flow fk's cache entry fresh for as long as the test runs: its
 * expiry moved 2^30 jiffies on (the data plane compares wrap-safe), so
 * that a test cannot fail for having been descheduled longer than the
 * entry's second.
 */
static bool cache_hold(const struct xlb_flow_key *fk)
{
	struct xlb_flow_cache e;
	__u32 slot;

	if (!cache_find(fk, &slot, &e))
		return false;
	e.expires += 1u << 30;
	return !bpf_map_update_elem(fd_of(skel->maps.xlb_flow_cache), &slot, &e,
				    BPF_EXIST);
}

/* The same for a NAT reply in the reply cache. */
static bool cached_reply(const struct xlb_flow_key *fk)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xlb_reply_cache *r = calloc(ncpu, sizeof(*r));
	bool found = false;

	for (__u32 i = 0; r && !found && i < XLB_RCACHE_SLOTS; i++) {
		if (bpf_map_lookup_elem(fd_of(skel->maps.xlb_reply_cache), &i,
					r))
			break;
		for (int c = 0; !found && c < ncpu; c++)
			found = !memcmp(&r[c].key, fk, sizeof(*fk));
	}
	free(r);
	return found;
}

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
	check(table_of(&syn, &c) == 2 && c.state == XLB_CONN_RST,
	      "RST marks the flow closed (state %u)", c.state);
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
 * A backend reached through an interface that is not in xlb_tx_ports
 * (gone since its next hop was learnt): the redirect fails, and the
 * packet is aborted with its reason counted, never silently.
 */
static void test_tx_port_missing(void)
{
	struct frame_spec p = syn;
	__u8 in[LB_FRAME_MAX];

	p.dst = "198.18.0.15";
	expect_frame("egress port not in xlb_tx_ports", in, frame_build(in, &p),
		     XDP_ABORTED, XLB_REASON_LB_TX_PORT_MISSING);
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
	for (__u32 i = 0; i < XLB_DEFAULT_SYNS + 4096; i++) {
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

/* One NAT round trip: the request to a backend, its reply to the client. */
static void nat_round_trip(const char *what, const struct frame_spec *p,
			   const char *snat, __u16 bport)
{
	__u8 in[512], out[512], rep[512];
	__u32 out_len = sizeof(out);
	size_t len = frame_build(in, p);
	bool v6 = strchr(p->src, ':') != NULL;
	size_t src = ETH_HLEN + (v6 ? 8 : 12), dst = ETH_HLEN + (v6 ? 24 : 16);
	struct l3 x;
	__u16 lport;
	int ret;

	fill_csums(in, len);
	ret = run(in, len, out, &out_len);
	if (!check(ret == XDP_TX && out_len == len, "%s: verdict %d", what,
		   ret))
		return;
	x = l3_of(out, len);
	lport = port_at(out, x.l4);
	check(addr_is(out, src, snat, v6), "%s: not sent from %s", what, snat);
	check(port_at(out, x.l4 + 2) == bport, "%s: backend port %u", what,
	      port_at(out, x.l4 + 2));
	check(lport >= XLB_NAT_PORT_BASE &&
		      lport < XLB_NAT_PORT_BASE + XLB_NAT_PORT_COUNT,
	      "%s: NAT port %u out of range", what, lport);
	check(csums_ok(out, len), "%s: checksums wrong after NAT", what);
	reply_to(out, len, rep, 0);
	out_len = sizeof(out);
	ret = run(rep, len, out, &out_len);
	/* Where the reply goes next depends on this host's routes. */
	check(ret == XDP_PASS || ret == XDP_TX || ret == XDP_REDIRECT,
	      "%s: reply verdict %d", what, ret);
	check(addr_is(out, src, p->dst, v6) && addr_is(out, dst, p->src, v6),
	      "%s: reply not from the VIP to the client", what);
	check(port_at(out, x.l4) == p->dport &&
		      port_at(out, x.l4 + 2) == p->sport,
	      "%s: reply ports %u -> %u", what, port_at(out, x.l4),
	      port_at(out, x.l4 + 2));
	check(csums_ok(out, len), "%s: reply checksums wrong", what);
}

static void test_nat(void)
{
	struct frame_spec tcp = { "198.18.5.1", "198.18.0.20", IPPROTO_TCP,
				  40000, 80 };
	struct frame_spec udp = { "198.18.5.1", "198.18.0.21", IPPROTO_UDP,
				  40001, 53 };
	struct frame_spec v6 = { "2001:db8:5::1", "2001:db8::20", IPPROTO_TCP,
				 40002, 80 };

	nat_round_trip("NAT TCP", &tcp, "198.18.2.1", 8080);
	tcp.sport = 40003;
	tcp.src = "198.18.5.77"; /* another client */
	nat_round_trip("NAT TCP, second client", &tcp, "198.18.2.1", 8080);
	nat_round_trip("NAT UDP", &udp, "198.18.2.1", 5353);
	nat_round_trip("NAT IPv6", &v6, "2001:db8:2::1", 8080);
}

/* Many clients at once: each gets its own port towards the backend. */
static void test_nat_many(void)
{
	struct frame_spec p = { "198.18.5.1", "198.18.0.21", IPPROTO_UDP, 0,
				53 };
	static bool used[XLB_NAT_PORT_COUNT];
	__u8 in[512], out[512];
	int clashes = 0;

	memset(used, 0, sizeof(used));
	for (int i = 0; i < 2000; i++) {
		__u32 out_len = sizeof(out);
		size_t len;
		__u16 port;

		p.sport = 10000 + i;
		len = frame_build(in, &p);
		fill_csums(in, len);
		if (!check(run(in, len, out, &out_len) == XDP_TX, "flow %d", i))
			return;
		port = port_at(out, ETH_HLEN + 20) - XLB_NAT_PORT_BASE;
		clashes += used[port % XLB_NAT_PORT_COUNT];
		used[port % XLB_NAT_PORT_COUNT] = true;
	}
	check(!clashes, "%d flows shared a NAT port", clashes);
}

/* A flow's vip counters: table hits, new flows. */
static void vip_ctrs(__u32 vip, __u64 *hits, __u64 *fresh)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xlb_vip_stats vs[ncpu];

	*hits = *fresh = 0;
	if (bpf_map_lookup_elem(fd_of(skel->maps.xlb_vip_stats), &vip, vs))
		return;
	for (int c = 0; c < ncpu; c++) {
		*hits += vs[c].conn_hits;
		*fresh += vs[c].new_flows;
	}
}

/*
 * An established flow is cached, and its next packets come from the
 * cache: with its xlb_conns entry gone, the flow still goes to its
 * backend, counted as a hit, and no new entry is made. A packet with FIN
 * goes to the tables again (the flow is closing there, and no longer
 * cached as open).
 */
static void test_cache_hit(void)
{
	struct frame_spec p = syn;
	__u8 in[512], out[512];
	__u32 out_len = sizeof(out);
	struct xlb_flow_key fk;
	struct xlb_conn c;
	__u64 h0, n0, h1, n1;
	__u32 cb;
	size_t len;
	int b;

	p.sport = 33000;
	p.tcp_flags = TCP_ACK;
	flow_of(&p, &fk);
	b = expect_tx("first packet of a flow", &p);
	check(cached_fwd(&fk, &cb) && (int)cb == b,
	      "the flow is cached, for backend %d", b);
	check(cache_hold(&fk), "the flow's cache entry held fresh");
	check(!bpf_map_delete_elem(fd_of(skel->maps.xlb_conns), &fk),
	      "take the flow out of xlb_conns");
	vip_ctrs(VIP_TCP, &h0, &n0);
	len = frame_build(in, &p);
	check(run(in, len, out, &out_len) == XDP_TX && out[5] == b,
	      "the cached flow keeps its backend %d (got %d)", b, out[5]);
	vip_ctrs(VIP_TCP, &h1, &n1);
	check(h1 == h0 + 1 && n1 == n0, "a cache hit counts as a table hit");
	check(table_of(&p, &c) == 0, "a cache hit does not touch the tables");
	p.tcp_flags = TCP_ACK | 0x01; /* FIN */
	expect_tx("FIN", &p);
	check(table_of(&p, &c) == 2 && c.state == XLB_CONN_FIN_IN,
	      "FIN goes through the tables (state %u)", c.state);
	check(!bpf_map_delete_elem(fd_of(skel->maps.xlb_conns), &fk),
	      "take the closing flow out of xlb_conns");
	p.tcp_flags = TCP_ACK;
	out_len = sizeof(out);
	len = frame_build(in, &p);
	check(run(in, len, out, &out_len) == XDP_TX,
	      "a packet after FIN is forwarded");
	check(table_of(&p, &c) == 2,
	      "after FIN, the flow's packets go through the tables");
}

/*
 * The cache follows the backends and the VIPs at once: a cached flow
 * whose backend goes down moves, a draining one's stays, and a deleted
 * VIP's cached flow is no longer forwarded.
 */
static void test_cache_follows(void)
{
	struct frame_spec p = syn, gone = syn;
	struct xlb_flow_key fk;
	__u32 cb;
	int b, b2;

	p.sport = 34000;
	p.tcp_flags = TCP_ACK;
	flow_of(&p, &fk);
	b = expect_tx("flow on some backend", &p);
	check(cached_fwd(&fk, &cb) && (int)cb == b, "the flow is cached");
	check(!put_ring(VIP_TCP, (b + 1) % N_BACKENDS, 1), "drain b");
	check(expect_tx("draining backend, cached flow", &p) == b,
	      "a draining backend keeps its cached flow");
	check(!put_backend(b, "198.18.1.9",
			   XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED |
				   XLB_BACKEND_DOWN),
	      "mark down");
	b2 = expect_tx("cached flow of a failed backend", &p);
	check(b2 == (b + 1) % N_BACKENDS, "moved to %d, want %d", b2,
	      (b + 1) % N_BACKENDS);
	check(cached_fwd(&fk, &cb) && (int)cb == b2,
	      "the cache holds the flow's new backend");
	check(!put_backend(b, "198.18.1.9",
			   XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED),
	      "restore");
	check(!put_ring(VIP_TCP, 0, N_BACKENDS), "ring restored");

	gone.dst = "198.18.0.30";
	gone.sport = 34001;
	gone.tcp_flags = TCP_ACK;
	flow_of(&gone, &fk);
	b = expect_tx("flow to a VIP about to go", &gone);
	check(cached_fwd(&fk, &cb) && (int)cb == b, "its flow is cached");
	check(!del_vip("198.18.0.30", 80, IPPROTO_TCP), "delete the VIP");
	expect_verdict("cached flow of a deleted VIP", &gone, XDP_PASS, -1);
}

/* A NAT reply is cached: the next one is rewritten from the cache. */
static void test_cache_nat_reply(void)
{
	struct frame_spec tcp = { "198.18.5.3", "198.18.0.20",
				  IPPROTO_TCP,	40010,
				  80,		.tcp_flags = TCP_ACK };
	__u8 in[512], out[512], rep[512], again[512];
	__u32 out_len = sizeof(out);
	size_t len = frame_build(in, &tcp);
	struct xlb_flow_key rk = { .proto = IPPROTO_TCP };
	struct l3 x;

	if (!check(!lb_own_netns(), "a network namespace with a route to the "
				    "client"))
		return;
	fill_csums(in, len);
	if (!check(run(in, len, out, &out_len) == XDP_TX, "NAT request"))
		return;
	x = l3_of(out, len);
	reply_to(out, len, rep, 0);
	memcpy(rk.src, rep + ETH_HLEN + 12, 4);
	memcpy(rk.dst, rep + ETH_HLEN + 16, 4);
	memcpy(&rk.sport, rep + x.l4, 2);
	memcpy(&rk.dport, rep + x.l4 + 2, 2);
	check(!cached_reply(&rk), "no reply cached yet");
	out_len = sizeof(out);
	if (!check(run(rep, len, out, &out_len) == XDP_REDIRECT,
		   "the reply goes to the client's next hop"))
		return;
	check(cached_reply(&rk), "the reply is cached");
	check(!memcmp(out, client_mac, ETH_ALEN),
	      "the reply is sent to the client's MAC");
	out_len = sizeof(again);
	check(run(rep, len, again, &out_len) == XDP_REDIRECT &&
		      !memcmp(out, again, len),
	      "the cached reply is rewritten and sent as the first");
	check(csums_ok(again, len), "cached reply's checksums");
	check(addr_is(again, ETH_HLEN + 12, tcp.dst, false) &&
		      addr_is(again, ETH_HLEN + 16, tcp.src, false),
	      "cached reply from the VIP to the client");
}

static int setup(void)
{
	const char *addrs[N_BACKENDS] = { "198.18.1.2", "198.18.1.3",
					  "198.18.1.4" };
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
	/* NAT: backends 6 (IPv4) and 8 (IPv6), seen from the LB's snat. */
	if (!ret)
		ret = put_nat_backend(6, "198.18.2.2", XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED, "198.18.2.1", 8080) ?:
			      put_nat_backend(7, "198.18.2.3", XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED, "198.18.2.1", 5353) ?:
			      put_nat_backend(8, "2001:db8:2::2",
					      XLB_BACKEND_ACTIVE |
						      XLB_BACKEND_RESOLVED,
					      "2001:db8:2::1", 8080);
	if (!ret)
		ret = put_ring(VIP_NAT, 6, 1)		  ?:
			      put_ring(VIP_NAT_UDP, 7, 1) ?:
			      put_ring(VIP_NAT6, 8, 1)	  ?:
			      put_vip_mode(VIP_NAT, "198.18.0.20", 80, IPPROTO_TCP, XLB_MODE_NAT) ?:
			      put_vip_mode(VIP_NAT_UDP, "198.18.0.21", 53, IPPROTO_UDP, XLB_MODE_NAT) ?:
			      put_vip_mode(VIP_NAT6, "2001:db8::20", 80,
					   IPPROTO_TCP, XLB_MODE_NAT);
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
			      put_vip(VIP_EMPTY + 1, "198.18.0.14", 80, IPPROTO_TCP) ?:
			      put_ring(VIP_GONE, 0, N_BACKENDS) ?:
			      put_vip(VIP_GONE, "198.18.0.30", 80, IPPROTO_TCP);
	if (!ret)
		ret = put_backend_on(B_NO_PORT, "198.18.3.9",
				     XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED,
				     NO_PORT_IFINDEX);
	if (!ret)
		ret = put_ring(VIP_NO_PORT, B_NO_PORT, 1);
	if (!ret)
		ret = put_vip(VIP_NO_PORT, "198.18.0.15", 80, IPPROTO_TCP);
	return ret ?: put_lo_iface();
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "lb: TCP flow, SYN table then established", test_tcp_flow },
		{ "lb: 300 flows spread and stick", test_spread },
		{ "lb: UDP, all-ports VIP, IPv6", test_udp_ipv6_allports },
		{ "lb: not forwarded (non-VIP, fragments, options, "
		  "unresolved, empty ring)",
		  test_not_forwarded },
		{ "lb: egress port not in xlb_tx_ports: aborted, counted",
		  test_tx_port_missing },
		{ "lb: ICMP errors follow their flow", test_icmp_errors },
		{ "lb: draining keeps flows, down moves them",
		  test_backend_down },
		{ "lb: SYN flood keeps established flows", test_syn_flood },
		{ "lb: NAT both ways, checksums from scratch", test_nat },
		{ "lb: NAT, 2000 clients, no shared port", test_nat_many },
		{ "lb: cache: hits skip the tables, FIN ends the entry",
		  test_cache_hit },
		{ "lb: cache: backend down moves, drain stays, VIP deletion "
		  "stops",
		  test_cache_follows },
		{ "lb: cache: NAT replies", test_cache_nat_reply },
	};
	int err, status;

	if (!harness_need_root("test_lb", &status))
		return status;
	err = fixture_pin_cpu() ?: setup();
	if (err)
		return harness_setup_failed("test_lb", "setup", err);
	harness_run_table(tests, sizeof(tests) / sizeof(tests[0]));
	xlb__destroy(skel);
	return harness_done();
}
