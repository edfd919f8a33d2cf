// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: the reaper program (xlb_reap), which xlbd runs through
 * BPF_PROG_TEST_RUN on a batch of keys it put in xlb_reap_buf. Entries
 * are judged with the data plane's own rules: alive ones alive, expired
 * ones dead (judge only: kept) or deleted (reap); a NAT entry whose tag
 * changed since xlbd read it is left alone, and one being reaped (tag
 * XLB_NAT_REAPING) is never taken by a new flow meanwhile. Time is
 * moved, not waited for, as in test_lb_nat.
 */
#include "nat_fixture.h"

/*
 * Run the reaper on e[0 .. n - 1] of table `table`, deleting the dead
 * entries if del: the results are written back into e, the number
 * deleted returned (-1 when the run fails). *now_ns: the clock it
 * judged by.
 */
static int reap(__u32 table, bool del, struct xlb_reap_entry *e, __u32 n,
		__u64 *now_ns)
{
	static struct xlb_reap_args a;
	int fd = fd_of(skel->maps.xlb_reap_buf);
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u32 key = 0;

	memset(&a, 0, sizeof(a));
	a.table = table;
	a.count = n;
	a.reap = del;
	memcpy(a.e, e, n * sizeof(*e));
	if (!check(!bpf_map_update_elem(fd, &key, &a, BPF_ANY), "batch in") ||
	    !check(!bpf_prog_test_run_opts(
			   bpf_program__fd(skel->progs.xlb_reap), &opts),
		   "reaper run") ||
	    !check(!bpf_map_lookup_elem(fd, &key, &a), "batch out"))
		return -1;
	memcpy(e, a.e, n * sizeof(*e));
	if (now_ns)
		*now_ns = a.now_ns;
	return opts.retval;
}

static struct xlb_reap_entry flow_entry(const struct frame_spec *p)
{
	struct xlb_reap_entry e = { .result = ~0u };

	flow_of(p, &e.flow);
	return e;
}

static struct xlb_reap_entry nat_entry(const struct xlb_nat_key *k)
{
	struct xlb_reap_entry e = { .nat = *k, .result = ~0u };
	struct xlb_nat_val v;

	if (!nat_get(k, &v))
		e.tag = v.tag;
	return e;
}

static const char *const results[] = { "alive", "dead", "deleted", "gone" };

static const char *result_name(__u32 r)
{
	return r < sizeof(results) / sizeof(*results) ? results[r] : "none";
}

static void expect_results(const char *what, const struct xlb_reap_entry *e,
			   const __u32 *want, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		check(e[i].result == want[i], "%s: entry %u %s, want %s", what,
		      i, result_name(e[i].result), result_name(want[i]));
}

/*
 * xlb_conns and xlb_syns: a live flow, a closed flow past the closed
 * timeout beside an established one as idle (the state decides), a
 * SYN-only flow past its timeout, a flow not there; judged, then reaped.
 */
static void test_flows(void)
{
	struct frame_spec live = { CLIENT4, "198.18.0.22", IPPROTO_UDP, 42000,
				   53 };
	struct frame_spec est = { CLIENT4, "198.18.0.20", IPPROTO_TCP, 42001,
				  80 };
	struct frame_spec rst = est, syn = est, none = est;
	static const __u32 judged[] = { XLB_REAP_ALIVE, XLB_REAP_ALIVE,
					XLB_REAP_DEAD, XLB_REAP_GONE };
	static const __u32 reaped[] = { XLB_REAP_ALIVE, XLB_REAP_ALIVE,
					XLB_REAP_DELETED, XLB_REAP_GONE };
	__u64 idle = conf.closed_ns + NS_PER_S, t0, t1, now;
	struct xlb_reap_entry e[4], s[2];
	struct nat_sent out;
	struct xlb_conn c;

	rst.sport = 42002;
	syn.sport = 42003;
	none.sport = 42004;
	est.tcp_flags = rst.tcp_flags = TCP_SYN;
	check(nat_send(&live, &out) == XDP_TX &&
		      nat_send(&est, &out) == XDP_TX &&
		      nat_send(&rst, &out) == XDP_TX &&
		      nat_send(&syn, &out) == XDP_TX,
	      "flows made");
	est.tcp_flags = TCP_ACK;
	rst.tcp_flags = TCP_RST | TCP_ACK;
	check(nat_send(&est, &out) == XDP_TX && nat_send(&rst, &out) == XDP_TX,
	      "established, then closed");
	check(conn_age(&est, idle) && conn_age(&rst, idle) &&
		      conn_age(&syn, conf.syn_ns + NS_PER_S),
	      "idle");
	e[0] = flow_entry(&live);
	e[1] = flow_entry(&est);
	e[2] = flow_entry(&rst);
	e[3] = flow_entry(&none);
	t0 = coarse_now();
	check(reap(XLB_REAP_CONNS, false, e, 4, &now) == 0, "judge: none");
	t1 = coarse_now();
	/* The fine clock is at most a tick ahead of the coarse one. */
	check(now >= t0 && now <= t1 + NS_PER_S, "judged by the clock");
	expect_results("xlb_conns, judged", e, judged, 4);
	check(table_of(&rst, &c) == 2, "a dead entry judged is kept");
	check(reap(XLB_REAP_CONNS, true, e, 4, NULL) == 1, "reap: one");
	expect_results("xlb_conns, reaped", e, reaped, 4);
	check(table_of(&rst, &c) == 0 && table_of(&est, &c) == 2,
	      "the dead entry deleted, the live one kept");
	s[0] = flow_entry(&syn);
	s[1] = flow_entry(&live); /* not in xlb_syns */
	check(reap(XLB_REAP_SYNS, true, s, 2, NULL) == 1, "reap xlb_syns");
	check(s[0].result == XLB_REAP_DELETED && s[1].result == XLB_REAP_GONE,
	      "SYN-only flow past its timeout deleted (%s, %s)",
	      result_name(s[0].result), result_name(s[1].result));
	check(table_of(&live, &c) == 2, "xlb_conns untouched");
}

/*
 * xlb_nat_rev: a port with a live owner, one in its grace with no owner
 * entry yet, one whose owner is gone; judged, then reaped.
 */
static void test_ports(void)
{
	struct frame_spec p[3] = {
		{ CLIENT4, "198.18.0.22", IPPROTO_UDP, 42100, 53 },
		{ CLIENT4, "198.18.0.22", IPPROTO_UDP, 42101, 53 },
		{ CLIENT4, "198.18.0.22", IPPROTO_UDP, 42102, 53 },
	};
	static const __u32 judged[] = { XLB_REAP_ALIVE, XLB_REAP_ALIVE,
					XLB_REAP_DEAD };
	static const __u32 reaped[] = { XLB_REAP_ALIVE, XLB_REAP_ALIVE,
					XLB_REAP_DELETED };
	struct xlb_reap_entry e[3];
	struct nat_sent s[3];
	struct xlb_nat_val v;

	for (int i = 0; i < 3; i++)
		check(nat_send(&p[i], &s[i]) == XDP_TX &&
			      nat_past_grace(&s[i].key),
		      "flow %d, past the grace", i);
	forget(&p[1], NULL);
	check(nat_born(&s[1].key, coarse_now() + HOUR_NS), "port 1 young");
	forget(&p[2], NULL);
	for (int i = 0; i < 3; i++)
		e[i] = nat_entry(&s[i].key);
	check(reap(XLB_REAP_NAT, false, e, 3, NULL) == 0, "judge: none");
	expect_results("xlb_nat_rev, judged", e, judged, 3);
	check(!nat_get(&s[2].key, &v) && v.tag == e[2].tag,
	      "a dead port judged is kept as it was");
	check(reap(XLB_REAP_NAT, true, e, 3, NULL) == 1, "reap: one");
	expect_results("xlb_nat_rev, reaped", e, reaped, 3);
	check(nat_get(&s[2].key, &v) == -ENOENT && nat_names(&s[0].key, &p[0]),
	      "the dead port deleted, the live one kept");
}

/*
 * A port whose tag changed after xlbd read it (its owner came back and
 * took it again) is left alone, judged or reaped.
 */
static void test_tag_changed(void)
{
	struct frame_spec p = { CLIENT4, "198.18.0.22", IPPROTO_UDP, 42200,
				53 };
	struct nat_sent s, again;
	struct xlb_reap_entry e;

	check(nat_send(&p, &s) == XDP_TX && nat_past_grace(&s.key),
	      "a flow, past the grace");
	forget(&p, NULL);
	check(cache_flush(), "flow cache flushed");
	e = nat_entry(&s.key);
	check(nat_send(&p, &again) == XDP_TX &&
		      !memcmp(&again.key, &s.key, sizeof(s.key)),
	      "the owner back on its port");
	for (int del = 0; del < 2; del++) {
		e.result = ~0u;
		check(reap(XLB_REAP_NAT, del, &e, 1, NULL) == 0 &&
			      e.result == XLB_REAP_GONE,
		      "%s: changed tag, %s", del ? "reap" : "judge",
		      result_name(e.result));
	}
	check(nat_names(&s.key, &p), "the port still its owner's");
}

/*
 * A port being reaped (XLB_NAT_REAPING, set just before the delete) is
 * never taken, not even by its own flow come back: that flow gets
 * another. The reaper, run again with that tag, finishes the delete.
 */
static void test_reaping(void)
{
	struct frame_spec p = { CLIENT4, "198.18.0.22", IPPROTO_UDP, 42300,
				53 };
	struct xlb_reap_entry e;
	struct nat_sent s, again;
	struct xlb_nat_val v;

	check(nat_send(&p, &s) == XDP_TX && !nat_get(&s.key, &v),
	      "a flow and its port");
	v.tag = XLB_NAT_REAPING;
	check(!nat_put(&s.key, &v), "port being reaped");
	forget(&p, NULL);
	check(cache_flush(), "flow cache flushed");
	check(nat_send(&p, &again) == XDP_TX && again.lport != s.lport,
	      "the flow gets another port (%u, was %u)", again.lport, s.lport);
	check(!nat_get(&s.key, &v) && v.tag == XLB_NAT_REAPING,
	      "the port being reaped is untouched");
	e = nat_entry(&s.key);
	check(reap(XLB_REAP_NAT, true, &e, 1, NULL) == 1 &&
		      e.result == XLB_REAP_DELETED,
	      "the reaper finishes the delete (%s)", result_name(e.result));
	check(nat_names(&again.key, &p), "the flow's new port is its own");
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "reap: flows judged by state, dead ones reaped", test_flows },
		{ "reap: NAT ports: owner live, in grace, gone", test_ports },
		{ "reap: a port whose tag changed is left alone",
		  test_tag_changed },
		{ "reap: a port being reaped is never taken", test_reaping },
	};

	return nat_test_main("test_lb_reap", tests,
			     sizeof(tests) / sizeof(*tests));
}
