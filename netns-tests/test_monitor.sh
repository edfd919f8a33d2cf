#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbctl monitor end to end: a drop rule on xlbd's link, 100 UDP
# datagrams it drops seen as 100 text lines with the reason and as 100
# pcap records tcpdump reads with their addresses and ports; `all sample
# 1` shows passed packets too; two clients at once each get what they
# asked for, sixteen too, and a seventeenth is refused; xlbctl killed with -9, and xlbd killed with -9 and started
# again, leave xlb_monitor_conf at 0; a client that does not read loses
# events (told in a line of its own) without holding xlbd up.
#
#    netns mc                         netns ml
#  +----------------------+          +------------------------------+
#  | udp_burst            |          | xlbd: ml-c, XDP native, tc   |
#  |                      |          | both, filter: drop udp 9999  |
#  |   mc-l 198.18.0.2/24 +----------+ ml-c 198.18.0.1/24           |
#  +----------------------+          +------------------------------+
#
# Static neighbours, no IPv6: only the test's packets cross the link.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CONF=$T_DIR/ml.conf
CONF_PIN=/sys/fs/bpf/ml/xlb_monitor_conf
N=100

ns_add mc
ns_add ml
veth mc mc-l 198.18.0.2 ml ml-c 198.18.0.1

cat >"$CONF" <<CONF
interfaces = (
	{ name = "ml-c"; xdp = "native"; tc = "both"; filter = true; }
);
filter = {
	rules = (
		{ order = 10; action = "drop"; proto = "udp"; dport = 9999; }
	);
};
CONF
start_xlbd ml "$CONF" ml || fatal "xlbd starts"

# monitor_flags: xlb_monitor_conf's flags as the kernel holds them.
monitor_flags() {
	bpftool -j map dump pinned "$CONF_PIN" |
		jq -r '.[0].formatted.value.flags // .[0].value.flags'
}

flags_are() {
	[ "$(monitor_flags)" = "$1" ]
}

# send PORT COUNT: COUNT datagrams from mc (port 40000) to ml's PORT.
send() {
	in_ns mc python3 "$TOOLS/udp_send.py" 198.18.0.2 40000 198.18.0.1 \
		"$1" "$2"
}

# exited PID: the process is gone (a zombie counts as gone).
exited() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = Z ]
}

check_eq "no monitor: xlb_monitor_conf off" "$(monitor_flags)" 0

# 100 drops: text lines and a pcap file.
"$XLBCTL" -s "$T_DIR/ml.sock" monitor count "$N" write "$T_DIR/drops.pcap" \
	>"$T_DIR/drops.txt" 2>"$T_DIR/drops.err" &
MON=$!
T_PIDS+=("$MON")
check "monitor drops: xlb_monitor_conf drops" wait_for 5 flags_are 1
send 9999 "$N"
wait_for 10 exited "$MON" || true
rc=0
wait "$MON" || rc=$?
check_eq "monitor count $N: exit status" "$rc" 0
check_eq "monitor: $N text lines" "$(wc -l <"$T_DIR/drops.txt")" "$N"
head -n 1 "$T_DIR/drops.txt"
check_eq "monitor: $N lines say xdp ml-c drop filter_rule udp" \
	"$(grep -cE '^[0-9:.]+ xdp ml-c drop filter_rule udp 198\.18\.0\.2:40000 > 198\.18\.0\.1:9999 len [0-9]+$' "$T_DIR/drops.txt")" \
	"$N"
tcpdump -nn -r "$T_DIR/drops.pcap" >"$T_DIR/drops.tcpdump" 2>/dev/null
check_eq "pcap: tcpdump reads $N records" \
	"$(wc -l <"$T_DIR/drops.tcpdump")" "$N"
check_eq "pcap: $N records of 198.18.0.2.40000 > 198.18.0.1.9999 UDP" \
	"$(grep -c ' IP 198\.18\.0\.2\.40000 > 198\.18\.0\.1\.9999: UDP' "$T_DIR/drops.tcpdump")" \
	"$N"
check "monitor ended: xlb_monitor_conf off" wait_for 5 flags_are 0

# all, sample 1: passed packets (a port nothing drops) too.
"$XLBCTL" -s "$T_DIR/ml.sock" -j monitor all sample 1 count 5 \
	>"$T_DIR/all.json" 2>"$T_DIR/all.err" &
MON=$!
T_PIDS+=("$MON")
check "monitor all: xlb_monitor_conf drops|all" wait_for 5 flags_are 3
send 9998 10
wait_for 10 exited "$MON" || true
rc=0
wait "$MON" || rc=$?
check_eq "monitor all count 5: exit status" "$rc" 0
head -n 1 "$T_DIR/all.json"
check "monitor all: passed packets shown, with -j" \
	test "$(jq -r 'select(.verdict == "pass" and .dport == 9998) | .reason' \
		"$T_DIR/all.json" | grep -c none)" -ge 1

# Two clients at once: drops only, and everything.
"$XLBCTL" -s "$T_DIR/ml.sock" -j monitor drops count 10 \
	>"$T_DIR/two-d.json" 2>&1 &
MON_D=$!
"$XLBCTL" -s "$T_DIR/ml.sock" -j monitor all count 20 \
	>"$T_DIR/two-a.json" 2>&1 &
MON_A=$!
T_PIDS+=("$MON_D" "$MON_A")
check "two clients: xlb_monitor_conf drops|all" wait_for 5 flags_are 3
send 9999 10
send 9998 20
wait_for 10 exited "$MON_D" || true
wait_for 10 exited "$MON_A" || true
rc=0
wait "$MON_D" || rc=$?
wait "$MON_A" || rc=$?
check_eq "two clients: both exit 0" "$rc" 0
check_eq "two clients: drops client got 10 drops" \
	"$(jq -r 'select(.type == "packet") | .verdict' "$T_DIR/two-d.json" |
		sort | uniq -c | tr -s ' ')" " 10 drop"
check "two clients: all client got passes and drops" \
	test "$(jq -r 'select(.type == "packet") | .verdict' "$T_DIR/two-a.json" |
		sort -u | tr '\n' ' ')" = "drop pass "
check "two clients gone: xlb_monitor_conf off" wait_for 5 flags_are 0

# Sixteen clients at once, each told of one drop; a seventeenth refused.
# monitors_attached N: xlbd's log says N clients started so far.
monitors_attached() {
	[ "$(grep -c 'monitor: a client started' "$T_DIR/ml.log")" -ge "$1" ]
}
base=$(grep -c 'monitor: a client started' "$T_DIR/ml.log")
MANY=()
for i in $(seq 16); do
	"$XLBCTL" -s "$T_DIR/ml.sock" -j monitor count 1 \
		>"$T_DIR/many-$i.json" 2>&1 &
	MANY+=("$!")
	T_PIDS+=("$!")
done
check "16 clients: all started" wait_for 5 monitors_attached $((base + 16))
check "a 17th client: refused, exit 2" expect_fail 2 "16 monitors run already" \
	"$XLBCTL" -s "$T_DIR/ml.sock" monitor count 1
send 9999 1
rc=0
for pid in "${MANY[@]}"; do
	wait_for 10 exited "$pid" || true
	wait "$pid" || rc=$?
done
check_eq "16 clients: each exits 0" "$rc" 0
check_eq "16 clients: each got the drop" \
	"$(cat "$T_DIR"/many-*.json | jq -r .reason | sort | uniq -c | tr -s ' ')" \
	" 16 filter_rule"
check "16 clients gone: xlb_monitor_conf off" wait_for 5 flags_are 0

# kill -9 of xlbctl while monitoring.
"$XLBCTL" -s "$T_DIR/ml.sock" monitor all >/dev/null 2>&1 &
MON=$!
T_PIDS+=("$MON")
check "monitor running: xlb_monitor_conf on" wait_for 5 flags_are 3
kill -9 "$MON"
wait "$MON" 2>/dev/null || true
check "xlbctl killed -9: xlb_monitor_conf off" wait_for 5 flags_are 0

# A client that never reads: it loses events, xlbd serves the others.
python3 "$TOOLS/mon_slow.py" "$T_DIR/ml.sock" "$T_DIR/slow.go" \
	>"$T_DIR/slow.json" 2>&1 &
SLOW=$!
T_PIDS+=("$SLOW")
check "slow client: monitoring" wait_for 5 flags_are 3
send 9998 2000
check "slow client: xlbd still answers others" ctl ml status >/dev/null
touch "$T_DIR/slow.go"
# told_lost: the slow client heard of its losses; else more packets,
# whose events follow the loss line once it reads.
told_lost() {
	exited "$SLOW" && return 0
	send 9998 5
	return 1
}
wait_for 10 told_lost || true
rc=0
wait "$SLOW" || rc=$?
check_eq "slow client: told of events lost in xlbd" "$rc" 0
check "slow client: the loss line counts events" \
	test "$(jq -r 'select(.type == "lost") | .events' "$T_DIR/slow.json")" -gt 0

# kill -9 of xlbd while a client monitors: the next xlbd clears it.
"$XLBCTL" -s "$T_DIR/ml.sock" monitor >/dev/null 2>"$T_DIR/orphan.err" &
MON=$!
T_PIDS+=("$MON")
check "before xlbd is killed: xlb_monitor_conf on" wait_for 5 flags_are 1
kill -9 "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null || true
wait_for 10 exited "$MON" || true
rc=0
wait "$MON" || rc=$?
check_eq "xlbd gone: xlbctl monitor exits 2" "$rc" 2
check_eq "xlbd killed -9: xlb_monitor_conf left on" "$(monitor_flags)" 1
start_xlbd ml "$CONF" ml || fatal "xlbd starts again"
check_eq "xlbd restarted: xlb_monitor_conf off" "$(monitor_flags)" 0

t_done
