// SPDX-License-Identifier: GPL-2.0
/*
 * Filter rules and list entries as typed values: the strict parsers of
 * prefixes, protocols, ports, hooks and actions, the whole-rule check, and
 * the formatters that print them back in the same grammar, so that parsing
 * what was printed gives the same value. Shared by the config file, the
 * control socket and xlbctl; nothing here touches the system.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rule.h"
#include "util.h"

/* The longest prefix text: a full IPv6 address and "/128". */
#define PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

static const struct {
	const char *name;
	__u8 proto;
} proto_names[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 },
};

static unsigned int family_bits(__u8 family)
{
	return family == XLB_FAMILY_V4 ? 32 : 128;
}

static size_t family_bytes(__u8 family)
{
	return family == XLB_FAMILY_V4 ? 4 : 16;
}

/* Clear the bits of addr beyond plen. */
static void mask_addr(__u8 *addr, size_t bytes, unsigned int plen)
{
	size_t i;

	for (i = 0; i < bytes; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		if (plen <= 8 * i)
			addr[i] = 0;
		else
			addr[i] &= (__u8)(0xff00 >> (plen - 8 * i));
	}
}

int xlb_parse_prefix(const char *s, struct xlb_prefix *p, char *err,
		     size_t errlen)
{
	char addr[PREFIX_STRLEN], norm[PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct xlb_prefix v = { 0 }, masked;
	uint64_t plen;

	if (alen >= sizeof(addr))
		goto not_addr;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, v.addr) == 1)
		v.family = XLB_FAMILY_V4;
	else if (inet_pton(AF_INET6, addr, v.addr) == 1)
		v.family = XLB_FAMILY_V6;
	else
		goto not_addr;

	plen = family_bits(v.family);
	if (slash && parse_dec(slash + 1, family_bits(v.family), &plen))
		return errf(err, errlen,
			    "bad prefix '%s': length must be 0..%u", s,
			    family_bits(v.family));
	v.plen = plen;

	masked = v;
	mask_addr(masked.addr, family_bytes(v.family), v.plen);
	if (memcmp(v.addr, masked.addr, sizeof(v.addr))) {
		xlb_format_prefix(&masked, norm, sizeof(norm));
		return errf(err, errlen,
			    "bad prefix '%s': host bits set (did you mean %s?)",
			    s, norm);
	}
	*p = v;
	return 0;

not_addr:
	return errf(err, errlen, "bad prefix '%s': not an IPv4 or IPv6 address",
		    s);
}

int xlb_parse_proto(const char *s, __u8 *proto, char *err, size_t errlen)
{
	size_t i;
	uint64_t v;

	for (i = 0; i < ARRAY_SIZE(proto_names); i++) {
		if (!strcmp(s, proto_names[i].name)) {
			*proto = proto_names[i].proto;
			return 0;
		}
	}
	if (parse_dec(s, 255, &v))
		return errf(
			err, errlen,
			"unknown protocol '%s' (tcp, udp, icmp, icmpv6 or 0..255)",
			s);
	*proto = v;
	return 0;
}

int xlb_parse_port(const char *s, __u16 *port, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_dec(s, 65535, &v) || v == 0)
		return errf(err, errlen, "bad port '%s': must be 1..65535", s);
	*port = v;
	return 0;
}

int xlb_parse_dir(const char *s, enum xlb_dir *dir, char *err, size_t errlen)
{
	if (!strcmp(s, "ingress"))
		*dir = XLB_DIR_INGRESS;
	else if (!strcmp(s, "egress"))
		*dir = XLB_DIR_EGRESS;
	else
		return errf(err, errlen, "bad hook '%s': ingress or egress", s);
	return 0;
}

int xlb_parse_action(const char *s, enum xlb_action *a, char *err,
		     size_t errlen)
{
	if (!strcmp(s, "drop"))
		*a = XLB_ACTION_DROP;
	else if (!strcmp(s, "pass"))
		*a = XLB_ACTION_PASS;
	else
		return errf(err, errlen, "bad action '%s': drop or pass", s);
	return 0;
}

/* The family of the rule's addresses, or XLB_FAMILY_MAX if it has none. */
static int addr_family(const struct xlb_rule *r, char *err, size_t errlen)
{
	bool has_src = r->fields & XLB_FIELD_SRC;
	bool has_dst = r->fields & XLB_FIELD_DST;

	if (has_src && has_dst && r->src.family != r->dst.family)
		return errf(err, errlen, "src and dst must be of one family");
	if (has_src)
		return r->src.family;
	if (has_dst)
		return r->dst.family;
	return XLB_FAMILY_MAX;
}

static bool prefix_valid(const struct xlb_prefix *p)
{
	return p->family < XLB_FAMILY_MAX && p->plen <= family_bits(p->family);
}

int xlb_rule_check(const struct xlb_rule *r, char *err, size_t errlen)
{
	bool has_proto = r->fields & XLB_FIELD_PROTO;
	bool l4 = has_proto &&
		  (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP);
	int family;

	if (r->action != XLB_ACTION_PASS && r->action != XLB_ACTION_DROP)
		return errf(err, errlen, "bad action %u", r->action);
	if (r->dir >= XLB_DIR_MAX)
		return errf(err, errlen, "bad hook %u", r->dir);
	if (((r->fields & XLB_FIELD_SRC) && !prefix_valid(&r->src)) ||
	    ((r->fields & XLB_FIELD_DST) && !prefix_valid(&r->dst)))
		return errf(err, errlen, "bad prefix length");
	family = addr_family(r, err, errlen);
	if (family < 0)
		return family;
	if ((r->fields & (XLB_FIELD_SPORT | XLB_FIELD_DPORT)) && !l4)
		return errf(err, errlen, "ports need proto tcp or udp");
	if (has_proto && r->proto == IPPROTO_ICMP) {
		if (family == XLB_FAMILY_V6)
			return errf(err, errlen, "icmp is IPv4: use icmpv6");
		return XLB_FAMILY_V4;
	}
	if (has_proto && r->proto == IPPROTO_ICMPV6) {
		if (family == XLB_FAMILY_V4)
			return errf(err, errlen, "icmpv6 is IPv6: use icmp");
		return XLB_FAMILY_V6;
	}
	return family;
}

int xlb_format_prefix(const struct xlb_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	int af = p->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;
	int n;

	if (!prefix_valid(p))
		return -EINVAL;
	if (!inet_ntop(af, p->addr, addr, sizeof(addr)))
		return -errno;
	n = snprintf(buf, len, "%s/%u", addr, p->plen);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

const char *xlb_proto_str(__u8 proto, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proto_names); i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

const char *xlb_dir_str(enum xlb_dir dir)
{
	switch (dir) {
	case XLB_DIR_INGRESS:
		return "ingress";
	case XLB_DIR_EGRESS:
		return "egress";
	default:
		return "?";
	}
}

const char *xlb_action_str(enum xlb_action a)
{
	switch (a) {
	case XLB_ACTION_PASS:
		return "pass";
	case XLB_ACTION_DROP:
		return "drop";
	default:
		return "?";
	}
}

const char *xlb_list_str(enum xlb_list l)
{
	switch (l) {
	case XLB_LIST_ALLOW:
		return "allow";
	case XLB_LIST_DENY:
		return "deny";
	default:
		return "?";
	}
}

/* A buffer being appended to; off counts what did not fit too. */
struct out {
	char *buf;
	size_t len, off;
};

static void __attribute__((format(printf, 2, 3)))
out_add(struct out *o, const char *fmt, ...)
{
	size_t room = o->off < o->len ? o->len - o->off : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->off : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->off += n;
}

static int out_prefix(struct out *o, const char *key,
		      const struct xlb_prefix *p)
{
	char pfx[PREFIX_STRLEN];
	int n = xlb_format_prefix(p, pfx, sizeof(pfx));

	if (n < 0)
		return n;
	out_add(o, " %s %s", key, pfx);
	return 0;
}

int xlb_format_rule(const struct xlb_rule *r, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	char proto[4];
	int err;

	if (!len)
		return -ENOSPC;
	out_add(&o, "order %u %s hook %s", r->order, xlb_action_str(r->action),
		xlb_dir_str(r->dir));
	if (r->fields & XLB_FIELD_SRC) {
		err = out_prefix(&o, "src", &r->src);
		if (err)
			return err;
	}
	if (r->fields & XLB_FIELD_DST) {
		err = out_prefix(&o, "dst", &r->dst);
		if (err)
			return err;
	}
	if (r->fields & XLB_FIELD_PROTO)
		out_add(&o, " proto %s",
			xlb_proto_str(r->proto, proto, sizeof(proto)));
	if (r->fields & XLB_FIELD_SPORT)
		out_add(&o, " sport %u", r->sport);
	if (r->fields & XLB_FIELD_DPORT)
		out_add(&o, " dport %u", r->dport);
	if (o.off >= len)
		return -ENOSPC;
	return o.off;
}

bool xlb_prefix_contains(const struct xlb_prefix *p, const struct xlb_prefix *a)
{
	unsigned int full = p->plen / 8, rest = p->plen % 8;
	__u8 mask = (__u8)(0xff00 >> rest);

	if (!prefix_valid(p) || p->family != a->family)
		return false;
	if (memcmp(p->addr, a->addr, full))
		return false;
	return !rest || !((p->addr[full] ^ a->addr[full]) & mask);
}
