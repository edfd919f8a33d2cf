#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Reloads under traffic. xlbd on the LB runs the filter and the load
# balancer on one interface (lb0: filter = true, lb = true) while 17
# reloads, by SIGHUP and by `xlbctl config reload`, go round three
# files (A, B, C) that add and remove other backends of the two VIPs,
# change weights, add and remove a VIP, filter rules and allow/deny
# entries, with two bad files among them (a syntax error and a backend
# that is not an address). Throughout:
#
# - long-lived TCP connections through the DSR VIP and the NAT VIP to
#   the backends every file keeps (b1, b2): throttled downloads of a
#   32 MB blob that arrive intact (sha256), and keep-alive connections
#   asking request after request, every answer right; none reset;
# - a UDP stream a rule of every file drops (client :5001) and one a
#   rule of every file passes (from 198.19.7.2, which the allow list
#   would drop, :5002), 2,000 datagrams a second each, to a receiver on
#   the LB: it gets none of the first and every one of the second, and
#   each rule's hits grow by exactly what its stream sent;
# - the rules, list entries, VIPs and backends kept by every file keep
#   their ids;
# - after every reload the daemon holds exactly the file's rules, lists
#   and backends, and fresh connections reach only the file's backends
#   (each of them, over the series); a refused file names FILE:LINE
#   and changes nothing; after the last reload, fresh connections reach
#   only the backends of the file in force.
#
#        rc                   rlb                  rb1 .. rb4
#  +---------------+   +-------------------+   +------------------------+
#  | http_long.py  |   | xlbd: lb0 native  |   | http_backend.py :80    |
#  | http_load.py  |   | XDP, tc both,     |   | 198.18.0.11 .. .14     |
#  | udp_stream.py |   | filter + lb       |   | DSR VIPs .10, .30 on lo|
#  | 198.18.0.2    |   | 198.18.0.1        |   |                        |
#  | 198.19.7.2    |   | udp_stream.py recv|   |                        |
#  +------c0-------+   +-------lb0---------+   +--eth0 .. eth0----------+
#         |                    |                   |        |
#  +----sw-c-----------------sw-lb---------------sw-b1 .. sw-b4---------+
#  | rsw: bridge br0; xlbd (counters, native XDP) on sw-lb: the peer of |
#  | a veth that sends with XDP_TX needs an XDP program of its own      |
#  +--------------------------------------------------------------------+
#
# VIPs 198.18.100.10:80/tcp (dsr), 198.18.100.20:80/tcp (nat) and, in
# file C only, 198.18.100.30:80/tcp (dsr), all routed by the client via
# the LB. IPv4 only; checksum offload off on every veth; static
# neighbours everywhere.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# List changes are checked against SSH_CONNECTION's client; none here.
unset SSH_CONNECTION

LB_ADDR=198.18.0.1
CLI_ADDR=198.18.0.2
# A source outside every allow list: only the pass rule lets it in.
PASS_SRC=198.19.7.2
B4=(198.18.0.11 198.18.0.12 198.18.0.13 198.18.0.14)
VIP_D=198.18.100.10
VIP_N=198.18.100.20
VIP_X=198.18.100.30
VD="$VIP_D:80/tcp"
VN="$VIP_N:80/tcp"
VX="$VIP_X:80/tcp"
DROP_PORT=5001
PASS_PORT=5002
RATE=2000
BLOB_MB=32
FRESH=30
# A step of the series (a reload and its checks) takes at least this.
STEP_MS=500
CONF=$T_DIR/lb.conf
LOG=$T_DIR/lb.log
RUN=$T_DIR/run

# ---- the files ------------------------------------------------------
#
# Each file: the backends of each VIP as NAME:WEIGHT, its own rules
# (besides the two every file has) and its allow/deny entries. The
# extra rules are close to the streams on purpose: the same ports from
# other sources, with orders below the kept rules', so a rule matched
# too widely shows as a lost or leaked datagram.
declare -A DSR NAT XTRA RULES ALLOW_IN DENY_IN DENY_EG EXPECTED
DSR[A]="b1:1 b2:1"
NAT[A]="b1:1 b2:1"
XTRA[A]=""
RULES[A]='
		{ order = 40; action = "drop"; src = "198.18.9.0/24"; proto = "udp"; dport = 5002; },
		{ order = 50; action = "pass"; src = "198.19.9.0/24"; proto = "udp"; dport = 5001; },'
ALLOW_IN[A]="198.18.0.0/16 2001:db8::/32"
DENY_IN[A]="198.19.66.0/24"
DENY_EG[A]=""

DSR[B]="b1:2 b2:1 b3:1 b4:2"
NAT[B]="b1:1 b2:3 b3:1"
XTRA[B]=""
RULES[B]='
		{ order = 40; action = "drop"; src = "198.18.9.0/24"; proto = "udp"; dport = 5002; },
		{ order = 60; action = "drop"; proto = "tcp"; dport = 8080; },
		{ order = 70; action = "pass"; dst = "198.19.200.0/24"; },
		{ order = 75; action = "drop"; hook = "egress"; dst = "198.19.201.0/24"; proto = "udp"; },'
ALLOW_IN[B]="198.18.0.0/16 2001:db8::/32 198.19.50.0/24"
DENY_IN[B]="2001:db8:66::/48"
DENY_EG[B]="198.19.77.0/24"

DSR[C]="b1:1 b2:3 b4:1"
NAT[C]="b1:2 b2:1 b4:1"
XTRA[C]="b3:1 b4:1"
RULES[C]='
		{ order = 45; action = "drop"; src = "198.19.7.0/24"; proto = "udp"; dport = 5003; },
		{ order = 50; action = "pass"; src = "198.19.9.0/24"; proto = "udp"; dport = 5001; },
		{ order = 80; action = "drop"; src = "2001:db8:9::/48"; proto = "udp"; },'
ALLOW_IN[C]="198.18.0.0/16 2001:db8::/32"
DENY_IN[C]="198.19.66.0/24 198.19.67.0/24"
DENY_EG[C]="2001:db8:77::/48"

# The rules of every file: the drop stream's and the pass stream's.
KEPT_RULES="
		{ order = 100; action = \"drop\"; proto = \"udp\"; dport = $DROP_PORT; },
		{ order = 110; action = \"pass\"; src = \"198.19.7.0/24\"; proto = \"udp\"; dport = $PASS_PORT; }"

addr_of() {
	echo "${B4[$((${1#b} - 1))]}"
}

# backends SPEC: a backends list in config syntax.
backends() {
	local sep="" b
	printf 'backends = ('
	for b in $1; do
		printf '%s\n\t\t       { address = "%s"; weight = %s; }' "$sep" \
			"$(addr_of "${b%:*}")" "${b#*:}"
		sep=,
	done
	printf ' );'
}

# strings WORD...: a list of quoted strings in config syntax.
strings() {
	local sep="" w
	printf '['
	for w; do
		printf '%s "%s"' "$sep" "$w"
		sep=,
	done
	printf ' ]'
}

# conf F: file F in config syntax.
conf() {
	local f=$1
	# shellcheck disable=SC2086  # the lists are words
	cat <<CONF
# test_reload_traffic: file $f
interfaces = (
	{ name = "lb0"; xdp = "native"; tc = "both"; filter = true; lb = true; }
);
filter = {
	rules = (${RULES[$f]}$KEPT_RULES
	);
	allow = { ingress = $(strings ${ALLOW_IN[$f]}); };
	deny = { ingress = $(strings ${DENY_IN[$f]}); egress = $(strings ${DENY_EG[$f]}); };
};
vips = (
	{ address = "$VIP_D"; port = 80; proto = "tcp"; mode = "dsr";
	  $(backends "${DSR[$f]}") },
	{ address = "$VIP_N"; port = 80; proto = "tcp"; mode = "nat";
	  $(backends "${NAT[$f]}") }$(
		[ -z "${XTRA[$f]}" ] || printf ',\n\t{ address = "%s"; port = 80; proto = "tcp"; mode = "dsr";\n\t  %s }' \
			"$VIP_X" "$(backends "${XTRA[$f]}")"
	)
);
CONF
}

# expected F: the state `state` prints when file F is in force.
expected() {
	local f=$1 b p
	{
		for b in ${DSR[$f]}; do
			echo "backend $VD $(addr_of "${b%:*}") ${b#*:}"
		done
		for b in ${NAT[$f]}; do
			echo "backend $VN $(addr_of "${b%:*}") ${b#*:}"
		done
		for b in ${XTRA[$f]}; do
			echo "backend $VX $(addr_of "${b%:*}") ${b#*:}"
		done
		grep -o 'order = [0-9]*' <<<"${RULES[$f]}$KEPT_RULES" |
			sed 's/^order = /rule /'
		for p in ${ALLOW_IN[$f]}; do
			echo "allow ingress $p"
		done
		for p in ${DENY_IN[$f]}; do
			echo "deny ingress $p"
		done
		for p in ${DENY_EG[$f]}; do
			echo "deny egress $p"
		done
	} | LC_ALL=C sort
}

# snapshot: the daemon's state in two parts, one line each thing,
# sorted: STATE, its backends (with weights), rule orders and list
# entries; IDS, the ids of what every file has (the two rules, the
# allow entries, the two VIPs and their backends b1 and b2).
snapshot() {
	local out
	out=$(jq -n -r --argjson b "$(ctl lb -j backend list)" \
		--argjson r "$(ctl lb -j rule list)" \
		--argjson a "$(ctl lb -j allow list)" \
		--argjson d "$(ctl lb -j deny list)" \
		--argjson v "$(ctl lb -j vip list)" \
		--arg vd "$VD" --arg vn "$VN" --arg b1 "${B4[0]}" --arg b2 "${B4[1]}" '
		([$b.backends[] | "backend \(.vip) \(.address) \(.weight)"]
		 + [$r.rules[] | "rule \(.order)"]
		 + [$a.entries[] | "allow \(.hook) \(.prefix)"]
		 + [$d.entries[] | "deny \(.hook) \(.prefix)"] | sort | join("\n")),
		"--",
		([$r.rules[] | select(.order == 100 or .order == 110)
		  | "rule \(.order) \(.id)"]
		 + [$a.entries[]
		    | select(.prefix == "198.18.0.0/16" or .prefix == "2001:db8::/32")
		    | "allow \(.prefix) \(.id)"]
		 + [$v.vips[] | select(.vip == $vd or .vip == $vn)
		    | "vip \(.vip) \(.id)",
		      (.vip as $x | .backends[]
		       | select(.address == $b1 or .address == $b2)
		       | "backend \($x) \(.address) \(.id)")] | sort | join("\n"))')
	STATE=${out%%$'\n--\n'*}
	IDS=${out##*$'\n--\n'}
}

# all_active: every backend resolved and in its ring.
all_active() {
	ctl lb -j backend list |
		jq -e '[.backends[] | select(.state != "active")] | length == 0' \
			>/dev/null
}

# jqt JSON FILTER: FILTER holds for JSON.
jqt() {
	jq -e "$2" <<<"$1" >/dev/null
}

# quiet CMD...: CMD without its output.
quiet() {
	"$@" >/dev/null
}

# rule_hits ORDER: the packets rule ORDER matched.
rule_hits() {
	ctl lb -j rule list |
		jq -r --argjson o "$1" '.rules[] | select(.order == $o) | .hits.packets'
}

# ---- the topology ---------------------------------------------------

# port NS IF SWIF ADDR...: a veth from NS (IF) to a port of br0 (SWIF),
# IPv6 and checksum offload off on both ends, ADDRs (/24) on IF,
# remembered for neighbours.
port() {
	local ns=$1 ifn=$2 swif=$3 a
	shift 3
	ip link add "$ifn" netns "$ns" type veth peer name "$swif" netns rsw
	in_ns "$ns" sysctl -qw "net.ipv6.conf.$ifn.disable_ipv6=1"
	in_ns rsw sysctl -qw "net.ipv6.conf.$swif.disable_ipv6=1"
	in_ns "$ns" ethtool -K "$ifn" tx off rx off >/dev/null
	in_ns rsw ethtool -K "$swif" tx off rx off >/dev/null
	ip -n rsw link set "$swif" master br0 up
	for a; do
		ip -n "$ns" addr add "$a/24" dev "$ifn"
		echo "$ns $ifn $a" >>"$T_DIR/seg"
	done
	ip -n "$ns" link set "$ifn" up
}

# neighbours: every host on br0 gets a permanent neighbour entry for
# every address of the others: no ARP crosses the bridge.
neighbours() {
	local ns ifn a ns2 a2
	declare -A macs=()
	while read -r ns ifn a; do
		macs[$ns]=$(ip -n "$ns" -j link show "$ifn" | jq -r '.[0].address')
	done <"$T_DIR/seg"
	while read -r ns ifn a; do
		echo "$ns $ifn"
	done <"$T_DIR/seg" | sort -u | while read -r ns ifn; do
		while read -r ns2 _ a2; do
			[ "$ns2" = "$ns" ] && continue
			echo "neigh replace $a2 lladdr ${macs[$ns2]} dev $ifn nud permanent"
		done <"$T_DIR/seg" >"$T_DIR/neigh.batch"
		ip -n "$ns" -batch "$T_DIR/neigh.batch"
	done
}

for ns in rc rlb rsw rb1 rb2 rb3 rb4; do
	ns_add "$ns"
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip -n rsw link add br0 type bridge mcast_snooping 0
ip -n rsw link set br0 up
port rc c0 sw-c "$CLI_ADDR" "$PASS_SRC"
port rlb lb0 sw-lb "$LB_ADDR"
for i in 1 2 3 4; do
	port "rb$i" eth0 "sw-b$i" "${B4[$((i - 1))]}"
	in_ns "rb$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.eth0.rp_filter=0
	ip -n "rb$i" addr add "$VIP_D/32" dev lo
	ip -n "rb$i" addr add "$VIP_X/32" dev lo
done
neighbours
ip -n rc route add 198.18.100.0/24 via "$LB_ADDR"
# NAT answers go on through the FIB, which answers only where the
# kernel forwards; the LB's own connections keep out of NAT's ports;
# the pass stream's source is not on the LB's link.
in_ns rlb sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.ip_local_port_range="61000 65535" \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lb0.rp_filter=0

cat >"$T_DIR/sw.conf" <<'CONF'
interfaces = ( { name = "sw-lb"; xdp = "native"; tc = "off"; } );
CONF
start_xlbd rsw "$T_DIR/sw.conf" sw --metrics off || fatal "xlbd on the switch"

www_dirs 4 "$BLOB_MB"
for i in 1 2 3 4; do
	bg_ns "rb$i" python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www$i"
done
for i in 1 2 3 4; do
	wait_for 10 listening "rb$i" || fatal "server b$i listens"
done

for f in A B C; do
	conf "$f" >"$T_DIR/$f.conf"
	check "file $f: config check" quiet "$XLBCTL" config check "$T_DIR/$f.conf"
done
# Two bad files: B with a syntax error, and B with a backend that is
# not an address.
sed 's/weight = 3; }/weight = ; }/' "$T_DIR/B.conf" >"$T_DIR/syntax.conf"
sed "0,/\"${B4[2]}\"/s//\"198.18.0.300\"/" "$T_DIR/B.conf" >"$T_DIR/addr.conf"
SYNTAX_LINE=$(grep -n 'weight = ;' "$T_DIR/syntax.conf" | cut -d: -f1)
ADDR_LINE=$(grep -n '198.18.0.300' "$T_DIR/addr.conf" | cut -d: -f1)
if [ -z "$SYNTAX_LINE" ] || [ -z "$ADDR_LINE" ]; then
	fatal "the bad files"
fi

cp "$T_DIR/A.conf" "$CONF"
nsenter --net=/run/netns/rlb -- "$XLBD" -c "$CONF" --pin-dir /sys/fs/bpf/lb \
	--socket "$T_DIR/lb.sock" --metrics off 2>>"$LOG" &
LB_PID=$!
T_PIDS+=("$LB_PID")
wait_for 10 ctl lb status >/dev/null 2>&1 || fatal "xlbd on the LB starts ($(tail -n 3 "$LOG"))"
wait_for 10 all_active || fatal "the backends of file A resolve"
for f in A B C; do
	EXPECTED[$f]=$(expected "$f")
done
snapshot
check_eq "file A in force" "$STATE" "${EXPECTED[A]}"
KEPT=$IDS
check_eq "the kept rules, entries, VIPs and backends have ids" \
	"$(wc -l <<<"$KEPT")" 10

# ---- the traffic ----------------------------------------------------

mkdir "$RUN"
STOP=$RUN/stop
bg_ns rlb python3 "$TOOLS/udp_stream.py" recv "$LB_ADDR" "$DROP_PORT" \
	"$PASS_PORT" --ready "$RUN/recv.ready" --stop "$RUN/recv.stop" \
	>"$RUN/recv.out"
RECV_PID=$!
wait_for 10 test -e "$RUN/recv.ready" || fatal "the UDP receiver starts"
DROP_HITS0=$(rule_hits 100)
PASS_HITS0=$(rule_hits 110)

bg_ns rc python3 "$TOOLS/udp_stream.py" send "$CLI_ADDR" "$LB_ADDR" \
	"$DROP_PORT" --rate "$RATE" --stop "$STOP" >"$RUN/send-drop.out"
SEND_PIDS=("$!")
bg_ns rc python3 "$TOOLS/udp_stream.py" send "$PASS_SRC" "$LB_ADDR" \
	"$PASS_PORT" --rate "$RATE" --stop "$STOP" >"$RUN/send-pass.out"
SEND_PIDS+=("$!")

# Long-lived connections: file A has only b1 and b2, so they all reach
# a backend every file keeps. Two downloads and two keep-alive
# connections per VIP.
LONG=()
for v in "$VIP_D" "$VIP_N"; do
	for k in 1 2; do
		name=get-$v-$k
		bg_ns rc python3 "$TOOLS/http_long.py" get "$v" 80 /blob \
			--ready "$RUN/$name.ready" --stop "$STOP" >"$RUN/$name.out"
		LONG+=("$name:$!")
		name=loop-$v-$k
		bg_ns rc python3 "$TOOLS/http_long.py" loop "$v" 80 \
			--ready "$RUN/$name.ready" --stop "$STOP" >"$RUN/$name.out"
		LONG+=("$name:$!")
	done
done
for l in "${LONG[@]}"; do
	wait_for 10 test -e "$RUN/${l%%:*}.ready" ||
		fatal "${l%%:*}: connected ($(cat "$RUN/${l%%:*}.out"))"
done

# ---- the series -----------------------------------------------------

# reloads_logged: how many reloads the daemon has finished.
reloads_logged() {
	grep -cE 'reload (applied|refused|failed)' "$LOG" || true
}

reloads_past() {
	[ "$(reloads_logged)" -gt "$1" ]
}

# hup: SIGHUP, and wait (10 s at most) until the daemon says how it
# went.
hup() {
	local n _
	n=$(reloads_logged)
	kill -HUP "$LB_PID"
	for _ in $(seq 500); do
		reloads_past "$n" && return 0
		sleep 0.02
	done
	return 1
}

# use_file FILE: FILE becomes the daemon's config file, in one rename.
use_file() {
	cp "$1" "$CONF.new"
	mv "$CONF.new" "$CONF"
}

# subset "A B" "A B C": every word of the first is in the second.
subset() {
	local w
	for w in $1; do
		[[ " $2 " == *" $w "* ]] || return 1
	done
}

# fresh_start VIP COUNT: COUNT fresh connections to VIP, in the
# background, into $RUN/fresh-VIP.
fresh_start() {
	in_ns rc python3 "$TOOLS/http_load.py" fresh "$1" 80 "$2" \
		--parallel 6 >"$RUN/fresh-$1" &
	FRESH_PIDS+=("$!")
}

# fresh_judge F VIP SPEC COUNT: the COUNT fresh connections to VIP made
# while file F was in force were all answered, by backends of SPEC
# only; records who answered under F.
fresh_judge() {
	local f=$1 vip=$2 n=$4 out errs total got b want=""
	for b in $3; do
		want+=" ${b%:*}"
	done
	out=$(<"$RUN/fresh-$vip")
	read -r errs total got < <(jq -r \
		'"\(.errors) \([.answers[]] | add // 0) \(.answers | keys | join(" "))"' \
		<<<"$out")
	echo "$got" >>"$RUN/seen-$f-$vip"
	if [ "$errs $total" != "0 $n" ] || ! subset "$got" "$want"; then
		STEP_BAD+=("  fresh to $vip under $f: $out (want only$want)")
	fi
}

# step WHAT F [BAD_LINE]: one reload of the series. WHAT is hup or ctl;
# F the file installed (A, B, C, or syntax/addr for a bad one, after
# which file IN_FORCE must still be in force, and which must be refused
# naming BAD_LINE). Problems go to STEP_BAD.
STEP_BAD=()
N_GOOD=0
N_BAD=0
step() {
	local how=$1 f=$2 line=${3:-} t0 out rc=0 want_file p
	t0=$(now_ms)
	use_file "$T_DIR/$f.conf"
	if [ "$how" = hup ]; then
		hup || STEP_BAD+=("  $f by SIGHUP: no outcome logged within 10 s")
		out=$(grep -E 'reload (applied|refused|failed)' "$LOG" | tail -n 1)
	else
		out=$(ctl lb config reload 2>&1) || rc=$?
	fi
	echo "  $(($(now_ms) - T0)) ms: $f by $how: $out"
	if [ -n "$line" ]; then
		N_BAD=$((N_BAD + 1))
		if [ "$how" = hup ]; then
			[[ $out == *"reload refused, running configuration kept: $CONF:$line: "* ]] ||
				STEP_BAD+=("  $f by SIGHUP: not refused naming $CONF:$line: $out")
		elif [ "$rc" -ne 1 ] || [[ $out != "xlbctl: $CONF:$line: "* ]]; then
			STEP_BAD+=("  $f by xlbctl: exit $rc (want 1), not naming $CONF:$line: $out")
		fi
		want_file=$IN_FORCE
	else
		N_GOOD=$((N_GOOD + 1))
		if [ "$how" = hup ]; then
			[[ $out == *"reload applied" ]] ||
				STEP_BAD+=("  $f by SIGHUP: $out")
		elif [ "$rc" -ne 0 ] || [ "$out" != "$CONF: reloaded" ]; then
			STEP_BAD+=("  $f by xlbctl: exit $rc: $out")
		fi
		want_file=$f
		IN_FORCE=$f
	fi
	snapshot
	if [ "$STATE" != "${EXPECTED[$want_file]}" ]; then
		STEP_BAD+=("  after $f: not the state of $want_file:" \
			"$(diff <(echo "${EXPECTED[$want_file]}") <(echo "$STATE") | sed 's/^/    /' || true)")
	fi
	if [ "$IDS" != "$KEPT" ]; then
		STEP_BAD+=("  after $f: kept ids changed:" \
			"$(diff <(echo "$KEPT") <(echo "$IDS") | sed 's/^/    /' || true)")
	fi
	wait_for 5 all_active ||
		STEP_BAD+=("  after $f: backends not all active: $(ctl lb backend list)")
	FRESH_PIDS=()
	fresh_start "$VIP_D" "$FRESH"
	fresh_start "$VIP_N" "$FRESH"
	if [ -n "${XTRA[$want_file]}" ]; then
		fresh_start "$VIP_X" 10
	fi
	for p in "${FRESH_PIDS[@]}"; do
		wait "$p" || true
	done
	fresh_judge "$want_file" "$VIP_D" "${DSR[$want_file]}" "$FRESH"
	fresh_judge "$want_file" "$VIP_N" "${NAT[$want_file]}" "$FRESH"
	if [ -n "${XTRA[$want_file]}" ]; then
		fresh_judge "$want_file" "$VIP_X" "${XTRA[$want_file]}" 10
	fi
	t0=$((STEP_MS - ($(now_ms) - t0)))
	if [ "$t0" -gt 0 ]; then
		sleep "$(printf '0.%03d' "$t0")"
	fi
}

IN_FORCE=A
T0=$(now_ms)
echo "-- 17 reloads under traffic"
step hup B
step ctl C
step hup A
step ctl B
step ctl syntax "$SYNTAX_LINE"
step hup C
step hup syntax "$SYNTAX_LINE"
step ctl A
step hup B
step hup addr "$ADDR_LINE"
step ctl addr "$ADDR_LINE"
step ctl C
step hup A
step ctl B
step hup C
step ctl B
step hup A
SERIES_MS=$(($(now_ms) - T0))
echo "  series: $SERIES_MS ms"

# ---- the outcome ----------------------------------------------------

touch "$STOP"
for p in "${SEND_PIDS[@]}"; do
	wait "$p" || true
done
for l in "${LONG[@]}"; do
	wait "${l##*:}" || true
done
touch "$RUN/recv.stop"
wait "$RECV_PID" || true

for b in "${STEP_BAD[@]}"; do
	echo "$b"
done
check_eq "each of $N_GOOD good and $N_BAD bad reloads: applied or refused as it should, the file's state, ids kept, fresh connections only to the file's backends" \
	"${#STEP_BAD[@]}" 0

# Over the series, each backend of a file answered while it was in force.
for f in A B C; do
	for v in "$VIP_D" "$VIP_N" "$VIP_X"; do
		case $v in
		"$VIP_D") spec=${DSR[$f]} ;;
		"$VIP_N") spec=${NAT[$f]} ;;
		*) spec=${XTRA[$f]} ;;
		esac
		want=$(for b in $spec; do echo "${b%:*}"; done | sort | paste -sd' ')
		[ -n "$want" ] || continue
		got=$(tr ' ' '\n' <"$RUN/seen-$f-$v" | sort -u | paste -sd' ')
		check_eq "under file $f, every backend of $v answered fresh connections" \
			"$got" "$want"
	done
done

for l in "${LONG[@]}"; do
	name=${l%%:*}
	out=$(cat "$RUN/$name.out")
	echo "  $name: $out"
	case $name in
	get-*)
		check_eq "$name: intact, not reset" \
			"$(jq -r '"\(.error)|\(.status) \(.bytes) \(.sha256)"' <<<"$out")" \
			"|200 $((BLOB_MB << 20)) $BLOB_SUM"
		check "$name: still downloading when the series ended" \
			jqt "$out" '.bytes_at_stop > 0 and .bytes_at_stop < .bytes'
		;;
	loop-*)
		check_eq "$name: every answer right, not reset" \
			"$(jq -r '"\(.error)|\(.bad) \(.first_bad)"' <<<"$out")" "|0 "
		check "$name: answered throughout ($(jq .requests <<<"$out") requests)" \
			jqt "$out" '.requests >= 100'
		;;
	esac
	check "$name: on b1 or b2" jqt "$out" '.backend == "b1" or .backend == "b2"'
done

sent_drop=$(jq .sent "$RUN/send-drop.out")
sent_pass=$(jq .sent "$RUN/send-pass.out")
recv=$(cat "$RUN/recv.out")
echo "  sent: drop stream $sent_drop, pass stream $sent_pass; received: $recv"
check "the streams were sent without errors (drop $sent_drop, pass $sent_pass)" \
	jqt "$(cat "$RUN/send-drop.out" "$RUN/send-pass.out" | jq -s -c .)" \
	'all(.[]; .errors == 0 and .sent >= 10000)'
check_eq "no datagram of the dropped stream arrived" \
	"$(jq -r ".\"$DROP_PORT\".packets" <<<"$recv")" 0
check_eq "every datagram of the passed stream arrived, once" \
	"$(jq -r ".\"$PASS_PORT\" | \"\(.packets) \(.distinct) \(.min) \(.max) \(.foreign)\"" <<<"$recv")" \
	"$sent_pass $sent_pass 0 $((sent_pass - 1)) 0"
check_eq "the drop rule's hits grew by what its stream sent" \
	"$(($(rule_hits 100) - DROP_HITS0))" "$sent_drop"
check_eq "the pass rule's hits grew by what its stream sent" \
	"$(($(rule_hits 110) - PASS_HITS0))" "$sent_pass"
snapshot
check_eq "the kept ids, at the end" "$IDS" "$KEPT"

# After the last reload (file A), fresh connections reach b1 and b2 only.
for v in "$VIP_D" "$VIP_N"; do
	out=$(in_ns rc python3 "$TOOLS/http_load.py" fresh "$v" 80 200 --parallel 8)
	check_eq "after the series, 200 fresh connections to $v: answered by b1 and b2 only" \
		"$(jq -r '"\(.errors) \([.answers[]] | add) \(.answers | keys | join(" "))"' <<<"$out")" \
		"0 200 b1 b2"
done
check "xlbd on the LB still runs" kill -0 "$LB_PID"
if [ "$T_FAILED" -gt 0 ]; then
	echo "  lb0: $(ip -n rlb -s -j link show lb0 | jq -c '.[0].stats64.rx')"
	echo "  xlbd's log (last 20 lines):"
	tail -n 20 "$LOG" | sed 's/^/    /'
fi
t_done
