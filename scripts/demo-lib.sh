#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by scripts/demo.sh and scripts/demo-lb.sh: printing, namespaces,
# background processes and xlbd. A demo sets DIR, SOCK, CONF, PIN_DIR,
# XLBD and XLBCTL, keeps PIDS=() and calls demo_reexec "$@" first.
# shellcheck disable=SC2034  # BG_PID and XLBD_PID are the demos'

# Re-execute the demo inside private network, mount and PID namespaces.
# --kill-child ties them to this process: if it dies, everything started
# inside dies with it.
demo_reexec() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$(basename "$SELF"): run as root (it creates network namespaces and loads BPF programs)" >&2
		exit 1
	fi
	if [ -z "${XLB_DEMO_INSIDE:-}" ]; then
		export XLB_DEMO_INSIDE=1
		exec unshare --net --mount --propagation private --pid --fork \
			--kill-child --mount-proc bash "$SELF" "$@"
	fi
}

# Stop what the demo started and delete its namespaces.
demo_cleanup() {
	local pid ns
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	for ns in $(ip netns list | cut -d' ' -f1); do
		ip netns del "$ns" 2>/dev/null || true
	done
}

section() {
	printf '\n== %s ==\n' "$*"
}

die() {
	echo "$(basename "$SELF"): $*" >&2
	exit 1
}

in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# bg NS CMD...: run CMD in NS in the background, stopped at cleanup.
# nsenter execs CMD, so $! is CMD itself.
bg() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@" &
	BG_PID=$!
	PIDS+=("$BG_PID")
}

# wait_for DESCRIPTION CMD...: retry CMD for up to 5 seconds.
wait_for() {
	local what=$1
	shift
	for _ in $(seq 50); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	die "timed out waiting for $what"
}

ctl() {
	"$XLBCTL" -s "$SOCK" "$@"
}

# check_tools TOOL...: every tool present, xlb built.
check_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			die "'$t' is missing: run scripts/deps.sh"
	done
	if [ ! -x "$XLBD" ] || [ ! -x "$XLBCTL" ]; then
		die "build xlb first: make"
	fi
}

# A tmpfs on /run and a fresh bpffs, in the private mount namespace.
setup_ns() {
	mount -t tmpfs -o mode=0755 xlb-demo /run
	mount -t bpf bpf /sys/fs/bpf
	mkdir -m 0700 "$DIR"
}

# start_xlbd NS: xlbd on $CONF in NS, up and answering.
start_xlbd() {
	bg "$1" "$XLBD" -c "$CONF" --pin-dir "$PIN_DIR" --socket "$SOCK" \
		2>"$DIR/xlbd.log"
	XLBD_PID=$BG_PID
	for _ in $(seq 50); do
		if ctl status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$XLBD_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$DIR/xlbd.log" >&2
	die "xlbd did not come up"
}

mac_of() {
	ip -n "$1" -j link show "$2" | jq -r '.[0].address'
}
