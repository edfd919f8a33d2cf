// SPDX-License-Identifier: GPL-2.0
/*
 * Running a frame through the data plane (BPF_PROG_TEST_RUN, XDP as
 * received on the frame's interface, tc with the skb's ifindex set to it)
 * and reading what it did: the verdict, the frame as it left, the reasons
 * counted (xlb_reasons, every one, before and after) and the class and
 * verdict counted at the hook (the interface's slot of xlb_hook_stats).
 * Also the tables the model reads the data plane's choices from, and the
 * hit counters compared at the end of an epoch.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>

#include "dp.h"
#include "gen.h"
#include "fixture.h"

static int fd(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

/* Every reason's count, summed over the CPUs: one batch lookup. */
static int reasons_read(struct fz_dp *d, __u64 *sum)
{
	__u32 keys[XLB_REASON_MAX], count = XLB_REASON_MAX, next;
	const __u64 *per = d->pcpu;
	int ret;

	ret = bpf_map_lookup_batch(fd(d->skel->maps.xlb_reasons), NULL, &next,
				   keys, d->pcpu, &count, NULL);
	if (ret && errno != ENOENT)
		return -errno;
	if (count != XLB_REASON_MAX)
		return -EIO;
	memset(sum, 0, XLB_REASON_MAX * sizeof(*sum));
	for (__u32 i = 0; i < count; i++)
		for (int cpu = 0; cpu < d->ncpus; cpu++)
			sum[keys[i]] += per[i * (__u32)d->ncpus + (__u32)cpu];
	return 0;
}

static int hook_read(struct fz_dp *d, __u32 slot, enum xlb_hook hook,
		     struct xlb_hook_stats *sum)
{
	const struct xlb_hook_stats *per = d->pcpu;
	__u32 key = slot * XLB_HOOK_MAX + hook;

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd(d->skel->maps.xlb_hook_stats), &key,
				d->pcpu))
		return -errno;
	for (int cpu = 0; cpu < d->ncpus; cpu++) {
		for (int v = 0; v < XLB_VERDICT_MAX; v++)
			sum->verdict[v].packets += per[cpu].verdict[v].packets;
		for (int c = 0; c < XLB_PCLASS_MAX; c++)
			sum->pclass[c].packets += per[cpu].pclass[c].packets;
	}
	return 0;
}

/* Which of n counters went up by one (-1: none, -2: several or more). */
static int which_one(const struct xlb_ctr *before, const struct xlb_ctr *after,
		     int n)
{
	int found = -1;

	for (int i = 0; i < n; i++) {
		__u64 d = after[i].packets - before[i].packets;

		if (d > 1 || (d == 1 && found != -1))
			return -2;
		if (d == 1)
			found = i;
	}
	return found;
}

static int verdict_of(enum xlb_hook hook, int ret)
{
	if (hook == XLB_HOOK_XDP) {
		switch (ret) {
		case XDP_ABORTED:
			return XLB_VERDICT_ABORTED;
		case XDP_DROP:
			return XLB_VERDICT_DROP;
		case XDP_PASS:
			return XLB_VERDICT_PASS;
		case XDP_TX:
			return XLB_VERDICT_TX;
		case XDP_REDIRECT:
			return XLB_VERDICT_REDIRECT;
		}
		return -1;
	}
	if (ret == TC_ACT_OK)
		return XLB_VERDICT_PASS;
	if (ret == TC_ACT_SHOT)
		return XLB_VERDICT_DROP;
	return ret == TC_ACT_REDIRECT ? XLB_VERDICT_REDIRECT : -1;
}

static int test_run(struct fz_dp *d, const struct fz_frame *fr,
		    struct fz_result *res)
{
	__u32 ifindex = d->net.ifindex[fr->ifc];
	struct xdp_md xctx = { .data_end = fr->len,
			       .ingress_ifindex = ifindex };
	struct __sk_buff sctx = { .ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = fr->data,
		    .data_size_in = fr->len, .data_out = res->out,
		    .data_size_out = sizeof(res->out), .repeat = 1);

	if (fr->hook == XLB_HOOK_XDP) {
		o.ctx_in = &xctx;
		o.ctx_size_in = sizeof(xctx);
	} else {
		o.ctx_in = &sctx;
		o.ctx_size_in = sizeof(sctx);
	}
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(fixture_prog(d->skel, fr->hook)), &o))
		return -errno;
	res->verdict = verdict_of(fr->hook, (int)o.retval);
	res->out_len = o.data_size_out;
	return 0;
}

void fz_dp_fit(struct fz_frame *fr)
{
	__u16 type =
		(__u16)(fr->data[ETH_HLEN - 2] << 8 | fr->data[ETH_HLEN - 1]);

	if (fr->hook == XLB_HOOK_XDP)
		return;
	if ((type == ETH_P_IP && fr->len < ETH_HLEN + sizeof(struct iphdr)) ||
	    (type == ETH_P_IPV6 && fr->len < ETH_HLEN + sizeof(struct ipv6hdr)))
		fr->hook = XLB_HOOK_XDP;
}

int fz_dp_run(struct fz_dp *d, const struct fz_config *c,
	      const struct fz_frame *fr, struct fz_result *res)
{
	const struct fz_iface_conf *ifc = &c->ifs[fr->ifc];
	__u64 r0[XLB_REASON_MAX], r1[XLB_REASON_MAX];
	struct xlb_hook_stats h0 = {}, h1 = {};
	int ret;

	memset(res, 0, offsetof(struct fz_result, out));
	ret = reasons_read(d, r0);
	if (!ret && ifc->on)
		ret = hook_read(d, ifc->slot, fr->hook, &h0);
	if (!ret)
		ret = test_run(d, fr, res);
	if (!ret)
		ret = reasons_read(d, r1);
	if (!ret && ifc->on)
		ret = hook_read(d, ifc->slot, fr->hook, &h1);
	if (ret)
		return ret;
	for (int r = 0; r < XLB_REASON_MAX; r++)
		res->reasons[r] = (__u32)(r1[r] - r0[r]);
	res->pclass = which_one(h0.pclass, h1.pclass, XLB_PCLASS_MAX);
	res->vclass = which_one(h0.verdict, h1.verdict, XLB_VERDICT_MAX);
	return 0;
}

static int peek_flow(void *ctx, const struct xlb_flow_key *k, bool syns,
		     struct xlb_conn *c)
{
	struct fz_dp *d = ctx;
	struct bpf_map *m = syns ? d->skel->maps.xlb_syns :
				   d->skel->maps.xlb_conns;

	return bpf_map_lookup_elem(fd(m), k, c) ? -errno : 0;
}

static int peek_nat(void *ctx, const struct xlb_nat_key *k,
		    struct xlb_nat_val *v)
{
	struct fz_dp *d = ctx;

	return bpf_map_lookup_elem(fd(d->skel->maps.xlb_nat_rev), k, v) ?
		       -errno :
		       0;
}

void fz_dp_model(struct fz_dp *d, struct fz_model *m)
{
	m->peek.ctx = d;
	m->peek.flow = peek_flow;
	m->peek.nat = peek_nat;
	m->tx_port = d->net.tx_port;
	memcpy(m->ifindex, d->net.ifindex, sizeof(m->ifindex));
	memcpy(m->if_mac, d->net.mac, sizeof(m->if_mac));
	for (__u32 n = 0; n < FZ_NEIGH_CLIENTS; n++) {
		fz_neigh_mac(n, m->neigh_mac[n]);
		for (int f = 0; f < XLB_FAMILY_MAX; f++)
			fz_addr(f, FZ_POOL_CLIENT, n + 1, m->neigh[f][n]);
	}
}

/* One counter since base against the model's; 1 and msg when they differ. */
static int ctr_check(struct fz_dp *d, int map, __u32 id,
		     const struct xlb_ctr *base, const struct xlb_ctr *want,
		     const char *what, char *msg, size_t len)
{
	struct xlb_ctr now;
	int ret = fz_dp_ctr(d, map, id, &now);

	if (ret)
		return ret;
	now.packets -= base->packets;
	now.bytes -= base->bytes;
	if (now.packets == want->packets && now.bytes == want->bytes)
		return 0;
	snprintf(msg, len,
		 "%s %u: %" PRIu64 " hits, %" PRIu64 " bytes; want %" PRIu64
		 ", %" PRIu64,
		 what, id, (uint64_t)now.packets, (uint64_t)now.bytes,
		 (uint64_t)want->packets, (uint64_t)want->bytes);
	return 1;
}

int fz_dp_hits(struct fz_dp *d, const struct fz_config *c,
	       const struct fz_model *m, char *msg, size_t len)
{
	int rstats = fd(d->skel->maps.xlb_rule_stats);
	int lstats = fd(d->skel->maps.xlb_list_stats);
	int ret = 0;

	for (size_t i = 0; !ret && i < c->n_rules; i++) {
		__u32 id = c->rules[i].id;

		ret = ctr_check(d, rstats, id, &d->rule_base[i],
				&m->rule_hits[id], "rule", msg, len);
	}
	for (size_t i = 0; !ret && i < c->n_entries; i++) {
		__u32 id = c->entries[i].id;

		ret = ctr_check(d, lstats, id, &d->entry_base[i],
				&m->entry_hits[id], "list entry", msg, len);
	}
	return ret;
}
