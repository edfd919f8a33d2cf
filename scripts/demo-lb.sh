#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The load balancer demo, run by `make demo` (after scripts/demo.sh) as
# root: a client, an LB and three backends running HTTP servers, each in
# its own network namespace. xlbd balances two VIPs over the same three
# backends, one in DSR mode (the backends answer the client directly) and
# one in NAT mode (xlb translates both ways); the client's requests, one
# connection each, are answered by every backend in proportion to its
# weight, and the per-backend counters say the same. Then one backend is
# drained: no new connection reaches it. Exits 0 when all of that holds,
# 1 otherwise.
#
# Everything happens inside a private network, mount and PID namespace,
# as in scripts/demo.sh: the host is never touched.
#
# topology:
#   netns "client"       netns "lb"                          netns "bN"
#   198.18.0.2  --- sw-cli =br-c= sw-xlb --- veth-xlb          (N = 1, 2, 3)
#                                            198.18.0.1
#                                            xlbd: lb stage
#                                            veth-back   --- sw-back =br-b=
#                                            198.18.1.1      sw-b1 --- 198.18.1.11
#                                                            sw-b2 --- 198.18.1.12
#                                                            sw-b3 --- 198.18.1.13
#   VIP 198.18.10.10:80/tcp, dsr (the backends hold it on lo)
#   VIP 198.18.10.20:80/tcp, nat (the backends see 198.18.1.1)
#   weights 1, 1, 2; the switches (bridges br-c, br-b) are in netns "lb"
#
set -euo pipefail
# shellcheck disable=SC2034  # PIDS, SOCK and the like are demo-lib.sh's

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$ROOT/scripts/demo-lb.sh
XLBD=$ROOT/build/xlbd
XLBCTL=$ROOT/build/xlbctl

# shellcheck source=scripts/demo-lib.sh
. "$ROOT/scripts/demo-lib.sh"
demo_reexec "$@"

VIP_DSR=198.18.10.10
VIP_NAT=198.18.10.20
WEIGHTS=(1 1 2)
REQUESTS=200
PIN_DIR=/sys/fs/bpf/xlb
DIR=/run/xlb-demo
SOCK=$DIR/xlbd.sock
CONF=$DIR/lb.conf

PIDS=()
BG_PID=
XLBD_PID=

trap demo_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# veth_pair NS1 IF1 NS2 IF2: a veth pair, checksum offload off both ends.
veth_pair() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	in_ns "$1" ethtool -K "$2" tx off rx off >/dev/null
	in_ns "$3" ethtool -K "$4" tx off rx off >/dev/null
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# A bridge in netns lb, standing for a switch. It takes no part in ARP
# or IPv6: Linux answers ARP for any of its addresses on any interface,
# and the LB's own addresses must be answered by the LB's interfaces.
bridge() {
	local br=$1 port
	shift
	ip -n lb link add "$br" type bridge
	in_ns lb sysctl -qw "net.ipv6.conf.$br.disable_ipv6=1"
	ip -n lb link set "$br" arp off up
	for port in "$@"; do
		ip -n lb link set "$port" master "$br"
	done
}

setup_topology() {
	local ns i
	for ns in client lb b1 b2 b3; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	# The LB forwards the backends' DSR answers to the client, and its
	# FIB routes the translated NAT answers.
	in_ns lb sysctl -qw net.ipv4.ip_forward=1

	veth_pair client eth0 lb sw-cli
	veth_pair lb veth-xlb lb sw-xlb
	bridge br-c sw-cli sw-xlb
	ip -n client addr add 198.18.0.2/24 dev eth0
	ip -n client route add 198.18.10.0/24 via 198.18.0.1
	ip -n lb addr add 198.18.0.1/24 dev veth-xlb

	veth_pair lb veth-back lb sw-back
	ip -n lb addr add 198.18.1.1/24 dev veth-back
	for i in 1 2 3; do
		veth_pair lb "sw-b$i" "b$i" eth0
		ip -n "b$i" addr add "198.18.1.1$i/24" dev eth0
		ip -n "b$i" route add default via 198.18.1.1
		# DSR: the VIP on lo, never announced by ARP.
		ip -n "b$i" addr add "$VIP_DSR/32" dev lo
		in_ns "b$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2
	done
	bridge br-b sw-back sw-b1 sw-b2 sw-b3
}

# An HTTP server per backend; GET /who answers its name.
start_backends() {
	local i
	for i in 1 2 3; do
		mkdir -p "$DIR/www$i"
		echo "b$i" >"$DIR/www$i/who"
		bg "b$i" python3 -m http.server --directory "$DIR/www$i" 80 \
			>"$DIR/http$i.log" 2>&1
	done
	for i in 1 2 3; do
		wait_for "the HTTP server of b$i" in_ns "b$i" ss -Hltn "sport = :80"
	done
}

write_config() {
	cat >"$CONF" <<-CONF
		# veth-xlb faces the clients, veth-back the backends; both run the
		# load balancer (NAT answers come back on veth-back). sw-xlb and
		# sw-back are the switch ends of those veths: frames xlb sends with
		# native XDP arrive there only if they have an XDP program too, so
		# xlb counts on them.
		interfaces = (
		    { name = "veth-xlb"; xdp = "native"; tc = "off"; lb = true; },
		    { name = "veth-back"; xdp = "native"; tc = "off"; lb = true; },
		    { name = "sw-xlb"; xdp = "native"; tc = "off"; },
		    { name = "sw-back"; xdp = "native"; tc = "off"; }
		);
		vips = (
		    { address = "$VIP_DSR"; port = 80; proto = "tcp"; mode = "dsr";
		      backends = ( { address = "198.18.1.11"; weight = ${WEIGHTS[0]}; },
		                   { address = "198.18.1.12"; weight = ${WEIGHTS[1]}; },
		                   { address = "198.18.1.13"; weight = ${WEIGHTS[2]}; } ); },
		    { address = "$VIP_NAT"; port = 80; proto = "tcp"; mode = "nat";
		      backends = ( { address = "198.18.1.11"; weight = ${WEIGHTS[0]}; },
		                   { address = "198.18.1.12"; weight = ${WEIGHTS[1]}; },
		                   { address = "198.18.1.13"; weight = ${WEIGHTS[2]}; } ); }
		);
	CONF
}

# Every backend of both VIPs resolved (next hop known) and in its ring.
backends_active() {
	[ "$(ctl -j backend list | jq '[.backends[] | select(.state == "active")] | length')" -eq 6 ]
}

# requests VIP N: N requests to VIP from the client, a new connection
# each; prints how many each backend answered, as "b1 N1\nb2 N2\nb3 N3".
requests() {
	local vip=$1 n=$2
	# shellcheck disable=SC2016 # expanded by the shell in netns client
	in_ns client bash -c '
		for i in $(seq "$2"); do
			curl -s -m 2 "http://$1/who" || echo lost
		done' req "$vip" "$n" >"$DIR/answers"
	for b in b1 b2 b3 lost; do
		printf '%s %d\n' "$b" "$(grep -c "^$b\$" "$DIR/answers" || true)"
	done
}

# spread_ok COUNTS: nothing lost, each backend within 4 standard
# deviations of its weight's share (a demo's sample is small; the netns
# tests hold 10% over 3,000 connections).
spread_ok() {
	awk -v n="$REQUESTS" -v w="${WEIGHTS[*]}" '
		BEGIN { split(w, wt, " "); for (i in wt) total += wt[i] }
		$1 == "lost" && $2 > 0 { bad = 1 }
		$1 ~ /^b[0-9]$/ {
			i = substr($1, 2) + 0
			p = wt[i] / total
			d = $2 - n * p
			if (d * d > 16 * n * p * (1 - p)) bad = 1
		}
		END { exit bad }' <<<"$1"
}

show_spread() {
	local counts=$1
	awk -v n="$REQUESTS" '$1 != "lost" || $2 > 0 {
		printf "  %-5s %4d answers (%.0f%%)\n", $1, $2, 100 * $2 / n }' \
		<<<"$counts"
}

main() {
	local start=$SECONDS ok=1 dsr nat drained backend_pkts

	check_tools ip nsenter ethtool jq ss curl python3 awk
	setup_ns
	setup_topology
	start_backends
	write_config

	section "topology"
	sed -n '/^# topology:$/,/^#$/s/^#\(   .*\)/\1/p' "$SELF"

	section "configuration ($CONF)"
	cat "$CONF"
	"$XLBD" --check-config -c "$CONF"

	section "xlbd starts in netns lb"
	start_xlbd lb
	grep -v '^xlbd: warn: lib' "$DIR/xlbd.log" || true
	wait_for "the backends' next hops" backends_active
	ctl backend list

	section "$REQUESTS requests to $VIP_DSR:80 (dsr), one connection each"
	dsr=$(requests "$VIP_DSR" "$REQUESTS")
	show_spread "$dsr"
	spread_ok "$dsr" || {
		echo "FAIL: not spread by weight"
		ok=0
	}

	section "$REQUESTS requests to $VIP_NAT:80 (nat), one connection each"
	nat=$(requests "$VIP_NAT" "$REQUESTS")
	show_spread "$nat"
	spread_ok "$nat" || {
		echo "FAIL: not spread by weight"
		ok=0
	}

	section "xlbctl vip list"
	ctl vip list
	section "xlbctl backend list (packets xlb sent to each backend)"
	ctl backend list
	# Every backend of both VIPs was sent packets, by xlb's own count.
	backend_pkts=$(ctl -j stats | jq '[.backends[][] | .packets] | min')
	if [ "${backend_pkts:-0}" -le 0 ]; then
		echo "FAIL: a backend's counters are empty"
		ok=0
	fi

	section "drain b3 from the DSR VIP (weight 0), then $REQUESTS requests more"
	ctl backend set "$VIP_DSR:80/tcp" 198.18.1.13 weight 0
	drained=$(requests "$VIP_DSR" "$REQUESTS")
	show_spread "$drained"
	if ! grep -qx 'b3 0' <<<"$drained" || ! grep -qx 'lost 0' <<<"$drained"; then
		echo "FAIL: a drained backend got new connections, or requests were lost"
		ok=0
	fi
	ctl backend list "$VIP_DSR:80/tcp"

	section "result"
	if [ "$ok" -eq 0 ]; then
		echo "FAIL ($((SECONDS - start)) s)"
		return 1
	fi
	echo "PASS: both VIPs spread by weight over three backends, the counters agree, a drained backend takes no new connection ($((SECONDS - start)) s)"
}

main "$@"
