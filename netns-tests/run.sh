#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the netns tier: every netns-tests/test_*.sh (or those named), each
# inside a private network and mount namespace with its own /run and its
# own bpffs, so nothing a test does reaches the host, and everything it
# made disappears when it ends, even if it is killed: its processes too,
# as each test also gets its own PID namespace. Prints each test's
# checks and one closing line "N passed, N failed, N skipped".
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
	if [ -n "${CI:-}" ]; then
		echo "netns tests need root (CI=true: failing)" >&2
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	echo "netns tests need root: skipped outside CI" >&2
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

# One test, already inside its private namespaces.
if [ "${XLB_NETNS_PRIVATE:-}" = 1 ]; then
	mount -t tmpfs tmpfs /run
	mkdir -p /run/netns
	mount -t bpf bpf /sys/fs/bpf
	ip link set lo up
	exec bash "$1"
fi

tests=("$@")
if [ "${#tests[@]}" -eq 0 ]; then
	tests=("$HERE"/test_*.sh)
fi

passed=0
failed=0
skipped=0
for t in "${tests[@]}"; do
	echo "== $(basename "$t")"
	log=$(mktemp)
	set +e
	# A PID namespace too: when the test ends, or is killed, every
	# process it started dies with it.
	XLB_NETNS_PRIVATE=1 timeout 600 \
		unshare -n -m -p --fork --kill-child --mount-proc \
		--propagation private bash "$0" "$t" 2>&1 |
		tee "$log"
	rc=${PIPESTATUS[0]}
	set -e
	last=$(tail -n 1 "$log")
	rm -f "$log"
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		skipped=$((skipped + BASH_REMATCH[3]))
		if [ "$rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
			failed=$((failed + 1))
		fi
	else
		echo "FAIL $(basename "$t"): ended without a result line (exit $rc)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
