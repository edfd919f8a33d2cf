// modules: maps
// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: the hello counters of the XDP and tc programs, run through
 * BPF_PROG_TEST_RUN. Each fixture is a frame, the class the parser must
 * give it and, for malformed frames, the reason counted; every program
 * must pass it unchanged and count exactly one packet of the frame's
 * length under the right verdict and class at its own hook.
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

#include "harness.h"
#include "maps.h"
#include "xlb_abi.h"
#include "xlb.skel.h"
#include "frames.h"

/* Tests run the programs against loopback; its counters use this slot. */
#define LO_IFINDEX 1
#define LO_SLOT 5

static struct xlb *skel;

struct fixture {
	const char *name;
	size_t (*build)(__u8 *buf);
	enum xlb_pclass pclass;
	int reason; /* enum xlb_reason, or -1 */
	/* BPF_PROG_TEST_RUN refuses skbs shorter than their L3 header, so
	 * these frames can only be run at the XDP hook. */
	bool xdp_only;
};

static const struct fixture fixtures[] = {
	{ "ipv4 udp", frame_ipv4_udp, XLB_PCLASS_IPV4_UDP, -1 },
	{ "ipv4 tcp", frame_ipv4_tcp, XLB_PCLASS_IPV4_TCP, -1 },
	{ "ipv4 icmp", frame_ipv4_icmp, XLB_PCLASS_IPV4_ICMP, -1 },
	{ "ipv4 gre (other)", frame_ipv4_gre, XLB_PCLASS_IPV4_OTHER, -1 },
	{ "ipv4 options", frame_ipv4_options, XLB_PCLASS_IPV4_UDP, -1 },
	{ "ipv4 later fragment", frame_ipv4_later_frag, XLB_PCLASS_IPV4_UDP,
	  -1 },
	{ "ipv4 in vlan", frame_vlan_ipv4, XLB_PCLASS_IPV4_UDP, -1 },
	{ "ipv4 in qinq", frame_qinq_ipv4, XLB_PCLASS_IPV4_UDP, -1 },
	{ "ipv6 udp", frame_ipv6_udp, XLB_PCLASS_IPV6_UDP, -1 },
	{ "ipv6 tcp", frame_ipv6_tcp, XLB_PCLASS_IPV6_TCP, -1 },
	{ "ipv6 icmpv6", frame_ipv6_icmp, XLB_PCLASS_IPV6_ICMP, -1 },
	{ "ipv6 ext chain", frame_ipv6_ext_udp, XLB_PCLASS_IPV6_UDP, -1 },
	{ "arp", frame_arp, XLB_PCLASS_ARP, -1 },
	{ "other ethertype", frame_other, XLB_PCLASS_OTHER, -1 },
	{ "three vlan tags", frame_vlan3, XLB_PCLASS_MALFORMED,
	  XLB_REASON_VLAN_TOO_DEEP },
	{ "truncated vlan", frame_vlan_trunc, XLB_PCLASS_MALFORMED,
	  XLB_REASON_VLAN_TRUNCATED },
	{ "truncated ipv4", frame_ipv4_trunc, XLB_PCLASS_MALFORMED,
	  XLB_REASON_IPV4_TRUNCATED, true },
	{ "ipv4 bad ihl", frame_ipv4_bad_ihl, XLB_PCLASS_MALFORMED,
	  XLB_REASON_IPV4_BAD_IHL },
	{ "ipv4 bad version", frame_ipv4_bad_version, XLB_PCLASS_MALFORMED,
	  XLB_REASON_IPV4_BAD_VERSION },
	{ "ipv4 total length past frame", frame_ipv4_bad_len,
	  XLB_PCLASS_MALFORMED, XLB_REASON_IPV4_BAD_LENGTH },
	{ "truncated udp", frame_ipv4_udp_trunc, XLB_PCLASS_MALFORMED,
	  XLB_REASON_L4_TRUNCATED },
	{ "truncated tcp", frame_ipv4_tcp_trunc, XLB_PCLASS_MALFORMED,
	  XLB_REASON_L4_TRUNCATED },
	{ "truncated ipv6", frame_ipv6_trunc, XLB_PCLASS_MALFORMED,
	  XLB_REASON_IPV6_TRUNCATED, true },
	{ "ipv6 ext truncated", frame_ipv6_ext_trunc, XLB_PCLASS_MALFORMED,
	  XLB_REASON_IPV6_EXT_TRUNCATED },
	{ "ipv6 ext too deep", frame_ipv6_ext_deep, XLB_PCLASS_MALFORMED,
	  XLB_REASON_IPV6_EXT_TOO_DEEP },
	{ "truncated arp", frame_arp_trunc, XLB_PCLASS_MALFORMED,
	  XLB_REASON_ARP_TRUNCATED },
};

static int read_hook_stats(__u32 slot, enum xlb_hook hook,
			   struct xlb_hook_stats *sum)
{
	return maps_hook_stats_read(bpf_map__fd(skel->maps.xlb_hook_stats),
				    slot, hook, sum);
}

static __u64 read_reason(__u32 reason)
{
	__u64 all[XLB_REASON_MAX];

	if (maps_reasons_read(bpf_map__fd(skel->maps.xlb_reasons), all))
		return ~0ull;
	return all[reason];
}

/* Run prog on frame; returns its retval, or -1 if the run itself failed. */
static int run_prog(struct bpf_program *prog, enum xlb_hook hook,
		    const __u8 *frame, size_t len, __u8 *out, __u32 *out_len)
{
	struct xdp_md xctx = { .data_end = len, .ingress_ifindex = LO_IFINDEX };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .data_out = out,
		    .data_size_out = *out_len, .repeat = 1);
	int err;

	if (hook == XLB_HOOK_XDP) {
		opts.ctx_in = &xctx;
		opts.ctx_size_in = sizeof(xctx);
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err) {
		check(0, "test run failed: %s", strerror(-err));
		return -1;
	}
	*out_len = opts.data_size_out;
	return opts.retval;
}

static struct bpf_program *prog_of(enum xlb_hook hook)
{
	if (hook == XLB_HOOK_XDP)
		return skel->progs.xlb_xdp;
	if (hook == XLB_HOOK_TC_INGRESS)
		return skel->progs.xlb_tc_ingress;
	return skel->progs.xlb_tc_egress;
}

static const char *const hook_names[] = { "xdp", "tc ingress", "tc egress" };

static void check_fixture_at(const struct fixture *f, enum xlb_hook hook)
{
	struct xlb_hook_stats before, after;
	__u8 frame[512], out[512];
	__u32 out_len = sizeof(out);
	__u64 reason_before = 0;
	size_t len = f->build(frame);
	int ret, pass;

	pass = hook == XLB_HOOK_XDP ? XDP_PASS : TC_ACT_OK;
	if (f->reason >= 0)
		reason_before = read_reason(f->reason);
	if (!check(!read_hook_stats(LO_SLOT, hook, &before), "read stats"))
		return;
	ret = run_prog(prog_of(hook), hook, frame, len, out, &out_len);
	check(ret == pass, "%s at %s: verdict %d, want %d", f->name,
	      hook_names[hook], ret, pass);
	check(out_len == len && !memcmp(out, frame, len),
	      "%s at %s: frame changed", f->name, hook_names[hook]);
	if (!check(!read_hook_stats(LO_SLOT, hook, &after), "read stats"))
		return;
	check(after.verdict[XLB_VERDICT_PASS].packets ==
		      before.verdict[XLB_VERDICT_PASS].packets + 1,
	      "%s at %s: pass packets not counted once", f->name,
	      hook_names[hook]);
	check(after.verdict[XLB_VERDICT_PASS].bytes ==
		      before.verdict[XLB_VERDICT_PASS].bytes + len,
	      "%s at %s: pass bytes %llu, want +%zu", f->name, hook_names[hook],
	      (unsigned long long)(after.verdict[XLB_VERDICT_PASS].bytes -
				   before.verdict[XLB_VERDICT_PASS].bytes),
	      len);
	for (int p = 0; p < XLB_PCLASS_MAX; p++) {
		__u64 want = before.pclass[p].packets + (p == (int)f->pclass);

		check(after.pclass[p].packets == want,
		      "%s at %s: class %d counted %llu, want %llu", f->name,
		      hook_names[hook], p,
		      (unsigned long long)after.pclass[p].packets,
		      (unsigned long long)want);
	}
	if (f->reason >= 0)
		check(read_reason(f->reason) == reason_before + 1,
		      "%s at %s: reason %d not counted", f->name,
		      hook_names[hook], f->reason);
}

static const struct fixture *cur_fixture;

static void test_fixture(void)
{
	int hooks = cur_fixture->xdp_only ? 1 : XLB_HOOK_MAX;

	for (int h = 0; h < hooks; h++)
		check_fixture_at(cur_fixture, h);
}

/* A packet on an interface xlbd never configured: passed, counted once. */
static void test_unknown_iface(void)
{
	__u32 key = LO_IFINDEX;
	struct xlb_iface ifc = { .slot = LO_SLOT, .active = 1 };
	__u8 frame[512], out[512];
	__u32 out_len = sizeof(out);
	size_t len = frame_ipv4_udp(frame);
	__u64 before = read_reason(XLB_REASON_UNKNOWN_IFACE);
	int fd = bpf_map__fd(skel->maps.xlb_ifaces);

	struct xlb_iface none = {};

	check(!bpf_map_update_elem(fd, &key, &none, BPF_ANY), "clear iface");
	check(run_prog(skel->progs.xlb_xdp, XLB_HOOK_XDP, frame, len, out,
		       &out_len) == XDP_PASS,
	      "xdp verdict");
	out_len = sizeof(out);
	check(run_prog(skel->progs.xlb_tc_egress, XLB_HOOK_TC_EGRESS, frame,
		       len, out, &out_len) == TC_ACT_OK,
	      "tc verdict");
	check(read_reason(XLB_REASON_UNKNOWN_IFACE) == before + 2,
	      "unknown iface counted %llu times, want 2",
	      (unsigned long long)(read_reason(XLB_REASON_UNKNOWN_IFACE) -
				   before));
	check(!bpf_map_update_elem(fd, &key, &ifc, BPF_ANY), "restore iface");
}

static int setup(void)
{
	struct xlb_iface ifc = { .slot = LO_SLOT, .active = 1 };
	__u32 key = LO_IFINDEX;
	struct bpf_map *map;
	int err;

	skel = xlb__open();
	if (!skel)
		return -errno;
	/* No pinning: the tests own private maps. */
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	err = xlb__load(skel);
	if (err)
		return err;
	return bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ifaces), &key,
				   &ifc, BPF_ANY);
}

int main(void)
{
	char name[128];
	int err, status;

	if (!harness_need_root("test_hello", &status))
		return status;
	err = setup();
	if (err)
		return harness_setup_failed("test_hello", "loading xlb.bpf.o",
					    err);
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		cur_fixture = &fixtures[i];
		snprintf(name, sizeof(name), "hello: %s", fixtures[i].name);
		harness_run(name, test_fixture);
	}
	harness_run("hello: unknown interface", test_unknown_iface);
	xlb__destroy(skel);
	return harness_done();
}
