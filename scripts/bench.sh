#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: every benchmark in build/bench/, those that need interfaces
# inside a private network namespace (unshare -n) made here, which takes
# its veths and whatever the benchmark loaded with it when it ends.
#   scripts/bench.sh [filter|lb|e2e|mem|reap]...   (default: all of them)
# Needs root; each benchmark prints its own method and medians.
set -euo pipefail

cd "$(dirname "$0")/.."
BENCH=build/bench

# The load balancer's ns/packet: a veth with the clients' subnet and a
# permanent neighbour for the client, so a NAT reply's FIB lookup
# succeeds, and forwarding on (the FIB lookup asks for it).
inside_lb() {
	sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1
	ip link set lo up
	ip link add xb0 type veth peer name xb1
	ip link set xb0 up
	ip link set xb1 up
	ip addr add 198.18.5.254/24 dev xb0
	ip -6 addr add 2001:db8:5::fe/64 dev xb0 nodad
	ip neigh add 198.18.5.1 lladdr 02:00:00:00:05:01 dev xb0 nud permanent
	ip -6 neigh add 2001:db8:5::1 lladdr 02:00:00:00:05:01 dev xb0 \
		nud permanent
	"$BENCH/bench_lb" xb0
}

# A veth pair A-B with two queues each way, checksum offload off.
veth_pair() {
	ip link add "$1" numtxqueues 2 numrxqueues 2 type veth \
		peer name "$2" numtxqueues 2 numrxqueues 2
	ethtool -K "$1" tx off rx off >/dev/null
	ethtool -K "$2" tx off rx off >/dev/null
	ip link set "$1" up
	ip link set "$2" up
}

# End to end: a veth pair with two queues each way; checksum offload off
# as on a real NIC. A second pair is the generator's loop where live
# frames are refused, its transmit queues one per CPU (XPS, through a
# sysfs of this namespace's own; the mount namespace is private too).
inside_e2e() {
	ip link set lo up
	mount -t sysfs sysfs /sys
	# no IPv6 link-local chatter (MLD, router solicitations) in the loop
	sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	veth_pair xgen xlb
	veth_pair xamp0 xamp1
	echo 1 >/sys/class/net/xamp1/queues/tx-0/xps_cpus
	echo 2 >/sys/class/net/xamp1/queues/tx-1/xps_cpus
	"$BENCH/bench_e2e" xgen xlb xamp0 xamp1
}

if [ "${1:-}" = --inside ]; then
	"inside_$2"
	exit
fi

if [ "$(id -u)" != 0 ]; then
	echo "bench.sh: needs root" >&2
	exit 1
fi

[ $# -gt 0 ] || set -- filter lb e2e mem reap
for b in "$@"; do
	case $b in
	filter) "$BENCH/bench_filter" ;;
	mem) "$BENCH/bench_mem" ;;
	reap) "$BENCH/bench_reap" ;;
	lb) unshare -n bash "$0" --inside "$b" ;;
	e2e) unshare -n -m bash "$0" --inside "$b" ;;
	*)
		echo "bench.sh: unknown benchmark '$b'" >&2
		exit 1
		;;
	esac
done
