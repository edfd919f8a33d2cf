#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The connection tables through xlbd and xlbctl, with a NAT VIP: a slow
# download is listed by `conn list` with its client, its backend and the
# NAT address and port the backend sees it from (read back with ss on the
# backend); `backend list -j` and `vip list -j` count it; `stats -j`
# shows the table occupancy. `conn flush` deletes the VIP's flows; the
# open download carries on: its next packet makes the flow again and
# takes back the NAT port it had (whose record the flush left for it),
# and it arrives intact; new connections are made as before. The
# download's flow, closed (FIN both ways), leaves the list within
# closed_timeout (2 s) and a pass. The reaper deletes an expired entry
# and its NAT port (a UDP flow, with the config's udp_timeout cut to 3 s
# by a reload); a flush of a VIP with no traffic empties its list,
# and the reaper deletes the port it freed; deleting a VIP deletes its
# flows and every NAT port it held, and the VIP added back starts with
# none.
#
#  netns pc              netns pl (xlbd, XDP generic)        netns pb1
# +------------+        +---------------------------+       +------------------+
# | curl,      |veth-cli| veth-xlb      veth-b1     |veth-s1| 198.18.1.2       |
# | http_long, +--------+ 198.18.0.1    198.18.1.1  +-------+ :80 (b1), :53 udp|
# | udp_ping   |        |               veth-b2     |       +------------------+
# | 198.18.0.2 |        |               198.18.2.1  +-------+ netns pb2:        |
# +------------+        +---------------------------+veth-s2| 198.18.2.2 :80 b2 |
#                                                           +------------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=198.18.0.10
UDP_VIP=198.18.0.11
V="$VIP:80/tcp"
U="$UDP_VIP:53/udp"
NAME=xlb-conns
CONF=$T_DIR/conns.conf
PINS=/sys/fs/bpf/$NAME
STOP=$T_DIR/stop
NS_PER_S=1000000000

star p "$VIP" "$UDP_VIP"

# www1, www2: b1's and b2's pages; a 4 MB blob for the download.
www_dirs 2 4
bg_ns pb1 python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www1"
bg_ns pb2 python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www2"
bg_ns pb1 python3 "$TOOLS/udp_echo.py" 198.18.1.2 53
wait_for 5 listening pb1 || fatal "b1 listens"
wait_for 5 listening pb2 || fatal "b2 listens"

# write_conf UDP_TIMEOUT: the config, with that udp_timeout.
write_conf() {
	cat >"$CONF" <<CONF
lb = { udp_timeout = $1; };
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b2"; xdp = "generic"; tc = "off"; lb = true; }
);
vips = (
	{ address = "$VIP"; port = 80; proto = "tcp"; mode = "nat";
	  backends = ( { address = "198.18.1.2"; },
		       { address = "198.18.2.2"; } ); },
	{ address = "$UDP_VIP"; port = 53; proto = "udp"; mode = "nat";
	  backends = ( { address = "198.18.1.2"; } ); }
);
CONF
}
write_conf 120
start_xlbd pl "$CONF" "$NAME" || fatal "xlbd starts"

resolved() {
	[ "$(ctl "$NAME" -j backend list | jq '[.backends[] |
		select(.state == "active")] | length')" = 3 ]
}
wait_for 5 resolved || fatal "the backends resolve"

# The slow download: 4 MB at 256 kB/s until $STOP, then at full speed.
bg_ns pc python3 "$TOOLS/http_long.py" get "$VIP" 80 /blob --rate 262144 \
	--ready "$T_DIR/ready" --stop "$STOP" >"$T_DIR/long.out"
LONG_PID=$!
wait_for 10 test -e "$T_DIR/ready" || fatal "the download starts"
CPORT=$(in_ns pc ss -Htn state established "dst $VIP" |
	awk '{ n = split($3, a, ":"); print a[n] }')
[ -n "$CPORT" ] || fatal "the download's client port"

# flow JQ: field JQ of the download's flow in `conn list -j`.
flow() {
	ctl "$NAME" -j conn list "$V" | jq -r --argjson p "$CPORT" \
		".conns[] | select(.client_port == \$p) | $1"
}

listed() {
	[ "$(flow .state)" = established ]
}
check "conn list shows the download" wait_for 5 listed
check_eq "...its client" "$(flow '.client + ":" + (.client_port | tostring)')" \
	"198.18.0.2:$CPORT"
BACKEND=$(flow .backend)
NAT="$(flow '.nat_address + ":" + (.nat_port | tostring)')"
case $BACKEND in
198.18.1.2) BNS=pb1 ;;
198.18.2.2) BNS=pb2 ;;
*) fatal "the download's backend: '$BACKEND'" ;;
esac
# (the server's socket is dual-stack: IPv4 peers come as ::ffff:ADDR)
peer=$(in_ns "$BNS" ss -Htn state established '( sport = :80 )' |
	awk '{ print $4 }' | sed 's/^\[::ffff:\(.*\)\]/\1/')
check_eq "...its backend, which sees it from the listed NAT address:port" \
	"$peer" "$NAT"
nat_port=${NAT##*:}
check "...a NAT port of 32768-60999 ($nat_port)" \
	test "$nat_port" -ge 32768 -a "$nat_port" -le 60999
check_eq "...in xlb_conns" "$(flow .table)" conns

# counted BACKEND: the backend's active connections in `backend list`.
counted() {
	ctl "$NAME" -j backend list "$V" | jq -r --arg a "$1" \
		'.backends[] | select(.address == $a) | .conns.active'
}
one_active() {
	[ "$(counted "$BACKEND")" = 1 ]
}
check "backend list -j counts it as an active connection" wait_for 5 one_active
check_eq "...and a NAT port" "$(ctl "$NAME" -j backend list "$V" |
	jq -r --arg a "$BACKEND" '.backends[] | select(.address == $a) |
		.conns.nat_ports')" 1
vipj=$(ctl "$NAME" -j vip list | jq -c --arg v "$V" '.vips[] | select(.vip == $v)')
check_eq "vip list -j: 1 active flow, 1 NAT port of 2 x 28232" \
	"$(jq -r '"\(.conns.active) \(.conns.nat_ports)/\(.conns.nat_ports_available) \(.nat_exhausted)"' <<<"$vipj")" \
	"1 1/56464 0"
check "vip list shows the NAT ports" \
	bash -c "'$XLBCTL' -s '$T_DIR/$NAME.sock' vip list |
		grep -q '^$V  *nat  *2/2  *1  *0  *1/56464  *0 '"
tables=$(ctl "$NAME" -j stats | jq -c .tables)
check_eq "stats -j: tables in use and sizes" \
	"$(jq -r '"\(.conns.in_use) \(.conns.size) \(.nat_ports.size)"' <<<"$tables")" \
	"1 1048576 1048576"

# Flush the VIP with the download running.
age=$(flow .age_s)
flushed=$(ctl "$NAME" -j conn flush "$V")
check "conn flush: the download's flow ($flushed)" \
	jq -e '.flows >= 1' <<<"$flushed" >/dev/null
made_again() {
	[ "$(flow '.age_s < '"$age")" = true ]
}
check "the download's next packets make its flow again" wait_for 5 made_again
check_eq "...with the NAT port it had" \
	"$(flow '.nat_address + ":" + (.nat_port | tostring)')" "$NAT"
before=$(ctl "$NAME" -j vip list | jq --arg v "$V" \
	'.vips[] | select(.vip == $v) | .new_flows')
ok=0
for _ in $(seq 20); do
	in_ns pc curl -s --max-time 2 "http://$VIP/name" | grep -q '^b[12]$' &&
		ok=$((ok + 1))
done
check_eq "20 new connections after the flush all answered" "$ok" 20
after=$(ctl "$NAME" -j vip list | jq --arg v "$V" \
	'.vips[] | select(.vip == $v) | .new_flows')
check "...as new flows ($before, then $after)" test "$after" -ge $((before + 20))

touch "$STOP"
wait "$LONG_PID" || true
check_eq "the download arrives intact after the flush" \
	"$(jq -r '"\(.status) \(.sha256) \(.error)"' "$T_DIR/long.out")" \
	"200 $BLOB_SUM "
gone() {
	[ -z "$(flow .state)" ]
}
check "its flow, closed, leaves the list within 2 s and a pass" \
	wait_for 4 gone

# ping N: N datagrams to the UDP VIP, each echoed.
ping() {
	in_ns pc python3 "$TOOLS/udp_ping.py" "$UDP_VIP" 53 "$1" >/dev/null
}

# The reaper: a UDP flow idle for more than udp_timeout (3 s here) is
# deleted from xlb_conns, and its NAT port from xlb_nat_rev.
# udp_ns: the UDP timeout xlb_lb_conf holds, in ns.
udp_ns() {
	bpftool -j map dump pinned "$PINS/xlb_lb_conf" |
		jq '.[0].formatted.value.udp_ns'
}
# entries MAP JQ: how many entries of pinned MAP match JQ (on .value).
entries() {
	bpftool -j map dump pinned "$PINS/$1" |
		jq "[.[] | .formatted.value | select($2)] | length"
}
UDP_ID=$(ctl "$NAME" -j vip list | jq --arg v "$U" '.vips[] | select(.vip == $v) | .id')
write_conf 3
check "a reload sets udp_timeout to 3 s" ctl "$NAME" config reload
check_eq "...in xlb_lb_conf" "$(udp_ns)" $((3 * NS_PER_S))
reaped=$(ctl "$NAME" -j stats | jq .tables.conns.reaped)
check "a UDP flow through the VIP" ping 1
check_eq "...in xlb_conns and its port in xlb_nat_rev" \
	"$(entries xlb_conns ".vip == $UDP_ID") $(entries xlb_nat_rev ".vip_id == $UDP_ID")" \
	"1 1"
reaped_both() {
	[ "$(entries xlb_conns ".vip == $UDP_ID") $(entries xlb_nat_rev ".vip_id == $UDP_ID")" = "0 0" ]
}
check "idle past udp_timeout: the reaper deletes both" wait_for 10 reaped_both
check "...and counts it" test "$(ctl "$NAME" -j stats |
	jq .tables.conns.reaped)" -gt "$reaped"
write_conf 120
check "a reload sets udp_timeout back to 120 s" ctl "$NAME" config reload
check_eq "...in xlb_lb_conf" "$(udp_ns)" $((120 * NS_PER_S))

# A flush of a VIP without traffic empties its list. (A NAT port taken
# less than a second ago is not freed by a flush: the flow that took it
# may not have written its table entry yet. The flow is let age first.)
ping 1
check_eq "a UDP flow is listed" \
	"$(ctl "$NAME" -j conn list "$U" | jq -r '"\(.matched) \(.conns[0].state)"')" \
	"1 udp"
past_grace() {
	ctl "$NAME" -j conn list "$U" | jq -e '.conns[0].age_s > 1.1' >/dev/null
}
wait_for 3 past_grace || fatal "the UDP flow ages"
check_eq "conn flush of its VIP" "$(ctl "$NAME" conn flush "$U")" \
	"flushed 1 flow, freed 1 NAT port"
check_eq "...empties its list" "$(ctl "$NAME" conn list "$U")" "no flows"
no_port() {
	[ "$(entries xlb_nat_rev ".vip_id == $UDP_ID")" = 0 ]
}
check "...and the reaper deletes the freed port's record" wait_for 3 no_port

# Deleting a VIP deletes its flows and every NAT port it held, those
# taken less than a second ago too.
ping 1
check_eq "a flow of the UDP VIP again" \
	"$(entries xlb_conns ".vip == $UDP_ID") $(entries xlb_nat_rev ".vip_id == $UDP_ID")" \
	"1 1"
ctl "$NAME" vip del "$U"
check_eq "vip del: no flow and no NAT port of it left" \
	"$(entries xlb_conns ".vip == $UDP_ID") $(entries xlb_nat_rev ".vip_id == $UDP_ID")" \
	"0 0"
ctl "$NAME" vip add "$U" mode nat
ctl "$NAME" backend add "$U" 198.18.1.2
check_eq "the VIP added back has no flows" \
	"$(ctl "$NAME" -j conn list "$U" | jq .matched)" 0
check "...and takes new ones" ping 3

t_done
