/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the NAT tests share: one topology of NAT VIPs (IPv4 and IPv6, TCP
 * and UDP, two VIPs on one backend, a VIP with an snat pool) and a DSR
 * VIP, and the helpers that follow a flow's NAT port: the port a packet
 * took and the xlb_nat_rev entry behind it, the backend's answer, an
 * owner moved to another port, a port held by a flow that lives, and
 * time moved (an entry's seen time, a tag's birth) instead of waited for.
 */
#ifndef XLB_TEST_NAT_FIXTURE_H
#define XLB_TEST_NAT_FIXTURE_H

#include <time.h>

#include "lb_fixture.h"

/* Backend ids. */
enum { B_NAT4 = 1, B_NAT6, B_POOL, B_DSR6 };

/* VIP ids. */
enum {
	VIP_TCP,
	VIP_TCP2, /* the same backend as VIP_TCP */
	VIP_UDP,
	VIP_POOL, /* snat pool POOL0, POOL1 */
	VIP_TCP6,
	VIP_UDP6,
	VIP_DSR6,
};

/* The clients lb_own_netns() routes replies to. */
#define CLIENT4 "198.18.5.3"
#define CLIENT6 "2001:db8:5::3"
#define SNAT4 "198.18.2.1"
#define SNAT6 "2001:db8:2::1"
#define POOL0 "198.18.4.1"
#define POOL1 "198.18.4.2"
/* Clients of the ports nat_block() holds: no test sends from it. */
#define BLOCKER "198.18.6.6"
#define BPORT 8080 /* the NAT backends' port */
#define POOL_BPORT 5353

/* The tables' sizes: room for every flow of a test. */
#define NAT_TEST_ENTRIES 8192

#define NS_PER_S 1000000000ull
#define HOUR_NS (3600 * NS_PER_S)

/*
 * The timeouts in force: minutes, in the order of the defaults (closed <
 * fin), so that none can pass while a test runs, however long the test
 * is kept off its CPU; the tests move time instead (conn_age(),
 * nat_age()), by fractions of these.
 */
static const struct xlb_lb_conf conf = { .syn_ns = 600 * NS_PER_S,
					 .tcp_ns = 3600 * NS_PER_S,
					 .fin_ns = 1200 * NS_PER_S,
					 .closed_ns = 600 * NS_PER_S,
					 .udp_ns = 1800 * NS_PER_S };

/* The VIPs, each with a ring of one backend. */
static const struct {
	__u32 id;
	const char *addr;
	__u16 port;
	__u8 proto;
	enum xlb_lb_mode mode;
	__u32 backend;
} nat_vips[] = {
	{ VIP_TCP, "198.18.0.20", 80, IPPROTO_TCP, XLB_MODE_NAT, B_NAT4 },
	{ VIP_TCP2, "198.18.0.21", 80, IPPROTO_TCP, XLB_MODE_NAT, B_NAT4 },
	{ VIP_UDP, "198.18.0.22", 53, IPPROTO_UDP, XLB_MODE_NAT, B_NAT4 },
	{ VIP_POOL, "198.18.0.40", 53, IPPROTO_UDP, XLB_MODE_NAT, B_POOL },
	{ VIP_TCP6, "2001:db8::20", 80, IPPROTO_TCP, XLB_MODE_NAT, B_NAT6 },
	{ VIP_UDP6, "2001:db8::21", 53, IPPROTO_UDP, XLB_MODE_NAT, B_NAT6 },
	{ VIP_DSR6, "2001:db8::10", 443, IPPROTO_TCP, XLB_MODE_DSR, B_DSR6 },
};

/* VIP_POOL's snat pool. */
static inline int put_pool(void)
{
	struct xlb_snat_pool pool = { .count = 2 };
	__u32 vip = VIP_POOL;

	inet_pton(AF_INET, POOL0, pool.addr[0]);
	inet_pton(AF_INET, POOL1, pool.addr[1]);
	add_snat(POOL0);
	add_snat(POOL1);
	return bpf_map_update_elem(fd_of(skel->maps.xlb_snat_pools), &vip,
				   &pool, BPF_ANY) ?
		       -errno :
		       0;
}

static inline int nat_setup(void)
{
	const __u8 up = XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED;
	const struct dp_sizes sizes = { .max_rules = 64,
					.max_prefixes = 64,
					.max_conns = NAT_TEST_ENTRIES,
					.max_syns = NAT_TEST_ENTRIES,
					.max_nat_ports = NAT_TEST_ENTRIES };
	int ret;

	ret = fixture_pin_cpu() ?: fixture_open_sizes(&skel, &sizes);
	if (!ret)
		ret = maps_lb_conf_set(fd_of(skel->maps.xlb_lb_conf), &conf);
	if (!ret)
		ret = lb_own_netns() ?: put_pool();
	if (!ret)
		ret = put_nat_backend(B_NAT4, "198.18.2.2", up, SNAT4, BPORT);
	if (!ret)
		ret = put_nat_backend(B_NAT6, "2001:db8:2::2", up, SNAT6,
				      BPORT);
	if (!ret)
		ret = put_nat_backend(B_POOL, "198.18.2.10", up, SNAT4,
				      POOL_BPORT);
	if (!ret)
		ret = put_backend(B_DSR6, "2001:db8:1::2", up);
	for (size_t i = 0; !ret && i < sizeof(nat_vips) / sizeof(*nat_vips);
	     i++)
		ret = put_ring(nat_vips[i].id, nat_vips[i].backend, 1) ?:
			      put_vip_mode(nat_vips[i].id, nat_vips[i].addr,
					   nat_vips[i].port, nat_vips[i].proto,
					   nat_vips[i].mode);
	return ret ?: put_lo_iface();
}

/* What a client's packet through a NAT VIP became. */
struct nat_sent {
	int verdict;
	struct xlb_nat_key key; /* its replies' key in xlb_nat_rev */
	__u16 lport; /* the NAT port, host order */
	__u32 len;
	__u8 frame[LB_FRAME_MAX]; /* as it left */
};

/* Send p (checksums filled) through the load balancer; the verdict. */
static inline int nat_send(const struct frame_spec *p, struct nat_sent *s)
{
	__u8 in[LB_FRAME_MAX];
	size_t len = frame_build(in, p);
	struct l3 x;

	fill_csums(in, len);
	s->len = sizeof(s->frame);
	s->verdict = run(in, len, s->frame, &s->len);
	memset(&s->key, 0, sizeof(s->key));
	s->lport = 0;
	if (s->verdict != XDP_TX)
		return s->verdict;
	x = l3_of(s->frame, s->len);
	memcpy(s->key.backend, s->frame + dst_off(&x), addr_len(&x));
	memcpy(s->key.lb, s->frame + src_off(&x), addr_len(&x));
	memcpy(&s->key.bport, s->frame + x.l4 + 2, sizeof(s->key.bport));
	memcpy(&s->key.lport, s->frame + x.l4, sizeof(s->key.lport));
	s->key.proto = x.proto;
	s->key.family = x.v6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	s->lport = port_at(s->frame, x.l4);
	return s->verdict;
}

/*
 * The backend answers what s sent it (TCP flags tcp_flags, 0 keeps
 * them): the verdict, and the answer as it left in out (LB_FRAME_MAX
 * bytes).
 */
static inline int nat_answer(const struct nat_sent *s, __u8 tcp_flags,
			     __u8 *out)
{
	__u8 rep[LB_FRAME_MAX];
	__u32 out_len = LB_FRAME_MAX;

	reply_to(s->frame, s->len, rep, tcp_flags);
	return run(rep, s->len, out, &out_len);
}

static inline int nat_get(const struct xlb_nat_key *k, struct xlb_nat_val *v)
{
	return bpf_map_lookup_elem(fd_of(skel->maps.xlb_nat_rev), k, v) ?
		       -errno :
		       0;
}

static inline int nat_put(const struct xlb_nat_key *k,
			  const struct xlb_nat_val *v)
{
	return bpf_map_update_elem(fd_of(skel->maps.xlb_nat_rev), k, v,
				   BPF_ANY) ?
		       -errno :
		       0;
}

/* Does the entry of port k name flow p as its owner? */
static inline bool nat_names(const struct xlb_nat_key *k,
			     const struct frame_spec *p)
{
	struct xlb_flow_key fk;
	struct xlb_nat_val v;

	flow_of(p, &fk);
	return !nat_get(k, &v) && !memcmp(v.client, fk.src, sizeof(fk.src)) &&
	       !memcmp(v.vip, fk.dst, sizeof(fk.dst)) && v.cport == fk.sport &&
	       v.vport == fk.dport;
}

/* Forget flow p: its table entries, and its NAT entry k (if any). */
static inline void forget(const struct frame_spec *p,
			  const struct xlb_nat_key *k)
{
	struct xlb_flow_key fk;

	flow_of(p, &fk);
	bpf_map_delete_elem(fd_of(skel->maps.xlb_conns), &fk);
	bpf_map_delete_elem(fd_of(skel->maps.xlb_syns), &fk);
	if (k)
		bpf_map_delete_elem(fd_of(skel->maps.xlb_nat_rev), k);
}

/* The map (fd) holding flow p's entry, read into *c; -1 when none. */
static inline int conn_get(const struct frame_spec *p, struct xlb_conn *c)
{
	switch (table_of(p, c)) {
	case 2:
		return fd_of(skel->maps.xlb_conns);
	case 1:
		return fd_of(skel->maps.xlb_syns);
	default:
		return -1;
	}
}

static inline int conn_put(int fd, const struct frame_spec *p,
			   const struct xlb_conn *c)
{
	struct xlb_flow_key fk;

	flow_of(p, &fk);
	return bpf_map_update_elem(fd, &fk, c, BPF_EXIST) ? -errno : 0;
}

/* Make flow p's table entry idle for ns nanoseconds more. */
static inline bool conn_age(const struct frame_spec *p, __u64 ns)
{
	struct xlb_conn c;
	int fd = conn_get(p, &c);

	c.seen_ns -= ns;
	return fd >= 0 && !conn_put(fd, p, &c);
}

/* Make port k's owner have taken it ns nanoseconds earlier. */
static inline bool nat_age(const struct xlb_nat_key *k, __u64 ns)
{
	struct xlb_nat_val v;
	__u32 born;

	if (nat_get(k, &v))
		return false;
	born = (v.tag >> 32) - (__u32)(ns >> XLB_NAT_BORN_SHIFT);
	v.tag = (__u64)born << 32 | (__u32)v.tag;
	return !nat_put(k, &v);
}

/* Past the grace a newly taken port has: its owner's entry decides. */
static inline bool nat_past_grace(const struct xlb_nat_key *k)
{
	return nat_age(k, 2 * XLB_NAT_GRACE_NS);
}

/*
 * Move flow p from port `from` to port `to`: its NAT entry, and the
 * port and address its table entry sends it from.
 */
static inline bool nat_move(const struct frame_spec *p,
			    const struct xlb_nat_key *from,
			    const struct xlb_nat_key *to)
{
	struct xlb_nat_val v;
	struct xlb_conn c;
	int fd = conn_get(p, &c);

	if (!memcmp(from, to, sizeof(*to)))
		return true;
	if (fd < 0 || nat_get(from, &v) || nat_put(to, &v))
		return false;
	bpf_map_delete_elem(fd_of(skel->maps.xlb_nat_rev), from);
	c.nat_port = to->lport;
	memcpy(c.snat, to->lb, sizeof(c.snat));
	return !conn_put(fd, p, &c);
}

static inline __u64 coarse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Make port k's owner have taken it at time ns (coarse clock). */
static inline bool nat_born(const struct xlb_nat_key *k, __u64 ns)
{
	struct xlb_nat_val v;

	if (nat_get(k, &v))
		return false;
	v.tag = (ns >> XLB_NAT_BORN_SHIFT) << 32 | (__u32)v.tag;
	return !nat_put(k, &v);
}

/*
 * Hold port k for a flow of BLOCKER that lives for an hour yet: it took
 * the port an hour from now (by the clock bpf_ktime_get_coarse_ns()
 * reads), so the grace covers it.
 */
static inline bool nat_block(const struct xlb_nat_key *k)
{
	struct xlb_nat_val v = { .cport = htons(1), .vport = htons(1) };

	inet_pton(AF_INET, BLOCKER, v.client);
	return !nat_put(k, &v) && nat_born(k, coarse_now() + HOUR_NS);
}

/* Start the flow caches afresh: every entry is of an old generation. */
static inline bool cache_flush(void)
{
	return !put_hints();
}

/* The counters of VIP vip, summed over the CPUs. */
static inline struct xlb_vip_stats vip_stats(__u32 vip)
{
	struct xlb_vip_stats vs;

	if (maps_percpu_sum(fd_of(skel->maps.xlb_vip_stats), vip, &vs,
			    sizeof(vs)))
		memset(&vs, 0xff, sizeof(vs));
	return vs;
}

/*
 * Is frame f (len bytes) what a frame built afresh from p, checksums
 * filled and sent to MAC dmac from smac, would be, byte for byte?
 */
static inline bool frame_is(const __u8 *f, size_t len,
			    const struct frame_spec *p, const __u8 *dmac,
			    const __u8 *smac)
{
	__u8 want[LB_FRAME_MAX];
	size_t n = frame_build(want, p);

	fill_csums(want, n);
	memcpy(want, dmac, ETH_ALEN);
	memcpy(want + ETH_ALEN, smac, ETH_ALEN);
	return n == len && !memcmp(f, want, n);
}

/* Is f p as it must reach backend bid: from lb:lport to its port? */
static inline bool is_request(const __u8 *f, size_t len,
			      const struct frame_spec *p, const char *lb,
			      __u16 lport, const char *backend, __u16 bport,
			      __u8 bid)
{
	struct frame_spec q = *p;
	__u8 dmac[ETH_ALEN];

	memcpy(dmac, next_hop, ETH_ALEN);
	dmac[ETH_ALEN - 1] = bid;
	q.src = lb;
	q.dst = backend;
	q.sport = lport;
	q.dport = bport;
	return frame_is(f, len, &q, dmac, our_mac);
}

/*
 * Is f the backend's answer to p as it must reach p's client: from the
 * VIP, ports swapped, TCP flags tcp_flags (0: p's), to the client's MAC?
 */
static inline bool is_answer(const __u8 *f, size_t len,
			     const struct frame_spec *p, __u8 tcp_flags)
{
	struct frame_spec r = *p;

	r.src = p->dst;
	r.dst = p->src;
	r.sport = p->dport;
	r.dport = p->sport;
	if (tcp_flags)
		r.tcp_flags = tcp_flags;
	return frame_is(f, len, &r, client_mac, reply_mac);
}

/* A NAT test's main(): root, the topology, the tests, the summary. */
static inline int nat_test_main(const char *prog,
				const struct harness_test *tests, size_t n)
{
	int err, status;

	if (!harness_need_root(prog, &status))
		return status;
	err = nat_setup();
	if (err)
		return harness_setup_failed(prog, "setup", err);
	harness_run_table(tests, n);
	xlb__destroy(skel);
	return harness_done();
}

#endif /* XLB_TEST_NAT_FIXTURE_H */
