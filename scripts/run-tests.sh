#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the test tiers (lint, unit, asan, bpf, netns; "all" for every one), each
# ending with its own "N passed, N failed, N skipped" line, and closes
# with "total: N passed, N failed, N skipped". Exits non-zero if anything
# failed or a tier ended without its result line.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

total_p=0
total_f=0
total_s=0
# The running tier's counts.
tier_p=0
tier_f=0
tier_s=0

# tally WHAT: read a test's output on stdin, echo it, add its counts to
# the tier's. Output without a result line counts as one failure.
tally() {
	local what=$1 line last=""
	while IFS= read -r line; do
		printf '%s\n' "$line"
		last=$line
	done
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		tier_p=$((tier_p + BASH_REMATCH[1]))
		tier_f=$((tier_f + BASH_REMATCH[2]))
		tier_s=$((tier_s + BASH_REMATCH[3]))
	else
		echo "FAIL $what: no result line"
		tier_f=$((tier_f + 1))
	fi
}

# run_bin TIER BIN [ARG...]: a test binary; a crash without a failed
# count fails.
run_bin() {
	local out rc bin=$2
	shift 2
	out=$(mktemp)
	set +e
	"$bin" "$@" >"$out" 2>&1
	rc=$?
	set -e
	if [ "$rc" -ne 0 ] && ! grep -Eq '[1-9][0-9]* failed' "$out"; then
		echo "FAIL $(basename "$bin"): exit $rc" >>"$out"
		echo "0 passed, 1 failed, 0 skipped" >>"$out"
	fi
	tally "$bin" <"$out"
	rm -f "$out"
}

# lint_check NAME CMD...: one lint check, its output shown on failure.
lint_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "ok   $name"
		return 0
	fi
	printf '%s\n' "$out" | head -n 40
	echo "FAIL $name"
	return 1
}

help_matches_doc() {
	diff <(build/xlbctl help) \
		<(sed -n '/<!-- help-begin -->/,/<!-- help-end -->/p' docs/cli.md |
			sed '1,2d;$d' | sed '$d')
}

lint_checks() {
	local p=0 f=0
	for check in "clang-format:make -s check-format" \
		"shellcheck:make -s shellcheck" \
		"xlbctl help matches docs/cli.md:help_matches_doc"; do
		# shellcheck disable=SC2086  # the command is split on purpose
		if lint_check "${check%%:*}" ${check#*:}; then
			p=$((p + 1))
		else
			f=$((f + 1))
		fi
	done
	echo "$p passed, $f failed, 0 skipped"
}

tier_lint() {
	local out
	out=$(mktemp)
	lint_checks >"$out" 2>&1 || true
	tally lint <"$out"
	rm -f "$out"
}

# Unit tests come from ctl/tests, BPF tests from dataplane/tests.
tier_unit() {
	local t
	for t in build/tests/test_*; do
		if [ -f "ctl/tests/$(basename "$t").c" ]; then
			run_bin unit "$t"
		fi
	done
}

# The unit tests built with AddressSanitizer and UBSan: a leak, a bad
# access or undefined behaviour ends the test with a report, and fails it.
tier_asan() {
	local t
	for t in build/asan/tests/test_*; do
		ASAN_OPTIONS=detect_leaks=1 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			run_bin asan "$t"
	done
}

# The BPF tests, then a slice of the differential fuzzer: a fixed seed,
# so that it runs the same frames every time (make fuzz runs a million).
FUZZ_SLICE_SEED=1
FUZZ_SLICE_FRAMES=20000

tier_bpf() {
	local t
	for t in build/tests/test_*; do
		if [ -f "dataplane/tests/$(basename "$t").c" ]; then
			run_bin bpf "$t"
		fi
	done
	run_bin bpf build/fuzz/xlb_fuzz --seed "$FUZZ_SLICE_SEED" \
		--frames "$FUZZ_SLICE_FRAMES"
}

tier_netns() {
	local out
	out=$(mktemp)
	set +e
	bash netns-tests/run.sh >"$out" 2>&1
	set -e
	tally netns-tests/run.sh <"$out"
	rm -f "$out"
}

tiers=("$@")
if [ "${#tiers[@]}" -eq 0 ] || [ "${tiers[0]}" = all ]; then
	tiers=(lint unit asan bpf netns)
fi
for tier in "${tiers[@]}"; do
	echo "=== $tier"
	tier_p=0
	tier_f=0
	tier_s=0
	case $tier in
	lint) tier_lint ;;
	unit) tier_unit ;;
	asan) tier_asan ;;
	bpf) tier_bpf ;;
	netns) tier_netns ;;
	*)
		echo "run-tests.sh: unknown tier '$tier'" >&2
		exit 2
		;;
	esac
	echo "$tier: $tier_p passed, $tier_f failed, $tier_s skipped"
	total_p=$((total_p + tier_p))
	total_f=$((total_f + tier_f))
	total_s=$((total_s + tier_s))
done
echo "total: $total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
