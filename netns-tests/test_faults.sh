#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Resource faults: xlbd out of file descriptors. xlbd runs a DSR VIP
# (with a tcp health check every 0.2 s) and a NAT VIP over two backends;
# its RLIMIT_NOFILE is then set (prlimit) just above the descriptors it
# holds, and clients open connections to the control socket and /metrics
# and hold them until xlbd has none left. A route change meanwhile makes
# the resolver look up every next hop again, and health probes cannot
# open their sockets. While it lasts: both rings keep both backends
# (vip list, asked on a connection made before), health keeps them up
# (the probes not made are counted apart), new flows reach both backends
# through both VIPs, xlbd's CPU time over 3 s stays near zero (no busy
# loop on a listening socket that stays readable), and a new xlbctl gets
# an answer at once ("try again") rather than a hang. Each fault is
# logged once per place, not per event. Once the clients let go,
# `status` and /metrics answer again, by themselves.
#
#  netns fc              netns fl (xlbd, XDP generic)        netns fb1
# +------------+        +---------------------------+       +---------------------+
# | curl       |veth-cli| veth-xlb      veth-b1     |veth-s1| 198.18.1.2 :80 (b1) |
# | 198.18.0.2 +--------+ 198.18.0.1    198.18.1.1  +-------+ 198.18.0.10 on lo   |
# |            |        | fd_hold.py    veth-b2     |       +---------------------+
# +------------+        | (the clients) 198.18.2.1  +-------+ netns fb2: as fb1,  |
#                       +---------------------------+veth-s2| 198.18.2.2 (b2)     |
#                                                           +---------------------+
#
# VIPs: 198.18.0.10:80/tcp (DSR, health checked) and 198.18.0.20:80/tcp
# (NAT), routed by the client to the LB.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VDSR=198.18.0.10
VNAT=198.18.0.20
NAME=xlb-faults
CONF=$T_DIR/faults.conf
LOG=$T_DIR/$NAME.log
METRICS=127.0.0.1:9477
# Descriptors left to xlbd above those it holds when the limit is set.
HEADROOM=8
# Held connections: far more than the headroom, fewer than either
# server's client slots (32 and 16), so every refusal is for want of
# fds. Those to the control socket come first and keep xlbd out of fds
# (it has no deadline for an idle client, as /metrics has).
N_CTL=24
N_METRICS=12
# xlbd's CPU time over CPU_SECS while out of descriptors: at most
# CPU_MAX_PCT percent of one CPU (a busy loop takes 100).
CPU_SECS=3
CPU_MAX_PCT=10
TICKS=$(getconf CLK_TCK)

star f "$VDSR" "$VNAT"
star_http f "$VDSR" || fatal "the backends serve HTTP"

cat >"$CONF" <<CONF
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b2"; xdp = "generic"; tc = "off"; lb = true; }
);
vips = (
	{ address = "$VDSR"; port = 80; proto = "tcp"; mode = "dsr";
	  health = { type = "tcp"; interval = "0.2s"; timeout = "0.15s";
		     rise = 2; fall = 2; };
	  backends = ( { address = "198.18.1.2"; },
		       { address = "198.18.2.2"; } ); },
	{ address = "$VNAT"; port = 80; proto = "tcp"; mode = "nat";
	  backends = ( { address = "198.18.1.2"; },
		       { address = "198.18.2.2"; } ); }
);
CONF
start_xlbd fl "$CONF" "$NAME" --metrics "$METRICS" || fatal "xlbd starts"
PID=$XLBD_PID

# active_in_ring VIPS_JSON: every backend of every VIP active and in
# its ring, and each ring holding both.
active_in_ring() {
	jq -e '[.vips[] | .in_ring == 2 and ([.backends[] |
		.state == "active" and .in_ring] | all)] |
		length == 2 and all' >/dev/null
}

all_active() {
	ctl "$NAME" -j vip list | active_in_ring
}
check "both VIPs: both backends active and in the ring" wait_for 5 all_active

# who VIP N: N new flows to VIP; the answers counted, "b1:3 b2:7".
who() {
	answers fc "http://$1/name" "$2"
}
both_answer() {
	[[ $(who "$1" 20) =~ ^b1:[0-9]+\ b2:[0-9]+$ ]]
}
check "DSR: new flows reach both backends" both_answer "$VDSR"
check "NAT: new flows reach both backends" both_answer "$VNAT"

# fds: how many descriptors xlbd holds.
fds() {
	find "/proc/$PID/fd" -mindepth 1 | wc -l
}

# limit_for FREE: the RLIMIT_NOFILE that leaves xlbd FREE descriptors
# (new ones take the lowest free numbers, below the limit; those it
# holds above it stay open).
limit_for() {
	local free=$1 limit=0 fd
	while read -r fd; do
		while [ "$limit" -lt "$fd" ] && [ "$free" -gt 0 ]; do
			limit=$((limit + 1))
			free=$((free - 1))
		done
		[ "$free" -eq 0 ] && break
		limit=$((fd + 1))
	done < <(find "/proc/$PID/fd" -mindepth 1 -printf '%f\n' | sort -n)
	echo $((limit + free))
}

# cpu_ticks: xlbd's user + system time, in clock ticks (fields 14 and
# 15 of /proc/PID/stat; the command name before them may hold spaces).
cpu_ticks() {
	local stat f
	stat=$(cat "/proc/$PID/stat")
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}

LIMIT=$(limit_for "$HEADROOM")
# The soft limit only: raising the hard one back needs CAP_SYS_RESOURCE.
OLD_LIMIT=$(prlimit --pid "$PID" --nofile --noheadings --raw -o SOFT)
prlimit --pid "$PID" --nofile="$LIMIT:" ||
	fatal "RLIMIT_NOFILE of xlbd set to $LIMIT"
echo "  xlbd holds $(fds) descriptors; RLIMIT_NOFILE now $LIMIT"

# The clients, in the LB's namespace (/metrics listens on its loopback).
mkfifo "$T_DIR/cmds"
bg_ns fl python3 "$TOOLS/fd_hold.py" "$T_DIR/$NAME.sock" "$METRICS" \
	"$T_DIR/cmds" "$T_DIR/hold.out"
exec 3>"$T_DIR/cmds"

# tell CMD: one command to the clients; its line of output.
touch "$T_DIR/hold.out"
tell() {
	local n
	n=$(($(wc -l <"$T_DIR/hold.out") + 1))
	echo "$1" >&3
	wait_for 10 bash -c "[ \$(wc -l <'$T_DIR/hold.out') -ge $n ]" ||
		return 1
	sed -n "${n}p" "$T_DIR/hold.out"
}

# exhausted: no descriptor number below the limit is free.
exhausted() {
	[ "$(find "/proc/$PID/fd" -mindepth 1 -printf '%f\n' |
		awk -v l="$LIMIT" '$1 < l' | wc -l)" -ge "$LIMIT" ]
}
echo "  $(tell "ctl $N_CTL") connections to the control socket held"
check "xlbd runs out of descriptors" wait_for 10 exhausted
echo "  $(tell "metrics $N_METRICS") connections to /metrics held"

# Every next hop looked up again (a route changed) while out of fds;
# health probes cannot open their sockets.
ip -n fl route add 198.18.9.0/24 dev veth-xlb
logged() {
	grep -q -- "$1" "$LOG"
}
check "the resolver meets the fault" wait_for 10 logged \
	'lb: .*Too many open files'
check "health probes meet the fault" wait_for 10 logged \
	'health: .*Too many open files'
check "/metrics meets the fault" wait_for 10 logged \
	'metrics: .*Too many open files'

# skipped_probes: the fewest probes not made of the DSR VIP's backends.
skipped_probes() {
	tell '{"cmd":"backend_list"}' | jq '[.data.backends[] |
		select(.vip == "'"$VDSR"':80/tcp") |
		.health.checks_not_run // 0] | min'
}
many_skipped() {
	[ "$(skipped_probes)" -ge 3 ]
}
check "health: probes not made are counted apart (3 each)" \
	wait_for 10 many_skipped
check "out of fds: both rings intact, every backend active" \
	bash -c "$(declare -f active_in_ring); \
		[ -n \"\$1\" ] && active_in_ring <<<\"\$1\"" _ \
	"$(tell '{"cmd":"vip_list"}' | jq -c .data)"
check "out of fds: DSR flows reach both backends" both_answer "$VDSR"
check "out of fds: NAT flows reach both backends" both_answer "$VNAT"

t0=$(cpu_ticks)
sleep "$CPU_SECS"
t1=$(cpu_ticks)
used=$((t1 - t0))
echo "  xlbd's CPU time over $CPU_SECS s out of fds: $used ticks of $TICKS/s"
check "out of fds: xlbd's CPU near idle (< $CPU_MAX_PCT%)" \
	[ $((used * 100)) -lt $((CPU_SECS * TICKS * CPU_MAX_PCT)) ]
check "out of fds: still out" exhausted

start=$(now_ms)
check "out of fds: a new xlbctl is told to try again" \
	expect_fail 2 "try again" ctl "$NAME" status
took=$(($(now_ms) - start))
check "...at once (${took} ms)" [ "$took" -lt 2000 ]

check_eq "the clients let go" "$(tell release)" released
status_answers() {
	ctl "$NAME" status >/dev/null 2>&1
}
check "status answered again once fds are free" wait_for 10 status_answers
scraped() {
	in_ns fl curl -sf --max-time 2 "http://$METRICS/metrics" |
		grep -q '^xlb_up 1'
}
check "/metrics answers again" wait_for 10 scraped
check "after: both rings intact, every backend active" all_active
check "after: new flows reach both backends" both_answer "$VNAT"

# Once per place, not per event; and recovery is told.
count() {
	grep -c -- "$1" "$LOG" || true
}
check_eq "control socket: the fault logged once" \
	"$(count 'control socket: .*Too many open files')" 1
check_eq "metrics: the fault logged once" \
	"$(count 'metrics: .*Too many open files')" 1
check_eq "resolver: the fault logged once" \
	"$(count 'lb: .*Too many open files')" 1
check_eq "health: the fault logged once" \
	"$(count 'health: .*Too many open files')" 1
check_eq "no backend was unresolved or down" \
	"$(count 'unresolved\|is down')" 0
check "the control socket's recovery is logged" logged \
	'control socket: .*recovered'

echo quit >&3
exec 3>&-
prlimit --pid "$PID" --nofile="$OLD_LIMIT:"
check "xlbd is still running" kill -0 "$PID"
t_done
