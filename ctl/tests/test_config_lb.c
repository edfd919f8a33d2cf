// modules: config config_filter config_lb config_text lb_parse rule util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the load balancer's grammar: the strict parsers of VIPs
 * (ADDR:PORT/PROTO), addresses, modes and weights with their exact
 * messages and round trips, and the config file's vips section with
 * defaults, limits and every error as "FILE:LINE: reason". Run from the
 * repository root.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "harness.h"
#include "lb_parse.h"
#include "util.h"

#define CONFIGS "ctl/tests/configs/"

static struct xlb_config conf;
static char err[XLB_CONFIG_ERRLEN];

static int parse(const char *text)
{
	return xlb_config_parse("inline.conf", text, &conf, err, sizeof(err));
}

/* VIPs that parse, and how they print back. */
static const struct {
	const char *in, *out;
	__u8 family, proto;
	__u16 port;
} good_vips[] = {
	{ "198.18.0.10:80/tcp", "198.18.0.10:80/tcp", XLB_FAMILY_V4,
	  IPPROTO_TCP, 80 },
	{ "[2001:db8::10]:443/udp", "[2001:db8::10]:443/udp", XLB_FAMILY_V6,
	  IPPROTO_UDP, 443 },
	{ "198.18.0.10:0/udp", "198.18.0.10:0/udp", XLB_FAMILY_V4, IPPROTO_UDP,
	  0 },
	{ "[2001:DB8:0::10]:65535/tcp", "[2001:db8::10]:65535/tcp",
	  XLB_FAMILY_V6, IPPROTO_TCP, 65535 },
	{ "[::ffff:198.18.0.1]:1/tcp", "[::ffff:198.18.0.1]:1/tcp",
	  XLB_FAMILY_V6, IPPROTO_TCP, 1 },
};

static void test_vip_good(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(good_vips); i++) {
		struct xlb_vip_addr v, back;
		struct xlb_vip_key k;
		char buf[XLB_VIP_STRLEN], msg[256] = "";

		if (!check(!xlb_parse_vip(good_vips[i].in, &v, msg,
					  sizeof(msg)),
			   "'%s': %s", good_vips[i].in, msg))
			continue;
		check(v.addr.family == good_vips[i].family &&
			      v.proto == good_vips[i].proto &&
			      v.port == good_vips[i].port,
		      "'%s': family %u proto %u port %u", good_vips[i].in,
		      v.addr.family, v.proto, v.port);
		xlb_format_vip(&v, buf, sizeof(buf));
		check(!strcmp(buf, good_vips[i].out), "'%s' printed as '%s'",
		      good_vips[i].in, buf);
		xlb_vip_key_of(&v, &k);
		xlb_vip_of_key(&k, &back);
		check(!xlb_vip_cmp(&v, &back), "'%s': key round trip",
		      good_vips[i].in);
		check(k.port == htons(v.port) && k.family == v.addr.family,
		      "'%s': key fields", good_vips[i].in);
	}
}

static const struct {
	const char *in, *msg;
} bad_vips[] = {
	{ "198.18.0.10:80",
	  "bad VIP '198.18.0.10:80': expected ADDR:PORT/PROTO, as 198.18.0.10:80/tcp" },
	{ "198.18.0.10:80/sctp",
	  "bad VIP '198.18.0.10:80/sctp': protocol 'sctp' is not tcp or udp" },
	{ "198.18.0.10:80/TCP",
	  "bad VIP '198.18.0.10:80/TCP': protocol 'TCP' is not tcp or udp" },
	{ "198.18.0.10/tcp",
	  "bad VIP '198.18.0.10/tcp': missing :PORT (0 for every port)" },
	{ "[2001:db8::10]/udp",
	  "bad VIP '[2001:db8::10]/udp': missing :PORT (0 for every port)" },
	{ "198.18.0.10:/tcp",
	  "bad VIP '198.18.0.10:/tcp': port '' is not 0..65535" },
	{ "198.18.0.10:65536/tcp",
	  "bad VIP '198.18.0.10:65536/tcp': port '65536' is not 0..65535" },
	{ "198.18.0.10:080/tcp",
	  "bad VIP '198.18.0.10:080/tcp': port '080' is not 0..65535" },
	{ "198.18.0.10:+80/tcp",
	  "bad VIP '198.18.0.10:+80/tcp': port '+80' is not 0..65535" },
	{ "2001:db8::10:443/udp",
	  "bad VIP '2001:db8::10:443/udp': an IPv6 address goes in brackets, as [2001:db8::10]:443/tcp" },
	{ "[198.18.0.10]:80/tcp",
	  "bad VIP '[198.18.0.10]:80/tcp': '198.18.0.10' is not an IPv6 address" },
	{ "[2001:db8::10:443/udp",
	  "bad VIP '[2001:db8::10:443/udp': missing ']'" },
	{ "198.18.0.256:80/tcp",
	  "bad VIP '198.18.0.256:80/tcp': '198.18.0.256' is not an IPv4 address" },
	{ "198.18.0.010:80/tcp",
	  "bad VIP '198.18.0.010:80/tcp': '198.18.0.010' is not an IPv4 address" },
	{ " 198.18.0.10:80/tcp",
	  "bad VIP ' 198.18.0.10:80/tcp': ' 198.18.0.10' is not an IPv4 address" },
	{ ":80/tcp", "bad VIP ':80/tcp': '' is not an IPv4 address" },
	{ "0.0.0.0:80/tcp",
	  "bad VIP '0.0.0.0:80/tcp': 0.0.0.0 is not a unicast address" },
	{ "224.0.0.1:80/udp",
	  "bad VIP '224.0.0.1:80/udp': 224.0.0.1 is not a unicast address" },
	{ "[ff02::1]:80/udp",
	  "bad VIP '[ff02::1]:80/udp': ff02::1 is not a unicast address" },
	{ "[::]:80/udp", "bad VIP '[::]:80/udp': :: is not a unicast address" },
	{ "", "bad VIP '': expected ADDR:PORT/PROTO, as 198.18.0.10:80/tcp" },
};

static void test_vip_bad(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_vips); i++) {
		struct xlb_vip_addr v;
		char msg[256] = "";
		int ret = xlb_parse_vip(bad_vips[i].in, &v, msg, sizeof(msg));

		check(ret == -EINVAL, "'%s': ret %d", bad_vips[i].in, ret);
		check(!strcmp(msg, bad_vips[i].msg), "got  '%s'\n    want '%s'",
		      msg, bad_vips[i].msg);
	}
}

static void test_addr_mode_weight(void)
{
	struct xlb_addr a;
	enum xlb_lb_mode mode;
	char msg[256] = "", buf[XLB_VIP_STRLEN];
	__u32 w = 7;

	check(!xlb_parse_addr("198.18.1.2", &a, msg, sizeof(msg)) &&
		      a.family == XLB_FAMILY_V4,
	      "v4: %s", msg);
	check(!xlb_parse_addr("2001:db8:0::1:2", &a, msg, sizeof(msg)) &&
		      a.family == XLB_FAMILY_V6,
	      "v6: %s", msg);
	xlb_format_addr(&a, buf, sizeof(buf));
	check(!strcmp(buf, "2001:db8::1:2"), "v6 printed as %s", buf);
	check(xlb_parse_addr("198.18.1.0/24", &a, msg, sizeof(msg)) ==
			      -EINVAL &&
		      !strcmp(msg, "bad address '198.18.1.0/24': not an IPv4 "
				   "or IPv6 address"),
	      "prefix: %s", msg);
	check(xlb_parse_addr("[2001:db8::1]", &a, msg, sizeof(msg)) ==
			      -EINVAL &&
		      !strcmp(msg, "bad address '[2001:db8::1]': not an IPv4 "
				   "or IPv6 address"),
	      "brackets: %s", msg);
	check(xlb_parse_addr("255.255.255.255", &a, msg, sizeof(msg)) ==
			      -EINVAL &&
		      !strcmp(msg, "bad address '255.255.255.255': not a "
				   "unicast address"),
	      "broadcast: %s", msg);
	check(!xlb_parse_lb_mode("dsr", &mode, msg, sizeof(msg)) &&
		      mode == XLB_MODE_DSR,
	      "dsr");
	check(!xlb_parse_lb_mode("nat", &mode, msg, sizeof(msg)) &&
		      mode == XLB_MODE_NAT,
	      "nat");
	check(xlb_parse_lb_mode("DSR", &mode, msg, sizeof(msg)) == -EINVAL &&
		      !strcmp(msg, "bad mode 'DSR': dsr or nat"),
	      "DSR: %s", msg);
	check(!xlb_parse_weight("0", &w, msg, sizeof(msg)) && w == 0, "0");
	check(!xlb_parse_weight("65535", &w, msg, sizeof(msg)) && w == 65535,
	      "65535");
	check(xlb_parse_weight("65536", &w, msg, sizeof(msg)) == -EINVAL &&
		      !strcmp(msg, "bad weight '65536': must be 0..65535"),
	      "65536: %s", msg);
	check(xlb_parse_weight("01", &w, msg, sizeof(msg)) == -EINVAL &&
		      !strcmp(msg, "bad weight '01': must be 0..65535"),
	      "01: %s", msg);
	check(xlb_parse_weight("-1", &w, msg, sizeof(msg)) == -EINVAL, "-1");
}

/* The annotated example: every key, defaults, lines. */
static void test_good_file(void)
{
	const char *file = "configs/lb-dsr.conf";
	const struct xlb_vip_conf *v;
	char buf[XLB_VIP_STRLEN];
	int ret = xlb_config_load(file, &conf, err, sizeof(err));

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	check(conf.ifaces[0].stages & XLB_STAGE_LB, "lb stage");
	if (!check(conf.n_vips == 3, "%zu VIPs", conf.n_vips))
		goto out;
	v = &conf.vips[0];
	xlb_format_vip(&v->vip, buf, sizeof(buf));
	check(!strcmp(buf, "198.18.0.10:80/tcp") && v->mode == XLB_MODE_DSR,
	      "vip 0 %s", buf);
	check(v->n_backends == 3 && v->backends[0].weight == 1 &&
		      v->backends[1].weight == 2 && v->backends[2].weight == 0,
	      "vip 0 backends");
	xlb_format_addr(&v->backends[1].addr, buf, sizeof(buf));
	check(!strcmp(buf, "198.18.1.3"), "backend 1 %s", buf);
	v = &conf.vips[1];
	xlb_format_vip(&v->vip, buf, sizeof(buf));
	check(!strcmp(buf, "198.18.0.10:0/udp") && v->n_backends == 1 &&
		      v->backends[0].weight == XLB_WEIGHT_DEFAULT,
	      "vip 1 %s: every port, default weight", buf);
	v = &conf.vips[2];
	xlb_format_vip(&v->vip, buf, sizeof(buf));
	check(!strcmp(buf, "[2001:db8::10]:443/tcp"), "vip 2 %s", buf);
out:
	xlb_config_free(&conf);
	check(conf.n_vips == 0, "freed");
	xlb_config_free(&conf);
}

#define IF "interfaces = ( { name = \"v\"; lb = true; } );\n"
#define V4 "address = \"198.18.0.10\"; proto = \"tcp\"; port = 80; "

static const struct {
	const char *text, *msg;
} bad_texts[] = {
	{ IF "vips = 1;",
	  "inline.conf:2: vips: expected a list of groups ( { ... } )" },
	{ IF "vips = ( 1 );",
	  "inline.conf:2: vips: each VIP must be a group { ... }" },
	{ IF "vips = ( { " V4 "ports = 1; } );",
	  "inline.conf:2: unknown VIP key 'ports' (known: address, port, proto, mode, backends, health, snat)" },
	{ IF "vips = ( { proto = \"tcp\"; } );",
	  "inline.conf:2: VIP needs an address" },
	{ IF "vips = ( { address = \"198.18.0.10\"; } );",
	  "inline.conf:2: VIP needs a proto" },
	{ IF "vips = ( { address = \"198.18.0.10:80\"; proto = \"tcp\"; } );",
	  "inline.conf:2: address: bad address '198.18.0.10:80': not an IPv4 or IPv6 address" },
	{ IF "vips = ( { address = 1; } );",
	  "inline.conf:2: address: expected a string" },
	{ IF "vips = ( { " V4 "port = 65536; } );",
	  "inline.conf:2: duplicate setting name" },
	{ IF
	  "vips = ( { address = \"198.18.0.10\"; proto = \"tcp\"; port = 65536; } );",
	  "inline.conf:2: port: must be 0..65535" },
	{ IF "vips = ( { address = \"198.18.0.10\"; port = -1; } );",
	  "inline.conf:2: port: must be 0..65535" },
	{ IF "vips = ( { address = \"198.18.0.10\"; proto = \"icmp\"; } );",
	  "inline.conf:2: proto: expected \"tcp\" or \"udp\", got \"icmp\"" },
	{ IF "vips = ( { " V4 "mode = \"DSR\"; } );",
	  "inline.conf:2: mode: expected \"dsr\" or \"nat\", got \"DSR\"" },
	{ IF "vips = ( { " V4 "},\n { " V4 "} );",
	  "inline.conf:3: duplicate VIP 198.18.0.10:80/tcp (first at line 2)" },
	{ IF "vips = ( { " V4 "backends = 1; } );",
	  "inline.conf:2: backends: expected a list of groups ( { ... } )" },
	{ IF "vips = ( { " V4 "backends = ( \"198.18.1.2\" ); } );",
	  "inline.conf:2: backends: each backend must be a group { ... }" },
	{ IF "vips = ( { " V4 "backends = ( { } ); } );",
	  "inline.conf:2: backend needs an address" },
	{ IF "vips = ( { " V4 "backends = ( { address = \"198.18.1.2\"; "
	     "ports = 8080; } ); } );",
	  "inline.conf:2: unknown backend key 'ports' (known: address, weight, port)" },
	{ IF "vips = ( { " V4 "backends = ( { address = \"198.18.1.2\"; "
	     "port = 8080; } ); } );",
	  "inline.conf:2: port: VIP 198.18.0.10:80/tcp is dsr, which leaves the destination port as it is (only nat sends to another port)" },
	{ IF "vips = ( { address = \"198.18.0.10\"; proto = \"tcp\"; "
	     "mode = \"nat\";\n backends = (\n { address = \"198.18.1.2\"; "
	     "port = 8080; } ); } );",
	  "inline.conf:4: port: VIP 198.18.0.10:0/tcp takes every port and keeps each client's; a backend port needs a VIP port" },
	{ IF "vips = ( { " V4 "mode = \"nat\"; backends = ( { address = "
	     "\"198.18.1.2\"; port = 0; } ); } );",
	  "inline.conf:2: port: must be 1..65535" },
	{ IF "vips = ( { " V4 "mode = \"nat\"; backends = ( { address = "
	     "\"198.18.1.2\"; port = 65536; } ); } );",
	  "inline.conf:2: port: must be 1..65535" },
	{ IF "vips = ( { " V4 "backends = ( { address = \"198.18.1.2\"; "
	     "weight = 65536; } ); } );",
	  "inline.conf:2: weight: must be 0..65535" },
	{ IF "vips = ( { " V4 "backends = ( { address = \"198.18.1.2\"; "
	     "weight = \"1\"; } ); } );",
	  "inline.conf:2: weight: expected an integer" },
	{ IF "vips = ( { " V4
	     "backends = ( { address = \"224.1.1.1\"; } ); } );",
	  "inline.conf:2: address: bad address '224.1.1.1': not a unicast address" },
	{ IF "vips = ( { " V4
	     "backends = (\n { address = \"2001:db8::2\"; } ); } );",
	  "inline.conf:3: backend 2001:db8::2 is IPv6, VIP 198.18.0.10:80/tcp is IPv4" },
	{ IF "vips = ( { " V4 "backends = (\n { address = \"198.18.1.2\"; },\n"
	     " { address = \"198.18.1.2\"; weight = 2; } ); } );",
	  "inline.conf:4: duplicate backend 198.18.1.2 in VIP 198.18.0.10:80/tcp (first at line 3)" },
	{ "interfaces = ( { name = \"v\"; xdp = \"off\"; lb = true; } );",
	  "inline.conf:1: lb: needs xdp (native or generic)" },
};

static void test_bad_texts(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_texts); i++) {
		int ret = parse(bad_texts[i].text);

		check(ret == -EINVAL, "case %zu: ret %d", i, ret);
		check(!strcmp(err, bad_texts[i].msg),
		      "case %zu: got  '%s'\n    want '%s'", i, err,
		      bad_texts[i].msg);
		check(conf.n_vips == 0, "case %zu: nothing kept", i);
	}
}

/* A NAT VIP's backends on ports of their own, or on the VIP's. */
static void test_backend_port(void)
{
	int ret = parse(IF "vips = ( { " V4 "mode = \"nat\";\n"
			   " backends = ( { address = \"198.18.1.2\"; "
			   "port = 8080; },\n"
			   " { address = \"198.18.1.3\"; port = 65535; },\n"
			   " { address = \"198.18.1.4\"; } ); } );");

	if (!check(ret == 0, "parse: %d %s", ret, err))
		return;
	check(conf.n_vips == 1 && conf.vips[0].n_backends == 3, "parsed");
	check(conf.vips[0].backends[0].port == 8080 &&
		      conf.vips[0].backends[1].port == 65535 &&
		      conf.vips[0].backends[2].port == 0,
	      "ports %u %u %u", conf.vips[0].backends[0].port,
	      conf.vips[0].backends[1].port, conf.vips[0].backends[2].port);
	xlb_config_free(&conf);
}

/* A text of n VIPs with per backends each, numbered from the first. */
static char *many(size_t n, size_t per)
{
	size_t len = 256 + n * (96 + per * 64), off;
	char *t = malloc(len);

	off = snprintf(t, len, IF "vips = (\n");
	for (size_t i = 0; i < n; i++) {
		off += snprintf(t + off, len - off,
				"%s{ address = \"198.18.%zu.%zu\"; proto = "
				"\"tcp\"; backends = (",
				i ? ",\n" : "", i / 250, i % 250 + 1);
		for (size_t b = 0; b < per; b++)
			off += snprintf(t + off, len - off,
					"%s{ address = \"198.19.%zu.%zu\"; }",
					b ? ", " : "", b / 250, b % 250 + 1);
		off += snprintf(t + off, len - off, "); }");
	}
	snprintf(t + off, len - off, "\n);\n");
	return t;
}

static void test_limits(void)
{
	char *t = many(XLB_MAX_VIPS, 64);
	int ret = parse(t);

	check(ret == 0 && conf.n_vips == XLB_MAX_VIPS, "64 x 64: %d %s", ret,
	      err);
	xlb_config_free(&conf);
	free(t);
	t = many(XLB_MAX_VIPS + 1, 0);
	ret = parse(t);
	check(ret == -EINVAL &&
		      !strcmp(err, "inline.conf:67: vips: too many VIPs "
				   "(at most 64)"),
	      "65 VIPs: %s", err);
	free(t);
	t = many(1, XLB_MAX_BACKENDS_PER_VIP);
	ret = parse(t);
	check(ret == 0 && conf.vips[0].n_backends == 655, "655: %d %s", ret,
	      err);
	xlb_config_free(&conf);
	free(t);
	t = many(1, XLB_MAX_BACKENDS_PER_VIP + 1);
	ret = parse(t);
	check(ret == -EINVAL &&
		      !strcmp(err, "inline.conf:3: backends: more than 655 "
				   "for one VIP"),
	      "656: %s", err);
	free(t);
	t = many(7, 600);
	ret = parse(t);
	check(ret == -EINVAL &&
		      !strcmp(err, "inline.conf:9: more than 4096 backends in "
				   "all VIPs (one per VIP and address)"),
	      "4200 in all: %s", err);
	free(t);
}

/* The NAT example: both interfaces run the lb stage, both VIPs are nat,
 * the IPv4 one with the two addresses of the pool, the IPv6 one none. */
static void test_nat_file(void)
{
	const char *file = "configs/lb-nat.conf";
	struct xlb_snat_pool p4, p6;
	int ret = xlb_config_load(file, &conf, err, sizeof(err));

	if (!check(ret == 0, "load: %d %s", ret, err))
		return;
	check(conf.n_ifaces == 2 && (conf.ifaces[0].stages & XLB_STAGE_LB) &&
		      (conf.ifaces[1].stages & XLB_STAGE_LB),
	      "lb on both interfaces");
	if (!check(conf.n_vips == 2, "%zu VIPs", conf.n_vips))
		goto out;
	check(conf.vips[0].mode == XLB_MODE_NAT &&
		      conf.vips[1].mode == XLB_MODE_NAT,
	      "both VIPs nat");
	xlb_vip_snat_pool(&conf, &conf.vips[0], &p4);
	xlb_vip_snat_pool(&conf, &conf.vips[1], &p6);
	check(p4.count == 2 && p6.count == 0, "pools of %u and %u addresses",
	      p4.count, p6.count);
	check(conf.lb.max_conns == 262144 && conf.lb.max_nat_ports == 262144,
	      "the lb group");
out:
	xlb_config_free(&conf);
}

int main(void)
{
	harness_run("vip: good forms and round trips", test_vip_good);
	harness_run("vip: bad forms", test_vip_bad);
	harness_run("address, mode, weight", test_addr_mode_weight);
	harness_run("configs/lb-dsr.conf", test_good_file);
	harness_run("configs/lb-nat.conf", test_nat_file);
	harness_run("vips: errors", test_bad_texts);
	harness_run("backend ports (NAT)", test_backend_port);
	harness_run("vips: limits", test_limits);
	return harness_done();
}
