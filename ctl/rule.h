/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filter rules and list entries as typed values, with the strict parsers
 * and formatters shared by the config file, the control socket and
 * xlbctl: one grammar for addresses, prefixes, protocols and ports, one
 * set of error messages. Nothing here touches the system.
 */
#ifndef XLB_RULE_H
#define XLB_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xlb_abi.h"

/* An IPv4 or IPv6 prefix; addr in network byte order, IPv4 in [0..3]. */
struct xlb_prefix {
	__u8 family; /* enum xlb_family */
	__u8 plen;
	__u8 addr[16];
};

/* The highest order a rule can have (0xffffffff is kept back). */
#define XLB_ORDER_MAX 4294967294u

struct xlb_rule {
	__u32 id; /* 0 until the daemon assigns one */
	__u32 order;
	enum xlb_action action;
	enum xlb_dir dir;
	unsigned int fields; /* enum xlb_rule_field: which below are set */
	struct xlb_prefix src, dst;
	__u8 proto; /* IPPROTO_* */
	__u16 sport, dport; /* host byte order */
};

struct xlb_list_entry {
	__u32 id; /* 0 until the daemon assigns one */
	enum xlb_list list;
	enum xlb_dir dir;
	struct xlb_prefix prefix;
};

/* Room for any message of the parsers below. */
#define XLB_RULE_ERRLEN 256

/*
 * "198.18.1.0/24", "2001:db8:1::/48", or a bare address (a /32 or /128).
 * Strict: no host bits set beyond the length, no leading zeros in the
 * length, nothing trailing. Messages: "bad prefix 'x': <why>".
 */
int xlb_parse_prefix(const char *s, struct xlb_prefix *p, char *err,
		     size_t errlen);
/* "tcp", "udp", "icmp", "icmpv6", or a number 0..255. */
int xlb_parse_proto(const char *s, __u8 *proto, char *err, size_t errlen);
/* A decimal port 1..65535 (0 is refused). */
int xlb_parse_port(const char *s, __u16 *port, char *err, size_t errlen);
int xlb_parse_dir(const char *s, enum xlb_dir *dir, char *err, size_t errlen);
int xlb_parse_action(const char *s, enum xlb_action *a, char *err,
		     size_t errlen);

/*
 * Check a rule as a whole: src and dst of one family; ports only with
 * proto tcp or udp; icmp only with IPv4 addresses, icmpv6 only with IPv6.
 * Returns the rule's family (XLB_FAMILY_MAX when it has no address and
 * no family-bound protocol, i.e. it applies to both), or -EINVAL.
 */
int xlb_rule_check(const struct xlb_rule *r, char *err, size_t errlen);

/* Text forms, as the config and the CLI spell them. */
int xlb_format_prefix(const struct xlb_prefix *p, char *buf, size_t len);
const char *xlb_proto_str(__u8 proto, char *buf, size_t len);
const char *xlb_dir_str(enum xlb_dir dir);
const char *xlb_action_str(enum xlb_action a);
const char *xlb_list_str(enum xlb_list l);
/*
 * The rule in xlbctl grammar without the verb, e.g.
 * "order 10 drop hook ingress src 198.18.9.0/24 proto udp dport 53".
 */
int xlb_format_rule(const struct xlb_rule *r, char *buf, size_t len);

/* Does prefix p contain address a (same family, a->plen is ignored)? */
bool xlb_prefix_contains(const struct xlb_prefix *p,
			 const struct xlb_prefix *a);

#endif /* XLB_RULE_H */
