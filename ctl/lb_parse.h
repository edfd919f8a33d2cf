/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load balancer's values as typed structs, with the strict parsers and
 * formatters shared by the config file, the control socket and xlbctl:
 * VIPs ("198.18.0.10:80/tcp", "[2001:db8::10]:443/udp"), backend
 * addresses, forwarding modes and weights. One grammar, one set of
 * messages; nothing here touches the system.
 */
#ifndef XLB_LB_PARSE_H
#define XLB_LB_PARSE_H

#include <stddef.h>
#include <linux/types.h>

#include "xlb_abi.h"

/* Backends one VIP can have: a 65537-slot ring holds 100 slots each. */
#define XLB_MAX_BACKENDS_PER_VIP 655
#define XLB_WEIGHT_MAX 65535
#define XLB_WEIGHT_DEFAULT 1

/* How many flows conn list shows unless told, and at most. */
#define XLB_CONN_LIST_DEFAULT 1000
#define XLB_CONN_LIST_MAX 100000

/* Room for any VIP or address in text form, with its terminator. */
#define XLB_VIP_STRLEN 64

/* An IPv4 or IPv6 address; network byte order, IPv4 in addr[0..3]. */
struct xlb_addr {
	__u8 family; /* enum xlb_family */
	__u8 addr[16];
};

/* A VIP as the operator names it. */
struct xlb_vip_addr {
	struct xlb_addr addr;
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 port; /* host byte order; 0: every port */
};

/*
 * A unicast IPv4 or IPv6 address, as inet_pton reads it. Messages:
 * "bad address 'x': not an IPv4 or IPv6 address", "bad address 'x': not
 * a unicast address".
 */
int xlb_parse_addr(const char *s, struct xlb_addr *a, char *err, size_t errlen);

/*
 * ADDR:PORT/PROTO: IPv4 as 198.18.0.10:80/tcp, IPv6 in brackets as
 * [2001:db8::10]:443/udp; PORT 0..65535 in decimal without leading
 * zeros (0: every port), PROTO tcp or udp. Messages "bad VIP 'x': why".
 */
int xlb_parse_vip(const char *s, struct xlb_vip_addr *v, char *err,
		  size_t errlen);

/* "dsr" or "nat". */
int xlb_parse_lb_mode(const char *s, enum xlb_lb_mode *mode, char *err,
		      size_t errlen);

/* A decimal weight 0..65535 (0: draining). */
int xlb_parse_weight(const char *s, __u32 *weight, char *err, size_t errlen);

/*
 * May VIP v, of mode mode, send to a backend at port (0: the VIP's own)?
 * Only NAT rewrites the destination port, and a VIP of every port keeps
 * each client's: -EINVAL with the reason otherwise.
 */
int xlb_check_backend_port(const struct xlb_vip_addr *v, enum xlb_lb_mode mode,
			   __u16 port, char *err, size_t errlen);

/* Text forms, as the parsers read them; the length or -ENOSPC. */
int xlb_format_addr(const struct xlb_addr *a, char *buf, size_t len);
int xlb_format_vip(const struct xlb_vip_addr *v, char *buf, size_t len);
const char *xlb_lb_mode_str(enum xlb_lb_mode mode);

/* Between the operator's VIP and the data plane's key. */
void xlb_vip_key_of(const struct xlb_vip_addr *v, struct xlb_vip_key *k);
void xlb_vip_of_key(const struct xlb_vip_key *k, struct xlb_vip_addr *v);

/* Do two addresses, or two VIPs, name the same thing? */
int xlb_addr_cmp(const struct xlb_addr *a, const struct xlb_addr *b);
int xlb_vip_cmp(const struct xlb_vip_addr *a, const struct xlb_vip_addr *b);

#endif /* XLB_LB_PARSE_H */
