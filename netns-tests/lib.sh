#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the netns tests. Every test runs inside the private
# network and mount namespace that run.sh sets up, so namespaces, links,
# pins and sockets it makes vanish with it; cleanup still kills what the
# test started and deletes its namespaces, on success and on failure.
# shellcheck disable=SC2034  # variables here are used by the tests

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
XLBD=$BUILD/xlbd
XLBCTL=$BUILD/xlbctl
TOOLS=$ROOT/netns-tests/tools

T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_PIDS=()
T_NETNS=()
T_DIR=$(mktemp -d /tmp/xlb-netns.XXXXXX)

t_cleanup() {
	local pid ns
	for pid in "${T_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	for pid in "${T_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	for ns in "${T_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT

# check DESCRIPTION COMMAND...: one assertion; prints ok/FAIL.
check() {
	local desc=$1
	shift
	if "$@"; then
		T_PASSED=$((T_PASSED + 1))
		echo "ok   $desc"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "FAIL $desc"
	fi
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		T_PASSED=$((T_PASSED + 1))
		echo "ok   $1"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "FAIL $1: got '$2', want '$3'"
	fi
}

# A failure that makes the rest of the test meaningless.
fatal() {
	T_FAILED=$((T_FAILED + 1))
	echo "FAIL $*"
	t_done
}

t_done() {
	echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	[ "$T_FAILED" -eq 0 ] && exit 0
	exit 1
}

ns_add() {
	ip netns add "$1"
	T_NETNS+=("$1")
	ip -n "$1" link set lo up
}

# in_ns NS CMD...: run CMD in NS's network namespace only. Unlike
# `ip netns exec`, this keeps the mount namespace, so bpffs pins stay
# visible.
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair with IPv4 /24 addresses,
# IPv6 off (no neighbour discovery noise), checksum offload off, and
# static neighbours both ways so no ARP crosses the link.
veth() {
	local ns1=$1 if1=$2 a1=$3 ns2=$4 if2=$5 a2=$6 m1 m2
	ip link add "$if1" netns "$ns1" type veth peer name "$if2" netns "$ns2"
	for side in "$ns1 $if1 $a1" "$ns2 $if2 $a2"; do
		read -r ns ifn addr <<<"$side"
		in_ns "$ns" sysctl -qw "net.ipv6.conf.$ifn.disable_ipv6=1"
		in_ns "$ns" ethtool -K "$ifn" tx off rx off >/dev/null 2>&1 || true
		ip -n "$ns" addr add "$addr/24" dev "$ifn"
		ip -n "$ns" link set "$ifn" up
	done
	m1=$(ip -n "$ns1" -j link show "$if1" | jq -r '.[0].address')
	m2=$(ip -n "$ns2" -j link show "$if2" | jq -r '.[0].address')
	ip -n "$ns1" neigh replace "$a2" lladdr "$m2" dev "$if1" nud permanent
	ip -n "$ns2" neigh replace "$a1" lladdr "$m1" dev "$if2" nud permanent
}

# start_xlbd NS CONF NAME [ARGS...]: xlbd in NS with its own pin dir and
# socket ($T_DIR/NAME.sock); sets XLBD_PID; waits for the socket.
start_xlbd() {
	local ns=$1 conf=$2 name=$3 i
	shift 3
	nsenter --net="/run/netns/$ns" -- "$XLBD" -c "$conf" \
		--pin-dir "/sys/fs/bpf/$name" --socket "$T_DIR/$name.sock" "$@" \
		2>>"$T_DIR/$name.log" &
	XLBD_PID=$!
	T_PIDS+=("$XLBD_PID")
	for i in $(seq 100); do
		if [ -S "$T_DIR/$name.sock" ] &&
			"$XLBCTL" -s "$T_DIR/$name.sock" status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$XLBD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "xlbd did not come up; its log:" >&2
	cat "$T_DIR/$name.log" >&2
	return 1
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_for SECS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local secs=$1 _
	shift
	for _ in $(seq $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# star P VIP...: a client, an LB and two backends on links of their own:
# netns Pc (veth-cli 198.18.0.2, routing each VIP via the LB), Pl (the LB,
# forwarding: veth-xlb 198.18.0.1, veth-b1 198.18.1.1, veth-b2
# 198.18.2.1), Pb1 and Pb2 (veth-s1 198.18.1.2, veth-s2 198.18.2.2,
# default route via the LB).
star() {
	local p=$1 vip i
	shift
	for i in c l b1 b2; do
		ns_add "$p$i"
	done
	veth "${p}c" veth-cli 198.18.0.2 "${p}l" veth-xlb 198.18.0.1
	for i in 1 2; do
		veth "${p}l" "veth-b$i" "198.18.$i.1" "${p}b$i" "veth-s$i" \
			"198.18.$i.2"
		ip -n "${p}b$i" route add default via "198.18.$i.1"
	done
	for vip; do
		ip -n "${p}c" route add "$vip/32" via 198.18.0.1
	done
	in_ns "${p}l" sysctl -qw net.ipv4.ip_forward=1
}

# star_http P DSR_VIP: the two backends of `star P` serve HTTP on port
# 80 (their name at /name, from www_dirs) and hold DSR_VIP on lo,
# answering no ARP for it.
star_http() {
	local p=$1 vip=$2 i
	www_dirs 2 1
	for i in 1 2; do
		ip -n "${p}b$i" addr add "$vip/32" dev lo
		in_ns "${p}b$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2
		bg_ns "${p}b$i" python3 "$TOOLS/http_backend.py" 80 \
			"$T_DIR/www$i"
	done
	for i in 1 2; do
		wait_for 5 listening "${p}b$i" || return 1
	done
}

# answers NS URL N: N requests from NS to URL, each on a new connection
# (curl); the bodies counted, as "b1:3 b2:7" (sorted; "none" for one that
# failed).
answers() {
	local ns=$1 url=$2 _
	for _ in $(seq "$3"); do
		in_ns "$ns" curl -s --max-time 2 "$url" || echo none
	done | sort | uniq -c | awk '{ printf "%s%s:%s", s, $2, $1; s=" " }'
}

# www_dirs N MB: $T_DIR/www1 .. wwwN, the pages of N HTTP backends: a file
# `name` holding bI, and `blob`, MB random megabytes, the same for all
# (one file, hard links); sets BLOB_SUM, its sha256.
www_dirs() {
	local n=$1 mb=$2 i
	head -c $((mb << 20)) /dev/urandom >"$T_DIR/blob"
	BLOB_SUM=$(sha256sum "$T_DIR/blob" | cut -d' ' -f1)
	for i in $(seq "$n"); do
		mkdir "$T_DIR/www$i"
		echo "b$i" >"$T_DIR/www$i/name"
		ln "$T_DIR/blob" "$T_DIR/www$i/blob"
	done
}

# listening NS [PORT]: a TCP socket listens on PORT (80) in NS.
listening() {
	in_ns "$1" ss -Htln "sport = :${2:-80}" | grep -q .
}

# expect_fail RC PATTERN CMD...: CMD exits RC and says PATTERN on stderr.
expect_fail() {
	local want=$1 pattern=$2 rc=0
	shift 2
	"$@" >/dev/null 2>"$T_DIR/stderr" || rc=$?
	if [ "$rc" -ne "$want" ] || ! grep -q -- "$pattern" "$T_DIR/stderr"; then
		echo "  exit $rc (want $want): $(cat "$T_DIR/stderr")"
		return 1
	fi
}

# ctl NAME ARGS...: xlbctl against the daemon started as NAME.
ctl() {
	local name=$1
	shift
	"$XLBCTL" -s "$T_DIR/$name.sock" "$@"
}

# bg_ns NS CMD...: run CMD in NS in the background, killed at cleanup.
# nsenter execs CMD, so $! is CMD itself (a shell function run with &
# would be a subshell, and killing it would leave CMD running).
bg_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@" &
	T_PIDS+=("$!")
}

# ipv6_quiet NS IF: IPv6 on IF without the traffic a link makes by
# itself: no link-local address (so no DAD and no router solicitation),
# and the MLD reports of joined groups repeated at once rather than over
# the next seconds, so the link is silent soon after it comes up.
ipv6_quiet() {
	in_ns "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=0" \
		"net.ipv6.conf.$2.addr_gen_mode=1" \
		"net.ipv6.conf.$2.accept_ra=0" \
		"net.ipv6.conf.$2.mldv1_unsolicited_report_interval=1" \
		"net.ipv6.conf.$2.mldv2_unsolicited_report_interval=1"
}

# veth_ds NS1 IF1 ADDR1 ADDR1_6 NS2 IF2 ADDR2 ADDR2_6: a dual-stack veth
# pair: as veth (IPv4 /24, offload off, static neighbours), plus IPv6
# /64 addresses without DAD and static IPv6 neighbours both ways, so
# neither ARP nor neighbour discovery crosses the link.
veth_ds() {
	local ns1=$1 if1=$2 a1=$3 b1=$4 ns2=$5 if2=$6 a2=$7 b2=$8 m1 m2
	local side ns ifn addr addr6
	ip link add "$if1" netns "$ns1" type veth peer name "$if2" netns "$ns2"
	for side in "$ns1 $if1 $a1 $b1" "$ns2 $if2 $a2 $b2"; do
		read -r ns ifn addr addr6 <<<"$side"
		ipv6_quiet "$ns" "$ifn"
		in_ns "$ns" ethtool -K "$ifn" tx off rx off >/dev/null 2>&1 || true
		ip -n "$ns" addr add "$addr/24" dev "$ifn"
		ip -n "$ns" addr add "$addr6/64" dev "$ifn" nodad
		ip -n "$ns" link set "$ifn" up
	done
	m1=$(ip -n "$ns1" -j link show "$if1" | jq -r '.[0].address')
	m2=$(ip -n "$ns2" -j link show "$if2" | jq -r '.[0].address')
	ip -n "$ns1" neigh replace "$a2" lladdr "$m2" dev "$if1" nud permanent
	ip -n "$ns2" neigh replace "$a1" lladdr "$m1" dev "$if2" nud permanent
	ip -n "$ns1" neigh replace "$b2" lladdr "$m2" dev "$if1" nud permanent
	ip -n "$ns2" neigh replace "$b1" lladdr "$m1" dev "$if2" nud permanent
}

# veth_addr NS IF ADDR PEER_NS PEER_IF: one more address on IF (IPv4 /24
# or IPv6 /64 without DAD), with its static neighbour on the peer.
veth_addr() {
	local ns=$1 ifn=$2 addr=$3 pns=$4 pif=$5 mac
	case $addr in
	*:*) ip -n "$ns" addr add "$addr/64" dev "$ifn" nodad ;;
	*) ip -n "$ns" addr add "$addr/24" dev "$ifn" ;;
	esac
	mac=$(ip -n "$ns" -j link show "$ifn" | jq -r '.[0].address')
	ip -n "$pns" neigh replace "$addr" lladdr "$mac" dev "$pif" nud permanent
}

# start_xlbd_within SECONDS NS CONF NAME [ARGS...]: start_xlbd for a
# daemon that may take up to SECONDS to come up (a large config).
start_xlbd_within() {
	local secs=$1 ns=$2 conf=$3 name=$4 i
	shift 4
	nsenter --net="/run/netns/$ns" -- "$XLBD" -c "$conf" \
		--pin-dir "/sys/fs/bpf/$name" --socket "$T_DIR/$name.sock" "$@" \
		2>>"$T_DIR/$name.log" &
	XLBD_PID=$!
	T_PIDS+=("$XLBD_PID")
	for i in $(seq $((secs * 10))); do
		if [ -S "$T_DIR/$name.sock" ] &&
			"$XLBCTL" -s "$T_DIR/$name.sock" status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$XLBD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "xlbd did not come up within $secs s; its log:" >&2
	cat "$T_DIR/$name.log" >&2
	return 1
}
