#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Restart resumes. Two throttled downloads of the same large file, one
# through a DSR VIP and one through a NAT VIP, run while the load
# balancer's xlbd is killed with SIGKILL, stays down about a second and
# is started again, twice. Both files arrive whole and intact on their
# first connection (no reset, sha256 equal to the server's), kept
# flowing while xlbd was down, and were still in flight when the second
# restart was over.
#
# Before the first kill, runtime changes the file does not hold are made
# with xlbctl: a VIP added with backends, a backend added, one whose
# weight is set, one deleted; a rule, an allow and two deny entries.
# After each restart: the data plane was adopted; vip, backend, rule,
# allow and deny lists equal those before the kill (ids included,
# counters set apart) and `config dump` is the same text; the runtime VIP
# answers new connections from its own backends only; per-VIP packet
# counters and list hit counters never went back; the XDP program and
# the tc filters on lb0 are the same program ids (nothing re-attached).
# While xlbd is down, new connections to the file's VIPs are answered by
# the data plane alone. After the second restart the runtime rule and
# deny entry still drop. The state on disk: the pin dir is not open to
# others and no pin in it is world-writable; a second xlbd on the same
# pin dir is refused ("in use by another xlbd") and disturbs nothing.
#
#          rc                  rlb                    rb1   rb2   rb3
#   +--------------+   +------------------+   +-----------------------+
#   | curl,        |   | xlbd (killed and |   | http_backend.py :80   |
#   | http_load.py |   | restarted): lb,  |   | 198.18.0.11, .12, .13 |
#   | 198.18.0.2   |   | filter on lb0,   |   | 198.18.100.10 on lo   |
#   | .66 .77      |   | 198.18.0.1       |   | (the DSR VIP)         |
#   +------c0------+   +------lb0---------+   +--eth0---eth0---eth0---+
#          |                  |                    |      |      |
#   +----sw-c---------------sw-lb-----------------sw-b1--sw-b2--sw-b3--+
#   | rsw: bridge br0; xlbd (counters only) on sw-lb: the veth peer     |
#   | receiving what the LB sends with XDP_TX needs an XDP program      |
#   +-------------------------------------------------------------------+
#
# VIPs (routed by the client to 198.18.0.1): 198.18.100.10:80/tcp, DSR,
# and 198.18.100.20:80/tcp, NAT, from the file; 198.18.100.30:80/tcp,
# NAT, added at run time. IPv4 only, IPv6 off on every link; checksum
# offload off on every veth; static neighbours everywhere.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLI=rc LB=rlb SW=rsw
BNS=(rb1 rb2 rb3)
B4=(198.18.0.11 198.18.0.12 198.18.0.13)
LB_ADDR=198.18.0.1
# Client sources: the main one, one the runtime deny entry drops and
# one the runtime rule drops.
C_MAIN=198.18.0.2 C_DENIED=198.18.0.66 C_RULED=198.18.0.77
VDSR=198.18.100.10 VNAT=198.18.100.20 VRUN=198.18.100.30
DSR="$VDSR:80/tcp" NAT="$VNAT:80/tcp" RUN="$VRUN:80/tcp"
NAME=rlb
CONF=$T_DIR/$NAME.conf
PIN=/sys/fs/bpf/$NAME
# The downloads: BLOB_MB each at RATE bytes/s, 8 s, so that both kills
# and restarts fall inside them; the last TAIL_MB wait for the restarts
# (tools/paced_get.py).
BLOB_MB=128
RATE=$((16 << 20))
TAIL_MB=16
DOWN_MS=1000

# The backends' pages: their name, and one random blob for all.
www_dirs 3 "$BLOB_MB"

# port NS IF SWIF ADDR...: a veth from NS (IF, with the IPv4 /24 ADDRs)
# to bridge br0 of the switch (SWIF), IPv6 and checksum offload off on
# both ends; the addresses are noted for neighbours.
port() {
	local ns=$1 ifn=$2 swif=$3 a
	shift 3
	ip link add "$ifn" netns "$ns" type veth peer name "$swif" netns "$SW"
	in_ns "$ns" sysctl -qw "net.ipv6.conf.$ifn.disable_ipv6=1"
	in_ns "$ns" ethtool -K "$ifn" tx off rx off >/dev/null
	in_ns "$SW" ethtool -K "$swif" tx off rx off >/dev/null
	ip -n "$SW" link set "$swif" master br0 up
	for a; do
		ip -n "$ns" addr add "$a/24" dev "$ifn"
		echo "$ns $ifn $a" >>"$T_DIR/segment"
	done
	ip -n "$ns" link set "$ifn" up
}

# neighbours: every host on the bridge gets a permanent neighbour entry
# for every address of the others, so no ARP crosses it.
neighbours() {
	local ns ifn a ns2 a2 mac
	declare -A macs=()
	while read -r ns ifn a; do
		macs[$ns]=$(ip -n "$ns" -j link show "$ifn" | jq -r '.[0].address')
	done <"$T_DIR/segment"
	cut -d' ' -f1,2 "$T_DIR/segment" | sort -u | while read -r ns ifn; do
		while read -r ns2 _ a2; do
			[ "$ns2" = "$ns" ] && continue
			echo "neigh replace $a2 lladdr ${macs[$ns2]} dev $ifn nud permanent"
		done <"$T_DIR/segment" >"$T_DIR/neigh.batch"
		ip -n "$ns" -batch "$T_DIR/neigh.batch"
	done
}

for ns in "$CLI" "$LB" "$SW" "${BNS[@]}"; do
	ns_add "$ns"
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$SW" link add br0 type bridge mcast_snooping 0
ip -n "$SW" link set br0 up
port "$CLI" c0 sw-c "$C_MAIN" "$C_DENIED" "$C_RULED"
port "$LB" lb0 sw-lb "$LB_ADDR"
for i in 0 1 2; do
	port "${BNS[$i]}" eth0 "sw-b$((i + 1))" "${B4[$i]}"
	ip -n "${BNS[$i]}" addr add "$VDSR/32" dev lo
	in_ns "${BNS[$i]}" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
done
neighbours
ip -n "$CLI" route add 198.18.100.0/24 via "$LB_ADDR"
# NAT sends the backends' answers on through the FIB, which answers only
# where the kernel forwards; the LB's own connections keep out of the
# NAT port range (32768-60999).
in_ns "$LB" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.ip_local_port_range="61000 65535"

# The switch's pass-through XDP program: xlb's counters on sw-lb.
cat >"$T_DIR/$SW.conf" <<'CONF'
interfaces = ( { name = "sw-lb"; xdp = "native"; tc = "off"; } );
CONF
start_xlbd "$SW" "$T_DIR/$SW.conf" "$SW" || fatal "xlbd on the switch starts"

cat >"$CONF" <<CONF
# test_restart: the load balancer's file; runtime changes come on top.
interfaces = (
	{ name = "lb0"; xdp = "native"; tc = "both"; filter = true; lb = true; }
);
filter = {
	rules = ( { order = 100; action = "drop"; src = "198.18.0.99";
		    proto = "tcp"; dport = 80; } );
	deny = { ingress = [ "198.18.0.98" ]; };
};
vips = (
	{ address = "$VDSR"; port = 80; proto = "tcp"; mode = "dsr";
	  backends = ( { address = "${B4[0]}"; }, { address = "${B4[1]}"; } ); },
	{ address = "$VNAT"; port = 80; proto = "tcp"; mode = "nat";
	  backends = ( { address = "${B4[0]}"; }, { address = "${B4[1]}"; },
		       { address = "${B4[2]}"; } ); }
);
CONF

for i in 0 1 2; do
	bg_ns "${BNS[$i]}" python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www$((i + 1))"
done

for ns in "${BNS[@]}"; do
	wait_for 10 listening "$ns" || fatal "the server in $ns listens"
done

start_lb() {
	start_xlbd "$LB" "$CONF" "$NAME" 2>/dev/null || return 1
	LB_PID=$XLBD_PID
}

# kill_lb: SIGKILL, as a crash would.
kill_lb() {
	{
		kill -9 "$LB_PID"
		wait "$LB_PID"
	} 2>/dev/null || true
}

# active N: N backends are active (resolved, in their rings).
active() {
	[ "$(ctl "$NAME" -j backend list |
		jq '[.backends[] | select(.state == "active")] | length')" -eq "$1" ]
}

start_lb || fatal "xlbd starts ($(tail -n 1 "$T_DIR/$NAME.log"))"
wait_for 10 active 5 || fatal "the file's 5 backends active"

load() {
	in_ns "$CLI" python3 "$TOOLS/http_load.py" "$@"
}

# served VIP N NAMES: N fresh requests to VIP are all answered, by some
# of the backends NAMES ("b1 b2") and no others.
served() {
	local out
	out=$(load fresh "$1" 80 "$2" --parallel 4)
	[ "$(jq -r --arg ok "$3" '"\(.errors) \([.answers[]] | add)",
		(.answers | keys - ($ok | split(" ")) | length)' <<<"$out" |
		paste -sd' ')" = "0 $2 0" ] && return 0
	echo "  $1: $out"
	return 1
}

check "before the changes: the DSR VIP answers" served "$VDSR" 20 "b1 b2"
check "before the changes: the NAT VIP answers" served "$VNAT" 20 "b1 b2 b3"

echo "-- runtime changes (not in the file)"
rt() {
	ctl "$NAME" "$@" >/dev/null
}
check "vip add $RUN mode nat" rt vip add "$RUN" mode nat
check "backend add $RUN ${B4[0]}" rt backend add "$RUN" "${B4[0]}"
check "backend add $RUN ${B4[1]}" rt backend add "$RUN" "${B4[1]}"
check "backend add $RUN ${B4[2]} weight 2" rt backend add "$RUN" "${B4[2]}" weight 2
check "backend del $RUN ${B4[0]}" rt backend del "$RUN" "${B4[0]}"
check "backend add $DSR ${B4[2]} weight 3" rt backend add "$DSR" "${B4[2]}" weight 3
check "backend set $NAT ${B4[0]} weight 4" rt backend set "$NAT" "${B4[0]}" weight 4
check "backend del $NAT ${B4[1]} (a backend of the file)" rt backend del "$NAT" "${B4[1]}"
check "rule add order 40 drop src $C_RULED dport 80" \
	rt rule add order 40 drop hook ingress src "$C_RULED/32" proto tcp dport 80
check "allow add ingress 198.18.0.0/16" rt allow add ingress 198.18.0.0/16
check "deny add ingress $C_DENIED/32" rt deny add ingress "$C_DENIED/32"
check "deny add ingress 2001:db8:66::/48" rt deny add ingress 2001:db8:66::/48
check "the runtime VIP answers from b2 and b3" served "$VRUN" 30 "b2 b3"

# The lists as JSON with their counters and flow counts set apart: ids,
# addresses, weights, states and rings must come back as they were.
STRIP='walk(if type == "object" then del(.packets, .bytes, .new_flows,
	.conn_hits, .conn_misses, .nat_exhausted, .hits, .conns) else . end)'
lists() {
	local what
	for what in vip backend rule allow deny; do
		ctl "$NAME" -j "$what" list | jq -cS "$STRIP"
	done
}

# counters: per VIP its packets, per rule and list entry its hits, one
# per line.
counters() {
	local what
	ctl "$NAME" -j vip list | jq -r '.vips[] | "vip \(.vip) \(.packets)"'
	ctl "$NAME" -j rule list | jq -r '.rules[] | "rule \(.id) \(.hits.packets)"'
	for what in allow deny; do
		ctl "$NAME" -j "$what" list |
			jq -r --arg l "$what" '.entries[] | "\($l) \(.id) \(.hits.packets)"'
	done
}

# not_less BEFORE AFTER: every counter of AFTER is at least BEFORE's.
not_less() {
	local k n m bad=0
	declare -A was=()
	while read -r k n m; do
		was[$k $n]=$m
	done <<<"$1"
	while read -r k n m; do
		if [ "$m" -lt "${was[$k $n]:-0}" ]; then
			echo "  $k $n: $m < ${was[$k $n]}"
			bad=1
		fi
	done <<<"$2"
	if [ "$(wc -l <<<"$1")" -ne "$(wc -l <<<"$2")" ]; then
		echo "  $(wc -l <<<"$1") counters before, $(wc -l <<<"$2") after"
		bad=1
	fi
	[ "$bad" -eq 0 ]
}

# hooked: the program ids on lb0: XDP, tc ingress, tc egress.
hooked() {
	local dir
	ip -n "$LB" -j link show lb0 | jq -r '.[0].xdp.prog.id // "none"'
	for dir in ingress egress; do
		tc -n "$LB" -j filter show dev lb0 "$dir" |
			jq -r '[.[] | .options.prog.id? // empty] | join(",")'
	done
}

lists >"$T_DIR/lists0"
ctl "$NAME" config dump >"$T_DIR/dump0"
HOOKED0=$(hooked)
echo "  programs on lb0 (xdp, tc ingress, tc egress): $(paste -sd' ' <<<"$HOOKED0")"
check "lb0: an XDP program and both tc filters" \
	test "$(grep -c '^[0-9][0-9,]*$' <<<"$HOOKED0")" -eq 3
check "the dump holds the runtime VIP" grep -q "\"$VRUN\"" "$T_DIR/dump0"

echo "-- downloads through the DSR and the NAT VIP"
# download TAG VIP: the blob through VIP at RATE in the background; its
# last TAIL_MB go slowly until $T_DIR/go exists, so that it cannot end
# before the restarts however slow the machine; TAG.json its outcome,
# TAG.progress the bytes received so far.
download() {
	bg_ns "$CLI" python3 "$TOOLS/paced_get.py" "$2" 80 /blob \
		--rate "$RATE" --progress "$T_DIR/$1.progress" \
		--hold "$T_DIR/go" --tail $((TAIL_MB << 20)) >"$T_DIR/$1.json"
	DL_PID[$1]=$!
}
declare -A DL_PID=() VP0=()
vip_packets() {
	ctl "$NAME" -j stats | jq --arg v "$1" '.vips[$v].packets'
}
for v in "$DSR" "$NAT"; do
	VP0[$v]=$(vip_packets "$v")
done
T0=$(now_ms)
download dsr "$VDSR"
download nat "$VNAT"
sleep 1

# progress: the bytes both downloads have received, "DSR NAT".
progress() {
	echo "$(cat "$T_DIR/dsr.progress") $(cat "$T_DIR/nat.progress")"
}

# grew "A B" "C D": C > A and D > B.
grew() {
	local a b c d
	read -r a b <<<"$1"
	read -r c d <<<"$2"
	[ "$c" -gt "$a" ] && [ "$d" -gt "$b" ]
}

# restart_cycle N: kill xlbd, check the data plane alone, start it again
# and check what it resumed.
restart_cycle() {
	local n=$1 c0 t0 p0 p1 left
	c0=$(counters)
	t0=$(now_ms)
	kill_lb
	p0=$(progress)
	echo "  kill $n at $((t0 - T0)) ms"
	check "kill $n: xlbd is gone, its socket unanswered" \
		bash -c "! kill -0 $LB_PID 2>/dev/null && ! '$XLBCTL' -s '$T_DIR/$NAME.sock' status >/dev/null 2>&1"
	check "xlbd down ($n): new connections to the DSR VIP answered" \
		served "$VDSR" 10 "b1 b2 b3"
	check "xlbd down ($n): new connections to the NAT VIP answered" \
		served "$VNAT" 10 "b1 b3"
	left=$((DOWN_MS - ($(now_ms) - t0)))
	[ "$left" -gt 0 ] && sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
	p1=$(progress)
	start_lb || fatal "restart $n: xlbd starts ($(tail -n 1 "$T_DIR/$NAME.log"))"
	echo "  restart $n up at $(($(now_ms) - T0)) ms, down $(($(now_ms) - t0)) ms"
	check "xlbd down ($n): both downloads went on (bytes: $p0 -> $p1)" \
		grew "$p0" "$p1"
	check_eq "restart $n: the data plane was adopted" \
		"$(ctl "$NAME" -j status | jq -r .adopted)" true
	lists >"$T_DIR/lists$n"
	check "restart $n: vip, backend, rule, allow, deny lists as before (ids included)" \
		diff "$T_DIR/lists0" "$T_DIR/lists$n"
	ctl "$NAME" config dump >"$T_DIR/dump$n"
	check "restart $n: config dump identical" diff "$T_DIR/dump0" "$T_DIR/dump$n"
	check "restart $n: VIP packets, rule and list hits not below those before the kill" \
		not_less "$c0" "$(counters)"
	check_eq "restart $n: same XDP and tc program ids on lb0 (not re-attached)" \
		"$(hooked)" "$HOOKED0"
	check "restart $n: the runtime VIP answers new connections from b2 and b3" \
		served "$VRUN" 30 "b2 b3"
}

restart_cycle 1
restart_cycle 2
p=$(progress)
check "both downloads still in flight after the second restart ($p of $((BLOB_MB << 20)) bytes)" \
	grew "$p" "$((BLOB_MB << 20)) $((BLOB_MB << 20))"
touch "$T_DIR/go"

# dropped SRC: a connection from SRC to the DSR VIP gets no answer.
dropped() {
	! in_ns "$CLI" curl -sS --interface "$1" --connect-timeout 1 \
		-o /dev/null "http://$VDSR/name" 2>/dev/null
}
rule_hits() {
	ctl "$NAME" -j rule list | jq -r '.rules[] | select(.order == 40) | .hits.packets'
}
deny_hits() {
	ctl "$NAME" -j deny list |
		jq -r --arg p "$C_DENIED/32" '.entries[] | select(.prefix == $p) | .hits.packets'
}
r0=$(rule_hits) d0=$(deny_hits)
check "after the restarts: the runtime rule drops $C_RULED" dropped "$C_RULED"
check "after the restarts: the runtime deny entry drops $C_DENIED" dropped "$C_DENIED"
check "...counted in their hits ($r0 -> $(rule_hits), $d0 -> $(deny_hits))" \
	test "$(rule_hits)" -gt "$r0" -a "$(deny_hits)" -gt "$d0"

echo "-- the downloads"
for tag in dsr nat; do
	wait "${DL_PID[$tag]}" || true
	out=$(cat "$T_DIR/$tag.json")
	echo "  $tag: $(jq -c 'del(.sha256)' <<<"$out")"
	check_eq "$tag: one connection from start to end, never reset (no error)" \
		"$(jq -r .error <<<"$out")" ""
	check_eq "$tag: $BLOB_MB MB arrived intact (status, size, sha256)" \
		"$(jq -r '"\(.status) \(.bytes) \(.sha256)"' <<<"$out")" \
		"200 $((BLOB_MB << 20)) $BLOB_SUM"
done
echo "  downloads over at $(($(now_ms) - T0)) ms"
for v in "$DSR" "$NAT"; do
	n=$(($(vip_packets "$v") - ${VP0[$v]}))
	# DSR counts the client's packets only (ACKs, a few thousand).
	check "$v counted its download's packets ($n, at least 1,000)" \
		test "$n" -ge 1000
done

echo "-- the state on disk"
mode=$(stat -c '%a' "$PIN")
check "pin dir $PIN is not open to others (mode $mode)" \
	test $((8#$mode & 8#007)) -eq 0
ww=$(find "$PIN" -mindepth 1 -perm -o=w | wc -l)
check_eq "no pin under $PIN is world-writable ($(find "$PIN" -mindepth 1 | wc -l) pins)" \
	"$ww" 0
check "a second xlbd on the same pin dir is refused: in use by another xlbd" \
	expect_fail 2 "$PIN: in use by another xlbd" in_ns "$LB" "$XLBD" \
	-c "$CONF" --pin-dir "$PIN" --socket "$T_DIR/second.sock" --metrics off
check "...and made no socket" test ! -e "$T_DIR/second.sock"
check_eq "...and the first one still serves, attached as before" \
	"$(ctl "$NAME" -j status | jq -r .pid) $(hooked | paste -sd' ')" \
	"$LB_PID $(paste -sd' ' <<<"$HOOKED0")"
check "the log names no error" bash -c "! grep -i error '$T_DIR/$NAME.log'"

t_done
