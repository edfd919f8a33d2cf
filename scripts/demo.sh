#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The xlb demo, run by `make demo` as root: two namespaces joined by a veth
# pair, xlbd counting on the xlb side with native XDP and tc (ingress and
# egress), real traffic from the client (ping, UDP datagrams, a TCP bulk
# transfer), the counters as a table and as JSON, then a detach that must
# leave no program, filter or pin behind. Exits 0 when every hook counted
# the traffic and the detach left nothing, 1 otherwise.
#
# Everything happens inside a private network, mount and PID namespace
# (tmpfs on /run, a fresh bpffs on /sys/fs/bpf): the host is never
# touched, and killing the demo at any point takes every namespace,
# process, program and pin it made with it.
#
# topology:
#      netns "client"                      netns "xlb"
#   +-------------------+             +---------------------------+
#   |  veth-cli         |    veth     |  veth-xlb                 |
#   |  198.18.0.2/24    +-------------+  198.18.0.1/24            |
#   |  2001:db8::2/64   |             |  2001:db8::1/64           |
#   |                   |             |  xlbd: native XDP,        |
#   |  ping, UDP, TCP   |             |  tc ingress and egress    |
#   |  senders          |             |  socat UDP and TCP sinks  |
#   +-------------------+             +---------------------------+
#
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$ROOT/scripts/demo.sh
XLBD=$ROOT/build/xlbd
XLBCTL=$ROOT/build/xlbctl

# shellcheck source=scripts/demo-lib.sh
. "$ROOT/scripts/demo-lib.sh"
demo_reexec "$@"

CLI_IF=veth-cli
XLB_IF=veth-xlb
CLI_V4=198.18.0.2
XLB_V4=198.18.0.1
CLI_V6=2001:db8::2
XLB_V6=2001:db8::1
UDP_PORT=9000
TCP_PORT=9001
UDP_COUNT=200
TCP_BYTES=$((2 * 1024 * 1024))
PIN_DIR=/sys/fs/bpf/xlb
DIR=/run/xlb-demo
SOCK=$DIR/xlbd.sock
CONF=$DIR/demo.conf

PIDS=()
BG_PID=
XLBD_PID=

trap demo_cleanup EXIT
# This shell is PID 1 of its namespace, which ignores signals it has no
# handler for: handle them, so Ctrl-C still ends the demo.
trap 'exit 130' INT
trap 'exit 143' TERM

# One end of the veth: addresses (IPv6 without duplicate address detection,
# so it is usable at once), checksum offload off as on a real NIC.
veth_end() {
	local ns=$1 ifn=$2 v4=$3 v6=$4
	in_ns "$ns" ethtool -K "$ifn" tx off rx off >/dev/null
	ip -n "$ns" addr add "$v4/24" dev "$ifn"
	ip -n "$ns" addr add "$v6/64" dev "$ifn" nodad
	ip -n "$ns" link set "$ifn" up
}

# Static neighbours both ways, for IPv4 and IPv6: no ARP or neighbour
# discovery has to finish before the first packet.
neighbours() {
	local ns=$1 ifn=$2 mac=$3 v4=$4 v6=$5
	ip -n "$ns" neigh replace "$v4" lladdr "$mac" dev "$ifn" nud permanent
	ip -n "$ns" neigh replace "$v6" lladdr "$mac" dev "$ifn" nud permanent
}

setup_topology() {
	local ns
	for ns in xlb client; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add "$XLB_IF" netns xlb type veth peer name "$CLI_IF" netns client
	veth_end xlb "$XLB_IF" "$XLB_V4" "$XLB_V6"
	veth_end client "$CLI_IF" "$CLI_V4" "$CLI_V6"
	neighbours xlb "$XLB_IF" "$(mac_of client "$CLI_IF")" "$CLI_V4" "$CLI_V6"
	neighbours client "$CLI_IF" "$(mac_of xlb "$XLB_IF")" "$XLB_V4" "$XLB_V6"
}

write_config() {
	cat >"$CONF" <<-CONF
		# The demo's configuration: hello counters on the xlb end of the
		# veth, native XDP and tc in both directions.
		interfaces = (
		    { name = "$XLB_IF"; xdp = "native"; tc = "both"; }
		);
	CONF
}

# ping_summary NS ADDR: three pings, one line of result.
ping_summary() {
	local out
	out=$(in_ns "$1" ping -q -c 3 -i 0.2 -W 1 "$2") ||
		die "ping $2 failed: $out"
	printf 'ping %-12s %s\n' "$2" "$(grep 'packets transmitted' <<<"$out")"
}

# UDP: $UDP_COUNT datagrams over one connected socket, one write each.
send_udp() {
	bg xlb socat -u "UDP4-RECV:$UDP_PORT,bind=$XLB_V4" \
		"OPEN:$DIR/udp.out,creat,trunc"
	wait_for "the UDP sink" in_ns xlb ss -Hlun "sport = :$UDP_PORT"
	# shellcheck disable=SC2016 # expanded by the shell in netns client
	in_ns client bash -c '
		exec 3>"/dev/udp/$1/$2"
		for i in $(seq "$3"); do
			printf "datagram %d\n" "$i" >&3
		done' udp "$XLB_V4" "$UDP_PORT" "$UDP_COUNT"
	for _ in $(seq 20); do
		[ "$(wc -l <"$DIR/udp.out")" -ge "$UDP_COUNT" ] && break
		sleep 0.1
	done
	printf 'udp  %-12s %d datagrams sent, %d received\n' "$XLB_V4" \
		"$UDP_COUNT" "$(wc -l <"$DIR/udp.out")"
}

# TCP: one bulk transfer into a socat sink, checked byte for byte.
send_tcp() {
	local sink got
	bg xlb socat -u "TCP4-LISTEN:$TCP_PORT,bind=$XLB_V4,reuseaddr" \
		"OPEN:$DIR/tcp.out,creat,trunc"
	sink=$BG_PID
	wait_for "the TCP sink" in_ns xlb ss -Hltn "sport = :$TCP_PORT"
	head -c "$TCP_BYTES" /dev/urandom >"$DIR/tcp.in"
	in_ns client socat -u "OPEN:$DIR/tcp.in" "TCP4:$XLB_V4:$TCP_PORT"
	wait "$sink" || die "the TCP sink failed"
	got=$(stat -c %s "$DIR/tcp.out")
	cmp -s "$DIR/tcp.in" "$DIR/tcp.out" || die "TCP data arrived corrupted"
	printf 'tcp  %-12s %d bytes sent, %d received intact\n' "$XLB_V4" \
		"$TCP_BYTES" "$got"
}

# Exit status of the demo: did every hook count the traffic?
counters_ok() {
	jq -en --arg ifn "$XLB_IF" --argjson udp "$UDP_COUNT" \
		--argjson tcp "$TCP_BYTES" '
		input.interfaces[$ifn].hooks as $h
		| $h.xdp.verdicts.pass.packets > 0
		and $h.tc_ingress.verdicts.pass.packets > 0
		and $h.tc_egress.verdicts.pass.packets > 0
		and $h.xdp.classes.ipv4_icmp.packets > 0
		and $h.xdp.classes.ipv6_icmp.packets > 0
		and $h.xdp.classes.ipv4_udp.packets >= $udp
		and $h.xdp.classes.ipv4_tcp.bytes >= $tcp' >/dev/null
}

# kernel_view: what the kernel holds on the xlb interface and in bpffs,
# one line each, read with ip, tc and find rather than through xlb. Sets
# FOUND to the number of things present.
kernel_view() {
	local xdp dir tcf qdisc pins
	FOUND=0
	xdp=$(ip -n xlb -j link show "$XLB_IF" |
		jq -r '.[0].xdp.prog // empty | "prog \(.id) (\(.name))"')
	show_item "XDP program" "$xdp"
	for dir in ingress egress; do
		tcf=$(tc -n xlb -j filter show dev "$XLB_IF" "$dir" 2>/dev/null |
			jq -r '.[] | .options.handle as $h | .options.prog // empty
				| "handle \($h) prog \(.id) (\(.name))"' || true)
		show_item "tc $dir filter" "$tcf"
	done
	qdisc=$(tc -n xlb -j qdisc show dev "$XLB_IF" |
		jq -r '.[] | select(.kind == "clsact") | "handle \(.handle)"')
	show_item "clsact qdisc" "$qdisc"
	if [ -d "$PIN_DIR" ]; then
		pins=$(find "$PIN_DIR" -mindepth 1 -printf '%f\n' | sort |
			paste -sd ' ')
		show_item "pins in $PIN_DIR" "${pins:-(empty directory)}"
	else
		show_item "pins in $PIN_DIR" ""
	fi
}

show_item() {
	printf '  %-28s %s\n' "$1" "${2:-none}"
	if [ -n "$2" ]; then
		FOUND=$((FOUND + 1))
	fi
}

main() {
	local counted=0 clean=0 start=$SECONDS log_lines

	check_tools ip tc nsenter ethtool ping socat jq ss
	setup_ns
	setup_topology
	write_config

	section "topology"
	sed -n '/^# topology:$/,/^#$/s/^#\(   .*\)/\1/p' "$SELF"

	section "configuration ($CONF)"
	cat "$CONF"
	"$XLBD" --check-config -c "$CONF"

	section "xlbd starts in netns xlb"
	start_xlbd xlb
	# libbpf and libxdp report the probes they make along the way as
	# warnings (docs/design.md explains them); the demo shows xlbd's own.
	grep -v '^xlbd: warn: lib' "$DIR/xlbd.log" || true
	log_lines=$(wc -l <"$DIR/xlbd.log")

	section "xlbctl status"
	ctl status

	section "what the kernel holds (ip, tc, bpffs)"
	kernel_view

	section "traffic from netns client"
	ping_summary client "$XLB_V4"
	ping_summary client "$XLB_V6"
	send_udp
	send_tcp

	section "xlbctl stats"
	ctl stats

	section "xlbctl -j stats: XDP verdicts on $XLB_IF"
	ctl -j stats | tee "$DIR/stats.json" |
		jq -c --arg ifn "$XLB_IF" '.interfaces[$ifn].hooks.xdp.verdicts
			| to_entries[] | {verdict: .key} + .value'
	if counters_ok <"$DIR/stats.json"; then
		counted=1
	fi

	section "xlbctl detach"
	ctl detach
	wait "$XLBD_PID" || die "xlbd exited with an error"
	tail -n "+$((log_lines + 1))" "$DIR/xlbd.log" |
		grep -v '^xlbd: warn: lib' || true
	echo "xlbd has exited"

	section "what the kernel holds after the detach"
	kernel_view
	if [ "$FOUND" -eq 0 ]; then
		clean=1
	fi

	section "result"
	if [ "$counted" -eq 0 ]; then
		echo "FAIL: the counters missed some of the traffic"
	fi
	if [ "$clean" -eq 0 ]; then
		echo "FAIL: the detach left something behind"
	fi
	if [ "$counted" -eq 0 ] || [ "$clean" -eq 0 ]; then
		return 1
	fi
	echo "PASS: every hook counted the traffic; the detach left nothing behind ($((SECONDS - start)) s)"
}

main "$@"
