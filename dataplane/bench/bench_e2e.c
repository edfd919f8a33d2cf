// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end benchmark: packets per second through a veth pair with two
 * queues each way, received by xlb's XDP program attached natively (a
 * DSR VIP whose 100 backends are reached back through the same
 * interface, so every packet leaves again with XDP_TX), against a plain
 * XDP_DROP program on the same pair, and the ratio; beside them, xlb's
 * parser then XDP_DROP (the floor program) and a plain XDP_TX, which
 * show what touching the frame and sending it back cost by themselves.
 *
 * Traffic comes from bench_trafgen (bench.bpf.c), run through
 * BPF_PROG_TEST_RUN in live frames mode by one thread on each CPU: it
 * gives each frame the source of one of 1,024 flows of its CPU (the flow
 * cache stays in the CPU's caches), then of 65,536 (flow state comes
 * from memory), and redirects it out of GEN_IF, so it arrives on LB_IF's
 * receive queue of that CPU. Where the kernel refuses live frames
 * (EPERM), bench_amp generates instead: LOOP_SEEDS frames per CPU go
 * round the veth pair LOOP0-LOOP1, and every time round LOOP0 gives the
 * frame its CPU's next flow and broadcasts it, a copy out of GEN_IF and
 * the frame round again. The rate is what LB_IF's queues received
 * and ran XDP on (the veth's own xdp_packets counters), over the time
 * the generator ran. GEN_IF drops what xlb sends back (a veth only takes
 * XDP_TX frames when its peer runs XDP). Generation, xlb and the drop of
 * the returned frames share the same two CPUs, in every case. Each
 * figure is the median of several rounds, the programs taking turns.
 *
 * Where the CPUs go: one more round of each program with the kernel's
 * run-time statistics on (bpf_enable_stats(BPF_STATS_RUN_TIME), off in
 * the measured rounds as they cost two clock reads a run) gives the
 * receiving program's own time per packet and the generator programs'
 * per frame, each with its share of the CPUs' time; the rest is the
 * kernel's (the veth, page allocation, redirects). The receiving
 * programs come from a second instance of bench.bpf.c, so that none
 * shares its counters with the generator's bench_tx and bench_drop.
 *
 * Run by scripts/bench.sh in a private network namespace:
 *   bench_e2e GEN_IF LB_IF LOOP0 LOOP1
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/if_link.h>
#include <linux/sockios.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "bench/bench.skel.h"
#include "floor.skel.h"
#include "bench_util.h"
#include "fixture.h"
#include "frames.h"

#define BACKENDS 100
#define CONNS 1048576
#define FLOWS 65536
#define ROUNDS 5
#define WARMUP_MS 300
#define RUN_MS 1000
#define GEN_REPEAT 8192
/* Frames seeded into bench_amp's loop per CPU: well under the 256 a
 * veth receive ring holds, so the loop itself never overflows. */
#define LOOP_SEEDS 64
#define GEN_CPUS 2
#define FRAME_LEN 60 /* the Ethernet minimum, without FCS */
#define MAX_QUEUES 8

static struct xlb *skel;
static struct bench *bn, *sink;
static struct floor *fl;
static __u32 gen_if, lb_if, loop_if[2];
static const char *loop_name; /* LOOP0's */
/* Live frames refused: bench_amp's loop generates instead. */
static bool use_loop;
static __u8 frame[FRAME_LEN];
static volatile int stop;

/* One generator thread: its CPU, what it sent, how it ended. */
struct gen {
	pthread_t tid;
	int cpu;
	__u64 sent;
	int err;
};

/* Run the calling thread on g's CPU only; 0, or the error in g. */
static int pin_to(struct gen *g)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(g->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		g->err = errno;
	return g->err;
}

static void *generate(void *arg)
{
	struct gen *g = arg;
	struct xdp_md ctx = { .data_end = FRAME_LEN,
			      .ingress_ifindex = gen_if };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = FRAME_LEN, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = GEN_REPEAT,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	int fd = bpf_program__fd(bn->progs.bench_trafgen);

	if (pin_to(g))
		return NULL;
	while (!stop) {
		if (bpf_prog_test_run_opts(fd, &opts)) {
			g->err = errno;
			break;
		}
		g->sent += GEN_REPEAT;
	}
	return NULL;
}

/* The veth's per-queue XDP counters, summed over queues. */
struct xdp_counts {
	__u64 packets, tx, drops;
	__u64 queue_packets[MAX_QUEUES];
};

/* Positions of the counters in the interface's ethtool statistics. */
static struct {
	int packets[MAX_QUEUES], tx[MAX_QUEUES], drops[MAX_QUEUES];
	int queues;
	__u32 n;
} lb_stats;

static int ethtool(const char *ifname, void *cmd)
{
	struct ifreq ifr = { .ifr_data = cmd };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		ret = -errno;
	close(fd);
	return ret;
}

/* Find rx_queue_N_xdp_{packets,tx,drops} among ifname's statistics. */
static int find_stats(const char *ifname)
{
	struct {
		struct ethtool_sset_info hdr;
		__u32 len;
	} info = { .hdr = { .cmd = ETHTOOL_GSSET_INFO,
			    .sset_mask = 1ull << ETH_SS_STATS } };
	struct ethtool_gstrings *gs;
	int ret = ethtool(ifname, &info);

	if (ret)
		return ret;
	lb_stats.n = info.len;
	gs = calloc(1, sizeof(*gs) + lb_stats.n * ETH_GSTRING_LEN);
	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = lb_stats.n;
	ret = ethtool(ifname, gs);
	for (__u32 i = 0; !ret && i < lb_stats.n; i++) {
		const char *s = (const char *)gs->data + i * ETH_GSTRING_LEN;
		char what[ETH_GSTRING_LEN];
		unsigned int q;

		if (sscanf(s, "rx_queue_%u_xdp_%31s", &q, what) != 2 ||
		    q >= MAX_QUEUES)
			continue;
		if (q >= (unsigned int)lb_stats.queues)
			lb_stats.queues = q + 1;
		if (!strcmp(what, "packets"))
			lb_stats.packets[q] = i;
		else if (!strcmp(what, "tx"))
			lb_stats.tx[q] = i;
		else if (!strcmp(what, "drops"))
			lb_stats.drops[q] = i;
	}
	free(gs);
	if (!ret && lb_stats.queues < GEN_CPUS)
		ret = -ENODEV;
	return ret;
}

static int read_stats(const char *ifname, struct xdp_counts *c)
{
	struct ethtool_stats *st =
		calloc(1, sizeof(*st) + lb_stats.n * sizeof(__u64));
	int ret;

	if (!st)
		return -ENOMEM;
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = lb_stats.n;
	ret = ethtool(ifname, st);
	memset(c, 0, sizeof(*c));
	for (int q = 0; !ret && q < lb_stats.queues; q++) {
		c->packets += st->data[lb_stats.packets[q]];
		c->tx += st->data[lb_stats.tx[q]];
		c->drops += st->data[lb_stats.drops[q]];
		c->queue_packets[q] = st->data[lb_stats.packets[q]];
	}
	free(st);
	return ret;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * What bench_amp ran on LOOP0 over ms milliseconds, into *sent; -ENODATA
 * when it did not run on every queue (a loop that lost its frames
 * generates no more).
 */
static int loop_count(int ms, __u64 *sent)
{
	struct xdp_counts a, b;
	int ret = read_stats(loop_name, &a);

	if (ret)
		return ret;
	usleep(ms * 1000);
	ret = read_stats(loop_name, &b);
	if (ret)
		return ret;
	*sent = b.packets - a.packets;
	for (int q = 0; q < GEN_CPUS; q++)
		if (b.queue_packets[q] == a.queue_packets[q]) {
			fprintf(stderr,
				"bench_e2e: the generator's loop does not "
				"turn on queue %d\n",
				q);
			return -ENODATA;
		}
	return 0;
}

/* Generate for ms milliseconds on every CPU; the packets sent. */
static int generate_for(int ms, __u64 *sent)
{
	struct gen g[GEN_CPUS] = {};
	int ret = 0;

	/* The loop runs by itself: what bench_amp ran meanwhile. */
	if (use_loop)
		return loop_count(ms, sent);

	stop = 0;
	for (int i = 0; i < GEN_CPUS; i++) {
		g[i].cpu = i;
		ret = pthread_create(&g[i].tid, NULL, generate, &g[i]);
		if (ret) {
			stop = 1;
			for (int j = 0; j < i; j++)
				pthread_join(g[j].tid, NULL);
			return -ret;
		}
	}
	usleep(ms * 1000);
	stop = 1;
	*sent = 0;
	for (int i = 0; i < GEN_CPUS; i++) {
		pthread_join(g[i].tid, NULL);
		*sent += g[i].sent;
		if (g[i].err)
			ret = -g[i].err;
	}
	return ret;
}

/* One round with prog_fd on LB_IF: received packets per second, and the
 * counters over the measured part. */
static int round_with(int prog_fd, const char *lb_name, double *pps,
		      struct xdp_counts *d, __u64 *sent)
{
	struct xdp_counts a, b;
	double t0, t1;
	int ret = bpf_xdp_attach(lb_if, prog_fd, XDP_FLAGS_DRV_MODE, NULL);

	if (!ret)
		ret = generate_for(WARMUP_MS, sent);
	if (!ret)
		ret = read_stats(lb_name, &a);
	t0 = now_s();
	if (!ret)
		ret = generate_for(RUN_MS, sent);
	t1 = now_s();
	if (!ret)
		ret = read_stats(lb_name, &b);
	if (ret)
		return ret;
	d->packets = b.packets - a.packets;
	d->tx = b.tx - a.tx;
	d->drops = b.drops - a.drops;
	*pps = d->packets / (t1 - t0);
	return 0;
}

static int mac_of(const char *ifname, __u8 *mac)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return ret;
}

/* xlb with one DSR VIP whose backends are behind LB_IF, next hop GEN_IF;
 * the generator's frame, a TCP ACK to that VIP. */
static int setup(const char *gen_name, const char *lb_name)
{
	static const struct frame_spec p = { "198.18.5.1", "198.18.0.10",
					     IPPROTO_TCP,  1024,
					     80,	   .tcp_flags = 0x10 };
	struct xlb_vip_key k = bench_vip_key("198.18.0.10", 80, IPPROTO_TCP);
	struct xlb_vip v = { .id = 0, .mode = XLB_MODE_DSR };
	__u8 gen_mac[ETH_ALEN], lb_mac[ETH_ALEN], buf[512] = {};
	int ret = mac_of(gen_name, gen_mac)	  ?:
			  mac_of(lb_name, lb_mac) ?:
						    find_stats(lb_name);

	if (!ret)
		ret = fixture_open(&skel, 64, 64, CONNS)   ?:
			      bench_put_iface(skel, lb_if) ?:
			      bench_put_backends(skel, 0, BACKENDS, "198.18.1.0", lb_if, gen_mac, lb_mac, NULL, 0) ?:
			      bench_put_ring(skel, 0, 0, BACKENDS) ?:
			      lb_hints_write(
				      bpf_map__fd(skel->maps.xlb_vip_hints), &k,
				      1, NULL, 0);
	if (!ret && bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_vips), &k,
					&v, BPF_ANY))
		ret = -errno;
	if (ret)
		return ret;
	bn = bench__open();
	if (!bn)
		return -errno;
	bn->bss->gen_ifindex = gen_if;
	bn->data->gen_flows = FLOWS;
	bn->bss->gen_addr_off = ETH_HLEN + 14;
	bn->bss->gen_port_off = ETH_HLEN + 20;
	ret = bench__load(bn);
	if (ret)
		return ret;
	fl = floor__open_and_load();
	sink = bench__open_and_load();
	if (!fl || !sink)
		return -errno;
	/* 54 bytes of headers, padded with zeroes to FRAME_LEN */
	bench_fill_csums(buf, frame_build(buf, &p));
	memcpy(buf, lb_mac, ETH_ALEN);
	memcpy(buf + ETH_ALEN, gen_mac, ETH_ALEN);
	memcpy(frame, buf, FRAME_LEN);
	/* GEN_IF takes back what xlb sends and drops it. */
	return bpf_xdp_attach(gen_if, bpf_program__fd(bn->progs.bench_drop),
			      XDP_FLAGS_DRV_MODE, NULL);
}

/* Can this process run live frames? 0 if so, or if the kernel refuses
 * them (EPERM), which selects bench_amp's loop instead. */
static int probe_live(void)
{
	struct xdp_md ctx = { .data_end = FRAME_LEN,
			      .ingress_ifindex = gen_if };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = FRAME_LEN, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	if (!bpf_prog_test_run_opts(bpf_program__fd(bn->progs.bench_drop),
				    &opts))
		return 0;
	if (errno != EPERM)
		return -errno;
	use_loop = true;
	return 0;
}

/* Send LOOP_SEEDS frames into the loop from this thread's CPU; the
 * loop's transmit queues are mapped one per CPU (XPS), so each CPU's
 * frames keep going round on that CPU. */
static void *seed(void *arg)
{
	struct gen *g = arg;
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_ifindex = (int)loop_if[1] };
	int fd;

	if (pin_to(g))
		return NULL;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		g->err = errno;
		return NULL;
	}
	for (int i = 0; i < LOOP_SEEDS; i++) {
		if (sendto(fd, frame, FRAME_LEN, 0, (struct sockaddr *)&to,
			   sizeof(to)) != FRAME_LEN) {
			g->err = errno;
			break;
		}
		g->sent++;
	}
	close(fd);
	return NULL;
}

/*
 * Start bench_amp's loop: LOOP0 runs bench_amp (a copy of each frame to
 * GEN_IF, the frame itself back out of LOOP0), LOOP1 sends everything
 * back (bench_tx); frames seeded on every CPU. Checks that the loop
 * turns on every queue.
 */
static int loop_start(void)
{
	int fd = bpf_map__fd(bn->maps.bench_amp_ports), ret = 0;
	__u32 slot[2] = { 0, 1 };
	struct gen g[GEN_CPUS] = {};
	__u64 sent;

	if (bpf_map_update_elem(fd, &slot[0], &gen_if, BPF_ANY) ||
	    bpf_map_update_elem(fd, &slot[1], &loop_if[0], BPF_ANY))
		return -errno;
	ret = bpf_xdp_attach(loop_if[1], bpf_program__fd(bn->progs.bench_tx),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (!ret)
		ret = bpf_xdp_attach(loop_if[0],
				     bpf_program__fd(bn->progs.bench_amp),
				     XDP_FLAGS_DRV_MODE, NULL);
	for (int i = 0; !ret && i < GEN_CPUS; i++) {
		g[i].cpu = i;
		ret = -pthread_create(&g[i].tid, NULL, seed, &g[i]);
		if (!ret)
			pthread_join(g[i].tid, NULL);
		if (!ret && g[i].err)
			ret = -g[i].err;
	}
	return ret ? ret : loop_count(100, &sent);
}

static void loop_stop(void)
{
	bn->bss->amp_stop = 1;
	usleep(10 * 1000);
	bpf_xdp_detach(loop_if[0], XDP_FLAGS_DRV_MODE, NULL);
	bpf_xdp_detach(loop_if[1], XDP_FLAGS_DRV_MODE, NULL);
}

/* What LB_IF runs in turn; xlb must send (nearly) everything back. */
enum { RUN_DROP, RUN_FLOOR, RUN_TX, RUN_XLB, RUN_MAX };

static int prog_of(int what)
{
	switch (what) {
	case RUN_DROP:
		return bpf_program__fd(sink->progs.bench_drop);
	case RUN_FLOOR:
		return bpf_program__fd(fl->progs.xlb_floor);
	case RUN_TX:
		return bpf_program__fd(sink->progs.bench_tx);
	default:
		return bpf_program__fd(skel->progs.xlb_xdp);
	}
}

/* A program's run time and runs so far (run-time statistics). */
struct run_stats {
	__u64 ns, runs;
};

static int prog_stats(int fd, struct run_stats *s)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	s->ns = info.run_time_ns;
	s->runs = info.run_cnt;
	return 0;
}

/* The generator's programs: their run time summed, the frames it made
 * (bench_amp's or bench_trafgen's runs). */
static int gen_stats(struct run_stats *s)
{
	struct run_stats amp, tx, gen;
	int ret;

	if (!use_loop)
		return prog_stats(bpf_program__fd(bn->progs.bench_trafgen), s);
	ret = prog_stats(bpf_program__fd(bn->progs.bench_amp), &amp) ?:
		      prog_stats(bpf_program__fd(bn->progs.bench_tx), &tx);
	gen = (struct run_stats){ amp.ns + tx.ns, amp.runs };
	*s = gen;
	return ret;
}

/*
 * One round of program w with run-time statistics on: its own ns per
 * packet and the generator's per frame, and the shares of the CPUs'
 * time they took; prints them.
 */
static int own_time(const char *lb_name, int w, const char *what)
{
	struct run_stats s0, s1, g0, g1;
	struct xdp_counts d;
	double pps, t0, t1, cpu_ns;
	__u64 sent;
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME), ret;

	if (fd < 0)
		return fd;
	t0 = now_s();
	ret = prog_stats(prog_of(w), &s0)			       ?:
		      gen_stats(&g0)				       ?:
		      round_with(prog_of(w), lb_name, &pps, &d, &sent) ?:
		      prog_stats(prog_of(w), &s1)		       ?:
		      gen_stats(&g1);
	t1 = now_s();
	close(fd);
	if (ret)
		return ret;
	cpu_ns = GEN_CPUS * (t1 - t0) * 1e9;
	s1.runs -= s0.runs;
	g1.runs -= g0.runs;
	printf("    %-40s %5.0f ns  %3.0f%%   %5.0f ns  %3.0f%%\n", what,
	       s1.runs ? (s1.ns - s0.ns) / (double)s1.runs : 0,
	       100 * (s1.ns - s0.ns) / cpu_ns,
	       g1.runs ? (g1.ns - g0.ns) / (double)g1.runs : 0,
	       100 * (g1.ns - g0.ns) / cpu_ns);
	return 0;
}

/* own_time() of every program, under a heading. */
static int own_times(const char *lb_name)
{
	static const char *const what[RUN_MAX] = {
		"plain XDP_DROP", "xlb's parser, then XDP_DROP", "plain XDP_TX",
		"xlb, DSR VIP, 100 backends, XDP_TX"
	};
	int ret = 0;

	printf("    own run time (one more round each, run-time stats on): "
	       "receiver per packet,\n"
	       "    generator's programs (%s) per frame, each with its "
	       "share of the CPUs:\n",
	       use_loop ? "bench_amp, the loop's XDP_TX" : "bench_trafgen");
	printf("    %-40s %8s %5s %8s %5s\n", "", "receiver", "CPU",
	       "generator", "CPU");
	for (int w = 0; !ret && w < RUN_MAX; w++)
		ret = own_time(lb_name, w, what[w]);
	if (ret)
		fprintf(stderr, "bench_e2e: run-time statistics: %s\n",
			strerror(-ret));
	return ret ? 1 : 0;
}

/*
 * ROUNDS rounds of each program with `flows` flows per CPU; prints the
 * medians. 0, or 1 when a program did not do its job.
 */
static int run_set(const char *lb_name, int flows)
{
	double pps[RUN_MAX][ROUNDS], fwd[ROUNDS], lost[ROUNDS];
	double m[RUN_MAX];
	int ret = 0;

	bn->data->gen_flows = flows;
	for (int r = 0; !ret && r < ROUNDS; r++) {
		for (int w = 0; !ret && w < RUN_MAX; w++) {
			struct xdp_counts d;
			__u64 sent;

			ret = round_with(prog_of(w), lb_name, &pps[w][r], &d,
					 &sent);
			if (ret)
				break;
			if ((w == RUN_DROP || w == RUN_FLOOR) &&
			    d.drops < d.packets * 0.99)
				ret = -EPROTO;
			if (w != RUN_XLB)
				continue;
			fwd[r] = d.packets ? 100.0 * d.tx / d.packets : 0;
			/* (the counters are read one after the other: never
			 * below 0) */
			lost[r] = sent > d.packets ?
					  100.0 * (sent - (double)d.packets) /
						  sent :
					  0;
			if (fwd[r] < 99)
				ret = -EPROTO;
		}
	}
	if (ret) {
		fprintf(stderr, "bench_e2e: %s\n",
			ret == -EPROTO ? "a program did not do its job "
					 "(XDP_DROP or XDP_TX counts)" :
					 strerror(-ret));
		return 1;
	}
	for (int w = 0; w < RUN_MAX; w++)
		m[w] = bench_median(pps[w], ROUNDS);
	printf("  %d flows per CPU:\n", flows);
	printf("    %-40s %8.2f Mpps\n", "plain XDP_DROP", m[RUN_DROP] / 1e6);
	printf("    %-40s %8.2f Mpps\n", "xlb's parser, then XDP_DROP",
	       m[RUN_FLOOR] / 1e6);
	printf("    %-40s %8.2f Mpps\n", "plain XDP_TX (back to the sender)",
	       m[RUN_TX] / 1e6);
	printf("    %-40s %8.2f Mpps   (%.1f%% sent back with XDP_TX)\n",
	       "xlb, DSR VIP, 100 backends, XDP_TX", m[RUN_XLB] / 1e6,
	       bench_median(fwd, ROUNDS));
	printf("    xlb / XDP_DROP: %.0f%%   target >= 70%%: %s\n",
	       100 * m[RUN_XLB] / m[RUN_DROP],
	       m[RUN_XLB] >= 0.7 * m[RUN_DROP] ? "met" : "NOT met");
	printf("    xlb / XDP_TX:   %.0f%%   xlb / parser then XDP_DROP: %.0f%%\n",
	       100 * m[RUN_XLB] / m[RUN_TX], 100 * m[RUN_XLB] / m[RUN_FLOOR]);
	/* The CPUs are busy throughout: time per packet, all CPUs. */
	printf("    CPU time per packet, all %d CPUs: XDP_DROP %.0f ns, "
	       "XDP_TX %.0f ns, xlb %.0f ns\n",
	       GEN_CPUS, GEN_CPUS * 1e9 / m[RUN_DROP],
	       GEN_CPUS * 1e9 / m[RUN_TX], GEN_CPUS * 1e9 / m[RUN_XLB]);
	printf("    (with xlb, %.1f%% of the generated frames found the "
	       "receive queue full)\n",
	       bench_median(lost, ROUNDS));
	return own_times(lb_name);
}

int main(int argc, char **argv)
{
	/* Few flows: the per-CPU flow cache stays in the CPU's caches;
	 * many: every frame's flow state comes from memory. */
	static const int flow_sets[] = { 1024, FLOWS };
	int ret = 0;

	log_set_level(LOG_WARNING);
	if (argc != 5 || !(gen_if = if_nametoindex(argv[1])) ||
	    !(lb_if = if_nametoindex(argv[2])) ||
	    !(loop_if[0] = if_nametoindex(argv[3])) ||
	    !(loop_if[1] = if_nametoindex(argv[4]))) {
		fprintf(stderr, "usage: bench_e2e GEN_IF LB_IF LOOP0 LOOP1 "
				"(run by scripts/bench.sh, in a network "
				"namespace of its own)\n");
		return 1;
	}
	if (geteuid() != 0 || sysconf(_SC_NPROCESSORS_ONLN) < GEN_CPUS) {
		fprintf(stderr, "bench_e2e: needs root and %d CPUs\n",
			GEN_CPUS);
		return 1;
	}
	loop_name = argv[3];
	ret = setup(argv[1], argv[2]) ?: probe_live();
	if (!ret && use_loop)
		ret = loop_start();
	if (ret) {
		fprintf(stderr, "bench_e2e: %s\n", strerror(-ret));
		ret = 1;
		goto out;
	}
	printf("e2e: packets/s received at a veth with 2 rx queues, native "
	       "XDP, %d-byte TCP;\n",
	       FRAME_LEN);
	if (use_loop)
		printf("  traffic: bench_amp (live frames are refused here), "
		       "%d frames per CPU going round\n"
		       "  a second veth pair, a copy of each out to the "
		       "receiver every time round;\n",
		       LOOP_SEEDS);
	else
		printf("  traffic: bench_trafgen, live frames;\n");
	printf("  generator and receiver share the same %d CPUs; median of "
	       "%d rounds of %.1f s,\n"
	       "  the programs taking turns\n",
	       GEN_CPUS, ROUNDS, RUN_MS / 1000.0);
	for (size_t i = 0; !ret && i < sizeof(flow_sets) / sizeof(*flow_sets);
	     i++)
		ret = run_set(argv[2], flow_sets[i]);
out:
	if (use_loop)
		loop_stop();
	bpf_xdp_detach(lb_if, XDP_FLAGS_DRV_MODE, NULL);
	bpf_xdp_detach(gen_if, XDP_FLAGS_DRV_MODE, NULL);
	floor__destroy(fl);
	bench__destroy(sink);
	bench__destroy(bn);
	xlb__destroy(skel);
	return ret;
}
