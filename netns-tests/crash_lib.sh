#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by test_crash_start.sh and test_crash_signal.sh: a start of a
# big config cut short, and what must be served after. The config holds
# 100,000 rules, 100,000 list entries and 20 NAT VIPs; `whole LABEL`
# checks that the running daemon serves all of it: every rule (order and
# source) and every allow and deny prefix listed exactly once, 20 VIPs;
# the 98,001st rule drops its source's datagrams and counts them, the
# last allowed /32 and the first allow prefix pass, the 20th VIP answers.
#
#  netns pc              netns pl (xlbd, XDP generic)        netns pb1, pb2
# +-------------+       +------------------------------+     +--------------+
# | curl,       |veth-  | veth-xlb 198.18.0.1 (filter, |veth-| 198.18.1.2   |
# | udp_burst   | cli   |   lb) udp_echo :9000 :9001   | b1  | http :80     |
# | 198.18.0.2  +-------+ veth-b1 198.18.1.1 (lb)      +-----+              |
# | .19.254.208 |       | veth-b2 198.18.2.1 (lb)      +-----+ 198.18.2.2   |
# | .19.97.166  |       +------------------------------+ b2  +--------------+
# +-------------+
#
# gen_filter.py: rules "drop src 198.18.128.0 + i proto udp dport 9000",
# order 1000 + i (198.19.254.208 is rule 98,000's source); allow ingress
# 198.18.0.0/24 and /32s from 198.19.0.0 (198.19.97.166 the last), and
# IPv6 /128s; deny ingress 198.18.0.3/32 and IPv6 /64s. VIPs
# 198.18.0.10 to .29, port 80, NAT, backends 198.18.1.2 and 198.18.2.2.
# shellcheck disable=SC2034  # variables here are used by the tests
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N_RULES=100000
N_PREFIXES=100000
N_VIPS=20
NAME=crash
CONF=$T_DIR/crash.conf
PINS=/sys/fs/bpf/$NAME
LOG=$T_DIR/$NAME.log
SRV=198.18.0.1
LATE_SRC=198.19.254.208 LATE_ORDER=99000
ALLOWED_LAST=198.19.97.166
LAST_VIP=198.18.0.$((9 + N_VIPS))

vips=()
for i in $(seq "$N_VIPS"); do
	vips+=("198.18.0.$((9 + i))")
done
star p "${vips[@]}"
veth_addr pc veth-cli "$LATE_SRC" pl veth-xlb
veth_addr pc veth-cli "$ALLOWED_LAST" pl veth-xlb
ip -n pl route add 198.19.0.0/16 dev veth-xlb
bg_ns pl python3 "$TOOLS/udp_echo.py" "$SRV" 9000
bg_ns pl python3 "$TOOLS/udp_echo.py" "$SRV" 9001
www_dirs 2 1
bg_ns pb1 python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www1"
bg_ns pb2 python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www2"
wait_for 5 listening pb1 || fatal "b1 listens"
wait_for 5 listening pb2 || fatal "b2 listens"

GEN=$T_DIR/gen
mkdir "$GEN"
python3 "$TOOLS/gen_filter.py" "$N_RULES" "$N_PREFIXES" "$GEN"
{
	cat <<CONF
# test_crash_start
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "off"; filter = true;
	  lb = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b2"; xdp = "generic"; tc = "off"; lb = true; }
);
filter = {
	max_rules = $N_RULES;
	max_prefixes = $N_PREFIXES;
CONF
	cat "$GEN/filter.conf-part"
	echo "};"
	echo "vips = ("
	for v in "${vips[@]}"; do
		[ "$v" = "${vips[0]}" ] || echo ","
		printf '\t{ address = "%s"; port = 80; proto = "tcp"; ' "$v"
		printf 'mode = "nat";\n\t  backends = ( { address = "198.18.1.2"; },'
		printf ' { address = "198.18.2.2"; } ); }'
	done
	printf '\n);\n'
} >"$CONF"

# xlbd_bg [ENV...]: xlbd on the config in the background, with ENV
# (XLB_CRASHPOINT=...) in its environment; sets XLBD_PID.
xlbd_bg() {
	env "$@" nsenter --net=/run/netns/pl -- "$XLBD" -c "$CONF" \
		--pin-dir "$PINS" --socket "$T_DIR/$NAME.sock" 2>>"$LOG" &
	XLBD_PID=$!
	T_PIDS+=("$XLBD_PID")
}

# exit_of PID: RC gets its exit status (128 + the signal that killed it).
exit_of() {
	RC=0
	wait "$1" 2>/dev/null || RC=$?
}

serving() {
	"$XLBCTL" -s "$T_DIR/$NAME.sock" status >/dev/null 2>&1
}

# plain_start: xlbd without a crash point, until it answers.
plain_start() {
	: >"$LOG"
	start_xlbd_within 60 pl "$CONF" "$NAME"
}

# stop: SIGTERM to the daemon, and wait for it.
stop() {
	kill -TERM "$XLBD_PID"
	wait "$XLBD_PID" || true
}

# fresh: nothing of xlb left (a detach of whatever is pinned).
fresh() {
	nsenter --net=/run/netns/pl -- "$XLBD" --detach --pin-dir "$PINS" \
		2>/dev/null || true
	[ ! -e "$PINS" ]
}

# burst SRC PORT: datagrams of 3 echoed from SRC to the server's PORT.
burst() {
	in_ns pc python3 "$TOOLS/udp_burst.py" -s "$1" -w 0.3 "$SRV" "$2" 3
}

rule_hits() {
	ctl "$NAME" -j stats | jq -r --arg id "$1" '.filter.rules[$id].packets // 0'
}

# whole LABEL: the running daemon serves the whole config.
whole() {
	local label=$1 listing id hits0 vipn page
	ctl "$NAME" -j rule list >"$T_DIR/rules.json"
	ctl "$NAME" -j allow list >"$T_DIR/allow.json"
	ctl "$NAME" -j deny list >"$T_DIR/deny.json"
	listing=$(python3 "$TOOLS/filter_listing.py" --rule-id "$LATE_ORDER" \
		"$GEN" "$T_DIR/rules.json" "$T_DIR/allow.json" "$T_DIR/deny.json")
	id=${listing##* }
	check_eq "$label: rules, allow and deny entries, exactly" \
		"${listing% *}" "$N_RULES $((N_PREFIXES / 2)) $((N_PREFIXES / 2)) same"
	vipn=$(ctl "$NAME" -j vip list | jq '.vips | length')
	check_eq "$label: $N_VIPS VIPs" "$vipn" "$N_VIPS"
	hits0=$(rule_hits "$id")
	check_eq "$label: rule $LATE_ORDER drops $LATE_SRC, counted" \
		"$(burst "$LATE_SRC" 9000) $(($(rule_hits "$id") - hits0))" "0 3"
	check_eq "$label: 198.18.0.2 and the last allowed /32 pass" \
		"$(burst 198.18.0.2 9000) $(burst "$ALLOWED_LAST" 9001)" "3 3"
	page=$(in_ns pc curl -s --max-time 3 "http://$LAST_VIP/name" || true)
	check "$label: VIP $LAST_VIP answers ($page)" \
		bash -c "[[ '$page' =~ ^b[12]$ ]]"
}

# reached POINT: xlbd logged that it passed the crash point.
reached() {
	grep -q "crash point $1" "$LOG"
}
