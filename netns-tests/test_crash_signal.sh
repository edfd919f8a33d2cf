#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Signals during a start never leave it half-made. The config of
# crash_lib.sh (100,000 rules, 100,000 list entries, 20 NAT VIPs) is
# started on a fresh pin dir again and again: SIGTERM and SIGINT at crash
# points in the rules, the list entries and the VIPs make xlbd finish
# the start, commit it and exit 0, and the next start adopts it without
# applying the file; SIGHUP at a crash point leaves xlbd serving, and it
# reloads once the start is over; then SIGKILL, SIGTERM and SIGHUP sent
# from outside after a delay, wherever they land. After each, the whole
# config is served (crash_lib.sh's whole). Topology and config:
# crash_lib.sh.
#
# shellcheck source=netns-tests/crash_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/crash_lib.sh"

echo "-- SIGTERM and SIGINT at crash points: the start finishes first"
for cut in rule-add:30000:TERM list-add:20000:INT lb-vip:5:TERM; do
	check "${cut##*:} at ${cut%:*}: from nothing" fresh
	: >"$LOG"
	xlbd_bg XLB_CRASHPOINT="$cut"
	exit_of "$XLBD_PID"
	check_eq "${cut##*:} at ${cut%:*}: reached, exit after the commit" \
		"$(reached "${cut%%:*}" && echo yes) $RC $(grep -c 'start committed' "$LOG")" \
		"yes 0 1"
	plain_start || fatal "a plain start after ${cut##*:}"
	check "${cut##*:} at ${cut%:*}: the next start adopts, applies nothing" \
		bash -c "! grep -q 'whole\|filter: [0-9]* rules' '$LOG'"
	whole "after ${cut##*:} at ${cut%:*}"
	stop
done

echo "-- SIGHUP at a crash point: a reload after the start"
check "HUP: from nothing" fresh
: >"$LOG"
xlbd_bg XLB_CRASHPOINT=rule-add:40000:HUP
check "HUP at rule-add:40000: xlbd serves" wait_for 60 serving
check "...and reloads once the start is over" \
	wait_for 30 grep -q "reload committed: generation 2" "$LOG"
check "...having passed the point" reached rule-add
whole "after SIGHUP at rule-add:40000"
stop

echo "-- signals from outside, wherever they land"
for cut in 1.0:KILL 2.0:KILL 0.5:TERM 1.5:TERM 0.5:HUP; do
	sig=${cut#*:}
	check "$sig after ${cut%:*} s: from nothing" fresh
	: >"$LOG"
	xlbd_bg
	sleep "${cut%:*}"
	kill -"$sig" "$XLBD_PID"
	if [ "$sig" = HUP ]; then
		check "HUP after ${cut%:*} s: xlbd serves" wait_for 60 serving
		check "...and reloads" \
			wait_for 30 grep -q "reload committed" "$LOG"
	else
		exit_of "$XLBD_PID"
		check "$sig after ${cut%:*} s: exit $RC" \
			bash -c "[ $RC -eq $([ "$sig" = KILL ] && echo 137 || echo 0) ]"
		plain_start || fatal "a plain start after $sig"
	fi
	whole "after $sig at ${cut%:*} s"
	stop
done

t_done
