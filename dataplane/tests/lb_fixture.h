/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the load balancer's BPF tests share: the skeleton they run, its
 * VIPs, rings and backends written the way xlbd writes them (backends
 * behind loopback, the test run's ingress interface, so forwarding is
 * XDP_TX), frames run through BPF_PROG_TEST_RUN and what they are
 * expected to become, and where the tables hold a flow.
 */
#ifndef XLB_TEST_LB_FIXTURE_H
#define XLB_TEST_LB_FIXTURE_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "lb_hints.h"
#include "maps.h"
#include "xlb_abi.h"
#include "fixture.h"
#include "frames.h"
#include "frame_check.h"

#define LO_IFINDEX 1
/* Room for any frame of the tests, extension headers and all. */
#define LB_FRAME_MAX 2048
#define LB_MAX_SNATS 16

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static struct xlb *skel;

/* Backend id n's next hop is next_hop with its last byte n. */
static const __u8 next_hop[ETH_ALEN] = { 0x02, 0xbb, 0, 0, 0, 0 };
static const __u8 our_mac[ETH_ALEN] = { 0x02, 0xaa, 0, 0, 0, 1 };
/* lb_own_netns(): the clients' neighbour, and the LB's side towards it. */
static const __u8 client_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0x05, 0x03 };
static const __u8 reply_mac[ETH_ALEN] = { 0x02, 0xaa, 0, 0, 0, 0xfe };

static struct xlb_vip_key vip_keys[XLB_MAX_VIPS];
static size_t n_vips;
static struct lb_hint_addr snats[LB_MAX_SNATS];
static size_t n_snats;

static inline int fd_of(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

static inline void parse_addr(const char *s, __be32 *addr, __u8 *family)
{
	*family = strchr(s, ':') ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	inet_pton(*family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET, s, addr);
}

/* The hints of the VIPs and NAT source addresses so far. */
static inline int put_hints(void)
{
	return lb_hints_write(fd_of(skel->maps.xlb_vip_hints), vip_keys, n_vips,
			      snats, n_snats);
}

/* An LB address NAT flows leave from: replies to it are looked at. */
static inline void add_snat(const char *addr)
{
	struct lb_hint_addr *h = &snats[n_snats++];

	parse_addr(addr, h->addr, &h->family);
}

/* A backend behind ifindex; `snat` and `port` only for NAT. */
static inline int put_backend_via(__u32 id, const char *addr, __u8 flags,
				  const char *snat, __u16 port, __u32 ifindex)
{
	struct xlb_backend b = { .flags = flags,
				 .ifindex = ifindex,
				 .port = htons(port) };

	parse_addr(addr, b.addr, &b.family);
	memcpy(b.dmac, next_hop, ETH_ALEN);
	b.dmac[5] = id;
	memcpy(b.smac, our_mac, ETH_ALEN);
	if (snat) {
		add_snat(snat);
		memcpy(b.snat, snats[n_snats - 1].addr, sizeof(b.snat));
	}
	return bpf_map_update_elem(fd_of(skel->maps.xlb_backends), &id, &b,
				   BPF_ANY);
}

/* A backend behind loopback; `snat` and `port` only for NAT. */
static inline int put_nat_backend(__u32 id, const char *addr, __u8 flags,
				  const char *snat, __u16 port)
{
	return put_backend_via(id, addr, flags, snat, port, LO_IFINDEX);
}

static inline int put_backend(__u32 id, const char *addr, __u8 flags)
{
	return put_nat_backend(id, addr, flags, NULL, 0);
}

/* A DSR backend reached through ifindex, not the receiving interface. */
static inline int put_backend_on(__u32 id, const char *addr, __u8 flags,
				 __u32 ifindex)
{
	return put_backend_via(id, addr, flags, NULL, 0, ifindex);
}

/* Add a VIP the way xlbd does: the hints first, then the VIP. */
static inline int put_vip_mode(__u32 id, const char *addr, __u16 port,
			       __u8 proto, enum xlb_lb_mode mode)
{
	struct xlb_vip_key k = { .port = htons(port), .proto = proto };
	struct xlb_vip v = { .id = id, .mode = mode };

	parse_addr(addr, k.addr, &k.family);
	vip_keys[n_vips++] = k;
	return put_hints() ?:
		       bpf_map_update_elem(fd_of(skel->maps.xlb_vips), &k, &v,
					   BPF_ANY);
}

static inline int put_vip(__u32 id, const char *addr, __u16 port, __u8 proto)
{
	return put_vip_mode(id, addr, port, proto, XLB_MODE_DSR);
}

/* Delete a VIP the way xlbd does: the key, then the hints without it. */
static inline int del_vip(const char *addr, __u16 port, __u8 proto)
{
	struct xlb_vip_key k = { .port = htons(port), .proto = proto };

	parse_addr(addr, k.addr, &k.family);
	for (size_t i = 0; i < n_vips; i++) {
		if (memcmp(&vip_keys[i], &k, sizeof(k)))
			continue;
		vip_keys[i] = vip_keys[--n_vips];
		if (bpf_map_delete_elem(fd_of(skel->maps.xlb_vips), &k))
			return -errno;
		return put_hints();
	}
	return -ENOENT;
}

/* Fill a VIP's ring: slot i -> first + i % n (XLB_NO_BACKEND if n 0). */
static inline int put_ring(__u32 vip, __u32 first, __u32 n)
{
	__u32 *keys = calloc(XLB_RING_SIZE, sizeof(*keys));
	__u32 *vals = calloc(XLB_RING_SIZE, sizeof(*vals));
	__u32 count = XLB_RING_SIZE;
	int ret;

	if (!keys || !vals)
		return -ENOMEM;
	for (__u32 i = 0; i < XLB_RING_SIZE; i++) {
		keys[i] = vip * XLB_RING_SIZE + i;
		vals[i] = n ? first + i % n : XLB_NO_BACKEND;
	}
	ret = bpf_map_update_batch(fd_of(skel->maps.xlb_ring), keys, vals,
				   &count, NULL);
	free(keys);
	free(vals);
	return ret;
}

/* The interface record of loopback: the load balancer runs there. */
static inline int put_lo_iface(void)
{
	struct xlb_iface ifc = { .slot = 0,
				 .stages = XLB_STAGE_LB,
				 .attach = XLB_ATTACH_XDP_NATIVE,
				 .active = 1 };
	__u32 lo = LO_IFINDEX;

	return bpf_map_update_elem(fd_of(skel->maps.xlb_ifaces), &lo, &ifc,
				   BPF_ANY);
}

/* Run a frame through XDP; *out gets the frame as it left. */
static inline int run(const __u8 *in, size_t len, __u8 *out, __u32 *out_len)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = LO_IFINDEX };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = out, .data_size_out = *out_len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xlb_xdp),
					 &opts);

	if (!check(!err, "test run: %s", strerror(-err)))
		return -1;
	*out_len = opts.data_size_out;
	return opts.retval;
}

static inline __u64 reason(enum xlb_reason r)
{
	__u64 all[XLB_REASON_MAX];

	if (maps_reasons_read(fd_of(skel->maps.xlb_reasons), all))
		return ~0ull;
	return all[r];
}

static inline void flow_of(const struct frame_spec *p, struct xlb_flow_key *fk)
{
	bool v6 = strchr(p->src, ':') != NULL;

	memset(fk, 0, sizeof(*fk));
	fk->family = v6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	inet_pton(v6 ? AF_INET6 : AF_INET, p->src, fk->src);
	inet_pton(v6 ? AF_INET6 : AF_INET, p->dst, fk->dst);
	fk->sport = htons(p->sport);
	fk->dport = htons(p->dport);
	fk->proto = p->proto;
}

/* Where a flow is held: 0 nowhere, 1 xlb_syns, 2 xlb_conns. */
static inline int table_of(const struct frame_spec *p, struct xlb_conn *c)
{
	struct xlb_flow_key fk;

	flow_of(p, &fk);
	if (!bpf_map_lookup_elem(fd_of(skel->maps.xlb_conns), &fk, c))
		return 2;
	if (!bpf_map_lookup_elem(fd_of(skel->maps.xlb_syns), &fk, c))
		return 1;
	return 0;
}

/*
 * Expect frame in to leave with XDP_TX, its MACs rewritten for the
 * backend it lands on and nothing else changed; returns that backend
 * (our fixture's next-hop MACs end in its id), or -1.
 */
static inline int expect_macs_only(const char *what, const __u8 *in, size_t len)
{
	__u8 out[LB_FRAME_MAX], want[LB_FRAME_MAX];
	__u32 out_len = sizeof(out);
	int ret = run(in, len, out, &out_len);

	if (!check(ret == XDP_TX, "%s: verdict %d, want XDP_TX", what, ret))
		return -1;
	if (!check(out_len == len, "%s: length %u, want %zu", what, out_len,
		   len))
		return -1;
	memcpy(want, in, len);
	memcpy(want, next_hop, ETH_ALEN);
	want[5] = out[5];
	memcpy(want + ETH_ALEN, our_mac, ETH_ALEN);
	check(!memcmp(out, want, len), "%s: frame out differs", what);
	return out[5];
}

/* The same for p, whose flow the tables must then hold for the backend. */
static inline int expect_tx(const char *what, const struct frame_spec *p)
{
	__u8 in[LB_FRAME_MAX];
	size_t len = frame_build(in, p);
	int backend = expect_macs_only(what, in, len);
	struct xlb_conn c;

	if (backend >= 0)
		check(table_of(p, &c) && (int)c.backend == backend,
		      "%s: flow not held for backend %d", what, backend);
	return backend;
}

/*
 * Run frame in: the verdict must be `verdict`, a passed frame must be
 * unchanged, and reason `why` (unless < 0) counted once.
 */
static inline void expect_frame(const char *what, const __u8 *in, size_t len,
				int verdict, int why)
{
	__u8 out[LB_FRAME_MAX];
	__u32 out_len = sizeof(out);
	__u64 r0 = why >= 0 ? reason(why) : 0;
	int ret = run(in, len, out, &out_len);

	check(ret == verdict, "%s: verdict %d, want %d", what, ret, verdict);
	if (verdict == XDP_PASS)
		check(out_len == len && !memcmp(in, out, len),
		      "%s: frame changed", what);
	if (why >= 0)
		check(reason(why) == r0 + 1, "%s: reason %d not counted once",
		      what, why);
}

static inline void expect_verdict(const char *what, const struct frame_spec *p,
				  int verdict, int why)
{
	__u8 in[LB_FRAME_MAX];

	expect_frame(what, in, frame_build(in, p), verdict, why);
}

/*
 * The backend's reply to out, a frame the LB sent it: addresses and
 * ports swapped, for TCP the flags tcp_flags (0 keeps them), checksums
 * filled.
 */
static inline void reply_to(const __u8 *out, size_t len, __u8 *rep,
			    __u8 tcp_flags)
{
	struct l3 x = l3_of(out, len);

	memcpy(rep, out, len);
	memcpy(rep + src_off(&x), out + dst_off(&x), addr_len(&x));
	memcpy(rep + dst_off(&x), out + src_off(&x), addr_len(&x));
	memcpy(rep + x.l4, out + x.l4 + 2, 2);
	memcpy(rep + x.l4 + 2, out + x.l4, 2);
	if (x.proto == IPPROTO_TCP && tcp_flags)
		rep[x.l4 + 13] = tcp_flags;
	fill_csums(rep, len);
}

/*
 * Move the test into a network namespace of its own where the clients
 * 198.18.5.3 and 2001:db8:5::3 are behind a veth with permanent
 * neighbours (client_mac), so that a NAT reply's FIB lookup succeeds;
 * the veth (its MAC reply_mac) is in xlb_tx_ports, so replies are
 * redirected. The namespace goes when the test exits.
 */
static inline int lb_own_netns(void)
{
	__u32 ifindex;

	if (unshare(CLONE_NEWNET))
		return -errno;
	if (system("ip link set lo up && "
		   "ip link add xt0 address 02:aa:00:00:00:fe type veth "
		   "peer name xt1 && "
		   "ip link set xt0 up && ip link set xt1 up && "
		   "ip addr add 198.18.5.254/24 dev xt0 && "
		   "ip -6 addr add 2001:db8:5::fe/64 dev xt0 nodad && "
		   "ip neigh add 198.18.5.3 lladdr 02:00:00:00:05:03 dev xt0 "
		   "nud permanent && "
		   "ip -6 neigh add 2001:db8:5::3 lladdr 02:00:00:00:05:03 "
		   "dev xt0 nud permanent && "
		   "sysctl -qw net.ipv4.conf.all.forwarding=1 "
		   "net.ipv6.conf.all.forwarding=1"))
		return -1;
	ifindex = if_nametoindex("xt0");
	if (!ifindex)
		return -errno;
	return bpf_map_update_elem(fd_of(skel->maps.xlb_tx_ports), &ifindex,
				   &ifindex, BPF_ANY) ?
		       -errno :
		       0;
}

#endif /* XLB_TEST_LB_FIXTURE_H */
