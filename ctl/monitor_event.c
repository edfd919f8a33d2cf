// SPDX-License-Identifier: GPL-2.0
/*
 * A monitor event (struct xlb_mon_event, as the data plane put it in the
 * ring buffer) as the JSON object xlbd streams: the names of its hook,
 * verdict, reason and class from the stats' tables, addresses in text
 * form, ports for TCP and UDP only, and the captured bytes in hex. Ids
 * the data plane could not fill (XLB_MON_NONE) leave their fields out.
 */
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "monitor_event.h"
#include "stats.h"

#define NSEC_PER_SEC 1000000000ll
#define NSEC_PER_USEC 1000

static const char *name_of(const char *const *names, size_t n, __u32 i)
{
	return i < n && names[i] ? names[i] : "unknown";
}

/* Is pclass an IP class, and does it carry TCP or UDP ports? */
static bool class_is_ip(__u8 pclass)
{
	return pclass >= XLB_PCLASS_IPV4_TCP && pclass <= XLB_PCLASS_IPV6_OTHER;
}

static bool class_has_ports(__u8 pclass)
{
	return pclass == XLB_PCLASS_IPV4_TCP || pclass == XLB_PCLASS_IPV4_UDP ||
	       pclass == XLB_PCLASS_IPV6_TCP || pclass == XLB_PCLASS_IPV6_UDP;
}

static json_t *proto_json(__u8 proto)
{
	char num[4];

	switch (proto) {
	case IPPROTO_TCP:
		return json_string("tcp");
	case IPPROTO_UDP:
		return json_string("udp");
	case IPPROTO_ICMP:
		return json_string("icmp");
	case IPPROTO_ICMPV6:
		return json_string("icmpv6");
	default:
		snprintf(num, sizeof(num), "%u", proto);
		return json_string(num);
	}
}

static json_t *addr_json(const __be32 *addr, __u8 family)
{
	char text[INET6_ADDRSTRLEN];
	int af = family == XLB_FAMILY_V6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, addr, text, sizeof(text)))
		return NULL;
	return json_string(text);
}

/* Addresses, protocol and ports of an IP packet, into o. */
static int ip_json(json_t *o, const struct xlb_mon_event *e)
{
	int ret =
		json_object_set_new(o, "family",
				    json_string(e->family == XLB_FAMILY_V6 ?
							"ipv6" :
							"ipv4")) |
		json_object_set_new(o, "proto", proto_json(e->proto)) |
		json_object_set_new(o, "src", addr_json(e->saddr, e->family)) |
		json_object_set_new(o, "dst", addr_json(e->daddr, e->family));

	if (!ret && class_has_ports(e->pclass))
		ret = json_object_set_new(o, "sport",
					  json_integer(ntohs(e->sport))) |
		      json_object_set_new(o, "dport",
					  json_integer(ntohs(e->dport)));
	return ret ? -1 : 0;
}

static json_t *hex_json(const __u8 *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char text[2 * XLB_MON_SNAPLEN + 1];

	for (size_t i = 0; i < len; i++) {
		text[2 * i] = digits[data[i] >> 4];
		text[2 * i + 1] = digits[data[i] & 0xf];
	}
	text[2 * len] = '\0';
	return json_string(text);
}

/* The wall-clock time of a CLOCK_MONOTONIC ts, to the microsecond. */
static json_t *time_json(__u64 ts_ns, __s64 offset_ns)
{
	__s64 real = (__s64)ts_ns + offset_ns;
	__s64 usec = real % NSEC_PER_SEC / NSEC_PER_USEC;

	return json_real((double)(real / NSEC_PER_SEC) + (double)usec / 1e6);
}

/* The VIP and backend, where the data plane and xlbd know them. */
static int lb_json(json_t *o, const struct xlb_mon_event *e,
		   const struct mon_names *n)
{
	int ret = 0;

	if (e->vip != XLB_MON_NONE && n->vip)
		ret |= json_object_set_new(o, "vip", json_string(n->vip)) |
		       json_object_set_new(o, "vip_id", json_integer(e->vip));
	if (e->backend != XLB_MON_NONE && n->backend)
		ret |= json_object_set_new(o, "backend",
					   json_string(n->backend)) |
		       json_object_set_new(o, "backend_id",
					   json_integer(e->backend));
	return ret ? -1 : 0;
}

json_t *mon_event_json(const struct xlb_mon_event *e, const struct mon_names *n)
{
	size_t cap = e->cap_len < XLB_MON_SNAPLEN ? e->cap_len :
						    XLB_MON_SNAPLEN;
	const char *reason =
		e->reason == XLB_MON_NO_REASON ?
			"none" :
			name_of(xlb_reason_names, XLB_REASON_MAX, e->reason);
	json_t *o = json_pack(
		"{s:s, s:o, s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:o}", "type",
		"packet", "time", time_json(e->ts_ns, n->real_offset_ns),
		"hook", name_of(xlb_hook_names, XLB_HOOK_MAX, e->hook),
		"ifindex", (json_int_t)e->ifindex, "verdict",
		name_of(xlb_verdict_names, XLB_VERDICT_MAX, e->verdict),
		"reason", reason, "class",
		name_of(xlb_pclass_names, XLB_PCLASS_MAX, e->pclass), "len",
		(json_int_t)e->len, "caplen", (json_int_t)cap, "data",
		hex_json(e->data, cap));

	if (!o)
		return NULL;
	if ((n->ifname &&
	     json_object_set_new(o, "ifname", json_string(n->ifname))) ||
	    (class_is_ip(e->pclass) && ip_json(o, e)) || lb_json(o, e, n)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *mon_lost_json(__u64 events, const char *where)
{
	return json_pack("{s:s, s:I, s:s}", "type", "lost", "events",
			 (json_int_t)events, "where", where);
}
