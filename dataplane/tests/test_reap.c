// modules: lb lb_ring lb_snat lb_neigh lb_route netlink maglev lb_hints lb_conns lb_flows loader config maps fault log util
// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: xlbd's side of the connection tables (lb_conns.c,
 * lb_flows.c) against the real xlb_reap program and maps. Entries are
 * written into xlb_conns, xlb_syns and xlb_nat_rev as the data plane
 * would leave them, some expired by the default timeouts; a pass must
 * delete exactly the dead ones (NAT ports whose owner is gone, not those
 * in their grace), tally the live ones per VIP, backend and table, and
 * take bounded steps; conn list, flush and VIP deletion must select by
 * VIP and backend; the new-connection rate follows xlb_backend_stats.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "lb.h"
#include "lb_conns.h"
#include "fixture.h"
#include "util.h"

#define NS_PER_S 1000000000ull
#define MANY 20000
#define GRACE_AHEAD_NS (5 * NS_PER_S)

static struct xlb *skel;
static struct lb lb;
static struct dp_sizes sizes;

/* The VIPs and backends of every test. */
enum { VIP_WEB, VIP_DNS, VIP_DSR };
enum { B_WEB1, B_DNS1, B_WEB2, B_DSR1 };

static const char *const lb_addr = "198.18.1.1";

static int fd_of(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

static void addr_of(const char *s, struct xlb_addr *a)
{
	a->family = XLB_FAMILY_V4;
	memset(a->addr, 0, sizeof(a->addr));
	inet_pton(AF_INET, s, a->addr);
}

static void vip(__u32 id, const char *addr, __u16 port, __u8 proto,
		enum xlb_lb_mode mode)
{
	struct lb_vip *v = &lb.vips[id];

	v->in_use = true;
	v->mode = mode;
	addr_of(addr, &v->vip.addr);
	v->vip.port = port;
	v->vip.proto = proto;
}

static void backend(__u32 id, __u32 vid, const char *addr)
{
	struct lb_backend *b = &lb.backends[id];

	b->in_use = true;
	b->vip = vid;
	addr_of(addr, &b->addr);
	b->dp.family = XLB_FAMILY_V4;
	b->dp.flags = XLB_BACKEND_ACTIVE | XLB_BACKEND_RESOLVED;
	memcpy(b->dp.addr, b->addr.addr, sizeof(b->dp.addr));
	if (lb.vips[vid].mode == XLB_MODE_NAT)
		inet_pton(AF_INET, lb_addr, b->dp.snat);
}

/* Client 198.18.5.N:port to VIP vid. */
static struct xlb_flow_key flow(__u32 vid, __u32 n, __u16 port)
{
	const struct lb_vip *v = &lb.vips[vid];
	struct xlb_flow_key k = { .family = XLB_FAMILY_V4,
				  .proto = v->vip.proto,
				  .sport = htons(port),
				  .dport = htons(v->vip.port) };

	k.src[0] = htonl(0xc6120500 + n);
	memcpy(k.dst, v->vip.addr.addr, sizeof(k.dst));
	return k;
}

/* An entry of VIP vid's flow to backend id, last seen `ago` ns ago;
 * nat_port (NAT) on the LB's address. */
static struct xlb_conn conn(__u32 vid, __u32 id, __u64 ago, __u32 state,
			    __u16 nat_port)
{
	__u64 now = now_ns();
	struct xlb_conn c = { .vip = vid,
			      .backend = id,
			      .seen_ns = now - ago,
			      .created_ns = now - ago - NS_PER_S,
			      .packets = 7,
			      .state = state,
			      .nat_port = htons(nat_port),
			      .snat_slot = XLB_SNAT_ROUTE };

	if (nat_port)
		inet_pton(AF_INET, lb_addr, c.snat);
	return c;
}

static int put(int fd, const void *k, const void *v)
{
	return bpf_map_update_elem(fd, k, v, BPF_ANY) ? -errno : 0;
}

static int put_conn(bool syn, const struct xlb_flow_key *k,
		    const struct xlb_conn *c)
{
	return put(syn ? lb.m.syns : lb.m.conns, k, c);
}

/* NAT port `port` of backend id for flow k of VIP vid, taken `ago` ns
 * ago (a tag born then). */
static struct xlb_nat_key put_port(__u32 id, const struct xlb_flow_key *k,
				   __u32 vid, __u16 port, __u64 ago)
{
	const struct lb_backend *b = &lb.backends[id];
	struct xlb_nat_key nk = { .bport = k->dport,
				  .lport = htons(port),
				  .proto = k->proto,
				  .family = k->family };
	struct xlb_nat_val v = { .cport = k->sport,
				 .vport = k->dport,
				 .vip_id = vid };

	memcpy(nk.backend, b->dp.addr, sizeof(nk.backend));
	inet_pton(AF_INET, lb_addr, nk.lb);
	memcpy(v.client, k->src, sizeof(v.client));
	memcpy(v.vip, k->dst, sizeof(v.vip));
	v.tag = (__u64)((now_ns() - ago) >> XLB_NAT_BORN_SHIFT) << 32 | 1;
	check(!put(lb.m.nat_rev, &nk, &v), "writing a NAT port");
	return nk;
}

static bool present(int fd, const void *k)
{
	__u8 v[64];

	return !bpf_map_lookup_elem(fd, k, v);
}

static __u32 entries(int fd)
{
	union lb_key k, next;
	__u32 n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

static void empty_tables(void)
{
	const int fds[] = { lb.m.conns, lb.m.syns, lb.m.nat_rev };
	union lb_key k;

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		while (!bpf_map_get_next_key(fds[i], NULL, &k))
			bpf_map_delete_elem(fds[i], &k);
}

/* What the default timeouts make of each kind of entry. */
static void test_pass_judges(void)
{
	struct xlb_flow_key est = flow(VIP_WEB, 1, 40001),
			    rst_old = flow(VIP_WEB, 2, 40002),
			    rst_new = flow(VIP_WEB, 3, 40003),
			    udp_old = flow(VIP_DNS, 4, 40004),
			    udp_new = flow(VIP_DNS, 5, 40005),
			    syn_old = flow(VIP_WEB, 6, 40006),
			    syn_new = flow(VIP_WEB, 7, 40007),
			    fin = flow(VIP_WEB, 8, 40008),
			    gone = flow(VIP_WEB, 9, 40009),
			    born = flow(VIP_WEB, 10, 40010);
	struct xlb_conn c;
	struct xlb_nat_key p_est, p_gone, p_born, p_udp, p_udp_old;
	const struct lb_tally *t = &lb.conns->pub;
	__u64 reaped[LB_TABLES];
	int ret;

	empty_tables();
	memcpy(reaped, lb.conns->reaped, sizeof(reaped));
	c = conn(VIP_WEB, B_WEB1, 0, 0, 33001);
	put_conn(false, &est, &c);
	p_est = put_port(B_WEB1, &est, VIP_WEB, 33001, 10 * NS_PER_S);
	c = conn(VIP_WEB, B_WEB2, 3 * NS_PER_S, XLB_CONN_RST, 33002);
	put_conn(false, &rst_old, &c);
	c = conn(VIP_WEB, B_WEB2, 0, XLB_CONN_RST, 33003);
	put_conn(false, &rst_new, &c);
	c = conn(VIP_DNS, B_DNS1, 200 * NS_PER_S, 0, 33004);
	put_conn(false, &udp_old, &c);
	p_udp_old = put_port(B_DNS1, &udp_old, VIP_DNS, 33004, 300 * NS_PER_S);
	c = conn(VIP_DNS, B_DNS1, NS_PER_S, 0, 33005);
	put_conn(false, &udp_new, &c);
	p_udp = put_port(B_DNS1, &udp_new, VIP_DNS, 33005, 10 * NS_PER_S);
	c = conn(VIP_WEB, B_WEB1, 6 * NS_PER_S, 0, 33006);
	put_conn(true, &syn_old, &c);
	c = conn(VIP_WEB, B_WEB1, 0, 0, 33007);
	put_conn(true, &syn_new, &c);
	c = conn(VIP_WEB, B_WEB2, 5 * NS_PER_S, XLB_CONN_FIN_IN, 0);
	put_conn(false, &fin, &c);
	/* A port whose owner has no entry, and one just taken. */
	p_gone = put_port(B_WEB2, &gone, VIP_WEB, 33009, 10 * NS_PER_S);
	p_born = put_port(B_WEB2, &born, VIP_WEB, 33010, 0);

	ret = lb_conns_pass(&lb);
	check(!ret, "pass: %s", strerror(-ret));
	check(present(lb.m.conns, &est) && present(lb.m.conns, &rst_new) &&
		      present(lb.m.conns, &udp_new) &&
		      present(lb.m.conns, &fin) && present(lb.m.syns, &syn_new),
	      "live entries kept");
	check(!present(lb.m.conns, &rst_old), "closed 3 s ago: deleted");
	check(!present(lb.m.conns, &udp_old), "UDP idle 200 s: deleted");
	check(!present(lb.m.syns, &syn_old), "SYN-only 6 s ago: deleted");
	check(present(lb.m.nat_rev, &p_est) && present(lb.m.nat_rev, &p_udp),
	      "ports of live flows kept");
	check(present(lb.m.nat_rev, &p_born), "a port in its grace kept");
	check(!present(lb.m.nat_rev, &p_gone) &&
		      !present(lb.m.nat_rev, &p_udp_old),
	      "ports whose owner is gone or expired: deleted");
	check(lb.conns->reaped[XLB_REAP_CONNS] - reaped[XLB_REAP_CONNS] == 2 &&
		      lb.conns->reaped[XLB_REAP_SYNS] - reaped[XLB_REAP_SYNS] ==
			      1 &&
		      lb.conns->reaped[XLB_REAP_NAT] - reaped[XLB_REAP_NAT] ==
			      2,
	      "reaped counts");
	check(t->in_use[XLB_REAP_CONNS] == 4 && t->in_use[XLB_REAP_SYNS] == 1 &&
		      t->in_use[XLB_REAP_NAT] == 3,
	      "in use: %llu %llu %llu", t->in_use[0], t->in_use[1],
	      t->in_use[2]);
	/* est and fin active (rst_new is closed), syn_new. */
	check(t->vip[VIP_WEB].active == 2 && t->vip[VIP_WEB].syn == 1 &&
		      t->vip[VIP_WEB].nat_ports == 2,
	      "VIP web: active %llu syn %llu ports %llu",
	      t->vip[VIP_WEB].active, t->vip[VIP_WEB].syn,
	      t->vip[VIP_WEB].nat_ports);
	check(t->vip[VIP_DNS].active == 1 && t->vip[VIP_DNS].nat_ports == 1,
	      "VIP dns: active %llu ports %llu", t->vip[VIP_DNS].active,
	      t->vip[VIP_DNS].nat_ports);
	check(t->backend[B_WEB1].active == 1 && t->backend[B_WEB1].syn == 1 &&
		      t->backend[B_WEB1].nat_ports == 1 &&
		      t->backend[B_WEB2].active == 1 &&
		      t->backend[B_WEB2].nat_ports == 1 &&
		      t->backend[B_DNS1].active == 1 &&
		      t->backend[B_DNS1].nat_ports == 1,
	      "per backend");
}

/* A step reads at most its budget; tallies change only at a pass's end. */
static void test_steps_bounded(void)
{
	struct xlb_flow_key *keys = calloc(2 * MANY, sizeof(*keys));
	struct xlb_conn *vals = calloc(2 * MANY, sizeof(*vals));
	__u32 count = 2 * MANY, steps = 0;
	__u64 before;
	int ret = 0;

	empty_tables();
	if (!check(keys && vals, "memory"))
		goto out;
	for (__u32 i = 0; i < 2 * MANY; i++) {
		keys[i] = flow(VIP_DSR, 1000 + i / 60000, 1024 + i % 60000);
		vals[i] = conn(VIP_DSR, B_DSR1, i % 2 ? 0 : 20 * 60 * NS_PER_S,
			       0, 0);
	}
	if (!check(!bpf_map_update_batch(lb.m.conns, keys, vals, &count, NULL),
		   "filling xlb_conns: %s", strerror(errno)))
		goto out;
	lb_conns_pass(&lb);
	check(lb.conns->pub.in_use[XLB_REAP_CONNS] == MANY,
	      "a pass keeps the %u live of %u: %llu", MANY, 2 * MANY,
	      lb.conns->pub.in_use[XLB_REAP_CONNS]);
	check(entries(lb.m.conns) == MANY, "and deletes the rest");
	before = lb.conns->passes;
	lb_conns_restart(&lb);
	while ((ret = lb_conns_step(&lb, 4096)) == 0) {
		steps++;
		check(lb.conns->passes == before &&
			      lb.conns->pub.in_use[XLB_REAP_CONNS] == MANY,
		      "tallies kept until the pass ends");
	}
	check(ret == 1, "the pass ends: %d", ret);
	/* 20000 entries, 4096 a step (a read of LB_READ may go over). */
	check(steps >= MANY / (4096 + LB_READ) && steps <= MANY / 4096 + 2,
	      "%u steps of 4096 for %u entries", steps + 1, MANY);
	check(lb.conns->pub.vip[VIP_DSR].active == MANY &&
		      lb.conns->pub.backend[B_DSR1].active == MANY,
	      "all counted once");
out:
	free(keys);
	free(vals);
}

/* The flows written for the flush, list and deletion tests. */
struct scene {
	struct xlb_flow_key web, web_syn, web2, dns, dns_old;
	struct xlb_nat_key p_web, p_web_syn, p_web2, p_dns, p_grace;
};

static void scene(struct scene *s)
{
	struct xlb_flow_key grace = flow(VIP_WEB, 30, 50000);
	struct xlb_conn c;

	empty_tables();
	s->web = flow(VIP_WEB, 20, 41000);
	s->web_syn = flow(VIP_WEB, 21, 41001);
	s->web2 = flow(VIP_WEB, 22, 41002);
	s->dns = flow(VIP_DNS, 20, 41000);
	s->dns_old = flow(VIP_DNS, 23, 41003);
	c = conn(VIP_WEB, B_WEB1, 0, 0, 34000);
	put_conn(false, &s->web, &c);
	s->p_web = put_port(B_WEB1, &s->web, VIP_WEB, 34000, 10 * NS_PER_S);
	c = conn(VIP_WEB, B_WEB1, 0, 0, 34001);
	put_conn(true, &s->web_syn, &c);
	s->p_web_syn =
		put_port(B_WEB1, &s->web_syn, VIP_WEB, 34001, 10 * NS_PER_S);
	c = conn(VIP_WEB, B_WEB2, 0, XLB_CONN_FIN_IN, 34002);
	put_conn(false, &s->web2, &c);
	s->p_web2 = put_port(B_WEB2, &s->web2, VIP_WEB, 34002, 10 * NS_PER_S);
	c = conn(VIP_DNS, B_DNS1, 0, 0, 34003);
	put_conn(false, &s->dns, &c);
	s->p_dns = put_port(B_DNS1, &s->dns, VIP_DNS, 34003, 10 * NS_PER_S);
	c = conn(VIP_DNS, B_DNS1, 200 * NS_PER_S, 0, 34004);
	put_conn(false, &s->dns_old, &c);
	/* Taken "5 s from now": in its grace for 6 s, however slow the
	 * machine running the test. */
	s->p_grace = put_port(B_WEB2, &grace, VIP_WEB, 34005, -GRACE_AHEAD_NS);
}

static json_t *list(int vid, const char *backend, __u32 count)
{
	struct lb_conn_filter f = { .vid = vid, .count = count };
	char err[256];
	json_t *o;

	if (backend) {
		f.has_backend = true;
		addr_of(backend, &f.backend);
	}
	o = lb_flows_list(&lb, &f, err, sizeof(err));
	check(o != NULL, "list: %s", err);
	return o;
}

static __u64 matched(json_t *o)
{
	return json_integer_value(json_object_get(o, "matched"));
}

static void test_list(void)
{
	struct scene s;
	json_t *o, *e;

	scene(&s);
	o = list(-1, NULL, 1000);
	check(matched(o) == 4 &&
		      json_array_size(json_object_get(o, "conns")) == 4,
	      "every live flow, not the expired one: %llu", matched(o));
	json_decref(o);
	o = list(VIP_WEB, NULL, 2);
	check(matched(o) == 3 &&
		      json_array_size(json_object_get(o, "conns")) == 2,
	      "one VIP, count 2: 2 of %llu", matched(o));
	json_decref(o);
	o = list(-1, "198.18.1.2", 1000);
	check(matched(o) == 3, "backend 198.18.1.2 in any VIP: %llu",
	      matched(o));
	json_decref(o);
	o = list(VIP_WEB, "198.18.1.3", 1000);
	e = json_array_get(json_object_get(o, "conns"), 0);
	check(matched(o) == 1, "backend 198.18.1.3 of web: %llu", matched(o));
	check(!strcmp(json_string_value(json_object_get(e, "client")),
		      "198.18.5.22") &&
		      json_integer_value(json_object_get(e, "client_port")) ==
			      41002 &&
		      !strcmp(json_string_value(json_object_get(e, "vip")),
			      "198.18.0.10:80/tcp") &&
		      !strcmp(json_string_value(json_object_get(e, "backend")),
			      "198.18.1.3") &&
		      !strcmp(json_string_value(
				      json_object_get(e, "nat_address")),
			      lb_addr) &&
		      json_integer_value(json_object_get(e, "nat_port")) ==
			      34002 &&
		      !strcmp(json_string_value(json_object_get(e, "state")),
			      "fin_in") &&
		      json_integer_value(json_object_get(e, "packets")) == 7 &&
		      json_real_value(json_object_get(e, "age_s")) >= 1.0 &&
		      json_real_value(json_object_get(e, "age_s")) < 5.0,
	      "the flow's fields");
	json_decref(o);
	o = list(VIP_WEB, "198.18.1.2", 1000);
	e = json_array_get(json_object_get(o, "conns"), 1);
	check(matched(o) == 2 &&
		      !strcmp(json_string_value(json_object_get(e, "state")),
			      "syn") &&
		      !strcmp(json_string_value(json_object_get(e, "table")),
			      "syns"),
	      "a SYN-only flow, listed after xlb_conns's");
	json_decref(o);
}

static void test_flush(void)
{
	struct lb_flushed n;
	struct xlb_conn c;
	struct scene s;
	int ret;

	scene(&s);
	ret = lb_flows_forget(&lb, VIP_WEB, false, &n);
	check(!ret, "flush: %s", strerror(-ret));
	check(!present(lb.m.conns, &s.web) && !present(lb.m.syns, &s.web_syn) &&
		      !present(lb.m.conns, &s.web2),
	      "the VIP's flows are gone");
	check(n.flows == 3 && n.nat_ports == 3,
	      "flushed %llu flows, freed %llu ports", n.flows, n.nat_ports);
	check(present(lb.m.nat_rev, &s.p_web) &&
		      present(lb.m.nat_rev, &s.p_web_syn) &&
		      present(lb.m.nat_rev, &s.p_web2),
	      "their ports' records stay, for flows that come back");
	/* An open connection's next packet makes its flow again, with its
	 * port (the data plane's `again`). */
	c = conn(VIP_WEB, B_WEB1, 0, 0, 34000);
	put_conn(false, &s.web, &c);
	lb_conns_pass(&lb);
	check(present(lb.m.nat_rev, &s.p_web),
	      "the port of a flow made again stays");
	check(!present(lb.m.nat_rev, &s.p_web_syn) &&
		      !present(lb.m.nat_rev, &s.p_web2),
	      "the reaper deletes the others'");
	check(present(lb.m.nat_rev, &s.p_grace),
	      "a port in its grace stays while the VIP does");
	check(present(lb.m.conns, &s.dns) && present(lb.m.nat_rev, &s.p_dns),
	      "another VIP's live flow and port stay");
	/* web, made again, and dns; dns_old has expired, and been reaped. */
	ret = lb_flows_forget(&lb, -1, false, &n);
	check(!ret && n.flows == 2 && n.nat_ports == 2 && !entries(lb.m.conns),
	      "flush of every VIP: %llu flows, %llu ports", n.flows,
	      n.nat_ports);
}

/* lb_vip_del(): the flows and every port of the VIP go. */
static void test_vip_del(void)
{
	char err[LB_ERRLEN];
	struct scene s;
	int ret;

	scene(&s);
	ret = lb_vip_del(&lb, &lb.vips[VIP_WEB].vip, err, sizeof(err));
	check(!ret, "vip del: %s", err);
	check(!present(lb.m.conns, &s.web) && !present(lb.m.syns, &s.web_syn),
	      "the VIP's flows are gone");
	check(!present(lb.m.nat_rev, &s.p_web) &&
		      !present(lb.m.nat_rev, &s.p_grace),
	      "every port of it, in its grace or not");
	check(present(lb.m.conns, &s.dns) && present(lb.m.nat_rev, &s.p_dns),
	      "another VIP's stay");
	check(lb.conns->pub.vip[VIP_WEB].nat_ports == 0 &&
		      lb.conns->pub.backend[B_WEB1].active == 0,
	      "its tallies are zero");
	vip(VIP_WEB, "198.18.0.10", 80, IPPROTO_TCP, XLB_MODE_NAT);
	backend(B_WEB1, VIP_WEB, "198.18.1.2");
	backend(B_WEB2, VIP_WEB, "198.18.1.3");
}

/* Write new_flows of backend id on CPU 0. */
static int put_new_flows(__u32 id, __u64 n)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xlb_backend_stats *s = calloc(ncpu, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s[0].new_flows = n;
	ret = put(lb.m.backend_stats, &id, s);
	free(s);
	return ret;
}

static void test_rates(void)
{
	struct lb_conns *x = lb.conns;

	put_new_flows(B_WEB1, 100);
	x->next_rate_ns = 0;
	lb_conns_process(&lb);
	put_new_flows(B_WEB1, 300);
	/* As if the last sample were 2 s ago. */
	x->rate_ns = now_ns() - 2 * NS_PER_S;
	x->next_rate_ns = 0;
	lb_conns_process(&lb);
	check(x->new_per_s[B_WEB1] > 99.0 && x->new_per_s[B_WEB1] <= 100.0,
	      "200 new flows in 2 s: %f/s", x->new_per_s[B_WEB1]);
	put_new_flows(B_WEB1, 0);
	x->next_rate_ns = 0;
	lb_conns_process(&lb);
	check(x->new_per_s[B_WEB1] == 0.0,
	      "a counter gone back (a new backend): 0/s, not %f",
	      x->new_per_s[B_WEB1]);
}

static int setup(void)
{
	char err[256];
	int ret;

	/* xlb_conns keeps an LRU list per CPU, of its share of the
	 * entries: written from one CPU, room for all there. */
	__u32 size = libbpf_num_possible_cpus() * 4 * MANY;

	ret = fixture_pin_cpu() ?: fixture_open(&skel, 64, 64, size);
	if (ret)
		return ret;
	dp_sizes_default(&sizes);
	sizes.max_conns = size;
	lb.m = (struct lb_maps){
		.vips = fd_of(skel->maps.xlb_vips),
		.hints = fd_of(skel->maps.xlb_vip_hints),
		.ring = fd_of(skel->maps.xlb_ring),
		.backends = fd_of(skel->maps.xlb_backends),
		.vip_stats = fd_of(skel->maps.xlb_vip_stats),
		.backend_stats = fd_of(skel->maps.xlb_backend_stats),
		.ifaces = fd_of(skel->maps.xlb_ifaces),
		.lb_conf = fd_of(skel->maps.xlb_lb_conf),
		.snat_pools = fd_of(skel->maps.xlb_snat_pools),
		.conns = fd_of(skel->maps.xlb_conns),
		.syns = fd_of(skel->maps.xlb_syns),
		.nat_rev = fd_of(skel->maps.xlb_nat_rev),
		.reap_buf = fd_of(skel->maps.xlb_reap_buf),
		.reap = bpf_program__fd(skel->progs.xlb_reap),
	};
	lb.specs = bpf_map_create(BPF_MAP_TYPE_ARRAY, "test_specs",
				  sizeof(__u32), sizeof(struct lb_spec),
				  XLB_MAX_BACKENDS, NULL);
	if (lb.specs < 0)
		return -errno;
	vip(VIP_WEB, "198.18.0.10", 80, IPPROTO_TCP, XLB_MODE_NAT);
	vip(VIP_DNS, "198.18.0.11", 53, IPPROTO_UDP, XLB_MODE_NAT);
	vip(VIP_DSR, "198.18.0.12", 80, IPPROTO_TCP, XLB_MODE_DSR);
	backend(B_WEB1, VIP_WEB, "198.18.1.2");
	backend(B_DNS1, VIP_DNS, "198.18.1.2");
	backend(B_WEB2, VIP_WEB, "198.18.1.3");
	backend(B_DSR1, VIP_DSR, "198.18.1.4");
	return lb_conns_open(&lb, &sizes, err, sizeof(err));
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "reap: a pass deletes the dead, counts the live",
		  test_pass_judges },
		{ "reap: bounded steps, tallies at the pass's end",
		  test_steps_bounded },
		{ "conns: list by VIP and backend, count", test_list },
		{ "conns: flush of one VIP, then of all", test_flush },
		{ "conns: a deleted VIP leaves no flow and no port",
		  test_vip_del },
		{ "reap: new connections per second", test_rates },
	};
	int err, status;

	if (!harness_need_root("test_reap", &status))
		return status;
	err = setup();
	if (err)
		return harness_setup_failed("test_reap", "setup", err);
	harness_run_table(tests, ARRAY_SIZE(tests));
	lb_conns_close(&lb);
	xlb__destroy(skel);
	return harness_done();
}
