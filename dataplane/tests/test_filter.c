// modules: filter filter_lists filter_state keytab rule maps loader config config_filter config_text log util
// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: the filter stage. Each case installs rules and list entries
 * through the daemon's own filter module (so shapes, keys and masks are
 * the ones xlbd writes), then runs frames through the XDP and tc
 * programs with BPF_PROG_TEST_RUN and checks the verdict, the reason
 * counted and the hit counter of the rule or entry that decided.
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
#include "maps.h"
#include "xlb_abi.h"
#include "xlb.skel.h"
#include "frames.h"
#include "fixture.h"

#define LO_IFINDEX 1
#define LO_SLOT 3

static struct xlb *skel;
static struct filter flt;

/* Run a frame at a hook; true when it was dropped. */
static bool dropped(enum xlb_hook hook, const __u8 *frame, size_t len)
{
	int v, err = fixture_run(skel, hook, LO_IFINDEX, frame, len, &v);

	check(!err, "test run: %s", strerror(-err));
	if (hook == XLB_HOOK_XDP) {
		check(v == XDP_PASS || v == XDP_DROP, "xdp verdict %d", v);
		return v == XDP_DROP;
	}
	check(v == TC_ACT_OK || v == TC_ACT_SHOT, "tc verdict %d", v);
	return v == TC_ACT_SHOT;
}

static __u64 reason(enum xlb_reason r)
{
	__u64 all[XLB_REASON_MAX];

	if (maps_reasons_read(bpf_map__fd(skel->maps.xlb_reasons), all))
		return ~0ull;
	return all[r];
}

static __u64 hits(int fd, __u32 id)
{
	int cpus = libbpf_num_possible_cpus();
	struct xlb_ctr per[cpus];
	__u64 sum = 0;

	if (bpf_map_lookup_elem(fd, &id, per))
		return ~0ull;
	for (int c = 0; c < cpus; c++)
		sum += per[c].packets;
	return sum;
}

static __u64 rule_hits(__u32 id)
{
	return hits(bpf_map__fd(skel->maps.xlb_rule_stats), id);
}

static __u64 entry_hits(__u32 id)
{
	return hits(bpf_map__fd(skel->maps.xlb_list_stats), id);
}

/*
 * Expect packet p at hook to be dropped (with reason `why`) or passed;
 * `by_rule`/`by_entry` (ids, 0 for none) must count exactly one hit.
 */
static void expect(const char *what, enum xlb_hook hook,
		   const struct frame_spec *p, bool drop, int why,
		   __u32 by_rule, __u32 by_entry)
{
	__u8 frame[512];
	size_t len = frame_build(frame, p);
	__u64 r0 = why >= 0 ? reason(why) : 0;
	__u64 h0 = by_rule ? rule_hits(by_rule) : 0;
	__u64 e0 = by_entry ? entry_hits(by_entry) : 0;
	bool d = dropped(hook, frame, len);

	check(d == drop, "%s: %s, want %s", what, d ? "dropped" : "passed",
	      drop ? "dropped" : "passed");
	if (why >= 0)
		check(reason(why) == r0 + 1, "%s: reason %d not counted once",
		      what, why);
	if (by_rule)
		check(rule_hits(by_rule) == h0 + 1,
		      "%s: rule %u hits %llu, want %llu", what, by_rule,
		      (unsigned long long)rule_hits(by_rule),
		      (unsigned long long)h0 + 1);
	if (by_entry)
		check(entry_hits(by_entry) == e0 + 1,
		      "%s: entry %u not counted once", what, by_entry);
}

/* Add a rule from its parts; returns its id (0 and a failed check). */
static __u32 rule(__u32 order, enum xlb_action a, enum xlb_dir dir,
		  const char *src, const char *dst, int proto, int sport,
		  int dport)
{
	struct xlb_rule r = { .order = order, .action = a, .dir = dir };
	char err[FILTER_ERRLEN] = "";
	int ret = 0;

	if (src) {
		r.fields |= XLB_FIELD_SRC;
		ret = xlb_parse_prefix(src, &r.src, err, sizeof(err));
	}
	if (!ret && dst) {
		r.fields |= XLB_FIELD_DST;
		ret = xlb_parse_prefix(dst, &r.dst, err, sizeof(err));
	}
	if (proto >= 0) {
		r.fields |= XLB_FIELD_PROTO;
		r.proto = proto;
	}
	if (sport > 0) {
		r.fields |= XLB_FIELD_SPORT;
		r.sport = sport;
	}
	if (dport > 0) {
		r.fields |= XLB_FIELD_DPORT;
		r.dport = dport;
	}
	if (!ret)
		ret = filter_rule_add(&flt, &r, err, sizeof(err));
	check(!ret, "rule add: %s", err);
	return ret ? 0 : r.id;
}

static __u32 entry(enum xlb_list list, enum xlb_dir dir, const char *pfx)
{
	struct xlb_list_entry e = { .list = list, .dir = dir };
	char err[FILTER_ERRLEN] = "";
	int ret = xlb_parse_prefix(pfx, &e.prefix, err, sizeof(err));

	if (!ret)
		ret = filter_list_add(&flt, &e, err, sizeof(err));
	check(!ret, "list add %s: %s", pfx, err);
	return ret ? 0 : e.id;
}

static void entry_del(enum xlb_list list, enum xlb_dir dir, const char *pfx)
{
	struct xlb_list_entry e = { .list = list, .dir = dir };
	char err[FILTER_ERRLEN] = "";

	xlb_parse_prefix(pfx, &e.prefix, err, sizeof(err));
	check(!filter_list_del(&flt, &e, err, sizeof(err)), "list del: %s",
	      err);
}

/* Every case starts from an empty filter; XDP is attached (tc ingress
 * then skips the filter) unless a case says otherwise. */
static void reset(unsigned int attach)
{
	struct xlb_iface ifc = { .slot = LO_SLOT,
				 .stages = XLB_STAGE_FILTER,
				 .attach = attach,
				 .active = 1 };
	__u32 key = LO_IFINDEX;

	char err[FILTER_ERRLEN];

	filter_rule_flush(&flt);
	for (__u32 id = 1; id <= flt.max_prefixes; id++) {
		struct xlb_list_entry e = flt.entries[id];

		if (flt.entry_used[id])
			check(!filter_list_del(&flt, &e, err, sizeof(err)),
			      "reset: %s", err);
	}
	check(!bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_ifaces), &key,
				   &ifc, BPF_ANY),
	      "iface");
}

#define XDP XLB_HOOK_XDP
#define TCI XLB_HOOK_TC_INGRESS
#define TCE XLB_HOOK_TC_EGRESS
#define IN XLB_DIR_INGRESS
#define EG XLB_DIR_EGRESS
#define DROP XLB_ACTION_DROP
#define PASS XLB_ACTION_PASS
#define XDP_ON XLB_ATTACH_XDP_NATIVE

static const struct frame_spec udp4 = { "198.18.9.7", "198.18.0.10",
					IPPROTO_UDP, 40000, 53 };
static const struct frame_spec udp4_other = { "198.18.8.7", "198.18.0.10",
					      IPPROTO_UDP, 40000, 53 };
static const struct frame_spec tcp4 = { "198.18.9.7", "198.18.0.10",
					IPPROTO_TCP, 40001, 80 };
static const struct frame_spec udp6 = { "2001:db8:1::7", "2001:db8::10",
					IPPROTO_UDP, 40000, 53 };

static void test_empty(void)
{
	reset(XDP_ON);
	expect("no rules: udp", XDP, &udp4, false, -1, 0, 0);
	expect("no rules: udp6", XDP, &udp6, false, -1, 0, 0);
	expect("no rules: egress", TCE, &tcp4, false, -1, 0, 0);
}

/* Every field alone, then together. */
static void test_fields(void)
{
	struct frame_spec p;
	__u32 id;

	reset(XDP_ON);
	id = rule(10, DROP, IN, "198.18.9.0/24", NULL, -1, 0, 0);
	expect("src match", XDP, &udp4, true, XLB_REASON_FILTER_RULE, id, 0);
	expect("src miss", XDP, &udp4_other, false, -1, 0, 0);
	reset(XDP_ON);
	id = rule(10, DROP, IN, NULL, "198.18.0.10", -1, 0, 0);
	expect("dst match", XDP, &udp4, true, XLB_REASON_FILTER_RULE, id, 0);
	p = udp4;
	p.dst = "198.18.0.11";
	expect("dst miss", XDP, &p, false, -1, 0, 0);
	reset(XDP_ON);
	id = rule(10, DROP, IN, NULL, NULL, IPPROTO_TCP, 0, 0);
	expect("proto match", XDP, &tcp4, true, XLB_REASON_FILTER_RULE, id, 0);
	expect("proto miss", XDP, &udp4, false, -1, 0, 0);
	reset(XDP_ON);
	id = rule(10, DROP, IN, NULL, NULL, IPPROTO_UDP, 40000, 0);
	expect("sport match", XDP, &udp4, true, XLB_REASON_FILTER_RULE, id, 0);
	expect("sport miss", XDP, &tcp4, false, -1, 0, 0);
	reset(XDP_ON);
	id = rule(10, DROP, IN, NULL, NULL, IPPROTO_TCP, 0, 80);
	expect("dport match", XDP, &tcp4, true, XLB_REASON_FILTER_RULE, id, 0);
	p = tcp4;
	p.dport = 81;
	expect("dport miss", XDP, &p, false, -1, 0, 0);
	reset(XDP_ON);
	id = rule(10, DROP, IN, "198.18.9.0/24", "198.18.0.0/16", IPPROTO_UDP,
		  40000, 53);
	expect("all fields match", XDP, &udp4, true, XLB_REASON_FILTER_RULE, id,
	       0);
	expect("all fields, src miss", XDP, &udp4_other, false, -1, 0, 0);
	p = udp4;
	p.sport = 40001;
	expect("all fields, sport miss", XDP, &p, false, -1, 0, 0);
	p = udp4;
	p.vlan = true;
	expect("vlan-tagged match", XDP, &p, true, XLB_REASON_FILTER_RULE, id,
	       0);
}

/* The lowest order among matching rules decides, whatever the shapes. */
static void test_order(void)
{
	__u32 pass, drop, a, b;
	char err[FILTER_ERRLEN];

	reset(XDP_ON);
	pass = rule(10, PASS, IN, "198.18.9.0/24", NULL, -1, 0, 0);
	drop = rule(20, DROP, IN, NULL, NULL, IPPROTO_UDP, 0, 0);
	expect("lower pass wins", XDP, &udp4, false, -1, pass, 0);
	expect("drop for the rest", XDP, &udp4_other, true,
	       XLB_REASON_FILTER_RULE, drop, 0);
	reset(XDP_ON);
	drop = rule(5, DROP, IN, NULL, NULL, IPPROTO_UDP, 0, 0);
	pass = rule(10, PASS, IN, "198.18.9.0/24", NULL, -1, 0, 0);
	expect("lower drop wins", XDP, &udp4, true, XLB_REASON_FILTER_RULE,
	       drop, 0);
	/* Same match, two orders: one map key; the other takes over. */
	reset(XDP_ON);
	a = rule(30, DROP, IN, NULL, NULL, IPPROTO_UDP, 0, 53);
	b = rule(5, PASS, IN, NULL, NULL, IPPROTO_UDP, 0, 53);
	expect("same key, lower order", XDP, &udp4, false, -1, b, 0);
	check(!filter_rule_del(&flt, b, err, sizeof(err)), "del: %s", err);
	expect("same key, after delete", XDP, &udp4, true,
	       XLB_REASON_FILTER_RULE, a, 0);
	check(filter_rule_add(&flt,
			      &(struct xlb_rule){ .order = 30,
						  .action = PASS,
						  .fields = XLB_FIELD_PROTO,
						  .proto = IPPROTO_TCP },
			      err, sizeof(err)) == -EEXIST,
	      "duplicate order refused");
}

static void test_ipv6(void)
{
	struct frame_spec p = udp6;
	__u32 id, both;

	reset(XDP_ON);
	id = rule(10, DROP, IN, "2001:db8:1::/48", NULL, -1, 0, 0);
	expect("ipv6 src match", XDP, &udp6, true, XLB_REASON_FILTER_RULE, id,
	       0);
	p.src = "2001:db8:2::7";
	expect("ipv6 src miss", XDP, &p, false, -1, 0, 0);
	expect("ipv6 rule ignores ipv4", XDP, &udp4, false, -1, 0, 0);
	both = rule(20, DROP, IN, NULL, NULL, IPPROTO_UDP, 0, 53);
	expect("family-less rule, ipv4", XDP, &udp4, true,
	       XLB_REASON_FILTER_RULE, both, 0);
	expect("family-less rule, ipv6", XDP, &p, true, XLB_REASON_FILTER_RULE,
	       both, 0);
}

/* Egress rules at tc egress; ingress at tc only without XDP. */
static void test_hooks(void)
{
	__u32 in, eg;

	reset(XDP_ON);
	in = rule(10, DROP, IN, NULL, NULL, IPPROTO_TCP, 0, 0);
	eg = rule(20, DROP, EG, NULL, "198.18.0.10", -1, 0, 0);
	expect("ingress rule at xdp", XDP, &tcp4, true, XLB_REASON_FILTER_RULE,
	       in, 0);
	expect("ingress rule, tc ingress behind xdp", TCI, &tcp4, false, -1, 0,
	       0);
	expect("egress rule at tc egress", TCE, &udp4, true,
	       XLB_REASON_FILTER_RULE, eg, 0);
	expect("egress rule not at xdp", XDP, &udp4, false, -1, 0, 0);
	reset(0);
	in = rule(10, DROP, IN, NULL, NULL, IPPROTO_TCP, 0, 0);
	expect("ingress rule at tc ingress without xdp", TCI, &tcp4, true,
	       XLB_REASON_FILTER_RULE, in, 0);
}

static void test_lists(void)
{
	struct frame_spec p = udp6;
	__u32 deny, allow, allow6, eg, pass;

	reset(XDP_ON);
	deny = entry(XLB_LIST_DENY, IN, "198.18.9.0/24");
	expect("deny list", XDP, &udp4, true, XLB_REASON_FILTER_DENY, 0, deny);
	expect("deny list miss", XDP, &udp4_other, false, -1, 0, 0);
	allow = entry(XLB_LIST_ALLOW, IN, "198.18.8.0/24");
	expect("allow list match", XDP, &udp4_other, false, -1, 0, allow);
	p.src = "2001:db8:5::1";
	expect("allow list enforced for other family", XDP, &p, true,
	       XLB_REASON_FILTER_NOT_ALLOWED, 0, 0);
	allow6 = entry(XLB_LIST_ALLOW, IN, "2001:db8:5::/48");
	expect("ipv6 allow entry", XDP, &p, false, -1, 0, allow6);
	pass = rule(10, PASS, IN, "198.18.9.7", NULL, -1, 0, 0);
	expect("pass rule before deny list", XDP, &udp4, false, -1, pass, 0);
	eg = entry(XLB_LIST_DENY, EG, "198.18.0.10");
	expect("egress deny by destination", TCE, &udp4_other, true,
	       XLB_REASON_FILTER_DENY, 0, eg);
	entry_del(XLB_LIST_ALLOW, IN, "198.18.8.0/24");
	entry_del(XLB_LIST_ALLOW, IN, "2001:db8:5::/48");
	expect("empty allow list not enforced", XDP, &p, false, -1, 0, 0);
}

/* ARP (truncated too) and neighbour discovery pass whatever the lists say. */
static void test_always_pass(void)
{
	struct frame_spec ns = {
		"2001:db8:9::1", "2001:db8::10", IPPROTO_ICMPV6, 0, 0, 135
	};
	struct frame_spec echo = ns;
	__u64 before, malformed;
	__u8 frame[512];
	size_t len;

	reset(XDP_ON);
	entry(XLB_LIST_ALLOW, IN, "198.18.200.0/24");
	rule(10, DROP, IN, NULL, NULL, -1, 0, 0);
	len = frame_arp(frame);
	check(!dropped(XDP, frame, len), "arp passes");
	before = reason(XLB_REASON_ARP_TRUNCATED);
	malformed = reason(XLB_REASON_FILTER_MALFORMED);
	len = frame_arp_trunc(frame);
	check(!dropped(XDP, frame, len), "truncated arp passes");
	check(reason(XLB_REASON_ARP_TRUNCATED) == before + 1 &&
		      reason(XLB_REASON_FILTER_MALFORMED) == malformed,
	      "truncated arp counted as arp_truncated, not a drop");
	len = frame_other(frame);
	check(!dropped(XDP, frame, len), "non-IP passes");
	expect("neighbour solicitation passes", XDP, &ns, false, -1, 0, 0);
	echo.icmp_type = 128;
	expect("echo request dropped", XDP, &echo, true, XLB_REASON_FILTER_RULE,
	       0, 0);
}

static void test_malformed(void)
{
	__u8 frame[512];
	size_t len;
	__u64 before;

	reset(XDP_ON);
	before = reason(XLB_REASON_FILTER_MALFORMED);
	len = frame_ipv4_bad_ihl(frame);
	check(dropped(XDP, frame, len), "bad ihl dropped");
	len = frame_ipv6_ext_deep(frame);
	check(dropped(XDP, frame, len), "ext chain too deep dropped");
	len = frame_vlan3(frame);
	check(dropped(XDP, frame, len), "three vlan tags dropped");
	check(reason(XLB_REASON_FILTER_MALFORMED) == before + 3,
	      "malformed drops counted");
}

/* Fragments follow their first fragment; a lone later one, port-less
 * rules only. */
static void test_fragments(void)
{
	struct frame_spec first = udp4, later = udp4, lone = udp4, tiny = udp4;
	struct frame_spec first6 = udp6, later6 = udp6;
	__u32 drop53, pass80, dropudp;

	reset(XDP_ON);
	first.frag = 1;
	first.frag_id = 100;
	later.frag = 2;
	later.frag_id = 100;
	lone.frag = 2;
	lone.frag_id = 101;
	drop53 = rule(10, DROP, IN, NULL, NULL, IPPROTO_UDP, 0, 53);
	expect("first fragment by ports", XDP, &first, true,
	       XLB_REASON_FILTER_RULE, drop53, 0);
	expect("later fragment follows the first", XDP, &later, true,
	       XLB_REASON_FILTER_RULE, drop53, 0);
	expect("lone later fragment: no port-less rule", XDP, &lone, false, -1,
	       0, 0);
	tiny.frag = 1;
	tiny.short_l4 = true;
	tiny.frag_id = 102;
	expect("first fragment too short for ports", XDP, &tiny, true,
	       XLB_REASON_FILTER_FRAGMENT, 0, 0);
	first6.frag = 1;
	first6.frag_id = 7;
	later6.frag = 2;
	later6.frag_id = 7;
	expect("ipv6 first fragment by ports", XDP, &first6, true,
	       XLB_REASON_FILTER_RULE, drop53, 0);
	expect("ipv6 later fragment follows", XDP, &later6, true,
	       XLB_REASON_FILTER_RULE, drop53, 0);
	/* The first fragment's Fragment header names destination options,
	 * which it holds; the later one's names them too, but holds data. */
	first6.frag_id = later6.frag_id = 8;
	first6.ext_len = later6.ext_len = 8;
	expect("ipv6 first fragment, options then ports", XDP, &first6, true,
	       XLB_REASON_FILTER_RULE, drop53, 0);
	expect("ipv6 later fragment naming options follows", XDP, &later6, true,
	       XLB_REASON_FILTER_RULE, drop53, 0);
	later6.frag_id = 9;
	expect("lone ipv6 later fragment naming options: not malformed", XDP,
	       &later6, false, -1, 0, 0);

	reset(XDP_ON);
	pass80 = rule(10, PASS, IN, NULL, NULL, IPPROTO_UDP, 0, 80);
	dropudp = rule(20, DROP, IN, NULL, NULL, IPPROTO_UDP, 0, 0);
	first.dport = later.dport = 80;
	first.frag_id = later.frag_id = 200;
	lone.frag_id = 201;
	expect("allowed first fragment", XDP, &first, false, -1, pass80, 0);
	expect("its later fragment passes", XDP, &later, false, -1, pass80, 0);
	expect("lone later fragment meets port-less drop", XDP, &lone, true,
	       XLB_REASON_FILTER_RULE, dropudp, 0);
	first6.dport = 80;
	first6.frag_id = later6.frag_id = 10;
	expect("allowed ipv6 first fragment with options", XDP, &first6, false,
	       -1, pass80, 0);
	expect("its later fragment passes", XDP, &later6, false, -1, pass80, 0);
}

/* Many rules of one shape cost one lookup; all of them match. */
static void test_many_rules(void)
{
	struct frame_spec p = udp4;
	char src[32];
	__u32 id = 0;

	reset(XDP_ON);
	for (int i = 0; i < 1000; i++) {
		snprintf(src, sizeof(src), "198.19.%d.%d", i / 250,
			 i % 250 + 1);
		id = rule(100 + i, DROP, IN, src, NULL, -1, 0, 0);
	}
	check(flt.nshapes[IN][XLB_FAMILY_V4] == 1, "one shape for 1000 rules");
	p.src = "198.19.3.250";
	expect("the 1000th rule", XDP, &p, true, XLB_REASON_FILTER_RULE, id, 0);
	p.src = "198.19.4.1";
	expect("no rule", XDP, &p, false, -1, 0, 0);
}

/* A new daemon restores the same rules, ids and verdicts from the maps. */
static void test_restore(void)
{
	struct filter_maps m = flt.m;
	struct frame_spec p = tcp4;
	__u32 id, eid;
	char err[FILTER_ERRLEN];
	int ret;

	reset(XDP_ON);
	rule(5, PASS, IN, NULL, NULL, IPPROTO_UDP, 0, 53);
	id = rule(7, DROP, IN, "198.18.9.0/24", NULL, -1, 0, 0);
	eid = entry(XLB_LIST_DENY, IN, "198.18.8.0/24");
	filter_close(&flt);
	ret = filter_open(&flt, &m, XLB_DEFAULT_MAX_RULES,
			  XLB_DEFAULT_MAX_PREFIXES, err, sizeof(err));
	if (!check(!ret, "reopen: %s", err))
		return;
	check(flt.n_rules == 2 && flt.n_entries == 1, "restored counts");
	check(flt.rules[id].in_use && flt.rules[id].r.order == 7,
	      "rule id kept");
	expect("restored rule", XDP, &tcp4, true, XLB_REASON_FILTER_RULE, id,
	       0);
	p.src = "198.18.8.7";
	expect("restored entry", XDP, &p, true, XLB_REASON_FILTER_DENY, 0, eid);
	expect("restored pass rule", XDP, &udp4_other, false, -1, 0, 0);
	check(filter_next_order(&flt) == 17, "next order after 7");
}

static int setup(void)
{
	struct filter_maps m;
	char err[FILTER_ERRLEN];
	int ret;

	ret = fixture_open(&skel, XLB_DEFAULT_MAX_RULES,
			   XLB_DEFAULT_MAX_PREFIXES, 0);
	if (ret)
		return ret;
	m = fixture_filter_maps(skel);
	ret = filter_open(&flt, &m, XLB_DEFAULT_MAX_RULES,
			  XLB_DEFAULT_MAX_PREFIXES, err, sizeof(err));
	if (ret)
		fprintf(stderr, "test_filter: %s\n", err);
	return ret;
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "filter: empty", test_empty },
		{ "filter: fields alone and combined", test_fields },
		{ "filter: order precedence", test_order },
		{ "filter: ipv6 and family-less rules", test_ipv6 },
		{ "filter: hooks", test_hooks },
		{ "filter: allow and deny lists", test_lists },
		{ "filter: arp and neighbour discovery", test_always_pass },
		{ "filter: malformed packets", test_malformed },
		{ "filter: fragments", test_fragments },
		{ "filter: 1000 rules of one shape", test_many_rules },
		{ "filter: restore from maps", test_restore },
	};
	int err, status;

	if (!harness_need_root("test_filter", &status))
		return status;
	err = setup();
	if (err)
		return harness_setup_failed("test_filter", "setup", err);
	harness_run_table(tests, sizeof(tests) / sizeof(tests[0]));
	filter_close(&flt);
	xlb__destroy(skel);
	return harness_done();
}
