#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Changes cut short are all or nothing. xlbd is SIGKILLed at crash points
# (XLB_CRASHPOINT) in the middle of changes, then started plainly, and the
# state is compared with what it was before the change and what the
# whole change makes (rule and entry ids included where a change keeps
# them):
#
# - batches (xlbctl -b) over a filter of 10,000 rules and 1,000 list
#   entries: 20,000 rule adds cut at the first change, the middle, the
#   last, inside one rule's add, after the last change (uncommitted) and
#   after the commit; a mixed batch (5,000 rule deletions, 12,000 adds,
#   2,500 deny adds, the 500 allow entries deleted) cut in the deletions,
#   the adds and the list changes; a single `rule flush` cut half-way.
#   After the restart the state is the one before (the batch undone:
#   deleted rules back with their ids and hit counters) or, cut after
#   the commit only, the one after; never in between;
# - reloads from config A (20,000 rules, 2,000 entries, VIPs .10-.14) to
#   config B (other rules, 4,000 entries, VIPs .12-.16), cut before they
#   change anything, in the rules added, the rules removed, the entries,
#   the VIPs and before the commit: after the restart the running
#   configuration is A's or B's, whole (by content), never a mix;
# - the ghost entry: a deny entry's add cut between its trie and its
#   spec, and a deletion cut between the two as well; after the restart
#   each entry is listed and enforced, or neither, and a reload of the
#   file then succeeds.
# - a pin dir without the record, as a build older than it leaves: the
#   state is adopted as it is, runtime changes included.
#
#  netns gc                          netns gx
# +------------------------+        +-------------------------------+
# | udp_burst.py           | gc-x   | xlbd (XDP generic, filter, lb)|
# | 198.18.0.2             +--------+ on gx-c 198.18.0.1            |
# | 198.18.0.3, .66        |  gx-c  | udp_echo.py :9000             |
# | 198.18.128.0 (rule 1)  |        |                               |
# +------------------------+        +-------------------------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=chg
PINS=/sys/fs/bpf/$NAME
LOG=$T_DIR/$NAME.log
CONF=$T_DIR/chg.conf
SRV=198.18.0.1
IF=gx-c

ns_add gc
ns_add gx
veth gc gc-x 198.18.0.2 gx "$IF" "$SRV"
veth_addr gc gc-x 198.18.0.3 gx "$IF"
veth_addr gc gc-x 198.18.0.66 gx "$IF"
veth_addr gc gc-x 198.18.128.0 gx "$IF"
ip -n gx route add 198.18.128.0/24 dev "$IF"
bg_ns gx python3 "$TOOLS/udp_echo.py" "$SRV" 9000

# gen DIR RULES PREFIXES [DPORT]: gen_filter.py's filter, dport changed.
gen() {
	mkdir "$1"
	python3 "$TOOLS/gen_filter.py" "$2" "$3" "$1"
	sed -i "s/dport = 9000/dport = ${4:-9000}/" "$1/filter.conf-part"
}

# write_conf FILTER_DIR FIRST_VIP LAST_VIP: the config, into $CONF.
write_conf() {
	local i
	{
		cat <<CONF
# test_crash_change
interfaces = (
	{ name = "$IF"; xdp = "generic"; tc = "off"; filter = true; lb = true; }
);
filter = {
	max_rules = 60000;
	max_prefixes = 20000;
CONF
		cat "$1/filter.conf-part"
		echo "};"
		echo "vips = ("
		for i in $(seq "$2" "$3"); do
			[ "$i" = "$2" ] || echo ","
			printf '\t{ address = "198.18.0.%s"; port = 80; proto = "tcp"; ' "$i"
			printf 'backends = ( { address = "198.18.0.200"; } ); }'
		done
		printf '\n);\n'
	} >"$CONF"
}

gen "$T_DIR/base" 10000 1000
gen "$T_DIR/a" 20000 2000
gen "$T_DIR/b" 20000 4000 9005

xlbd_bg() {
	env "$@" nsenter --net=/run/netns/gx -- "$XLBD" -c "$CONF" \
		--pin-dir "$PINS" --socket "$T_DIR/$NAME.sock" 2>>"$LOG" &
	XLBD_PID=$!
	T_PIDS+=("$XLBD_PID")
}
XLBD_PID=

# stop: SIGTERM to the daemon, if it runs, and wait for it.
stop() {
	kill -TERM "$XLBD_PID" 2>/dev/null || true
	wait "$XLBD_PID" 2>/dev/null || true
}

# start [ENV...]: from nothing, xlbd with ENV, until it answers.
start() {
	stop
	nsenter --net=/run/netns/gx -- "$XLBD" --detach --pin-dir "$PINS" \
		2>/dev/null || true
	: >"$LOG"
	xlbd_bg "$@"
	wait_for 30 serving || fatal "xlbd starts"
}

serving() {
	ctl "$NAME" status >/dev/null 2>&1
}

# exit_rc: RC gets the daemon's exit status (137: SIGKILL).
exit_rc() {
	RC=0
	wait "$XLBD_PID" 2>/dev/null || RC=$?
}

restart() {
	: >"$LOG"
	start_xlbd_within 30 gx "$CONF" "$NAME" || fatal "xlbd restarts"
}

# state [ids]: the rules, allow and deny entries and VIPs, one per line,
# sorted; with "ids", rule and entry ids too.
state() {
	local id=""
	[ "${1:-}" = ids ] && id='\(.id) '
	{
		ctl "$NAME" -j rule list |
			jq -r ".rules[] | \"rule $id\(.order) \(.action) \(.src) \(.dport)\""
		ctl "$NAME" -j allow list |
			jq -r ".entries[] | \"allow $id\(.hook) \(.prefix)\""
		ctl "$NAME" -j deny list |
			jq -r ".entries[] | \"deny $id\(.hook) \(.prefix)\""
		ctl "$NAME" -j vip list | jq -r '.vips[] | "vip \(.vip)"'
	} | LC_ALL=C sort
}

# same_as WANT: the state (given as the file WANT's mode) is WANT.
same_as() {
	local mode=""
	case $1 in *.ids) mode=ids ;; esac
	state $mode >"$T_DIR/got"
	cmp -s "$T_DIR/got" "$1"
}

# one_of LABEL BEFORE AFTER: the state is BEFORE's or AFTER's, whole;
# prints which.
one_of() {
	local which=neither
	if same_as "$2"; then
		which=before
	elif same_as "$3"; then
		which=after
	fi
	echo "$which"
}

reload_ok() {
	ctl "$NAME" config reload >/dev/null
}

burst() {
	in_ns gc python3 "$TOOLS/udp_burst.py" -s "$1" -w 0.3 "$SRV" 9000 3
}

echo "-- batches"
write_conf "$T_DIR/base" 10 10
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "rule add order %d drop src 198.19.%d.%d proto udp dport 9001\n",
		100000 + i, i / 256, i % 256 }' >"$T_DIR/adds.batch"
start
state ids >"$T_DIR/base.ids"
# The mixed batch deletes the first 5,000 rules by id.
ctl "$NAME" -j rule list | jq -r '.rules[] | select(.order < 6000) |
	"rule del \(.id)"' >"$T_DIR/mixed.batch"
awk 'BEGIN { for (i = 0; i < 12000; i++)
	printf "rule add order %d pass src 198.19.%d.%d\n",
		200000 + i, i / 256, i % 256
	for (i = 0; i < 2500; i++)
		printf "deny add ingress 2001:db8:2:%x::/64\n", i }' \
	>>"$T_DIR/mixed.batch"
jq -r '.entries[] | "allow del \(.hook) \(.prefix)"' \
	< <(ctl "$NAME" -j allow list) >>"$T_DIR/mixed.batch"
check_eq "the mixed batch: 20,000 changes" "$(wc -l <"$T_DIR/mixed.batch")" 20000
for b in adds mixed; do
	check_eq "batch $b: applied whole" "$(ctl "$NAME" -b "$T_DIR/$b.batch")" \
		"applied 20000 commands"
	state ids >"$T_DIR/$b.ids"
	start
done
stop
# rule 1 (order 1000) drops 198.18.128.0: 3 hits before the mixed batch
# deletes it, and still 3 after the batch is undone.
for cut in adds:batch-op:1 adds:batch-op:10000 adds:batch-op:20000 \
	adds:rule-add:25000 adds:batch-commit adds:batch-done \
	mixed:rule-del:2000 mixed:batch-op:12000 mixed:list-del:300; do
	b=${cut%%:*} point=${cut#*:}
	start XLB_CRASHPOINT="$point"
	[ "$b" = mixed ] && burst 198.18.128.0 >/dev/null
	ctl "$NAME" -b "$T_DIR/$b.batch" >/dev/null 2>&1 || true
	exit_rc
	check_eq "batch $b cut at $point: killed there" "$RC" 137
	check "...the point reached" grep -q "crash point ${point%%:*}" "$LOG"
	restart
	which=$(one_of "$b" "$T_DIR/base.ids" "$T_DIR/$b.ids")
	want=before
	[ "$point" = batch-done ] && want=after
	check_eq "batch $b cut at $point: the state before or after, whole" \
		"$which" "$want"
	if [ "$b" = mixed ]; then
		id=$(ctl "$NAME" -j rule list |
			jq -r '.rules[] | select(.order == 1000) | .id')
		check_eq "...rule 1000 back with id 1 and its 3 hits" \
			"$id $(ctl "$NAME" -j stats | jq -r '.filter.rules["1"].packets')" \
			"1 3"
	fi
	stop
done

echo "-- a single rule flush"
start XLB_CRASHPOINT=rule-del:5000
ctl "$NAME" rule flush >/dev/null 2>&1 || true
exit_rc
check_eq "rule flush cut half-way: killed" "$RC" 137
restart
check_eq "...every rule back, with its id" \
	"$(one_of flush "$T_DIR/base.ids" "$T_DIR/none")" before
stop

echo "-- reloads"
write_conf "$T_DIR/b" 12 16
start
state >"$T_DIR/b.state"
write_conf "$T_DIR/a" 10 14
start
state >"$T_DIR/a.state"
stop
check "configs A and B differ" bash -c "! cmp -s '$T_DIR/a.state' '$T_DIR/b.state'"
# Passes of each point during A's start: 20,000 rule adds, 2,000 list
# adds, 5 VIPs; the reload's come after.
for point in reload ifaces:2 rule-add:30000 rule-del:5000 list-add:3000 \
	lb-vip:8 reload-commit; do
	write_conf "$T_DIR/a" 10 14
	start XLB_CRASHPOINT="$point"
	write_conf "$T_DIR/b" 12 16
	ctl "$NAME" config reload >/dev/null 2>&1 || true
	exit_rc
	check_eq "reload cut at $point: killed there" "$RC" 137
	check "...the point reached" grep -q "crash point ${point%%:*}" "$LOG"
	restart
	want=after
	[ "$point" = reload ] && want=before
	check_eq "reload cut at $point: A or B, whole" \
		"$(one_of reload "$T_DIR/a.state" "$T_DIR/b.state")" "$want"
	stop
done

echo "-- the ghost entry"
write_conf "$T_DIR/base" 10 10
for cut in add:198.18.0.66/32:list-add:1001 del:198.18.0.3/32:list-del:1; do
	verb=${cut%%:*} rest=${cut#*:}
	pfx=${rest%%:*} point=${rest#*:}
	change="$verb $pfx"
	start XLB_CRASHPOINT="$point"
	ctl "$NAME" deny "$verb" "$pfx" >/dev/null 2>&1 || true
	exit_rc
	check_eq "deny $change cut at $point: killed" "$RC" 137
	restart
	listed=$(ctl "$NAME" -j deny list |
		jq -r --arg p "$pfx" '[.entries[] | select(.prefix == $p)] | length')
	echoes=$(burst "${pfx%/32}")
	check_eq "deny $change: listed and enforced, or neither ($listed, $echoes echoes)" \
		"$listed$echoes" "$([ "$listed" = 1 ] && echo 10 || echo 03)"
	check "...then a reload succeeds" reload_ok
	check_eq "...and the file's state is whole" "$(one_of ghost \
		"$T_DIR/base.ids" "$T_DIR/none")" before
	stop
done

echo "-- the state of a build older than the record"
start
ctl "$NAME" deny add 198.18.0.66/32 >/dev/null
stop
rm "$PINS/xlb_txn"
restart
check "adopted as it is, runtime changes kept" \
	grep -q "no transaction record: the state of an older build" "$LOG"
check_eq "...the deny entry added at runtime still there" "$(ctl "$NAME" -j deny list |
	jq '[.entries[] | select(.prefix == "198.18.0.66/32")] | length')" 1
stop

t_done
