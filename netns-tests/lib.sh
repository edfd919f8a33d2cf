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
