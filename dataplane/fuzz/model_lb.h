/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the model's load balancer files share (model_lb.c: VIP flows and
 * ICMP errors; model_nat.c: NAT ports, replies and their fragments): the
 * constants docs/lb.md and docs/design.md give, and the small steps both
 * take (a pass or drop with its reason, sending a frame on, a flow's key).
 */
#ifndef XLB_FUZZ_MODEL_LB_H
#define XLB_FUZZ_MODEL_LB_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "model.h"

#define NAT_PORT_BASE 32768
#define NAT_PORT_COUNT 28232
/* Rewrites reach L4 headers starting this far into the frame. */
#define L4_OFF_MAX 1024

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static inline int fz_pass(struct fz_expect *e, int reason)
{
	e->reasons[reason]++;
	return XLB_VERDICT_PASS;
}

static inline int fz_drop(struct fz_expect *e, int reason)
{
	e->reasons[reason]++;
	return XLB_VERDICT_DROP;
}

/* Record an invariant the data plane broke (the first one only). */
static inline int fz_why(struct fz_expect *e, const char *fmt, ...)
{
	va_list ap;

	if (e->why[0])
		return 0;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	return 0;
}

static inline size_t fz_alen(int family)
{
	return family == XLB_FAMILY_V4 ? 4 : 16;
}

static inline bool fz_addr_eq(const __be32 *a, const __be32 *b, int family)
{
	return !memcmp(a, b, fz_alen(family));
}

/* A TCP packet that opens a connection: SYN without ACK. */
static inline bool fz_bare_syn(const struct fz_parse *p)
{
	return p->proto == IPPROTO_TCP && (p->tcp_flags & TCP_SYN) &&
	       !(p->tcp_flags & TCP_ACK);
}

/* Record the FIN and RST a packet of the flow shows (in: the client's). */
static inline void fz_touch(struct fz_entry *c, __u8 flags, bool in)
{
	if (flags & TCP_FIN)
		c->state |= in ? XLB_CONN_FIN_IN : XLB_CONN_FIN_OUT;
	if (flags & TCP_RST)
		c->state |= XLB_CONN_RST;
}

/*
 * Send the frame out of ifindex: XDP_TX, XDP_REDIRECT, or aborted and
 * counted (lb_tx_port_missing: an interface not in xlb_tx_ports).
 */
int fz_send(struct fz_model *m, const struct fz_frame *fr, __u32 ifindex,
	    struct fz_expect *e);

/* model_nat.c */
bool fz_is_snat(const struct fz_model *m, const __be32 *addr, int family);
/*
 * A new NAT flow k of VIP vi to backend bi: check the address and port
 * the data plane gave it (dc, its table entry) against docs/lb.md and
 * put them in *ne. again: a TCP flow without a SYN, or one reopened, which
 * looks for its own port first.
 */
int fz_nat_take(struct fz_model *m, const struct xlb_flow_key *k, __u32 vi,
		__u32 bi, const struct xlb_conn *dc, bool again,
		struct fz_entry *ne, struct fz_expect *e);
/* A TCP or UDP packet to an LB NAT address: a reply, or not one. */
int fz_nat_reply(struct fz_model *m, const struct fz_frame *fr,
		 const struct fz_parse *p, struct fz_expect *e);
/* Compare the data plane's entries of flow k with the model's. */
void fz_tables_check(struct fz_model *m, const struct xlb_flow_key *k,
		     struct fz_expect *e);

#endif /* XLB_FUZZ_MODEL_LB_H */
