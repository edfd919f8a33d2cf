// modules: lb lb_ring lb_snat lb_neigh lb_route netlink maglev lb_hints lb_conns lb_flows loader config maps fault log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Reaper benchmark: what xlbd's background walk of the connection tables
 * (lb_conns.c) costs at 1,000,000 NAT flows: xlb_conns holds FLOWS
 * established flows of one NAT VIP with BACKENDS backends, xlb_nat_rev a
 * port for each, at the default table sizes. A pass runs step by step as
 * xlbd runs it (LB_REAP_STEP_ENTRIES entries a step), and is timed:
 * wall time, CPU time of this process (user + system: the xlb_reap
 * program runs in the system call), the CPU time of the costliest step
 * (what one step stalls xlbd for on an idle machine), and the pace
 * xlbd's poll loop gives it (a step every LB_REAP_STEP_MS: the pass's
 * length, and the share of one CPU the steps take). Rows: every flow
 * alive; then half of them expired, which the pass deletes with their
 * ports; then conn list (every flow judged, 1000 listed) and conn flush
 * of the VIP (the flows deleted, their ports judged and freed), the
 * whole-table walks of the control socket.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lb.h"
#include "lb_conns.h"
#include "log.h"
#include "util.h"
#include "fixture.h"

#define FLOWS 1000000
#define BACKENDS 100
#define BATCH 50000
#define NS_PER_S 1000000000ull
#define NS_PER_MS 1000000.0
#define EXPIRED_NS (2000 * NS_PER_S) /* beyond every default timeout */

static struct lb lb;

/* Flow n: client 198.19.x.y:port to 198.18.0.10:80, backend n %
 * BACKENDS, NAT port 32768 + n / BACKENDS on 198.18.1.1. */
static void flow(__u32 n, struct xlb_flow_key *k, struct xlb_conn *c,
		 struct xlb_nat_key *nk, struct xlb_nat_val *nv, __u64 seen)
{
	__u32 b = n % BACKENDS;

	*k = (struct xlb_flow_key){ .sport = htons(1024 + (n >> 16)),
				    .dport = htons(80),
				    .proto = IPPROTO_TCP,
				    .family = XLB_FAMILY_V4 };
	k->src[0] = htonl(0xc6130000 | (n & 0xffff));
	k->dst[0] = htonl(0xc612000a);
	*c = (struct xlb_conn){ .backend = b,
				.seen_ns = seen,
				.created_ns = seen,
				.nat_port =
					htons(XLB_NAT_PORT_BASE + n / BACKENDS),
				.snat_slot = XLB_SNAT_ROUTE };
	c->snat[0] = htonl(0xc6120101);
	*nk = (struct xlb_nat_key){ .bport = k->dport,
				    .lport = c->nat_port,
				    .proto = IPPROTO_TCP,
				    .family = XLB_FAMILY_V4 };
	memcpy(nk->backend, lb.backends[b].dp.addr, sizeof(nk->backend));
	nk->lb[0] = c->snat[0];
	*nv = (struct xlb_nat_val){ .cport = k->sport, .vport = k->dport };
	nv->client[0] = k->src[0];
	nv->vip[0] = k->dst[0];
	/* Taken long ago: out of its grace. */
	nv->tag = (__u64)((seen - 10 * NS_PER_S) >> XLB_NAT_BORN_SHIFT) << 32;
}

/*
 * The flows in batches, taking turns among the CPUs: xlb_conns keeps an
 * LRU list per CPU with its share of the entries. Every `expired_every`
 * flow (0: none) was last seen long ago.
 */
static int fill(__u32 expired_every)
{
	struct xlb_flow_key *k = calloc(BATCH, sizeof(*k));
	struct xlb_conn *c = calloc(BATCH, sizeof(*c));
	struct xlb_nat_key *nk = calloc(BATCH, sizeof(*nk));
	struct xlb_nat_val *nv = calloc(BATCH, sizeof(*nv));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	__u64 now = now_ns();
	int ret = k && c && nk && nv ? 0 : -ENOMEM;

	for (__u32 base = 0; !ret && base < FLOWS; base += BATCH) {
		__u32 count = BATCH;
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(base / BATCH % ncpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			ret = -errno;
		for (__u32 i = 0; i < BATCH; i++) {
			bool old = expired_every && i % expired_every == 0;

			flow(base + i, &k[i], &c[i], &nk[i], &nv[i],
			     old ? now - EXPIRED_NS : now);
		}
		if (!ret &&
		    bpf_map_update_batch(lb.m.conns, k, c, &count, NULL))
			ret = -errno;
		count = BATCH;
		if (!ret &&
		    bpf_map_update_batch(lb.m.nat_rev, nk, nv, &count, NULL))
			ret = -errno;
	}
	free(k);
	free(c);
	free(nk);
	free(nv);
	return ret;
}

/* This thread's CPU time: what a step costs, however busy the machine. */
static __u64 step_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static __u64 cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NS_PER_S +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

/* One pass, step by step; a row of figures. It must find `alive` live
 * entries and delete `dead`. */
static int pass_row(const char *what, __u64 alive, __u64 dead)
{
	__u64 t0, c0, worst = 0, steps = 0, before[LB_TABLES], n_alive, n_dead;
	const struct lb_conns *x = lb.conns;
	double wall, cpu;
	int ret;

	memcpy(before, x->reaped, sizeof(before));
	lb_conns_restart(&lb);
	t0 = now_ns();
	c0 = cpu_ns();
	do {
		__u64 s = step_cpu_ns();

		ret = lb_conns_step(&lb, LB_REAP_STEP_ENTRIES);
		if (step_cpu_ns() - s > worst)
			worst = step_cpu_ns() - s;
		steps++;
	} while (!ret);
	if (ret < 0)
		return ret;
	n_alive = x->pub.in_use[XLB_REAP_CONNS] + x->pub.in_use[XLB_REAP_NAT];
	n_dead = x->reaped[XLB_REAP_CONNS] + x->reaped[XLB_REAP_NAT] -
		 before[XLB_REAP_CONNS] - before[XLB_REAP_NAT];
	if (n_alive != alive || n_dead != dead) {
		fprintf(stderr,
			"bench_reap: %s: %llu alive and %llu deleted, not "
			"%llu and %llu\n",
			what, n_alive, n_dead, alive, dead);
		return -EPROTO;
	}
	wall = (now_ns() - t0) / NS_PER_MS;
	cpu = (cpu_ns() - c0) / NS_PER_MS;
	printf("  %-28s %9llu %9llu %6llu %9.0f %9.0f %7.1f %8.1f %6.1f%%\n",
	       what, n_alive, n_dead, steps, wall, cpu, worst / NS_PER_MS,
	       steps * LB_REAP_STEP_MS / 1000.0,
	       100.0 * cpu / (steps * LB_REAP_STEP_MS));
	return 0;
}

/* A whole-table walk of the control socket, timed. */
static int walk_row(const char *what, bool flush)
{
	struct lb_conn_filter f = { .vid = 0, .count = 1000 };
	__u64 t0 = now_ns(), c0 = cpu_ns(), n = 0;
	struct lb_flushed done;
	char err[256];
	json_t *o;
	int ret = 0;

	if (flush) {
		ret = lb_flows_forget(&lb, 0, false, &done);
		n = done.flows + done.nat_ports;
		if (!ret && n != 2 * FLOWS)
			ret = -EPROTO;
	} else {
		o = lb_flows_list(&lb, &f, err, sizeof(err));
		if (!o)
			return -EIO;
		n = json_integer_value(json_object_get(o, "matched"));
		json_decref(o);
		if (n != FLOWS)
			ret = -EPROTO;
	}
	if (ret == -EPROTO)
		fprintf(stderr, "bench_reap: %s: %llu, not %d\n", what, n,
			(flush ? 2 : 1) * FLOWS);
	else
		printf("  %-28s %9llu %9s %6s %9.0f %9.0f\n", what, n, "", "",
		       (now_ns() - t0) / NS_PER_MS,
		       (cpu_ns() - c0) / NS_PER_MS);
	return ret;
}

static int setup(struct xlb **skel)
{
	struct dp_sizes sizes;
	char err[256];
	int ret;

	ret = fixture_open(skel, XLB_DEFAULT_MAX_RULES,
			   XLB_DEFAULT_MAX_PREFIXES, 0);
	if (ret)
		return ret;
	dp_sizes_default(&sizes);
	lb.m = (struct lb_maps){
		.vips = bpf_map__fd((*skel)->maps.xlb_vips),
		.hints = bpf_map__fd((*skel)->maps.xlb_vip_hints),
		.backends = bpf_map__fd((*skel)->maps.xlb_backends),
		.backend_stats = bpf_map__fd((*skel)->maps.xlb_backend_stats),
		.snat_pools = bpf_map__fd((*skel)->maps.xlb_snat_pools),
		.conns = bpf_map__fd((*skel)->maps.xlb_conns),
		.syns = bpf_map__fd((*skel)->maps.xlb_syns),
		.nat_rev = bpf_map__fd((*skel)->maps.xlb_nat_rev),
		.reap_buf = bpf_map__fd((*skel)->maps.xlb_reap_buf),
		.reap = bpf_program__fd((*skel)->progs.xlb_reap),
	};
	lb.vips[0].in_use = true;
	lb.vips[0].mode = XLB_MODE_NAT;
	lb.vips[0].vip.addr.family = XLB_FAMILY_V4;
	lb.vips[0].vip.addr.addr[0] = 198;
	lb.vips[0].vip.proto = IPPROTO_TCP;
	lb.vips[0].vip.port = 80;
	for (__u32 b = 0; b < BACKENDS; b++) {
		struct lb_backend *be = &lb.backends[b];

		be->in_use = true;
		be->addr.family = be->dp.family = XLB_FAMILY_V4;
		be->dp.addr[0] = htonl(0xc6120200 + b + 2);
		memcpy(be->addr.addr, be->dp.addr, sizeof(be->addr.addr));
	}
	return lb_conns_open(&lb, &sizes, err, sizeof(err));
}

int main(void)
{
	struct xlb *skel;
	int ret;

	log_set_level(LOG_WARNING);
	if (geteuid() != 0) {
		fprintf(stderr, "bench_reap: needs root\n");
		return 1;
	}
	ret = setup(&skel);
	if (!ret)
		ret = fill(0);
	if (ret) {
		fprintf(stderr, "bench_reap: setup: %s\n", strerror(-ret));
		return 1;
	}
	printf("reaper: %d NAT flows (xlb_conns) and their ports "
	       "(xlb_nat_rev), %d backends; a step is %d entries, one "
	       "every %d ms in xlbd\n",
	       FLOWS, BACKENDS, LB_REAP_STEP_ENTRIES, LB_REAP_STEP_MS);
	printf("  %-28s %9s %9s %6s %9s %9s %7s %8s %7s\n", "", "alive",
	       "deleted", "steps", "wall ms", "cpu ms", "step ms", "pass s",
	       "cpu");
	printf("  (step ms: the most CPU time one step took; pass s and cpu: at "
	       "xlbd's pace)\n");
	ret = pass_row("pass, all alive", 2 * FLOWS, 0);
	if (!ret)
		ret = fill(2);
	if (!ret)
		ret = pass_row("pass, half expired", FLOWS, FLOWS);
	if (!ret)
		ret = pass_row("pass, after that", FLOWS, 0);
	if (!ret)
		ret = fill(0);
	if (!ret)
		ret = walk_row("conn list (matched)", false);
	if (!ret)
		ret = walk_row("conn flush (flows + ports)", true);
	if (ret)
		fprintf(stderr, "bench_reap: %s\n", strerror(-ret));
	lb_conns_close(&lb);
	xlb__destroy(skel);
	return ret ? 1 : 0;
}
