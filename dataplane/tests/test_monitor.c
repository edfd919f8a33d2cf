// modules: filter filter_lists filter_state keytab rule maps loader config config_filter config_text lb_hints log util
// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: the packet monitor in the data plane. Frames go through the
 * XDP and tc programs with BPF_PROG_TEST_RUN while xlb_monitor_conf says
 * what to report, and the events xlb_monitor then holds are read back
 * with libbpf's ring buffer consumer: none with the monitor off, every
 * drop with its reason, one in `sample` of the others, the frame's bytes
 * up to the snap length, the VIP and backend of a forwarded flow, and no
 * reason carried over from a packet the monitor never saw.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "filter.h"
#include "harness.h"
#include "lb_hints.h"
#include "maps.h"
#include "xlb_abi.h"
#include "xlb.skel.h"
#include "frames.h"
#include "fixture.h"

#define LO_IFINDEX 1
#define LO_SLOT 3
#define MAX_EVENTS 64
#define BIG_PAYLOAD 300
#define SAMPLE 3
#define SAMPLED_RUNS (3 * SAMPLE)
#define VIP_ID 7
#define BACKEND_ID 9

static struct xlb *skel;
static struct filter flt;
static struct ring_buffer *rb;
static struct xlb_mon_event events[MAX_EVENTS];
static size_t n_events;

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (len == sizeof(events[0]) && n_events < MAX_EVENTS)
		memcpy(&events[n_events++], data, len);
	return 0;
}

/* Take every event the ring holds into events[]; returns how many. */
static size_t collect(void)
{
	n_events = 0;
	ring_buffer__consume(rb);
	return n_events;
}

static void set_monitor(__u32 flags, __u32 sample)
{
	struct xlb_monitor_conf mc = { .flags = flags, .sample = sample };
	__u32 key = 0;

	check(!bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_monitor_conf),
				   &key, &mc, BPF_ANY),
	      "monitor conf");
	collect();
}

static void set_iface(bool active, __u32 stages)
{
	struct xlb_iface ifc = { .slot = LO_SLOT,
				 .stages = stages,
				 .attach = XLB_ATTACH_XDP_NATIVE,
				 .active = active };
	__u32 key = LO_IFINDEX;

	check(!bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ifaces), &key,
				   &ifc, BPF_ANY),
	      "iface");
}

/* Run a frame at a hook; its verdict as the program returned it. */
static int run(enum xlb_hook hook, const __u8 *frame, size_t len)
{
	int v, err = fixture_run(skel, hook, LO_IFINDEX, frame, len, &v);

	check(!err, "test run: %s", strerror(-err));
	return v;
}

/* The events put and lost, summed over CPUs. */
static void mon_counts(__u64 *put, __u64 *lost)
{
	int cpus = libbpf_num_possible_cpus();
	struct xlb_monitor_cpu per[cpus];
	__u32 key = 0;

	*put = *lost = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.xlb_monitor_cpu), &key,
				per))
		return;
	for (int c = 0; c < cpus; c++) {
		*put += per[c].events;
		*lost += per[c].lost;
	}
}

static const struct frame_spec dropped4 = { "198.18.9.7", "198.18.0.10",
					    IPPROTO_UDP, 40000, 53 };
static const struct frame_spec passed4 = { "198.18.8.7", "198.18.0.10",
					   IPPROTO_UDP, 40000, 53 };
static const struct frame_spec egress6 = { "2001:db8::1", "2001:db8:1::7",
					   IPPROTO_TCP, 40001, 25 };
static const struct frame_spec to_vip = { "198.18.5.1", "198.18.0.50",
					  IPPROTO_TCP, 40002, 80 };

static void expect_event(const struct xlb_mon_event *e, enum xlb_hook hook,
			 enum xlb_verdict v, __u32 reason, const __u8 *frame,
			 size_t len)
{
	check(e->hook == hook, "hook %u, want %u", e->hook, hook);
	check(e->verdict == v, "verdict %u, want %u", e->verdict, v);
	check(e->reason == reason, "reason %u, want %u", e->reason, reason);
	check(e->ifindex == LO_IFINDEX, "ifindex %u", e->ifindex);
	check(e->len == len, "len %u, want %zu", e->len, len);
	check(e->cap_len == (len < XLB_MON_SNAPLEN ? len : XLB_MON_SNAPLEN),
	      "cap_len %u for a frame of %zu", e->cap_len, len);
	check(!memcmp(e->data, frame, e->cap_len), "captured bytes differ");
	check(e->ts_ns > 0, "no time");
}

/* Nothing is reported with the monitor off; the reason is still counted. */
static void test_off(void)
{
	__u8 frame[512];
	size_t len = frame_build(frame, &dropped4);
	__u64 put0, lost0, put, lost;

	set_monitor(0, 0);
	mon_counts(&put0, &lost0);
	check(run(XLB_HOOK_XDP, frame, len) == XDP_DROP, "not dropped");
	check(collect() == 0, "%zu events with the monitor off", n_events);
	mon_counts(&put, &lost);
	check(put == put0 && lost == lost0,
	      "counts moved with the monitor off");
}

/* Drops only: the dropped packet with its reason, not the passed one. */
static void test_drops(void)
{
	__u8 frame[512], pass[512], eg[512];
	size_t len = frame_build(frame, &dropped4);
	size_t plen = frame_build(pass, &passed4);
	size_t elen = frame_build(eg, &egress6);
	const struct xlb_mon_event *e = &events[0];
	__be32 want[4] = {};
	__u64 put0, lost0, put, lost;

	set_monitor(XLB_MON_DROPS, 0);
	mon_counts(&put0, &lost0);
	check(run(XLB_HOOK_XDP, frame, len) == XDP_DROP, "not dropped");
	check(run(XLB_HOOK_XDP, pass, plen) == XDP_PASS, "not passed");
	if (!check(collect() == 1, "%zu events, want 1", n_events))
		return;
	expect_event(e, XLB_HOOK_XDP, XLB_VERDICT_DROP, XLB_REASON_FILTER_RULE,
		     frame, len);
	inet_pton(AF_INET, dropped4.src, want);
	check(!memcmp(e->saddr, want, sizeof(want)), "saddr");
	inet_pton(AF_INET, dropped4.dst, want);
	check(!memcmp(e->daddr, want, sizeof(want)), "daddr");
	check(e->family == XLB_FAMILY_V4 && e->proto == IPPROTO_UDP &&
		      e->pclass == XLB_PCLASS_IPV4_UDP,
	      "family %u proto %u class %u", e->family, e->proto, e->pclass);
	check(ntohs(e->sport) == 40000 && ntohs(e->dport) == 53, "ports");
	check(e->vip == XLB_MON_NONE && e->backend == XLB_MON_NONE,
	      "vip %u backend %u for no VIP", e->vip, e->backend);
	mon_counts(&put, &lost);
	check(put == put0 + 1 && lost == lost0, "put %llu lost %llu",
	      (unsigned long long)(put - put0),
	      (unsigned long long)(lost - lost0));

	check(run(XLB_HOOK_TC_EGRESS, eg, elen) == TC_ACT_SHOT,
	      "egress not dropped");
	if (!check(collect() == 1, "%zu egress events, want 1", n_events))
		return;
	expect_event(e, XLB_HOOK_TC_EGRESS, XLB_VERDICT_DROP,
		     XLB_REASON_FILTER_RULE, eg, elen);
	check(e->family == XLB_FAMILY_V6, "family %u", e->family);
	inet_pton(AF_INET6, egress6.dst, want);
	check(!memcmp(e->daddr, want, sizeof(want)), "daddr v6");
}

/* All, one in SAMPLE of the passed packets; drops every time. */
static void test_sampled(void)
{
	__u8 frame[512], pass[512];
	size_t len = frame_build(frame, &dropped4);
	size_t plen = frame_build(pass, &passed4);
	size_t passes = 0;

	set_monitor(XLB_MON_DROPS | XLB_MON_ALL, 1);
	check(run(XLB_HOOK_XDP, pass, plen) == XDP_PASS, "not passed");
	if (check(collect() == 1, "sample 1: %zu events", n_events))
		expect_event(&events[0], XLB_HOOK_XDP, XLB_VERDICT_PASS,
			     XLB_MON_NO_REASON, pass, plen);

	set_monitor(XLB_MON_DROPS | XLB_MON_ALL, SAMPLE);
	for (int i = 0; i < SAMPLED_RUNS; i++) {
		run(XLB_HOOK_XDP, pass, plen);
		run(XLB_HOOK_XDP, frame, len);
	}
	collect();
	for (size_t i = 0; i < n_events; i++)
		passes += events[i].verdict == XLB_VERDICT_PASS;
	check(passes == SAMPLED_RUNS / SAMPLE, "%zu passes of %d reported",
	      passes, SAMPLED_RUNS);
	check(n_events - passes == SAMPLED_RUNS, "%zu drops of %d reported",
	      n_events - passes, SAMPLED_RUNS);
}

/* A frame longer than the snap length: its first bytes, its length. */
static void test_snaplen(void)
{
	__u8 frame[1024];
	size_t n = put_eth(frame, ETH_P_IP);

	n += put_ipv4(frame + n, IPPROTO_UDP, 0, 8 + BIG_PAYLOAD, 0);
	n += put_udp(frame + n, BIG_PAYLOAD);
	set_monitor(XLB_MON_DROPS | XLB_MON_ALL, 1);
	check(run(XLB_HOOK_TC_INGRESS, frame, n) == TC_ACT_OK, "not passed");
	if (check(collect() == 1, "%zu events", n_events))
		expect_event(&events[0], XLB_HOOK_TC_INGRESS, XLB_VERDICT_PASS,
			     XLB_MON_NO_REASON, frame, n);
}

/*
 * A packet of an interface xlbd does not know is counted, and never
 * reaches the monitor: its reason must not end up in the next event.
 */
static void test_no_stale_reason(void)
{
	__u8 pass[512];
	size_t plen = frame_build(pass, &passed4);

	set_monitor(XLB_MON_DROPS | XLB_MON_ALL, 1);
	set_iface(false, XLB_STAGE_FILTER);
	check(run(XLB_HOOK_XDP, pass, plen) == XDP_PASS, "unknown: passed");
	check(collect() == 0, "%zu events for an unknown interface", n_events);
	set_iface(true, XLB_STAGE_FILTER);
	check(run(XLB_HOOK_XDP, pass, plen) == XDP_PASS, "not passed");
	if (check(collect() == 1, "%zu events", n_events))
		check(events[0].reason == XLB_MON_NO_REASON,
		      "reason %u carried over to a packet without one",
		      events[0].reason);
}

/* A DSR VIP of one backend: the forwarded packet names both. */
static int put_vip(void)
{
	struct xlb_vip_key k = { .port = htons(to_vip.dport),
				 .proto = IPPROTO_TCP,
				 .family = XLB_FAMILY_V4 };
	struct xlb_vip v = { .id = VIP_ID, .mode = XLB_MODE_DSR };
	struct xlb_backend b = { .family = XLB_FAMILY_V4,
				 .flags = XLB_BACKEND_ACTIVE |
					  XLB_BACKEND_RESOLVED,
				 .ifindex = LO_IFINDEX,
				 .dmac = { 2, 0xbb, 0, 0, 0, 1 } };
	__u32 id = BACKEND_ID, slot;
	int ret = 0;

	inet_pton(AF_INET, to_vip.dst, k.addr);
	inet_pton(AF_INET, "198.18.1.2", b.addr);
	ret = bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_backends), &id, &b,
				  BPF_ANY);
	for (__u32 i = 0; !ret && i < XLB_RING_SIZE; i++) {
		slot = VIP_ID * XLB_RING_SIZE + i;
		ret = bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ring),
					  &slot, &id, BPF_ANY);
	}
	if (!ret)
		ret = lb_hints_write(bpf_map__fd(skel->maps.xlb_vip_hints), &k,
				     1, NULL, 0);
	if (!ret)
		ret = bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_vips), &k,
					  &v, BPF_ANY);
	return ret;
}

static void test_vip_backend(void)
{
	__u8 frame[512];
	size_t len = frame_build(frame, &to_vip);

	check(!put_vip(), "VIP set up");
	set_iface(true, XLB_STAGE_FILTER | XLB_STAGE_LB);
	set_monitor(XLB_MON_DROPS, 0);
	check(run(XLB_HOOK_XDP, frame, len) == XDP_TX, "not forwarded");
	check(collect() == 0, "%zu events for a forward, drops only", n_events);
	set_monitor(XLB_MON_DROPS | XLB_MON_ALL, 1);
	check(run(XLB_HOOK_XDP, frame, len) == XDP_TX, "not forwarded");
	if (check(collect() == 1, "%zu events", n_events)) {
		check(events[0].verdict == XLB_VERDICT_TX, "verdict %u",
		      events[0].verdict);
		check(events[0].vip == VIP_ID &&
			      events[0].backend == BACKEND_ID,
		      "vip %u backend %u, want %u %u", events[0].vip,
		      events[0].backend, VIP_ID, BACKEND_ID);
		check(!memcmp(events[0].data, (__u8[]){ 2, 0xbb, 0, 0, 0, 1 },
			      ETH_ALEN),
		      "captured after the rewrite");
	}
	set_iface(true, XLB_STAGE_FILTER);
}

/* A drop rule for dropped4 (ingress) and egress6 (egress). */
static int add_rules(void)
{
	struct xlb_rule in = { .order = 10,
			       .action = XLB_ACTION_DROP,
			       .dir = XLB_DIR_INGRESS,
			       .fields = XLB_FIELD_SRC };
	struct xlb_rule out = { .order = 20,
				.action = XLB_ACTION_DROP,
				.dir = XLB_DIR_EGRESS,
				.fields = XLB_FIELD_PROTO | XLB_FIELD_DPORT,
				.proto = IPPROTO_TCP,
				.dport = 25 };
	char err[FILTER_ERRLEN] = "";
	int ret = xlb_parse_prefix("198.18.9.0/24", &in.src, err, sizeof(err));

	if (!ret)
		ret = filter_rule_add(&flt, &in, err, sizeof(err));
	if (!ret)
		ret = filter_rule_add(&flt, &out, err, sizeof(err));
	if (ret)
		fprintf(stderr, "test_monitor: rules: %s\n", err);
	return ret;
}

static int setup(void)
{
	struct filter_maps m;
	char err[FILTER_ERRLEN];
	int ret;

	/* The per-CPU state the monitor keeps is one CPU's: stay on it. */
	ret = fixture_pin_cpu() ?:
				  fixture_open(&skel, XLB_DEFAULT_MAX_RULES,
					       XLB_DEFAULT_MAX_PREFIXES, 0);
	if (ret)
		return ret;
	m = fixture_filter_maps(skel);
	ret = filter_open(&flt, &m, XLB_DEFAULT_MAX_RULES,
			  XLB_DEFAULT_MAX_PREFIXES, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "test_monitor: %s\n", err);
		return ret;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.xlb_monitor), on_event,
			      NULL, NULL);
	if (!rb)
		return -errno;
	set_iface(true, XLB_STAGE_FILTER);
	return add_rules();
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "monitor: off, nothing reported", test_off },
		{ "monitor: drops, with reason, xdp and tc", test_drops },
		{ "monitor: all, sampled", test_sampled },
		{ "monitor: snap length", test_snaplen },
		{ "monitor: no reason carried over", test_no_stale_reason },
		{ "monitor: VIP and backend of a forward", test_vip_backend },
	};
	int err, status;

	if (!harness_need_root("test_monitor", &status))
		return status;
	err = setup();
	if (err)
		return harness_setup_failed("test_monitor", "setup", err);
	harness_run_table(tests, sizeof(tests) / sizeof(tests[0]));
	ring_buffer__free(rb);
	filter_close(&flt);
	xlb__destroy(skel);
	return harness_done();
}
