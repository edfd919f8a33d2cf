#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbd's memory stays flat while it answers: 3,000 `xlbctl vip list`
# calls (each a connection of its own), then 300 of each other listing
# (backend, conn, rule and list listings, stats, status, config dump) on
# one connection, leave its resident memory (VmRSS) less than 1 MB above
# what it was after a warm-up. A listing that leaked ~7.7 KB per call
# (vip list built an array for every unused VIP slot and dropped it)
# grew it by 23 MB; the other listings, slower (stats reads every
# counter map), are called fewer times, which still shows a leak of
# 3.5 KB a call. The VIPs (one DSR, one NAT) have flows, so the
# listings have connections to show.
#
#  netns pc             netns pl (xlbd, XDP generic)         netns pb1
# +------------+       +---------------------------+       +------------+
# | curl       |veth-  | veth-xlb      veth-b1     |veth-s1| 198.18.1.2 |
# | 198.18.0.2 +-------+ 198.18.0.1    198.18.1.1  +-------+ :80        |
# +------------+ cli   |               veth-b2     |       +------------+
#                      |               198.18.2.1  +-------+ netns pb2: |
#                      +---------------------------+veth-s2| 198.18.2.2 |
#                                                          +------------+
# (both backends hold the DSR VIP 198.18.0.10 on lo)
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=198.18.0.10
NAT_VIP=198.18.0.11
NAME=xlb-memory
CONF=$T_DIR/memory.conf
CALLS=3000
OTHER_CALLS=300
WARMUP=100
# Resident memory a leak-free daemon may still gain (malloc's arenas).
MAX_GROWTH_KB=1024

star p "$VIP" "$NAT_VIP"
# DSR: the backends hold the VIP.
for b in pb1 pb2; do
	ip -n "$b" addr add "$VIP/32" dev lo
done
www_dirs 2 1
bg_ns pb1 python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www1"
bg_ns pb2 python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www2"
wait_for 5 listening pb1 || fatal "b1 listens"
wait_for 5 listening pb2 || fatal "b2 listens"

cat >"$CONF" <<CONF
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "both"; lb = true;
	  filter = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b2"; xdp = "generic"; tc = "off"; lb = true; }
);
filter = {
	rules = ( { order = 10; action = "drop"; hook = "ingress";
		    src = "198.18.9.0/24"; proto = "udp"; dport = 53; } );
	deny = { ingress = [ "198.18.66.0/24" ]; };
};
vips = (
	{ address = "$VIP"; port = 80; proto = "tcp";
	  backends = ( { address = "198.18.1.2"; },
		       { address = "198.18.2.2"; } ); },
	{ address = "$NAT_VIP"; port = 80; proto = "tcp"; mode = "nat";
	  backends = ( { address = "198.18.1.2"; },
		       { address = "198.18.2.2"; } ); }
);
CONF
start_xlbd pl "$CONF" "$NAME" --metrics off || fatal "xlbd starts"
resolved() {
	[ "$(ctl "$NAME" -j backend list | jq '[.backends[] |
		select(.state == "active")] | length')" = 4 ]
}
wait_for 5 resolved || fatal "the backends resolve"
for vip in "$VIP" "$NAT_VIP"; do
	for _ in 1 2 3; do
		in_ns pc curl -sf -o /dev/null --max-time 5 "http://$vip/name" ||
			fatal "a request through $vip"
	done
done
check "the NAT VIP's flows are listed" \
	test "$(ctl "$NAME" -j conn list "$NAT_VIP:80/tcp" |
		jq '.conns | length')" -gt 0

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$XLBD_PID/status"
}

# vip list, a connection and an xlbctl per call.
for _ in $(seq "$WARMUP"); do
	ctl "$NAME" vip list >/dev/null
done
before=$(rss_kb)
failed=0
for _ in $(seq "$CALLS"); do
	ctl "$NAME" vip list >/dev/null || failed=$((failed + 1))
done
after=$(rss_kb)
check_eq "$CALLS vip list calls answered" "$failed" 0
check "xlbd's RSS grew less than $MAX_GROWTH_KB kB over $CALLS vip list calls ($before -> $after kB)" \
	test $((after - before)) -lt "$MAX_GROWTH_KB"

# Every other listing, pipelined on one connection.
LISTINGS=('{"cmd":"backend_list"}' '{"cmd":"conn_list"}' '{"cmd":"stats"}'
	'{"cmd":"status"}' '{"cmd":"rule_list"}'
	'{"cmd":"list_list","list":"deny"}' '{"cmd":"config_dump"}')
SOCK=$T_DIR/$NAME.sock
python3 "$TOOLS/ctl_repeat.py" "$SOCK" "$((WARMUP / 10))" "${LISTINGS[@]}" ||
	fatal "the other listings answer"
before=$(rss_kb)
check "$OTHER_CALLS of each other listing answered" \
	python3 "$TOOLS/ctl_repeat.py" "$SOCK" "$OTHER_CALLS" "${LISTINGS[@]}"
after=$(rss_kb)
check "xlbd's RSS grew less than $MAX_GROWTH_KB kB over $OTHER_CALLS of each other listing ($before -> $after kB)" \
	test $((after - before)) -lt "$MAX_GROWTH_KB"

t_done
