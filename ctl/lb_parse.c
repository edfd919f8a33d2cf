// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers and formatters of the load balancer's values: VIPs in the
 * ADDR:PORT/PROTO form, backend addresses, modes and weights. Strict:
 * the whole string, one spelling per value (IPv6 only in brackets, ports
 * without leading zeros), and what is printed parses back to the same
 * value. Shared by the config file, the control socket and xlbctl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lb_parse.h"
#include "util.h"

static size_t addr_bytes(__u8 family)
{
	return family == XLB_FAMILY_V4 ? 4 : 16;
}

/* Not unspecified, multicast or the IPv4 broadcast address. */
static bool unicast(const struct xlb_addr *a)
{
	static const __u8 zero[16], bcast[4] = { 255, 255, 255, 255 };

	if (!memcmp(a->addr, zero, addr_bytes(a->family)))
		return false;
	if (a->family == XLB_FAMILY_V4)
		return (a->addr[0] & 0xf0) != 0xe0 &&
		       memcmp(a->addr, bcast, sizeof(bcast));
	return a->addr[0] != 0xff;
}

/* text as an address of family (XLB_FAMILY_MAX: either); 0 or -EINVAL. */
static int pton(const char *text, int family, struct xlb_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family != XLB_FAMILY_V6 && inet_pton(AF_INET, text, a->addr) == 1) {
		a->family = XLB_FAMILY_V4;
		return 0;
	}
	if (family != XLB_FAMILY_V4 &&
	    inet_pton(AF_INET6, text, a->addr) == 1) {
		a->family = XLB_FAMILY_V6;
		return 0;
	}
	return -EINVAL;
}

int xlb_parse_addr(const char *s, struct xlb_addr *a, char *err, size_t errlen)
{
	struct xlb_addr v;

	if (pton(s, XLB_FAMILY_MAX, &v))
		return errf(err, errlen,
			    "bad address '%s': not an IPv4 or IPv6 address", s);
	if (!unicast(&v))
		return errf(err, errlen,
			    "bad address '%s': not a unicast address", s);
	*a = v;
	return 0;
}

/* The address part of a VIP (before ":PORT"), len bytes of s. */
static int vip_host(const char *vip, const char *s, size_t len,
		    struct xlb_addr *a, char *err, size_t errlen)
{
	char text[INET6_ADDRSTRLEN + 2];
	bool bracket = len > 0 && s[0] == '[';

	if (bracket && s[len - 1] != ']')
		return errf(err, errlen, "bad VIP '%s': missing ']'", vip);
	if (bracket) {
		s++;
		len -= 2;
	}
	if (len >= sizeof(text))
		return errf(err, errlen,
			    "bad VIP '%s': not an IPv4 or IPv6 address", vip);
	memcpy(text, s, len);
	text[len] = '\0';
	if (!bracket && memchr(text, ':', len))
		return errf(err, errlen,
			    "bad VIP '%s': an IPv6 address goes in brackets, "
			    "as [2001:db8::10]:443/tcp",
			    vip);
	if (pton(text, bracket ? XLB_FAMILY_V6 : XLB_FAMILY_V4, a))
		return errf(err, errlen, "bad VIP '%s': '%s' is not an %s", vip,
			    text, bracket ? "IPv6 address" : "IPv4 address");
	if (!unicast(a))
		return errf(err, errlen,
			    "bad VIP '%s': %s is not a unicast address", vip,
			    text);
	return 0;
}

int xlb_parse_vip(const char *s, struct xlb_vip_addr *v, char *err,
		  size_t errlen)
{
	const char *slash = strrchr(s, '/'), *colon;
	struct xlb_vip_addr out = { 0 };
	char port[8];
	uint64_t n;
	size_t plen;
	int ret;

	if (!slash)
		return errf(err, errlen,
			    "bad VIP '%s': expected ADDR:PORT/PROTO, as "
			    "198.18.0.10:80/tcp",
			    s);
	if (!strcmp(slash + 1, "tcp"))
		out.proto = IPPROTO_TCP;
	else if (!strcmp(slash + 1, "udp"))
		out.proto = IPPROTO_UDP;
	else
		return errf(err, errlen,
			    "bad VIP '%s': protocol '%s' is not tcp or udp", s,
			    slash + 1);
	for (colon = slash; colon > s && colon[-1] != ':' && colon[-1] != ']';)
		colon--;
	if (colon == s || colon[-1] != ':')
		return errf(err, errlen,
			    "bad VIP '%s': missing :PORT (0 for every port)",
			    s);
	plen = slash - colon;
	if (plen == 0 || plen >= sizeof(port))
		goto bad_port;
	memcpy(port, colon, plen);
	port[plen] = '\0';
	if (parse_dec(port, 65535, &n))
		goto bad_port;
	out.port = n;
	ret = vip_host(s, s, colon - 1 - s, &out.addr, err, errlen);
	if (ret)
		return ret;
	*v = out;
	return 0;

bad_port:
	return errf(err, errlen, "bad VIP '%s': port '%.*s' is not 0..65535", s,
		    (int)plen, colon);
}

int xlb_parse_lb_mode(const char *s, enum xlb_lb_mode *mode, char *err,
		      size_t errlen)
{
	if (!strcmp(s, "dsr")) {
		*mode = XLB_MODE_DSR;
		return 0;
	}
	if (!strcmp(s, "nat")) {
		*mode = XLB_MODE_NAT;
		return 0;
	}
	return errf(err, errlen, "bad mode '%s': dsr or nat", s);
}

int xlb_parse_weight(const char *s, __u32 *weight, char *err, size_t errlen)
{
	uint64_t v;

	if (parse_dec(s, XLB_WEIGHT_MAX, &v))
		return errf(err, errlen, "bad weight '%s': must be 0..%u", s,
			    XLB_WEIGHT_MAX);
	*weight = v;
	return 0;
}

int xlb_check_backend_port(const struct xlb_vip_addr *v, enum xlb_lb_mode mode,
			   __u16 port, char *err, size_t errlen)
{
	char name[XLB_VIP_STRLEN];

	if (!port)
		return 0;
	xlb_format_vip(v, name, sizeof(name));
	if (mode != XLB_MODE_NAT)
		return errf(err, errlen,
			    "port: VIP %s is %s, which leaves the destination "
			    "port as it is (only nat sends to another port)",
			    name, xlb_lb_mode_str(mode));
	if (!v->port)
		return errf(err, errlen,
			    "port: VIP %s takes every port and keeps each "
			    "client's; a backend port needs a VIP port",
			    name);
	return 0;
}

int xlb_format_addr(const struct xlb_addr *a, char *buf, size_t len)
{
	int af = a->family == XLB_FAMILY_V4 ? AF_INET : AF_INET6;

	if (a->family >= XLB_FAMILY_MAX)
		return -EINVAL;
	if (!inet_ntop(af, a->addr, buf, len))
		return -ENOSPC;
	return strlen(buf);
}

int xlb_format_vip(const struct xlb_vip_addr *v, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	bool v6 = v->addr.family == XLB_FAMILY_V6;
	int n = xlb_format_addr(&v->addr, addr, sizeof(addr));

	if (n < 0)
		return n;
	n = snprintf(buf, len, "%s%s%s:%u/%s", v6 ? "[" : "", addr,
		     v6 ? "]" : "", v->port,
		     v->proto == IPPROTO_UDP ? "udp" : "tcp");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

const char *xlb_lb_mode_str(enum xlb_lb_mode mode)
{
	switch (mode) {
	case XLB_MODE_DSR:
		return "dsr";
	case XLB_MODE_NAT:
		return "nat";
	default:
		return "?";
	}
}

void xlb_vip_key_of(const struct xlb_vip_addr *v, struct xlb_vip_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr, v->addr.addr, addr_bytes(v->addr.family));
	k->port = htons(v->port);
	k->proto = v->proto;
	k->family = v->addr.family;
}

void xlb_vip_of_key(const struct xlb_vip_key *k, struct xlb_vip_addr *v)
{
	memset(v, 0, sizeof(*v));
	v->addr.family = k->family;
	memcpy(v->addr.addr, k->addr, addr_bytes(k->family));
	v->port = ntohs(k->port);
	v->proto = k->proto;
}

int xlb_addr_cmp(const struct xlb_addr *a, const struct xlb_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, addr_bytes(a->family));
}

int xlb_vip_cmp(const struct xlb_vip_addr *a, const struct xlb_vip_addr *b)
{
	int c = xlb_addr_cmp(&a->addr, &b->addr);

	if (c)
		return c;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}
