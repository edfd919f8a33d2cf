#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A start cut short is finished by the next one. The config of
# crash_lib.sh (100,000 rules, 100,000 list entries, 20 NAT VIPs) is
# started on a fresh pin dir again and again, each start SIGKILLed at
# another crash point (XLB_CRASHPOINT): the object loaded and its maps
# pinned, some programs pinned, all of them, the interfaces attached, in
# the middle of the rules, of the list entries and of the VIPs, and
# just before the commit; then two starts in a row cut. Each point must
# be reached (its log line) and the SIGKILL must kill; the plain start
# that follows must apply the file (never adopt what the cut start
# left), after which the whole config is served (crash_lib.sh's whole).
# Topology and config: crash_lib.sh.
#
# shellcheck source=netns-tests/crash_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/crash_lib.sh"

# cut_kill POINT: a fresh start SIGKILLed at POINT, then a plain start.
cut_kill() {
	local point=$1
	: >"$LOG"
	xlbd_bg XLB_CRASHPOINT="$point"
	exit_of "$XLBD_PID"
	check "kill at $point: reached, killed ($RC)" \
		bash -c "[ $RC -eq 137 ] && grep -q 'crash point ${point%%:*}' '$LOG'"
	plain_start || fatal "a plain start after the kill at $point"
	check "kill at $point: the next start applies the file" \
		grep -q "applying $CONF whole\|loaded data plane" "$LOG"
	whole "after the kill at $point"
}

echo "-- a start that is not cut"
check "no pins to begin with" fresh
t0=$EPOCHREALTIME
plain_start || fatal "xlbd starts with the big config"
echo "info the whole start took $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
	'BEGIN { printf "%.2f", b - a }') s"
check "the start committed" grep -q "start committed: generation 1" "$LOG"
whole "a plain start"
ctl "$NAME" detach >/dev/null
wait "$XLBD_PID" || true

echo "-- SIGKILL at crash points of fresh starts"
for point in load pin:2 pin:4 ifaces rule-add:50000 list-add:70000 \
	lb-vip:10 start-commit; do
	check "kill at $point: from nothing" fresh
	cut_kill "$point"
	stop
done

echo "-- two cut starts in a row"
check "twice: from nothing" fresh
: >"$LOG"
xlbd_bg XLB_CRASHPOINT=rule-add:60000
exit_of "$XLBD_PID"
check_eq "a start killed at rule-add:60000" "$RC" 137
: >"$LOG"
xlbd_bg XLB_CRASHPOINT=list-add:100
exit_of "$XLBD_PID"
check_eq "the next one killed at list-add:100" "$RC" 137
check "...while it applied the file again" grep -q "a start was cut short" "$LOG"
plain_start || fatal "a plain start after two cuts"
whole "after two cut starts"
stop

t_done
