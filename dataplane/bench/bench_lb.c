// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Load balancer benchmark: ns per packet of xlb's XDP program, in DSR and
 * in NAT mode, for a new TCP flow (SYN), an established TCP flow, 65,536
 * established TCP flows in turn (more than the per-CPU flow cache holds),
 * an established UDP flow, an established IPv6 flow, a NAT reply and a
 * packet for no VIP, beside the parse-and-drop floor of the same run;
 * then xlb beside a one-table reference load balancer (bench_ref.bpf.c)
 * in a second table: one hot flow, a new flow, a SYN flood with the
 * tables full, and 65,536 / 400,000 / 1,048,576 established flows in
 * turn, made in one shuffled order and visited in another, with the
 * ratios xlb/reference and the share of packets that found their flow.
 *
 * Method. The stage rewrites frames (NAT rewrites addresses and ports),
 * and BPF_PROG_TEST_RUN's `repeat` does not restore the frame between
 * iterations; neither does its live frames mode (pages are recycled with
 * whatever the program wrote: on Linux 6.18 every iteration after the
 * first batch sees the rewritten frame). So every row runs bench_restore
 * (bench.bpf.c) with `repeat`: each iteration writes the template frame
 * over the frame, for the SYN rows with a new source address and port
 * (a new flow every iteration), for the many-flow rows with the source
 * of the next flow, and tail-calls the program measured. The floor and a
 * program that only drops are measured the same way; "prog" is a row
 * less the restore and tail call alone (the program's own time, which
 * the targets are about). After each run the counters must show that
 * every iteration was what the row claims (a table hit and a forward, a
 * new flow, a forwarded reply, a pass).
 *
 * The machine is shared, so rows take turns: each of RUNS rounds runs
 * every row once, and a row's figure is its median. New flows come last,
 * their runs one after another: a SYN flood churns the tables (and, for
 * NAT, takes ports) that the other rows would then find changed.
 *
 * The packet monitor: "monitor on (drops)" is the established DSR flow
 * again while xlb_monitor_conf asks for drops (forwarded packets make no
 * event), beside it with the monitor off; a packet dropped (a VIP with
 * no backend) costs its event, measured with the monitor off and on, a
 * thread of this process reading the ring meanwhile as xlbd would (the
 * events put and lost are printed).
 *
 * Run by scripts/bench.sh in a private network namespace, with IFNAME a
 * veth that has a route and a permanent neighbour for the clients (the
 * NAT reply's FIB lookup) and forwarding on: ingress and every backend
 * are behind IFNAME, so forwarding is XDP_TX.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "floor.skel.h"
#include "bench/bench.skel.h"
#include "bench_abi.h"
#include "bench_monitor.h"
#include "bench_ref.h"
#include "bench_util.h"
#include "fixture.h"
#include "frames.h"

#define REPEAT 1000000
#define REPEAT_NEW 200000
#define RUNS 5
#define BACKENDS 100
#define CONNS 1048576

/* What a row's counters must show for each of its iterations. */
enum expect {
	EXPECT_DROP, /* the floor and the bare restore: XDP_DROP */
	EXPECT_HIT, /* a flow in the tables, forwarded */
	EXPECT_NEW, /* a packet for a VIP of no known flow */
	EXPECT_REPLY, /* a NAT reply, forwarded */
	EXPECT_PASS, /* not for the load balancer: passed */
};

/* The program a row's restorer calls. */
enum prog { PROG_XLB, PROG_BARE, PROG_FLOOR, PROG_REF };

struct row {
	const char *mode, *name;
	struct frame_spec p;
	enum expect expect;
	__u32 vip;
	double target; /* ns/packet of "prog"; 0: none */
	enum prog prog;
	bool lb_off; /* the interface's load balancer stage off */
	__u32 flows; /* established flows taking turns; 0: one */
	__u32 monitor; /* xlb_monitor_conf.flags during the row */
};

/* VIP ids, their backends and the NAT source addresses. */
enum {
	VIP_TCP,
	VIP_UDP,
	VIP_V6,
	VIP_NAT,
	VIP_NAT_UDP,
	VIP_NAT6,
	VIP_EMPTY, /* no backend: its packets are dropped */
	VIPS
};

static const struct {
	const char *addr;
	__u8 proto;
	enum xlb_lb_mode mode;
	const char *backends, *snat;
} vips[VIPS] = {
	{ "198.18.0.10", IPPROTO_TCP, XLB_MODE_DSR, "198.18.1.0" },
	{ "198.18.0.11", IPPROTO_UDP, XLB_MODE_DSR, "198.18.1.0" },
	{ "2001:db8::10", IPPROTO_TCP, XLB_MODE_DSR, "2001:db8:1::" },
	{ "198.18.0.20", IPPROTO_TCP, XLB_MODE_NAT, "198.18.3.0",
	  "198.18.2.1" },
	{ "198.18.0.21", IPPROTO_UDP, XLB_MODE_NAT, "198.18.3.0",
	  "198.18.2.1" },
	{ "2001:db8::20", IPPROTO_TCP, XLB_MODE_NAT,
	  "2001:db8:3::", "2001:db8:2::1" },
	{ "198.18.0.30", IPPROTO_TCP, XLB_MODE_DSR },
};

/* The reference load balancer's VIP (bench_ref.bpf.c), port 80/tcp. */
#define REF_VIP "198.18.0.40"

#define ACK 0x10
/* Established flows taking turns: more than any per-CPU cache holds. */
#define MANY 65536
#define MANY_STR "65,536"
#define SYN_FRAME                                                   \
	{                                                           \
		"198.18.5.1", "198.18.0.10", IPPROTO_TCP, 40000, 80 \
	}
#define NO_VIP_FRAME                                                \
	{                                                           \
		"198.18.5.1", "198.18.0.99", IPPROTO_TCP, 40000, 80 \
	}
#define EMPTY_FRAME                                                 \
	{                                                           \
		"198.18.5.1", "198.18.0.30", IPPROTO_TCP, 40000, 80 \
	}
enum { ROW_BARE, ROW_FLOOR };
static const struct row rows[] = {
	{ "", "restore + tail call alone", SYN_FRAME, EXPECT_DROP,
	  .prog = PROG_BARE },
	{ "", "parse-and-drop floor", SYN_FRAME, EXPECT_DROP,
	  .prog = PROG_FLOOR },
	{ "", "counters only (lb off)", NO_VIP_FRAME, EXPECT_PASS,
	  .lb_off = true },
	{ "DSR",
	  "TCP, established flow",
	  { "198.18.5.1", "198.18.0.10", IPPROTO_TCP, 40000, 80,
	    .tcp_flags = ACK },
	  EXPECT_HIT,
	  VIP_TCP,
	  45 },
	{ "DSR",
	  "TCP, established, " MANY_STR " flows in turn",
	  { "198.18.5.1", "198.18.0.10", IPPROTO_TCP, 40000, 80,
	    .tcp_flags = ACK },
	  EXPECT_HIT,
	  VIP_TCP,
	  45,
	  .flows = MANY },
	{ "DSR",
	  "UDP, established flow",
	  { "198.18.5.1", "198.18.0.11", IPPROTO_UDP, 40000, 80 },
	  EXPECT_HIT,
	  VIP_UDP },
	{ "DSR",
	  "IPv6 TCP, established flow",
	  { "2001:db8:5::1", "2001:db8::10", IPPROTO_TCP, 40000, 80,
	    .tcp_flags = ACK },
	  EXPECT_HIT,
	  VIP_V6 },
	{ "DSR", "not for a VIP", NO_VIP_FRAME, EXPECT_PASS },
	{ "DSR",
	  "TCP, established, monitor on (drops)",
	  { "198.18.5.1", "198.18.0.10", IPPROTO_TCP, 40000, 80,
	    .tcp_flags = ACK },
	  EXPECT_HIT,
	  VIP_TCP,
	  .monitor = XLB_MON_DROPS },
	{ "DSR", "dropped (VIP without backend)", EMPTY_FRAME, EXPECT_DROP,
	  VIP_EMPTY },
	{ "DSR", "dropped, monitor on: an event each", EMPTY_FRAME, EXPECT_DROP,
	  VIP_EMPTY, .monitor = XLB_MON_DROPS },
	{ "DSR", "SYN, new flow", SYN_FRAME, EXPECT_NEW, VIP_TCP },
	{ "NAT",
	  "TCP, established flow",
	  { "198.18.5.1", "198.18.0.20", IPPROTO_TCP, 40000, 80,
	    .tcp_flags = ACK },
	  EXPECT_HIT,
	  VIP_NAT,
	  60 },
	/* Made from what the previous row sends, see reply_to(). */
	{ "NAT", "TCP reply, backend to client", {}, EXPECT_REPLY, VIP_NAT },
	{ "NAT",
	  "TCP, established, " MANY_STR " flows in turn",
	  { "198.18.5.1", "198.18.0.20", IPPROTO_TCP, 40000, 80,
	    .tcp_flags = ACK },
	  EXPECT_HIT,
	  VIP_NAT,
	  60,
	  .flows = MANY },
	{ "NAT",
	  "UDP, established flow",
	  { "198.18.5.1", "198.18.0.21", IPPROTO_UDP, 40000, 80 },
	  EXPECT_HIT,
	  VIP_NAT_UDP },
	{ "NAT",
	  "IPv6 TCP, established flow",
	  { "2001:db8:5::1", "2001:db8::20", IPPROTO_TCP, 40000, 80,
	    .tcp_flags = ACK },
	  EXPECT_HIT,
	  VIP_NAT6 },
	{ "NAT",
	  "not for a VIP (to the NAT address)",
	  { "198.18.5.1", "198.18.2.1", IPPROTO_TCP, 40000, 40000 },
	  EXPECT_PASS },
	{ "NAT",
	  "SYN, new flow",
	  { "198.18.5.1", "198.18.0.20", IPPROTO_TCP, 40000, 80 },
	  EXPECT_NEW,
	  VIP_NAT },
	{ "REF",
	  "TCP, established flow",
	  { "198.18.5.1", REF_VIP, IPPROTO_TCP, 40000, 80, .tcp_flags = ACK },
	  EXPECT_HIT,
	  .prog = PROG_REF },
	{ "REF",
	  "SYN, new flow",
	  { "198.18.5.1", REF_VIP, IPPROTO_TCP, 40000, 80 },
	  EXPECT_NEW,
	  .prog = PROG_REF },
};
#define ROWS (sizeof(rows) / sizeof(rows[0]))

static struct xlb *skel;
static struct bench *bn;
static struct floor *fl;
static struct bench_ref *ref;
static __u32 ifindex;
static const __u8 lb_mac[ETH_ALEN] = { 0x02, 0xaa, 0, 0, 0, 1 };
static const __u8 hop_mac[ETH_ALEN] = { 0x02, 0xbb, 0, 0, 0, 1 };

/* Each row's frame, its ns per run, and (NAT SYN) flows not forwarded. */
static __u8 frames[ROWS][BENCH_FRAME_MAX];
static size_t lens[ROWS];
static double ns[ROWS][RUNS];
static __u64 not_fwd[ROWS];
static __u64 events_read; /* by the monitor's reader */

/* What the counters say, summed over CPUs. */
struct tally {
	__u64 fwd, hits, misses, passed;
};

static int tally(enum prog prog, __u32 vip, struct tally *t)
{
	__u64 rc[REF_STATS];
	int ncpu = libbpf_num_possible_cpus();
	struct xlb_vip_stats vs[ncpu];
	struct xlb_hook_stats *hs = calloc(ncpu, sizeof(*hs));
	__u32 key = 0 * XLB_HOOK_MAX + XLB_HOOK_XDP; /* slot 0 */
	int ret = 0;

	memset(t, 0, sizeof(*t));
	if (prog == PROG_REF) {
		free(hs);
		if (bench_ref_counts(ref, rc))
			return -1;
		*t = (struct tally){ .fwd = rc[REF_TX],
				     .hits = rc[REF_HITS],
				     .misses = rc[REF_INSERTS],
				     .passed = rc[REF_PASS] };
		return 0;
	}
	if (!hs ||
	    bpf_map_lookup_elem(bpf_map__fd(skel->maps.xlb_vip_stats), &vip,
				vs) ||
	    bpf_map_lookup_elem(bpf_map__fd(skel->maps.xlb_hook_stats), &key,
				hs))
		ret = -1;
	for (int c = 0; !ret && c < ncpu; c++) {
		t->fwd += vs[c].fwd.packets;
		t->hits += vs[c].conn_hits;
		t->misses += vs[c].conn_misses;
		t->passed += hs[c].verdict[XLB_VERDICT_PASS].packets;
	}
	free(hs);
	return ret;
}

/* Run the restorer `repeat` times over frame, the last output into out
 * (optional); returns the verdict of the last iteration, or -1. */
static int run(const __u8 *frame, size_t len, __u8 *out, __u32 repeat,
	       __u32 *ns_out)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .data_out = out,
		    .data_size_out = out ? len : 0, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(bpf_program__fd(bn->progs.bench_restore),
				   &opts))
		return -1;
	if (ns_out)
		*ns_out = opts.duration;
	return opts.retval;
}

/* The interface's stages: the load balancer on or off. */
static int set_lb(bool on)
{
	int fd = bpf_map__fd(skel->maps.xlb_ifaces);
	struct xlb_iface ifc;

	if (bpf_map_lookup_elem(fd, &ifindex, &ifc))
		return -errno;
	ifc.stages = on ? XLB_STAGE_LB : 0;
	return bpf_map_update_elem(fd, &ifindex, &ifc, BPF_ANY) ? -errno : 0;
}

static int prog_fd(enum prog prog)
{
	switch (prog) {
	case PROG_BARE:
		return bpf_program__fd(bn->progs.bench_drop);
	case PROG_FLOOR:
		return bpf_program__fd(fl->progs.xlb_floor);
	case PROG_REF:
		return bpf_program__fd(ref->progs.ref_lb);
	default:
		return bpf_program__fd(skel->progs.xlb_xdp);
	}
}

/* The template bench_restore starts from and the program it calls. */
static int load_frame(const struct bench_frame *f, int prog)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(bn->maps.bench_frames), &zero, f,
				BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(bn->maps.bench_target), &zero,
				&prog, BPF_ANY))
		return -errno;
	return 0;
}

/* Make row i's frame the template (varied per iteration for new flows)
 * and its program the one the restorer calls. */
static int load_row(size_t i)
{
	const struct row *r = &rows[i];
	struct bench_frame f = { .len = lens[i] };
	struct xlb_monitor_conf mc = { .flags = r->monitor };
	__u32 zero = 0;

	memcpy(f.bytes, frames[i], lens[i]);
	if (r->expect == EXPECT_NEW || r->flows) {
		/* the last 2 bytes of the IPv4 source, and the source port */
		f.vary_addr_off = ETH_HLEN + 14;
		f.vary_port_off = ETH_HLEN + 20;
		f.vary_mod = r->flows;
	}
	if (load_frame(&f, prog_fd(r->prog)) ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_monitor_conf), &zero,
				&mc, BPF_ANY))
		return -errno;
	return set_lb(!r->lb_off);
}

/* Did every iteration of a run do what the row expects? */
static bool as_expected(size_t i, int verdict, __u32 n, const struct tally *a,
			const struct tally *b)
{
	__u64 fwd = b->fwd - a->fwd;

	switch (rows[i].expect) {
	case EXPECT_DROP:
		return verdict == XDP_DROP;
	case EXPECT_HIT:
		return verdict == XDP_TX && b->hits - a->hits == n && fwd == n;
	case EXPECT_NEW:
		/* NAT: a flow finding no free port is dropped, counted. */
		not_fwd[i] += n - fwd;
		return (verdict == XDP_TX || verdict == XDP_DROP) &&
		       b->misses - a->misses == n && fwd <= n;
	case EXPECT_REPLY:
		return verdict == XDP_TX && fwd == n;
	case EXPECT_PASS:
		return verdict == XDP_PASS && b->passed - a->passed == n &&
		       fwd == 0;
	}
	return false;
}

/* Run row i once with `repeat` n; its ns/packet, or -1 (said why). */
static double measure(size_t i, __u32 n)
{
	struct tally a, b;
	int verdict;
	__u32 t;

	if (load_row(i) || tally(rows[i].prog, rows[i].vip, &a))
		return -1;
	verdict = run(frames[i], lens[i], NULL, n, &t);
	if (tally(rows[i].prog, rows[i].vip, &b))
		return -1;
	if (!as_expected(i, verdict, n, &a, &b)) {
		fprintf(stderr,
			"bench_lb: %s %s: verdict %d, %llu forwarded, %llu "
			"hits, %llu misses, %llu passed of %u\n",
			rows[i].mode, rows[i].name, verdict, b.fwd - a.fwd,
			b.hits - a.hits, b.misses - a.misses,
			b.passed - a.passed, n);
		return -1;
	}
	return t;
}

/* Row i's frame is the backend's reply to what row i - 1 sends it:
 * addresses and ports swapped, checksums filled. */
static int reply_to(size_t i)
{
	__u8 out[BENCH_FRAME_MAX], *rep = frames[i];
	size_t len = lens[i - 1], l4 = ETH_HLEN + 20;

	if (load_row(i - 1) || run(frames[i - 1], len, out, 1, NULL) != XDP_TX)
		return -1;
	memcpy(rep, out, len);
	memcpy(rep + ETH_HLEN + 12, out + ETH_HLEN + 16, 4);
	memcpy(rep + ETH_HLEN + 16, out + ETH_HLEN + 12, 4);
	memcpy(rep + l4, out + l4 + 2, 2);
	memcpy(rep + l4 + 2, out + l4, 2);
	bench_fill_csums(rep, len);
	lens[i] = len;
	return 0;
}

/* Every row's frame; established flows get into their tables. */
static int prepare(void)
{
	for (size_t i = 0; i < ROWS; i++) {
		if (rows[i].expect == EXPECT_REPLY) {
			if (reply_to(i))
				return -1;
			continue;
		}
		lens[i] = frame_build(frames[i], &rows[i].p);
		bench_fill_csums(frames[i], lens[i]);
		if (rows[i].expect != EXPECT_NEW &&
		    (load_row(i) || run(frames[i], lens[i], NULL,
					rows[i].flows ?: 1, NULL) < 0))
			return -1;
	}
	return 0;
}

/* xlb loaded afresh (empty tables) with its interface and VIPs. */
static int setup(void)
{
	struct xlb_vip_key keys[VIPS];
	struct lb_hint_addr snats[2] = {};
	int ret;

	if (skel)
		xlb__destroy(skel);
	ret = fixture_open(&skel, 64, 64, CONNS) ?:
						   bench_put_iface(skel, ifindex);

	snats[0].family = bench_family("198.18.2.1", snats[0].addr);
	snats[1].family = bench_family("2001:db8:2::1", snats[1].addr);
	for (__u32 v = 0; !ret && v < VIPS; v++) {
		struct xlb_vip val = { .id = v, .mode = vips[v].mode };

		__u32 n = vips[v].backends ? BACKENDS : 0;

		keys[v] = bench_vip_key(vips[v].addr, 80, vips[v].proto);
		ret = bench_put_backends(skel, v * BACKENDS, n, vips[v].backends, ifindex, hop_mac, lb_mac, vips[v].snat, vips[v].snat ? 8080 : 0) ?:
			      bench_put_ring(skel, v, v * BACKENDS, n) ?:
			      lb_hints_write(
				      bpf_map__fd(skel->maps.xlb_vip_hints),
				      keys, v + 1, snats, 2);
		if (!ret &&
		    bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_vips),
					&keys[v], &val, BPF_ANY))
			ret = -errno;
	}
	return ret;
}

/* Rounds of every row but new flows, then the new flows' runs. */
static int measure_all(void)
{
	for (int r = 0; r < RUNS; r++)
		for (size_t i = 0; i < ROWS; i++)
			if (rows[i].expect != EXPECT_NEW &&
			    (ns[i][r] = measure(i, REPEAT)) < 0)
				return -1;
	for (size_t i = 0; i < ROWS; i++)
		for (int r = 0; rows[i].expect == EXPECT_NEW && r < RUNS; r++)
			if ((ns[i][r] = measure(i, REPEAT_NEW)) < 0)
				return -1;
	return 0;
}

/* Measure every row with a reader of the monitor's ring running. */
static int measure_reading(void)
{
	struct bench_reader r;
	int ret;

	if (bench_reader_start(&r, bpf_map__fd(skel->maps.xlb_monitor)))
		return -1;
	ret = measure_all();
	bench_reader_stop(&r);
	events_read = r.events;
	return ret;
}

/* The monitor's events: put in the ring, lost (full), and read. */
static void print_monitor(void)
{
	__u64 put, lost;

	if (bench_monitor_counts(bpf_map__fd(skel->maps.xlb_monitor_cpu), &put,
				 &lost))
		return;
	printf("  monitor: %llu events put in the ring, %llu lost (ring "
	       "full), %llu read\n",
	       (unsigned long long)put, (unsigned long long)lost,
	       (unsigned long long)events_read);
}

static void print(void)
{
	double m[ROWS];

	for (size_t i = 0; i < ROWS; i++)
		m[i] = bench_median(ns[i], RUNS);
	printf("lb: ns/packet, BPF_PROG_TEST_RUN repeat %d (%d for new flows), "
	       "median of %d rounds;\n",
	       REPEAT, REPEAT_NEW, RUNS);
	printf("  every iteration restores the frame from a template, then "
	       "tail-calls the program\n"
	       "  (dataplane/bench/bench.bpf.c); \"prog\" is ns less the "
	       "restore and tail call alone;\n"
	       "  every run's counters checked; %d backends per VIP, "
	       "%d-flow table\n",
	       BACKENDS, CONNS);
	printf("  %-45s %6s %6s %7s\n", "", "ns", "prog", "x floor");
	for (size_t i = 0; i < ROWS; i++) {
		const struct row *r = &rows[i];
		double prog = m[i] - m[ROW_BARE];

		printf("  %-4s %-40s %6.1f", r->mode, r->name, m[i]);
		if (i != ROW_BARE)
			printf(" %6.1f %7.2f", prog, m[i] / m[ROW_FLOOR]);
		if (r->target > 0)
			printf("   target <= %.0f: %s", r->target,
			       prog <= r->target ? "met" : "NOT met");
		printf("\n");
		if (not_fwd[i])
			printf("       (%llu of %d new flows found no free NAT "
			       "port and were dropped)\n",
			       not_fwd[i], RUNS * REPEAT_NEW);
	}
	print_monitor();
}

/*
 * At scale: the reference beside xlb in DSR and in NAT, on one CPU (per
 * CPU tables fill as one CPU's traffic would fill them). Flows in turn
 * are made in one shuffled order, then visited in another; a SYN flood
 * comes once every table is full.
 */
#define SCALE_SIZES 3
static const __u32 scale_sizes[SCALE_SIZES] = { 65536, 400000, 1048576 };
static const char *const scale_labels[SCALE_SIZES] = { "65,536", "400,000",
						       "1,048,576" };
/* The shuffles' seeds: the order flows are made in, and visited in. */
#define SEED_MAKE 0x1000
#define SEED_VISIT 0x2000
/* SYNs sent before the flood's runs: xlb's SYN tables twice over. */
#define FLOOD_FILL (2 * XLB_DEFAULT_SYNS)

enum { SC_REF, SC_DSR, SC_NAT, SC_PROGS };
static const struct {
	const char *mode, *dst;
	enum prog prog;
	__u32 vip;
} scale_progs[SC_PROGS] = {
	{ "REF", REF_VIP, PROG_REF, 0 },
	{ "DSR", "198.18.0.10", PROG_XLB, VIP_TCP },
	{ "NAT", "198.18.0.20", PROG_XLB, VIP_NAT },
};

/* The comparison's cases; the first two are rows of the table above. */
enum {
	CASE_HOT,
	CASE_NEW,
	CASE_FLOOD,
	CASE_FLOWS,
	CASES = CASE_FLOWS + SCALE_SIZES
};

/* Per case and program: "prog" ns/packet, the share of the packets that
 * found their flow, and the packets not forwarded (NAT: no free port). */
static double scale_prog[CASES][SC_PROGS], scale_hits[CASES][SC_PROGS];
static __u64 scale_unfwd[CASES][SC_PROGS];
static __u8 scale_buf[BENCH_FRAME_MAX];
static size_t scale_len;

/*
 * Program pi's TCP frame as the template, its source varied: an ACK of
 * the next of n flows from bench_tuples or, n == 0, a SYN of a new flow
 * every iteration; the restorer calls target.
 */
static int scale_load(int pi, __u32 n, enum prog target)
{
	struct frame_spec p = { "198.18.5.1", scale_progs[pi].dst,
				IPPROTO_TCP,  40000,
				80,	      .tcp_flags = n ? ACK : 0 };
	struct bench_frame f = { .vary_port_off = ETH_HLEN + 20,
				 .vary_mod = n,
				 .vary_tuples = n > 0 };

	/* the whole IPv4 source from a tuple, else its last 2 bytes */
	f.vary_addr_off = ETH_HLEN + (n ? 12 : 14);
	f.len = scale_len = frame_build(f.bytes, &p);
	bench_fill_csums(f.bytes, f.len);
	return load_frame(&f, prog_fd(target));
}

/* Run the loaded frame n times through program pi: ns into *t, the
 * counters' difference into *d; -1 when a packet neither found nor
 * inserted its flow (a SYN: did not insert it). */
static int scale_run(int pi, __u32 n, bool syn, __u32 *t, struct tally *d)
{
	enum prog prog = scale_progs[pi].prog;
	__u32 vip = scale_progs[pi].vip;
	struct tally a, b;
	int verdict;

	if (tally(prog, vip, &a))
		return -1;
	verdict = run(scale_buf, scale_len, NULL, n, t);
	if (tally(prog, vip, &b))
		return -1;
	d->fwd = b.fwd - a.fwd;
	d->hits = b.hits - a.hits;
	d->misses = b.misses - a.misses;
	if ((verdict == XDP_TX || verdict == XDP_DROP) &&
	    d->hits + d->misses == n && (!syn || d->misses == n) && d->fwd <= n)
		return 0;
	fprintf(stderr,
		"bench_lb: %s at scale: verdict %d, %llu forwarded, %llu "
		"hits, %llu misses of %u\n",
		scale_progs[pi].mode, verdict, d->fwd, d->hits, d->misses, n);
	return -1;
}

/* Case ci for program pi: RUNS rounds of the restore alone and of pi,
 * n packets each, the frame varied as scale_load(pi, flows) does. */
static int scale_measure(int ci, int pi, __u32 flows, __u32 n)
{
	double bare[RUNS], prog[RUNS];
	__u64 hits = 0, unfwd = 0;
	struct tally d;
	__u32 t;

	for (int r = 0; r < RUNS; r++) {
		if (scale_load(pi, flows, PROG_BARE) ||
		    run(scale_buf, scale_len, NULL, n, &t) != XDP_DROP)
			return -1;
		bare[r] = t;
		if (scale_load(pi, flows, scale_progs[pi].prog) ||
		    scale_run(pi, n, !flows, &t, &d))
			return -1;
		prog[r] = t;
		hits += d.hits;
		unfwd += n - d.fwd;
	}
	scale_prog[ci][pi] =
		bench_median(prog, RUNS) - bench_median(bare, RUNS);
	scale_hits[ci][pi] = (double)hits / ((double)RUNS * n);
	scale_unfwd[ci][pi] = unfwd;
	return 0;
}

/*
 * Size s's flows for each program: made, then visited in turn. xlb is
 * loaded afresh for each of DSR and NAT, as their flows share its tables
 * (and the rows above leave a million SYN flows and their NAT ports):
 * each finds only its own flows, as the reference does in its table.
 */
static int scale_flows(int s)
{
	int fd = bpf_map__fd(bn->maps.bench_tuples);
	__u32 n = scale_sizes[s], t;
	struct tally d;

	for (int pi = 0; pi < SC_PROGS; pi++)
		if ((scale_progs[pi].prog == PROG_XLB && setup()) ||
		    bench_tuples_shuffled(fd, n, SEED_MAKE + s) ||
		    scale_load(pi, n, scale_progs[pi].prog) ||
		    scale_run(pi, n, false, &t, &d) ||
		    bench_tuples_shuffled(fd, n, SEED_VISIT + s) ||
		    scale_measure(CASE_FLOWS + s, pi, n, n))
			return -1;
	return 0;
}

/* The rows of the table above that are cases of the comparison. */
static void scale_from_rows(void)
{
	double bare = bench_median(ns[ROW_BARE], RUNS);

	for (size_t i = 0; i < ROWS; i++)
		for (int pi = 0; pi < SC_PROGS; pi++) {
			int c = !strcmp(rows[i].name, "TCP, established flow") ?
					CASE_HOT :
				!strcmp(rows[i].name, "SYN, new flow") ?
					CASE_NEW :
					-1;

			if (c < 0 || strcmp(rows[i].mode, scale_progs[pi].mode))
				continue;
			scale_prog[c][pi] = bench_median(ns[i], RUNS) - bare;
			scale_hits[c][pi] = c == CASE_HOT;
			scale_unfwd[c][pi] = not_fwd[i];
		}
}

static int scale_all(void)
{
	struct tally d;
	cpu_set_t cpu0;
	__u32 t;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0) || set_lb(true))
		return -1;
	scale_from_rows();
	for (int s = 0; s < SCALE_SIZES; s++)
		if (scale_flows(s))
			return -1;
	/* every table full: a flood of SYNs, then the measured runs */
	for (int pi = 0; pi < SC_PROGS; pi++)
		if (scale_load(pi, 0, scale_progs[pi].prog) ||
		    scale_run(pi, FLOOD_FILL, true, &t, &d) ||
		    scale_measure(CASE_FLOOD, pi, 0, REPEAT_NEW))
			return -1;
	return 0;
}

static void scale_print(void)
{
	static const char *const names[CASE_FLOWS] = {
		"TCP, established flow (one, hot)", "SYN, new flow",
		"SYN flood, tables full"
	};
	char name[64];

	printf("lb beside a one-table reference (bench_ref.bpf.c, an LRU hash "
	       "of %d flows):\n"
	       "  \"prog\" ns/packet as above, median of %d; flows in turn "
	       "made in one random order,\n"
	       "  visited in another, \"prog\" less the restore of their "
	       "sources alone; hits: share\n"
	       "  of the packets that found their flow (the rest inserted "
	       "it again); on one CPU\n",
	       REF_FLOWS, RUNS);
	printf("  %-38s %7s %7s %7s %8s %8s  %s\n", "", "REF", "DSR", "NAT",
	       "DSR/REF", "NAT/REF", "hits REF/DSR/NAT");
	for (int c = 0; c < CASES; c++) {
		const double *p = scale_prog[c], *h = scale_hits[c];

		if (c < CASE_FLOWS)
			snprintf(name, sizeof(name), "%s", names[c]);
		else
			snprintf(name, sizeof(name),
				 "%s flows in turn, random order",
				 scale_labels[c - CASE_FLOWS]);
		printf("  %-38s %7.1f %7.1f %7.1f %8.2f %8.2f  %.0f%%/%.0f%%/"
		       "%.0f%%\n",
		       name, p[SC_REF], p[SC_DSR], p[SC_NAT],
		       p[SC_DSR] / p[SC_REF], p[SC_NAT] / p[SC_REF],
		       100 * h[SC_REF], 100 * h[SC_DSR], 100 * h[SC_NAT]);
		for (int pi = 0; pi < SC_PROGS; pi++)
			if (scale_unfwd[c][pi])
				printf("       (%s: %llu packets not forwarded, "
				       "no free NAT port)\n",
				       scale_progs[pi].mode,
				       (unsigned long long)scale_unfwd[c][pi]);
	}
}

int main(int argc, char **argv)
{
	log_set_level(LOG_WARNING);
	if (argc != 2 || !(ifindex = if_nametoindex(argv[1]))) {
		fprintf(stderr,
			"usage: bench_lb IFNAME (run by scripts/bench.sh, "
			"in a network namespace of its own)\n");
		return 1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench_lb: needs root\n");
		return 1;
	}
	fl = floor__open_and_load();
	bn = bench__open_and_load();
	if (!fl || !bn || setup() ||
	    bench_ref_open(&ref, REF_VIP, 80, BACKENDS, hop_mac, lb_mac)) {
		fprintf(stderr, "bench_lb: setup: %s\n", strerror(errno));
		return 1;
	}
	if (prepare() || measure_reading()) {
		fprintf(stderr, "bench_lb: a run failed\n");
		return 1;
	}
	print();
	if (scale_all()) {
		fprintf(stderr, "bench_lb: a run at scale failed\n");
		return 1;
	}
	scale_print();
	bench_ref__destroy(ref);
	bench__destroy(bn);
	floor__destroy(fl);
	xlb__destroy(skel);
	return 0;
}
