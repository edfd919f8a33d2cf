// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: NAT ports and their owners. A port stays its flow's while
 * the flow lives (a live entry in a connection table, or a port younger
 * than the grace), and is taken over in place by a new flow once the
 * owner has closed (FIN both ways, or RST) or gone idle past its
 * timeout; two VIPs never share a port; with every candidate live a new
 * flow is dropped and counted as exhaustion. Also: an snat pool, and
 * the packets counted per flow.
 *
 * Each take-over test makes a flow A hold the port that a flow B tries
 * first (B's port when alone, learnt by sending B and forgetting it),
 * and asks B for a port at each step. Time is moved, not waited for:
 * the entries' seen times and the ports' birth times are set back.
 */
#include "nat_fixture.h"

/* Another client, for flows whose replies the tests do not send. */
#define CLIENT4B "198.18.5.9"

static struct frame_spec tcp4(const char *vip, __u16 sport)
{
	return (struct frame_spec){ CLIENT4, vip, IPPROTO_TCP, sport, 80 };
}

static struct frame_spec udp4(const char *vip, __u16 sport)
{
	return (struct frame_spec){ CLIENT4, vip, IPPROTO_UDP, sport, 53 };
}

/* Flow b of a steal: from the other client, to a's VIP. */
static struct frame_spec other(struct frame_spec a)
{
	a.src = CLIENT4B;
	a.sport++;
	return a;
}

/* Flow a holds the port flow b tries first. */
struct steal {
	struct frame_spec a, b;
	struct xlb_nat_key kb; /* b's first port */
};

/*
 * a sends packets of TCP flags flags[0 .. n - 1] (UDP: n datagrams),
 * then moves to b's first port, past the grace: only a's entry in the
 * tables keeps the port a's.
 */
static bool steal_setup(struct steal *st, const __u8 *flags, int n)
{
	struct nat_sent s;

	st->b.tcp_flags = 0;
	if (!check(nat_send(&st->b, &s) == XDP_TX, "b alone"))
		return false;
	st->kb = s.key;
	forget(&st->b, &s.key);
	for (int i = 0; i < n; i++) {
		st->a.tcp_flags = flags[i];
		if (!check(nat_send(&st->a, &s) == XDP_TX, "a's packet %d", i))
			return false;
	}
	return check(nat_move(&st->a, &s.key, &st->kb) &&
			     nat_past_grace(&st->kb) && cache_flush(),
		     "a moved to b's first port");
}

/* b's first packet: it must get another port than a's. */
static void expect_kept(struct steal *st, const char *what)
{
	struct nat_sent s;

	if (!check(nat_send(&st->b, &s) == XDP_TX, "%s: b sent", what))
		return;
	check(s.key.lport != st->kb.lport, "%s: b took a's live port %u", what,
	      s.lport);
	check(nat_names(&st->kb, &st->a), "%s: a's port no longer a's", what);
	forget(&st->b, s.key.lport != st->kb.lport ? &s.key : NULL);
	check(cache_flush(), "%s: b's cache entry gone", what);
}

/* b's first packet: it must take a's port over in place. */
static void expect_taken(struct steal *st, const char *what)
{
	struct xlb_nat_val before, after;
	struct nat_sent s;
	struct xlb_conn c;

	if (!check(!nat_get(&st->kb, &before), "%s: a's port has no entry",
		   what) ||
	    !check(nat_send(&st->b, &s) == XDP_TX, "%s: b sent", what))
		return;
	check(!memcmp(&s.key, &st->kb, sizeof(s.key)),
	      "%s: b got port %u, not a's", what, s.lport);
	check(nat_names(&st->kb, &st->b), "%s: the port's entry not b's", what);
	check(!nat_get(&st->kb, &after) &&
		      (__u32)after.tag == (__u32)before.tag + 1 &&
		      after.tag >> 32 != before.tag >> 32,
	      "%s: tag %llx -> %llx, not a take-over's", what, before.tag,
	      after.tag);
	check(table_of(&st->b, &c) && c.nat_port == st->kb.lport,
	      "%s: b's entry does not send from the port", what);
}

static const __u8 established[] = { TCP_SYN, TCP_ACK };

/*
 * A port stays its owner's while the owner's entry lives, and while the
 * port is young even without one (the grace before the entry follows).
 */
static void test_owner_lives(void)
{
	struct steal st = { tcp4("198.18.0.20", 40100),
			    other(tcp4("198.18.0.20", 40100)) };

	if (!steal_setup(&st, established, 2))
		return;
	expect_kept(&st, "established owner");
	forget(&st.a, NULL);
	check(nat_born(&st.kb, coarse_now() + HOUR_NS), "a's port young");
	expect_kept(&st, "owner in its grace, no entry yet");
	check(nat_born(&st.kb, coarse_now() - 2 * XLB_NAT_GRACE_NS),
	      "a's port past the grace");
	expect_taken(&st, "owner gone from the tables, past the grace");
}

/* FIN from the client, then from the backend (a reply), then closed. */
static void test_fin_both_ways(void)
{
	struct steal st = { tcp4("198.18.0.20", 40110),
			    other(tcp4("198.18.0.20", 40110)) };
	__u64 past_closed = conf.closed_ns + NS_PER_S;
	__u8 out[LB_FRAME_MAX];
	struct nat_sent s;
	struct xlb_conn c;

	if (!check(past_closed < conf.fin_ns, "closed < fin timeout") ||
	    !steal_setup(&st, established, 2))
		return;
	st.a.tcp_flags = TCP_FIN | TCP_ACK;
	check(nat_send(&st.a, &s) == XDP_TX, "a's FIN");
	check(conn_age(&st.a, past_closed), "a idle past the closed timeout");
	expect_kept(&st, "FIN from the client only");
	check(nat_answer(&s, TCP_FIN | TCP_ACK, out) == XDP_REDIRECT &&
		      is_answer(out, s.len, &st.a, TCP_FIN | TCP_ACK),
	      "the backend's FIN, translated back");
	check(table_of(&st.a, &c) == 2 && c.state == XLB_CONN_FIN,
	      "FIN both ways in a's entry (state %u)", c.state);
	check(conn_age(&st.a, past_closed), "a idle past the closed timeout");
	expect_taken(&st, "FIN both ways, closed timeout past");
}

/* An RST either way closes the flow. */
static void rst_case(__u16 sport, bool from_backend)
{
	struct steal st = { tcp4("198.18.0.20", sport),
			    other(tcp4("198.18.0.20", sport)) };
	const char *what = from_backend ? "RST from the backend" :
					  "RST from the client";
	__u8 out[LB_FRAME_MAX];
	struct nat_sent s;
	struct xlb_conn c;

	if (!steal_setup(&st, established, 2))
		return;
	st.a.tcp_flags = from_backend ? TCP_ACK : TCP_RST | TCP_ACK;
	check(nat_send(&st.a, &s) == XDP_TX, "%s: a's packet", what);
	if (from_backend)
		check(nat_answer(&s, TCP_RST | TCP_ACK, out) == XDP_REDIRECT,
		      "%s: translated back", what);
	check(table_of(&st.a, &c) == 2 && c.state == XLB_CONN_RST,
	      "%s: a's state %u", what, c.state);
	expect_kept(&st, what);
	check(conn_age(&st.a, conf.closed_ns + NS_PER_S), "%s: a idle", what);
	expect_taken(&st, what);
}

static void test_rst(void)
{
	rst_case(40120, false);
	rst_case(40122, true);
}

/* Idle for half its timeout, then for one and a half. */
static void idle_case(const char *what, struct steal *st, const __u8 *flags,
		      int n, __u64 timeout)
{
	if (!steal_setup(st, flags, n))
		return;
	check(conn_age(&st->a, timeout / 2), "%s: a idle", what);
	expect_kept(st, what);
	check(conn_age(&st->a, timeout), "%s: a idle", what);
	expect_taken(st, what);
}

static void test_idle(void)
{
	struct steal udp = { udp4("198.18.0.22", 40130),
			     other(udp4("198.18.0.22", 40130)) };
	struct steal tcp = { tcp4("198.18.0.20", 40132),
			     other(tcp4("198.18.0.20", 40132)) };
	struct steal syn = { tcp4("198.18.0.20", 40134),
			     other(tcp4("198.18.0.20", 40134)) };
	static const __u8 syn_only[] = { TCP_SYN };

	idle_case("UDP", &udp, syn_only, 1, conf.udp_ns);
	idle_case("TCP established", &tcp, established, 2, conf.tcp_ns);
	idle_case("SYN only", &syn, syn_only, 1, conf.syn_ns);
}

/*
 * A SYN-only flow lives by its client's SYNs: the backend's SYN-ACKs (a
 * flood's sources never answer them, and the backend resends them for
 * a minute) leave its time, and so its port's, as they were.
 */
static void test_synack_keeps_time(void)
{
	struct frame_spec p = tcp4("198.18.0.20", 40140);
	struct xlb_conn before, after;
	__u8 out[LB_FRAME_MAX];
	struct nat_sent s;

	p.tcp_flags = TCP_SYN;
	if (!check(nat_send(&p, &s) == XDP_TX, "a SYN") ||
	    !check(conn_age(&p, 2 * NS_PER_S), "the SYN-only flow idle"))
		return;
	check(table_of(&p, &before) == 1, "a SYN-only flow is in xlb_syns");
	check(nat_answer(&s, TCP_SYN | TCP_ACK, out) == XDP_REDIRECT,
	      "the backend's SYN-ACK, translated back");
	check(table_of(&p, &after) == 1 && after.seen_ns == before.seen_ns,
	      "the SYN-ACK refreshed the SYN-only flow (%llu -> %llu)",
	      (unsigned long long)before.seen_ns,
	      (unsigned long long)after.seen_ns);
}

/* The same client address and port to two VIPs on one backend. */
static void test_two_vips(void)
{
	struct steal st = { tcp4("198.18.0.20", 40140),
			    tcp4("198.18.0.21", 40140) };

	if (steal_setup(&st, established, 2))
		expect_kept(&st, "another VIP, the same client and port");
}

/* A bare SYN on a closed flow is a new flow, on the same port. */
static void test_syn_after_close(void)
{
	struct frame_spec a = tcp4("198.18.0.20", 40150);
	static const __u8 flags[] = { TCP_SYN, TCP_ACK, TCP_RST | TCP_ACK };
	struct nat_sent s, again;
	struct xlb_conn c;

	for (size_t i = 0; i < sizeof(flags); i++) {
		a.tcp_flags = flags[i];
		check(nat_send(&a, &s) == XDP_TX, "packet %zu", i);
	}
	check(table_of(&a, &c) == 2 && c.state == XLB_CONN_RST, "closed");
	a.tcp_flags = TCP_SYN;
	check(nat_send(&a, &again) == XDP_TX, "the new SYN");
	check(table_of(&a, &c) == 1 && !c.state && c.packets == 1,
	      "the SYN starts a new flow in xlb_syns");
	check(!memcmp(&again.key, &s.key, sizeof(s.key)),
	      "the new flow takes its old port again");
}

/*
 * A TCP packet without SYN whose entry was lost looks for the port it
 * had first: here its second candidate, the first being free by then.
 */
static void test_lost_entry(void)
{
	struct frame_spec a = tcp4("198.18.0.20", 40160);
	struct nat_sent first, s, again;
	struct xlb_conn c;

	if (!check(nat_send(&a, &first) == XDP_TX, "a alone"))
		return;
	forget(&a, &first.key);
	check(nat_block(&first.key), "a's first port held");
	for (size_t i = 0; i < sizeof(established); i++) {
		a.tcp_flags = established[i];
		check(nat_send(&a, &s) == XDP_TX, "a's packet %zu", i);
	}
	check(s.key.lport != first.key.lport, "a on its second port");
	bpf_map_delete_elem(fd_of(skel->maps.xlb_nat_rev), &first.key);
	forget(&a, NULL);
	check(cache_flush(), "flow cache flushed");
	check(nat_send(&a, &again) == XDP_TX, "a's next packet");
	check(!memcmp(&again.key, &s.key, sizeof(s.key)),
	      "a found its old port %u again (got %u)", s.lport, again.lport);
	check(table_of(&a, &c) == 2 && c.nat_port == s.key.lport,
	      "a's new entry sends from its old port");
}

/* Every candidate port live: the new flow is dropped, and counted. */
static void test_exhausted(void)
{
	struct frame_spec b = tcp4("198.18.0.20", 40170);
	struct xlb_nat_key held[XLB_NAT_PORT_TRIES];
	struct xlb_vip_stats v0, v1;
	__u64 full, none;
	struct nat_sent s;
	struct xlb_conn c;
	int n;

	/* Each port b gets is held by another, live flow before b asks
	 * again, until b finds none: within XLB_NAT_PORT_TRIES asks (fewer
	 * if its candidates repeat). */
	for (n = 0; n <= XLB_NAT_PORT_TRIES; n++) {
		v0 = vip_stats(VIP_TCP);
		full = reason(XLB_REASON_LB_NAT_EXHAUSTED);
		none = reason(XLB_REASON_LB_NO_BACKEND);
		if (nat_send(&b, &s) != XDP_TX ||
		    !check(n < XLB_NAT_PORT_TRIES, "a port after %d held", n))
			break;
		forget(&b, &s.key);
		held[n] = s.key;
		check(nat_block(&s.key), "port %u held", s.lport);
	}
	v1 = vip_stats(VIP_TCP);
	check(s.verdict == XDP_DROP, "dropped (verdict %d) with %d held",
	      s.verdict, n);
	check(reason(XLB_REASON_LB_NAT_EXHAUSTED) == full + 1,
	      "counted as lb_nat_ports_exhausted");
	check(reason(XLB_REASON_LB_NO_BACKEND) == none,
	      "not counted as lb_no_backend");
	check(v1.nat_exhausted == v0.nat_exhausted + 1 &&
		      v1.new_flows == v0.new_flows,
	      "the VIP counts it as exhausted, not as a new flow");
	check(!table_of(&b, &c), "no entry made for the dropped flow");
	for (int i = 0; i < n && i < XLB_NAT_PORT_TRIES; i++)
		bpf_map_delete_elem(fd_of(skel->maps.xlb_nat_rev), &held[i]);
}

/*
 * A pool of two: flows leave from both addresses, replies to either
 * come back translated, and the flow cache sends each flow's next
 * packets from its own address (its entry gone, the cache alone can).
 */
static void test_pool(void)
{
	struct frame_spec p = udp4("198.18.0.40", 0);
	__u8 out[LB_FRAME_MAX];
	bool seen[2] = { false, false };
	struct nat_sent s, next;
	struct xlb_conn c;

	for (int i = 0; i < 32; i++) {
		struct l3 x;
		int slot;

		p.sport = 41000 + i;
		if (!check(nat_send(&p, &s) == XDP_TX, "flow %d", i))
			return;
		x = l3_of(s.frame, s.len);
		slot = addr_is(s.frame, src_off(&x), POOL0, false) ? 0 :
		       addr_is(s.frame, src_off(&x), POOL1, false) ? 1 :
								     -1;
		check(slot >= 0 && table_of(&p, &c) == 2 && c.snat_slot == slot,
		      "flow %d left from pool slot %d", i, slot);
		check(is_request(s.frame, s.len, &p, slot ? POOL1 : POOL0,
				 s.lport, "198.18.2.10", POOL_BPORT, B_POOL),
		      "flow %d: the request as sent", i);
		check(nat_answer(&s, 0, out) == XDP_REDIRECT &&
			      is_answer(out, s.len, &p, 0),
		      "flow %d: the reply to slot %d translated back", i, slot);
		if (slot < 0 || seen[slot])
			continue;
		seen[slot] = true;
		forget(&p, NULL);
		check(nat_send(&p, &next) == XDP_TX && next.len == s.len &&
			      !memcmp(next.frame, s.frame, s.len),
		      "slot %d: the cached flow leaves as the first packet",
		      slot);
		check(!table_of(&p, &c), "slot %d: sent by the cache", slot);
	}
	check(seen[0] && seen[1], "flows left from both pool addresses");
}

/*
 * xlb_conn.packets counts the client's packets, not the replies; those
 * the flow cache sends are added when the flow next passes the tables.
 */
static void test_packets(void)
{
	struct frame_spec u = udp4("198.18.0.22", 41100);
	struct frame_spec t = tcp4("198.18.0.20", 41101);
	static const __u8 tcp[] = { TCP_SYN, TCP_ACK, TCP_ACK,
				    TCP_ACK, TCP_ACK, TCP_FIN | TCP_ACK };
	__u8 out[LB_FRAME_MAX];
	struct nat_sent s;
	struct xlb_conn c;

	for (int i = 0; i < 5; i++)
		check(nat_send(&u, &s) == XDP_TX, "datagram %d", i);
	check(nat_answer(&s, 0, out) == XDP_REDIRECT, "a reply");
	check(table_of(&u, &c) == 2 && c.packets == 1,
	      "UDP: the table's count before the cache's (%llu)", c.packets);
	check(cache_flush(), "flow cache flushed");
	check(nat_send(&u, &s) == XDP_TX, "datagram after the flush");
	check(table_of(&u, &c) == 2 && c.packets == 6,
	      "UDP: 6 packets from the client (%llu)", c.packets);
	for (size_t i = 0; i < sizeof(tcp); i++) {
		t.tcp_flags = tcp[i];
		check(nat_send(&t, &s) == XDP_TX, "segment %zu", i);
	}
	check(table_of(&t, &c) == 2 && c.packets == sizeof(tcp),
	      "TCP: %zu packets, the cache's added at FIN (%llu)", sizeof(tcp),
	      c.packets);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "nat: a live owner keeps its port; its grace too",
		  test_owner_lives },
		{ "nat: FIN both ways, closed timeout: port taken over",
		  test_fin_both_ways },
		{ "nat: RST either way, closed timeout: port taken over",
		  test_rst },
		{ "nat: idle expiry (UDP, TCP, SYN only) frees the port",
		  test_idle },
		{ "nat: a SYN-ACK does not keep a SYN-only flow",
		  test_synack_keeps_time },
		{ "nat: two VIPs on one backend: distinct ports",
		  test_two_vips },
		{ "nat: a bare SYN on a closed flow starts a new one",
		  test_syn_after_close },
		{ "nat: a lost entry's flow finds its old port",
		  test_lost_entry },
		{ "nat: no candidate free: dropped, counted as exhausted",
		  test_exhausted },
		{ "nat: snat pool of two, replies, flow cache", test_pool },
		{ "nat: packets per flow, the flow cache's folded in",
		  test_packets },
	};

	return nat_test_main("test_lb_nat", tests,
			     sizeof(tests) / sizeof(*tests));
}
