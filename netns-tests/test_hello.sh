#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Hello counters end to end: xlbd attached to one end of a veth pair
# (XDP native, then generic, and tc both ways), real UDP and TCP traffic
# from the other end, exact counts in `xlbctl -j stats`; the data plane
# keeps counting while xlbd is killed, a restart re-adopts it without a
# second attachment, a bad reload changes nothing, detach leaves nothing.
#
#   netns xa                                  netns xc
#  +------------------------------+          +--------------------------+
#  | xlbd (XDP + tc on veth-xlb)  |          | udp_ping.py, socat       |
#  | udp_echo.py :9000            | veth-xlb | veth-cli                 |
#  | socat sink  :9001            +----------+                          |
#  | 198.18.0.1/24                |          | 198.18.0.2/24            |
#  +------------------------------+          +--------------------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IF=veth-xlb
SRV=198.18.0.1

ns_add xa
ns_add xc
veth xa "$IF" "$SRV" xc veth-cli 198.18.0.2
bg_ns xa python3 "$TOOLS/udp_echo.py" "$SRV" 9000

# counter NAME HOOK CLASS: packets of CLASS at HOOK of veth-xlb.
counter() {
	ctl "$1" -j stats | jq -r --arg h "$2" --arg c "$3" \
		".interfaces[\"$IF\"].hooks[\$h].classes[\$c].packets"
}

# udp_counts NAME: "xdp tc_ingress tc_egress" UDP packet counts.
udp_counts() {
	local h
	for h in xdp tc_ingress tc_egress; do
		counter "$1" "$h" ipv4_udp
	done | paste -sd' '
}

# add3 "a b c" "d e f" -> the per-hook differences "d-a e-b f-c".
delta3() {
	local a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	echo "$((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2]))"
}

udp_ping() {
	in_ns xc python3 "$TOOLS/udp_ping.py" "$SRV" 9000 "$1" >/dev/null
}

xdp_prog_id() {
	ip -n xa -j link show "$IF" | jq -r '.[0].xdp.prog.id // "none"'
}

tc_filters() {
	tc -n xa filter show dev "$IF" "$1" | grep -c 'handle 0x71b' || true
}

tcp_transfer() {
	local _
	head -c 4194304 /dev/urandom >"$T_DIR/send.bin"
	rm -f "$T_DIR/recv.bin"
	bg_ns xa socat -u TCP-LISTEN:9001,bind="$SRV",reuseaddr \
		"OPEN:$T_DIR/recv.bin,creat,trunc"
	local sink=$!
	for _ in $(seq 50); do
		in_ns xa ss -Htln "sport = :9001" | grep -q . && break
		sleep 0.1
	done
	in_ns xc socat -u "OPEN:$T_DIR/send.bin" "TCP:$SRV:9001"
	wait "$sink" 2>/dev/null || true
	cmp -s "$T_DIR/send.bin" "$T_DIR/recv.bin"
}

# The CLI's errors and the config check, against a running daemon.
cli_errors() {
	local name=$1 conf=$2
	check "--check-config accepts the good file" \
		"$XLBD" --check-config -c "$conf"
	check "xlbctl: daemon not running" expect_fail 2 \
		"cannot reach xlbd at $T_DIR/none.sock" \
		"$XLBCTL" -s "$T_DIR/none.sock" stats
	check "xlbctl: unknown interface" expect_fail 1 \
		"unknown interface 'nope0'" ctl "$name" stats dev nope0
	check "xlbctl: socket permission denied" expect_fail 2 \
		"permission denied" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$XLBCTL" -s "$T_DIR/$name.sock" stats
	check "xlbctl: unknown object" expect_fail 1 "frobnicate" \
		ctl "$name" frobnicate
	check "xlbctl stats dev shows the interface" \
		bash -c "'$XLBCTL' -s '$T_DIR/$name.sock' stats dev $IF | grep -q $IF"
	check_eq "xlbctl stats --watch: two samples of rates" \
		"$(ctl "$name" -j stats --watch interval 0.2 count 2 |
			jq -c ".interfaces[\"$IF\"].xdp.pass | has(\"pps\")" |
			paste -sd' ')" "true true"
}

run_mode() {
	local mode=$1 name=xlb-$1 conf s0 s1 s2 s3 id1 tcp
	conf=$T_DIR/$name.conf
	cat >"$conf" <<CONF
# hello counters, $mode XDP
interfaces = (
	{ name = "$IF"; xdp = "$mode"; tc = "both"; }
);
CONF
	echo "-- $mode XDP"
	start_xlbd xa "$conf" "$name" || fatal "$mode: xlbd starts"
	local pid=$XLBD_PID

	check_eq "$mode: xdp attached in $mode mode" \
		"$(ctl "$name" -j status | jq -r '.interfaces[0].xdp | "\(.attached) \(.mode)"')" \
		"true $mode"
	check "$mode: xdp-loader status shows xlb_xdp" \
		bash -c "nsenter --net=/run/netns/xa xdp-loader status $IF | grep -q xlb_xdp"
	check_eq "$mode: one tc filter per direction" \
		"$(tc_filters ingress) $(tc_filters egress)" "1 1"

	[ "$mode" = native ] && cli_errors "$name" "$conf"

	s0=$(udp_counts "$name")
	check "$mode: 1000 UDP datagrams echoed" udp_ping 1000
	s1=$(udp_counts "$name")
	check_eq "$mode: UDP at xdp, tc ingress, tc egress" \
		"$(delta3 "$s0" "$s1")" "1000 1000 1000"

	check "$mode: 4 MB TCP transfer intact" tcp_transfer
	tcp=$(ctl "$name" -j stats | jq ".interfaces[\"$IF\"].hooks.xdp.classes.ipv4_tcp.bytes")
	check "$mode: TCP bytes counted at xdp ($tcp >= 4 MB)" \
		test "$tcp" -ge 4194304
	check "$mode: TCP counted at tc egress (acks)" \
		test "$(counter "$name" tc_egress ipv4_tcp)" -gt 0

	# Native mode kills xlbd outright, generic mode stops it politely:
	# the data plane must survive both.
	local sig=KILL
	[ "$mode" = generic ] && sig=TERM
	id1=$(xdp_prog_id)
	s1=$(udp_counts "$name")
	kill -s "$sig" "$pid"
	wait "$pid" 2>/dev/null || true
	check "$mode: traffic flows while xlbd is down" udp_ping 1000
	check_eq "$mode: program still attached while xlbd is down" \
		"$(xdp_prog_id)" "$id1"

	start_xlbd xa "$conf" "$name" || fatal "$mode: xlbd restarts"
	pid=$XLBD_PID
	check_eq "$mode: restart adopts the pinned data plane" \
		"$(ctl "$name" -j status | jq -r .adopted)" "true"
	check_eq "$mode: same XDP program after restart" "$(xdp_prog_id)" "$id1"
	check_eq "$mode: still one tc filter per direction" \
		"$(tc_filters ingress) $(tc_filters egress)" "1 1"
	s2=$(udp_counts "$name")
	check_eq "$mode: counted while down, continued after restart" \
		"$(delta3 "$s1" "$s2")" "1000 1000 1000"

	# A bad file on reload is refused with FILE:LINE; nothing changes.
	cp "$conf" "$conf.good"
	printf 'interfaces = (\n\t{ name = "%s"; xdp = "fast"; }\n);\n' \
		"$IF" >"$conf"
	kill -HUP "$pid"
	local _
	for _ in $(seq 50); do
		grep -q "reload refused" "$T_DIR/$name.log" && break
		sleep 0.1
	done
	check "$mode: bad reload refused with FILE:LINE" \
		grep -q "reload refused.*$conf:2: xdp: expected" "$T_DIR/$name.log"
	check "$mode: --check-config refuses the bad file" \
		bash -c "! '$XLBD' --check-config -c '$conf' 2>/dev/null"
	check_eq "$mode: xdp still attached after bad reload" \
		"$(ctl "$name" -j status | jq -r '.interfaces[0].xdp | "\(.attached) \(.mode)"')" \
		"true $mode"
	check "$mode: traffic after bad reload" udp_ping 100
	s3=$(udp_counts "$name")
	check_eq "$mode: still counting after bad reload" \
		"$(delta3 "$s2" "$s3")" "100 100 100"
	mv "$conf.good" "$conf"

	check "$mode: xlbctl detach" ctl "$name" detach
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	check "$mode: xlbd exited after detach" \
		bash -c "! kill -0 $pid 2>/dev/null"
	check_eq "$mode: no XDP program left" "$(xdp_prog_id)" "none"
	check_eq "$mode: no tc filter left" \
		"$(tc_filters ingress) $(tc_filters egress)" "0 0"
	check_eq "$mode: no clsact left" \
		"$(tc -n xa qdisc show dev "$IF" | grep -c clsact || true)" "0"
	check "$mode: pins removed" test ! -e "/sys/fs/bpf/$name"
}

run_mode native
run_mode generic
t_done
