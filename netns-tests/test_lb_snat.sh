#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT source pools and the lb group. A UDP and a TCP NAT VIP take the
# global pool of two LB addresses: new flows leave from both, and the
# replies to both come back (every datagram echoed, every request
# answered). The tables have the file's sizes. A reload that changes the
# global pool, gives the TCP VIP an empty pool of its own and changes a
# timeout takes effect: new flows leave from the new address (the TCP
# VIP's from the route source), `vip list -j` and `config dump` say so,
# and the dump loads back. snat on a DSR VIP is refused with FILE:LINE. A
# NAT VIP added with xlbctl gets the running global pool. After kill -9
# and a restart with another file, the pools and timeouts are those the
# maps hold (the dump shows the file's global pool, and the VIP's own);
# a deleted VIP's pool is zeroed.
#
#  netns pc               netns pl (xlbd, XDP generic)           netns pb1
# +------------+        +-------------------------------+       +----------------+
# | udp_ping   |veth-cli| veth-xlb     veth-b1          |veth-s1| 198.18.1.2     |
# | curl       +--------+ 198.18.0.1   198.18.1.1       +-------+ udp_echo :53   |
# | 198.18.0.2 |        |              pool: 198.18.1.11|       | http :80       |
# | .3, .4     |        |              .12, .13         |       |                |
# +------------+        +-------------------------------+       +----------------+
#                         (veth-b2 198.18.2.1 to pb2, unused)
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=198.18.0.10
U="$VIP:53/udp"
T="$VIP:80/tcp"
B1=198.18.1.2
P1=198.18.1.11
P2=198.18.1.12
P3=198.18.1.13
C1=198.18.0.2
C2=198.18.0.3
C3=198.18.0.4
NAME=xlb-snat
CONF=$T_DIR/snat.conf
LOG=$T_DIR/echo.log

star p "$VIP"
for a in "$P1" "$P2" "$P3"; do
	veth_addr pl veth-b1 "$a" pb1 veth-s1
done
for a in "$C2" "$C3"; do
	veth_addr pc veth-cli "$a" pl veth-xlb
done

www_dirs 1 1
bg_ns pb1 python3 "$TOOLS/udp_echo.py" "$B1" 53 "$LOG"
bg_ns pb1 python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www1"
udp_bound() {
	in_ns pb1 ss -Huln "sport = :53" | grep -q .
}
wait_for 5 listening pb1 80 || fatal "the backend listens on 80"
wait_for 5 udp_bound || fatal "the echo server is bound to port 53"
# SYNs reaching the backend, by source address.
in_ns pb1 nft -f - <<NFT
table inet t {
	counter s1 { }
	counter s11 { }
	counter s12 { }
	counter s13 { }
	chain in {
		type filter hook input priority 0; policy accept;
		tcp flags & (syn | ack) == syn ip saddr 198.18.1.1 counter name s1
		tcp flags & (syn | ack) == syn ip saddr $P1 counter name s11
		tcp flags & (syn | ack) == syn ip saddr $P2 counter name s12
		tcp flags & (syn | ack) == syn ip saddr $P3 counter name s13
	}
}
NFT

# write_conf FILE GLOBAL_SNAT TCP_VIP_EXTRA UDP_TIMEOUT MAX_CONNS [DSR_VIP]
write_conf() {
	cat >"$1" <<CONF
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "off"; lb = true; }
);
lb = { max_conns = $5; max_syns = 1024; max_nat_ports = 8192;
       udp_timeout = $4; };
snat = [ $2 ];
vips = (
	{ address = "$VIP"; port = 53; proto = "udp"; mode = "nat";
	  backends = ( { address = "$B1"; } ); },
	{ address = "$VIP"; port = 80; proto = "tcp"; mode = "nat"; $3
	  backends = ( { address = "$B1"; } ); }${6:-}
);
CONF
}

# pool VIP: the VIP's snat list in force, "a,b"; "none" without one.
pool() {
	ctl "$NAME" -j vip list |
		jq -r --arg v "$1" '.vips[] | select(.vip == $v) |
			if has("snat") then .snat | join(",") else "none" end'
}

# in_ring VIP: the VIP's backend is resolved and in its ring.
in_ring() {
	[ "$(ctl "$NAME" -j vip list |
		jq --arg v "$1" '.vips[] | select(.vip == $v) | .in_ring')" = 1 ]
}

# udp_flows N SRC: N UDP flows of 2 datagrams each from client address
# SRC (a socket, so a client port, per flow); succeeds when every
# datagram is echoed. Each part of the test has a client address of its
# own, so that no new flow is an older one whose client port came again.
udp_flows() {
	local _
	for _ in $(seq "$1"); do
		in_ns pc python3 "$TOOLS/udp_ping.py" "$VIP" 53 2 "$2" \
			>/dev/null || return 1
	done
}

# sources: the source addresses the echo server saw, sorted, "a b".
sources() {
	cut -d' ' -f1 "$LOG" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# tcp_gets N: N connections, each answered with the backend's name.
tcp_gets() {
	local _
	for _ in $(seq "$1"); do
		[ "$(in_ns pc curl -s --max-time 2 "http://$VIP/name")" = b1 ] ||
			return 1
	done
}

syns() {
	in_ns pb1 nft -j list counter inet t "$1" |
		jq '.nftables[] | select(.counter) | .counter.packets'
}

dump_has() {
	grep -qF -- "$1" "$T_DIR/dump.conf"
}

write_conf "$CONF" "\"$P1\", \"$P2\"" "" 120 4096
check "--check-config accepts the pool and the lb group" \
	"$XLBD" --check-config -c "$CONF"
start_xlbd pl "$CONF" "$NAME" || fatal "xlbd starts"
wait_for 5 in_ring "$U" || fatal "the backend is in the UDP VIP's ring"
wait_for 5 in_ring "$T" || fatal "the backend is in the TCP VIP's ring"
check_eq "both NAT VIPs: the global pool" "$(pool "$U") $(pool "$T")" \
	"$P1,$P2 $P1,$P2"
check_eq "the tables have the file's sizes" \
	"$(bpftool -j map show pinned "/sys/fs/bpf/$NAME/xlb_conns" |
		jq .max_entries) $(bpftool -j map show pinned \
		"/sys/fs/bpf/$NAME/xlb_nat_rev" | jq .max_entries)" "4096 8192"

check "40 UDP flows: every datagram echoed" udp_flows 40 "$C1"
check_eq "...sent from both pool addresses, and only from them" \
	"$(sources)" "$P1 $P2"
check "40 TCP connections through the pool: all answered" tcp_gets 40
check "...opened from both pool addresses" \
	bash -c "[ '$(syns s11)' -gt 0 ] && [ '$(syns s12)' -gt 0 ] &&
		[ '$(syns s1)' -eq 0 ]"

# A reload: another global pool, an empty one of its own for the TCP VIP
# (the route source), another UDP timeout, another (refused) size.
write_conf "$CONF" "\"$P3\"" "snat = [ ];" 30 8192
ctl "$NAME" config reload
check_eq "reload: the UDP VIP takes the new global pool, the TCP VIP none" \
	"$(pool "$U") $(pool "$T")" "$P3 "
: >"$LOG"
check "new UDP flows: every datagram echoed" udp_flows 20 "$C2"
check_eq "...sent from the new pool address only" "$(sources)" "$P3"
s1=$(syns s1)
check "TCP connections from the route source: all answered" tcp_gets 10
check_eq "...10 more SYNs from 198.18.1.1" "$(($(syns s1) - s1))" 10
check "the resize is refused with a warning" \
	grep -q "the pinned lb tables hold 4096 conns.*asks for 8192" \
	"$T_DIR/$NAME.log"
ctl "$NAME" config dump >"$T_DIR/dump.conf"
check "config dump: the timeout in force" dump_has $'\tudp_timeout = 30;'
check "...the sizes of the tables" dump_has $'\tmax_conns = 4096;'
check "...the global pool" dump_has "snat = [ \"$P3\" ];"
check "...the TCP VIP's own, empty" dump_has $'\t  snat = [ ];'
check "the dump passes config check" \
	ctl "$NAME" config check "$T_DIR/dump.conf"

# snat on a DSR VIP: refused, nothing changes.
write_conf "$T_DIR/bad.conf" "\"$P3\"" "" 30 4096 ",
	{ address = \"$VIP\"; port = 81; proto = \"tcp\";
	  snat = [ \"$P1\" ]; }"
cp "$T_DIR/bad.conf" "$CONF"
line=$(grep -n "snat = \[ \"$P1\" \]" "$CONF" | cut -d: -f1)
check "reload with snat on a DSR VIP: refused with FILE:LINE" \
	expect_fail 1 "$CONF:$line: snat: VIP $VIP:81/tcp is dsr" \
	ctl "$NAME" config reload
check_eq "...nothing changed" "$(pool "$U") $(pool "$T")" "$P3 "

# Run time: a NAT VIP gets the running global pool, a DSR VIP none.
ctl "$NAME" vip add "$VIP:54/udp" mode nat
ctl "$NAME" vip add "$VIP:55/udp"
check_eq "vip add: nat with the running global pool, dsr without" \
	"$(pool "$VIP:54/udp") $(pool "$VIP:55/udp")" "$P3 none"

# kill -9, and a restart with another file: what the maps hold stays.
write_conf "$CONF" "\"$P2\"" "" 40 4096
kill -9 "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null || true
start_xlbd pl "$CONF" "$NAME" || fatal "xlbd restarts"
check_eq "after a restart: the pools the maps hold" \
	"$(pool "$U") $(pool "$T") $(pool "$VIP:54/udp")" "$P3  $P3"
: >"$LOG"
check "...UDP flows echoed" udp_flows 10 "$C3"
check_eq "...from the pool address in force" "$(sources)" "$P3"
ctl "$NAME" config dump >"$T_DIR/dump.conf"
check "dump: the timeout the map holds" dump_has $'\tudp_timeout = 30;'
check "...the file's global pool" dump_has "snat = [ \"$P2\" ];"
check "...and the UDP VIP's, its own now" dump_has $'\t  snat = [ "'"$P3"'" ];'

# A deleted VIP's pool is zeroed.
id=$(ctl "$NAME" -j vip list |
	jq --arg v "$VIP:54/udp" '.vips[] | select(.vip == $v) | .id')
ctl "$NAME" vip del "$VIP:54/udp"
check_eq "vip del: its pool zeroed in xlb_snat_pools" \
	"$(bpftool -j map lookup pinned "/sys/fs/bpf/$NAME/xlb_snat_pools" \
		key "$id" 0 0 0 | jq '.formatted.value.count')" 0

t_done
