/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference model: what docs/design.md ("The parser", "The load
 * balancer stage"), docs/filter.md and docs/lb.md say the data plane does
 * with a frame, computed in plain C from those texts, never from the data
 * plane's code. It keeps the state the docs give the data plane (the
 * fragments' verdicts, the connection tables, the NAT ports and their
 * records) and, where the docs leave the data plane a free choice (the
 * backend a ring slot gives, a NAT port), reads the choice made from the
 * data plane's tables and checks it against what the docs require.
 */
#ifndef XLB_FUZZ_MODEL_H
#define XLB_FUZZ_MODEL_H

#include "fuzz.h"
#include "keytab.h"

/* A stage's "no verdict, go on". */
#define FZ_CONTINUE XLB_VERDICT_MAX

/* The model's parse of a frame (docs/design.md, "The parser"). */
struct fz_parse {
	int pclass; /* enum xlb_pclass */
	int reason; /* enum xlb_reason when malformed, else -1 */
	int family; /* enum xlb_family for IP, else -1 */
	size_t l3, l4; /* offsets of the IP and L4 headers */
	size_t end; /* end of the IP datagram (link padding after it) */
	__u8 proto; /* the L4 protocol */
	bool frag, later, options;
	__u32 frag_id;
	__u8 frag_next; /* IPv6: the Fragment header's next header */
	__be32 src[4], dst[4];
	__be16 sport, dport; /* 0 without a TCP or UDP header */
	__u8 tcp_flags, icmp_type;
};

int fz_parse(const __u8 *f, size_t len, struct fz_parse *p);

/* Is next an IPv6 extension header the parser follows? */
bool fz_ipv6_ext(__u8 next);

/*
 * A fragmented datagram: the filter's (per direction) and a NAT reply's
 * (dir 0), whose first fragment's verdict or rewrite the later ones get.
 * Its protocol is what every fragment names alike (docs/design.md): the
 * IPv4 protocol, the IPv6 Fragment header's next header.
 */
struct fz_frag_key {
	__be32 src[4], dst[4];
	__u32 id;
	__u8 proto, family, dir, pad;
};

void fz_frag_key_of(const struct fz_parse *p, int dir, struct fz_frag_key *k);

/* The data plane's choices, read from its tables (fuzz_dp.c). */
struct fz_peek {
	void *ctx;
	/* Flow k's entry in xlb_conns (syns false) or xlb_syns: 0 or -ENOENT. */
	int (*flow)(void *ctx, const struct xlb_flow_key *k, bool syns,
		    struct xlb_conn *c);
	/* The xlb_nat_rev record of k: 0 or -ENOENT. */
	int (*nat)(void *ctx, const struct xlb_nat_key *k,
		   struct xlb_nat_val *v);
};

/* A flow's entry in a connection table, as the model keeps it. */
struct fz_entry {
	__u32 backend; /* index in fz_config.backends */
	__u32 vip; /* index in fz_config.vips */
	__u32 state; /* enum xlb_conn_state */
	__be32 snat[4];
	__be16 port; /* NAT: the LB's port, network order */
};

/*
 * A NAT port's record (key: the reply it translates): the flow its
 * replies go back to. Also a reply fragment's record (key unused).
 */
struct fz_nat_rec {
	struct xlb_nat_key key;
	struct xlb_flow_key owner;
	__u32 vip;
};

/* Growable arrays behind the keytabs (index + 1 in the tables). */
struct fz_store {
	void *items;
	size_t size, n, cap;
};

struct fz_model {
	struct fz_config *cfg;
	struct fz_peek peek;
	__u32 ifindex[FZ_IF_MAX];
	__u32 tx_port; /* the one interface in xlb_tx_ports */
	__u8 if_mac[FZ_IF_MAX][6];
	/* The clients NAT replies can be sent to, and their MACs. */
	__be32 neigh[2][FZ_NEIGH_CLIENTS][4];
	__u8 neigh_mac[FZ_NEIGH_CLIENTS][6];
	/* Filter: the first fragments' verdicts; hits by rule and entry id. */
	struct keytab frags;
	struct xlb_ctr *rule_hits, *entry_hits;
	__u32 max_rules, max_prefixes;
	/* Load balancer: the tables, NAT records, reply fragments. */
	struct keytab conns, syns, nat, nat_frags;
	struct fz_store entries, recs, frag_recs;
};

int fz_model_init(struct fz_model *m, __u32 max_rules, __u32 max_prefixes);
void fz_model_free(struct fz_model *m);
/* Forget every flow, port and fragment: a new epoch (or a replay). */
int fz_model_reset(struct fz_model *m, struct fz_config *cfg);

/* Run frame fr through the model; e gets what must come of it. */
int fz_model_run(struct fz_model *m, const struct fz_frame *fr,
		 struct fz_expect *e);

/*
 * model_filter.c: the filter stage for a parsed frame of `bytes` bytes in
 * direction dir: XLB_VERDICT_DROP, FZ_CONTINUE or -ENOMEM.
 */
int fz_filter(struct fz_model *m, const struct fz_parse *p, int dir,
	      __u32 bytes, struct fz_expect *e);

/* model_lb.c: the load balancer stage (XDP only). */
int fz_lb(struct fz_model *m, const struct fz_frame *fr,
	  const struct fz_parse *p, struct fz_expect *e);

/* model_out.c: the frame as it leaves. */
void fz_out_macs(struct fz_expect *e, const __u8 *dmac, const __u8 *smac);
void fz_out_nat(struct fz_expect *e, const struct fz_parse *p,
		const __be32 *saddr, const __be32 *daddr, __be16 sport,
		__be16 dport, bool ports);

/* model_store.c */
int fz_store_init(struct fz_store *s, size_t size);
void fz_store_free(struct fz_store *s);
/* Room for one more item: its index, or -ENOMEM. */
int fz_store_add(struct fz_store *s);
static inline void *fz_store_at(struct fz_store *s, size_t i)
{
	return (char *)s->items + i * s->size;
}

/* The item a keytab maps key to, or NULL. */
void *fz_lookup(const struct keytab *t, struct fz_store *s, const void *key);
/* Map key to a new copy of item; 0 or -ENOMEM. */
int fz_insert(struct keytab *t, struct fz_store *s, const void *key,
	      const void *item);

/*
 * fuzz_known.c: mismatches a pending fix removes. Note a frame's outcome
 * (mm with no parts when it matched): mm->known is set when a known
 * mismatch explains it; `count` it in the run's report.
 */
void fz_known_note(const struct fz_parse *p, const struct fz_expect *e,
		   const struct fz_result *res, struct fz_mismatch *mm,
		   bool count);
const char *fz_known_name(int i);
/* Print the known mismatches seen; the number of stale entries. */
int fz_known_report(FILE *out);
void fz_known_clear(void);

/* Does prefix pfx (family fam) contain address addr? */
bool fz_prefix_has(const struct xlb_prefix *pfx, int fam, const __be32 *addr);

#endif /* XLB_FUZZ_MODEL_H */
