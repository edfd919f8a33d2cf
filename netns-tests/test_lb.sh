#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The load balancer end to end, with real HTTP servers and clients, in
# both forwarding modes (dsr, nat) and both topologies: one-armed (the
# LB sends frames back out of the interface they came in on, XDP_TX) and
# two-armed (in on the client side, out on the backend side, XDP_REDIRECT
# through the devmap). For each of the four: 3,000 requests on fresh
# connections spread as the weights say (within 10%); a 100 MB download
# arrives intact; every packet of a connection reaches one backend, and
# the per-backend counters agree with what the clients saw; hundreds of
# clients at once, the same source ports on many addresses; removing a
# backend moves only its connections; draining keeps established
# connections and takes no new ones, not even one reusing the source
# port of a flow to it that has just closed; an IPv6 VIP; a killed server
# is found by health checks and gets no new flows until it is back.
#
# One-armed (prefix o):
#
#          oc                  olb                  ob1   ob2   ob3
#   +--------------+   +-----------------+   +-----------------------+
#   | http_load.py |   | xlbd, lb on lb0 |   | http_backend.py :80   |
#   | 198.18.0.2   |   | 198.18.0.1      |   | 198.18.0.11, .12, .13 |
#   | .100 - .131  |   | 2001:db8::1     |   | 2001:db8::11, 12, 13  |
#   | 2001:db8::2  |   |                 |   | dsr: VIP on lo        |
#   +------c0------+   +------lb0--------+   +--eth0---eth0---eth0---+
#          |                  |                    |      |      |
#   +----sw-c---------------sw-lb-----------------sw-b1--sw-b2--sw-b3--+
#   | osw: bridge br0; xlbd (counters) on sw-lb: the veth peer that     |
#   | receives the frames XDP_TX sends needs an XDP program of its own  |
#   +-------------------------------------------------------------------+
#
# Two-armed (prefix t): the same hosts, but the client and the LB's lb-c
# share bridge brc (198.18.0.0/24, 2001:db8::/64), the LB's lb-s and the
# backends bridge brs (198.18.1.0/24, 2001:db8:1::/64; LB .1, backends
# .11-.13 and 2001:db8:1::11-13, default routes via the LB, which
# forwards). xlbd on tsw runs on sw-lbc and sw-lbs, the peers of lb-c
# and lb-s.
#
# VIPs 198.18.100.10:80/tcp (backends of weights 1, 1, 2) and
# [2001:db8:100::10]:80/tcp (weights 1, 1, 1), routed by the client to
# the LB. DSR backends hold the VIPs on lo, arp_ignore=1, arp_announce=2,
# rp_filter off; NAT backends have nothing of the kind (the VIPs leave
# their lo before the NAT runs). Checksum offload is off on every veth;
# static neighbours everywhere.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP4=198.18.100.10
VIP6=2001:db8:100::10
V4="$VIP4:80/tcp"
V6="[$VIP6]:80/tcp"
BLOB_MB=100
# Client addresses besides the main one, for many clients at once.
CSRC=$(seq -f '198.18.0.%g' 100 131 | paste -sd,)
SPREAD_N=3000
HEALTH='
	  health = { type = "http"; path = "/"; interval = "0.5s";
		     timeout = "0.3s"; rise = 2; fall = 2; };'
# Health checks must notice a dead server within this many seconds
# (fall 2 x interval 0.5 s, plus a timeout, with room for a slow host).
DETECT_SECS=5

# The pages the backends serve: their name, and one random blob for all.
www_dirs 3 "$BLOB_MB"

# port SEG NS IF BR SWIF ADDR...: a veth from NS (IF) to the switch
# (SWIF, a port of bridge BR), offload off on both ends, ADDRs (IPv4 /24,
# IPv6 /64) on IF, remembered as members of segment SEG for seg_neigh.
port() {
	local seg=$1 ns=$2 ifn=$3 br=$4 swif=$5 a
	shift 5
	ip link add "$ifn" netns "$ns" type veth peer name "$swif" netns "$SW"
	ipv6_quiet "$ns" "$ifn"
	in_ns "$ns" ethtool -K "$ifn" tx off rx off >/dev/null
	in_ns "$SW" ethtool -K "$swif" tx off rx off >/dev/null
	ip -n "$SW" link set "$swif" master "$br" up
	for a; do
		case $a in
		*:*) ip -n "$ns" addr add "$a/64" dev "$ifn" nodad ;;
		*) ip -n "$ns" addr add "$a/24" dev "$ifn" ;;
		esac
		echo "$ns $ifn $a" >>"$T_DIR/seg-$seg"
	done
	ip -n "$ns" link set "$ifn" up
}

# seg_neigh SEG: every member of SEG gets a permanent neighbour entry for
# every address of the others, so no ARP or neighbour discovery is
# needed (one ip -batch per namespace).
seg_neigh() {
	local seg=$1 ns ifn a ns2 ifn2 a2 mac
	declare -A macs=()
	while read -r ns ifn a; do
		[ -n "${macs[$ns/$ifn]:-}" ] && continue
		macs[$ns/$ifn]=$(ip -n "$ns" -j link show "$ifn" | jq -r '.[0].address')
	done <"$T_DIR/seg-$seg"
	while read -r ns ifn a; do
		echo "$ns $ifn"
	done <"$T_DIR/seg-$seg" | sort -u | while read -r ns ifn; do
		while read -r ns2 ifn2 a2; do
			[ "$ns2" = "$ns" ] && continue
			mac=${macs[$ns2/$ifn2]}
			echo "neigh replace $a2 lladdr $mac dev $ifn nud permanent"
		done <"$T_DIR/seg-$seg" >"$T_DIR/neigh.batch"
		ip -n "$ns" -batch "$T_DIR/neigh.batch"
	done
}

# topology ARMS: the namespaces, links, addresses and servers of the
# one-armed (ARMS=one) or two-armed (two) topology; sets CLI, LB, SW, BNS
# (backend namespaces), B4 and B6 (their addresses), LB_IFS (the LB's
# interfaces), SRV_PID.
topology() {
	local arms=$1 p i ns seg_b br_b lb_b4 lb_b6 csrc
	p=${arms:0:1}
	CLI=${p}c LB=${p}lb SW=${p}sw
	BNS=("${p}b1" "${p}b2" "${p}b3")
	IFS=, read -r -a csrc <<<"$CSRC"
	for ns in "$CLI" "$LB" "$SW" "${BNS[@]}"; do
		ns_add "$ns"
	done
	in_ns "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	if [ "$arms" = one ]; then
		ip -n "$SW" link add br0 type bridge mcast_snooping 0
		ip -n "$SW" link set br0 up
		seg_b=one br_b=br0
		port one "$CLI" c0 br0 sw-c 198.18.0.2 2001:db8::2 "${csrc[@]}"
		port one "$LB" lb0 br0 sw-lb 198.18.0.1 2001:db8::1
		LB_IFS=(lb0)
		B4=(198.18.0.11 198.18.0.12 198.18.0.13)
		B6=(2001:db8::11 2001:db8::12 2001:db8::13)
		lb_b4=198.18.0.1 lb_b6=2001:db8::1
	else
		ip -n "$SW" link add brc type bridge mcast_snooping 0
		ip -n "$SW" link add brs type bridge mcast_snooping 0
		ip -n "$SW" link set brc up
		ip -n "$SW" link set brs up
		seg_b=back br_b=brs
		port front "$CLI" c0 brc sw-c 198.18.0.2 2001:db8::2 "${csrc[@]}"
		port front "$LB" lb-c brc sw-lbc 198.18.0.1 2001:db8::1
		port back "$LB" lb-s brs sw-lbs 198.18.1.1 2001:db8:1::1
		seg_neigh front
		LB_IFS=(lb-c lb-s)
		B4=(198.18.1.11 198.18.1.12 198.18.1.13)
		B6=(2001:db8:1::11 2001:db8:1::12 2001:db8:1::13)
		lb_b4=198.18.1.1 lb_b6=2001:db8:1::1
		# DSR answers cross the LB: its kernel routes them.
		in_ns "$LB" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1
	fi
	# The LB's own connections take ports outside the range NAT gives
	# its flows (32768-60999), as docs/lb.md asks, so a reply to one is
	# never taken for a NAT flow's.
	in_ns "$LB" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.ip_local_port_range="61000 65535"
	for i in 0 1 2; do
		ns=${BNS[$i]}
		port "$seg_b" "$ns" eth0 "$br_b" "sw-b$((i + 1))" \
			"${B4[$i]}" "${B6[$i]}"
		in_ns "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 \
			net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.eth0.rp_filter=0
		if [ "$arms" = two ]; then
			ip -n "$ns" route add default via "$lb_b4"
			ip -n "$ns" -6 route add default via "$lb_b6"
		fi
	done
	seg_neigh "$seg_b"
	ip -n "$CLI" route add 198.18.100.0/24 via 198.18.0.1
	ip -n "$CLI" -6 route add 2001:db8:100::/64 via 2001:db8::1
	vip_on_lo add

	# A pass-through XDP program (xlb's counters) on the LB's peers.
	local swconf=$T_DIR/$SW.conf
	{
		echo "interfaces = ("
		if [ "$arms" = one ]; then
			echo '	{ name = "sw-lb"; xdp = "native"; tc = "off"; }'
		else
			echo '	{ name = "sw-lbc"; xdp = "native"; tc = "off"; },'
			echo '	{ name = "sw-lbs"; xdp = "native"; tc = "off"; }'
		fi
		echo ");"
	} >"$swconf"
	start_xlbd "$SW" "$swconf" "$SW" || fatal "$arms: xlbd on the switch"

	SRV_PID=()
	for i in 0 1 2; do
		start_server "$i"
	done
	for i in 0 1 2; do
		wait_for 10 listening "${BNS[$i]}" ||
			fatal "$arms: server b$((i + 1)) listens"
	done
}

# vip_on_lo add|del: the VIPs on every backend's lo (DSR only).
vip_on_lo() {
	local ns
	for ns in "${BNS[@]}"; do
		ip -n "$ns" addr "$1" "$VIP4/32" dev lo
		ip -n "$ns" addr "$1" "$VIP6/128" dev lo
	done
}

# start_server I: the HTTP server of backend I (0-2).
start_server() {
	bg_ns "${BNS[$1]}" python3 "$TOOLS/http_backend.py" 80 \
		"$T_DIR/www$(($1 + 1))"
	SRV_PID[$1]=$!
}

stop_server() {
	kill "${SRV_PID[$1]}"
	wait "${SRV_PID[$1]}" 2>/dev/null || true
}

# Servers, daemons and namespaces of a topology go when it is done.
topology_end() {
	local i ns
	for i in 0 1 2; do
		stop_server "$i"
	done
	ctl "$SW" detach >/dev/null || true
	for ns in "$CLI" "$LB" "$SW" "${BNS[@]}"; do
		ip netns del "$ns"
	done
}

load() {
	in_ns "$CLI" python3 "$TOOLS/http_load.py" "$@"
}

# lb_conf FILE MODE [EXTRA]: the LB's configuration; EXTRA goes into
# each VIP (the health block).
lb_conf() {
	local file=$1 mode=$2 extra=${3:-} ifn lb sep=""
	{
		echo "# test_lb: $mode, ${#LB_IFS[@]} interface(s)"
		echo "interfaces = ("
		for ifn in "${LB_IFS[@]}"; do
			# The backend side needs the lb stage only in NAT
			# mode, where the backends' replies come back to it.
			lb=true
			[ "$ifn" = lb-s ] && [ "$mode" = dsr ] && lb=false
			printf '%s\t{ name = "%s"; xdp = "native"; tc = "off"; lb = %s; }' \
				"$sep" "$ifn" "$lb"
			sep=$',\n'
		done
		printf '\n);\n'
		cat <<CONF
vips = (
	{ address = "$VIP4"; port = 80; proto = "tcp"; mode = "$mode";$extra
	  backends = ( { address = "${B4[0]}"; weight = 1; },
		       { address = "${B4[1]}"; weight = 1; },
		       { address = "${B4[2]}"; weight = 2; } ); },
	{ address = "$VIP6"; port = 80; proto = "tcp"; mode = "$mode";$extra
	  backends = ( { address = "${B6[0]}"; }, { address = "${B6[1]}"; },
		       { address = "${B6[2]}"; } ); }
);
CONF
	} >"$file"
}

# active NAME N: N backends are active.
active() {
	[ "$(ctl "$1" -j backend list |
		jq '[.backends[] | select(.state == "active")] | length')" -eq "$2" ]
}

# state NAME VIP ADDR: the backend's state.
state() {
	ctl "$1" -j backend list "$2" |
		jq -r --arg a "$3" '.backends[] | select(.address == $a) | .state'
}

state_is() {
	[ "$(state "$1" "$2" "$3")" = "$4" ]
}

# bpkts NAME VIP ADDR...: the backends' forwarded packets, in order.
bpkts() {
	local name=$1 vip=$2
	shift 2
	ctl "$name" -j stats | jq -r --arg v "$vip" \
		'.backends[$v] as $b | [$ARGS.positional[] | $b[.].packets] | join(" ")' \
		--args "$@"
}

# grew "A B C" "D E F": how many counters grew, and the index of the last.
grew() {
	local a b i n=0 last=-1
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	for i in "${!a[@]}"; do
		if [ "${b[$i]}" -gt "${a[$i]}" ]; then
			n=$((n + 1))
			last=$i
		fi
	done
	echo "$n $last"
}

# xdp_sent NAME IF: "TX REDIRECT", the packets xlb's XDP on IF sent.
xdp_sent() {
	ctl "$1" -j stats | jq -r --arg i "$2" \
		'.interfaces[$i].hooks.xdp.verdicts | "\(.tx.packets) \(.redirect.packets)"'
}

new_flows() {
	ctl "$1" -j stats | jq -r --arg v "$2" '.vips[$v].new_flows'
}

# answers JSON NAME: the count of answers from backend NAME.
answers() {
	jq -r --arg n "$2" '.answers[$n] // 0' <<<"$1"
}

# within PCT GOT WANT: GOT is within PCT% of WANT.
within() {
	local d=$(($2 - $3))
	[ $((${d#-} * 100)) -le $(($1 * $3)) ]
}

# fresh_ok TAG JSON N: every one of N fresh requests was answered.
fresh_ok() {
	check_eq "$1" "$(jq -r '"\(.errors) \([.answers[]] | add) \(.error)"' <<<"$2")" \
		"0 $3 "
}

# Weighted spread over fresh connections, and the counters agreeing.
case_spread() {
	local tag=$1 name=$2 sport=$3 out f0 p0 p1 i w want got sum=4 r lo=0 hi=0 t0 n
	local -a d0 d1 x0 x1
	read -r -a x0 <<<"$(xdp_sent "$name" "${LB_IFS[0]}")"
	f0=$(new_flows "$name" "$V4")
	p0=$(bpkts "$name" "$V4" "${B4[@]}")
	t0=$(now_ms)
	# Fixed source ports: the same 3,000 flows every run, so the spread
	# is the hash's and the ring's, not the kernel's port choice.
	out=$(load fresh "$VIP4" 80 "$SPREAD_N" --parallel 8 --src "$CSRC" \
		--sport "$sport")
	echo "  $SPREAD_N fresh requests in $(($(now_ms) - t0)) ms: $(jq -c .answers <<<"$out")"
	fresh_ok "$tag: $SPREAD_N fresh requests answered" "$out" "$SPREAD_N"
	for i in 0 1 2; do
		w=1
		[ "$i" = 2 ] && w=2
		want=$((SPREAD_N * w / sum))
		got=$(answers "$out" "b$((i + 1))")
		check "$tag: b$((i + 1)) (weight $w) answered $got, within 10% of $want" \
			within 10 "$got" "$want"
	done
	# A source port the client reuses (the server closed first, so the
	# client kept no TIME_WAIT) is the same flow again, within its 10 s.
	n=$(jq .tuples <<<"$out")
	check_eq "$tag: the VIP counted a new flow per distinct source ($n)" \
		"$(($(new_flows "$name" "$V4") - f0))" "$n"
	# One arm: out where they came in (XDP_TX); two: out of the other.
	read -r -a x1 <<<"$(xdp_sent "$name" "${LB_IFS[0]}")"
	x1[0]=$((x1[0] - x0[0])) x1[1]=$((x1[1] - x0[1]))
	if [ "${#LB_IFS[@]}" -eq 1 ]; then
		check "$tag: sent with XDP_TX (tx ${x1[0]}, redirect ${x1[1]})" \
			test "${x1[0]}" -ge "$SPREAD_N" -a "${x1[1]}" -eq 0
	else
		check "$tag: sent with XDP_REDIRECT (tx ${x1[0]}, redirect ${x1[1]})" \
			test "${x1[1]}" -ge "$SPREAD_N" -a "${x1[0]}" -eq 0
	fi
	# Each connection is about the same number of client packets, so
	# each backend's packets per answer must be about the same.
	p1=$(bpkts "$name" "$V4" "${B4[@]}")
	read -r -a d0 <<<"$p0"
	read -r -a d1 <<<"$p1"
	for i in 0 1 2; do
		got=$(answers "$out" "b$((i + 1))")
		r=$(((d1[i] - d0[i]) * 100 / (got > 0 ? got : 1)))
		if [ "$i" -eq 0 ] || [ "$r" -lt "$lo" ]; then
			lo=$r
		fi
		if [ "$i" -eq 0 ] || [ "$r" -gt "$hi" ]; then
			hi=$r
		fi
	done
	check "$tag: per-backend packets agree with the answers (x100 per answer: $lo..$hi)" \
		test "$lo" -gt 0 -a $((hi * 100)) -le $((lo * 125))
}

# One connection: 200 requests, one backend; only its counter moves.
case_sticky() {
	local tag=$1 name=$2 vip=$3 vipa=$4 out p0 p1 names g
	shift 4
	p0=$(bpkts "$name" "$vip" "$@")
	out=$(load hold "$vipa" 80 1 --rounds 200)
	p1=$(bpkts "$name" "$vip" "$@")
	names=$(jq -r '[.rounds[][0]] | unique | join(" ")' <<<"$out")
	check "$tag: 200 requests on one connection, one backend ($names)" \
		bash -c "[[ '$names' =~ ^b[123]$ ]]"
	g=$(grew "$p0" "$p1")
	check_eq "$tag: only that backend's counter grew" "$g" \
		"1 $((${names#b} - 1))"
}

# The blob, 100 MB on one connection, intact; one backend's counter.
case_blob() {
	local tag=$1 name=$2 out p0 p1 t0 who
	p0=$(bpkts "$name" "$V4" "${B4[@]}")
	t0=$(now_ms)
	out=$(load get "$VIP4" 80 /blob)
	echo "  $BLOB_MB MB in $(($(now_ms) - t0)) ms from $(jq -r .backend <<<"$out")"
	p1=$(bpkts "$name" "$V4" "${B4[@]}")
	check_eq "$tag: $BLOB_MB MB download intact (sha256)" \
		"$(jq -r '"\(.status) \(.bytes) \(.sha256)"' <<<"$out")" \
		"200 $((BLOB_MB << 20)) $BLOB_SUM"
	who=$(jq -r .backend <<<"$out")
	check_eq "$tag: only the serving backend's counter grew" \
		"$(grew "$p0" "$p1")" "1 $((${who#b} - 1))"
}

# Many clients at once: 256 connections open together from 32
# addresses, the same 8 source ports on each: ports below the ephemeral
# range, so no earlier connection of the client holds one of them.
case_many() {
	local tag=$1 base=$2 out
	out=$(load hold "$VIP4" 80 256 --rounds 2 --src "$CSRC" --sport "$base")
	check_eq "$tag: 256 connections from 32 addresses (same ports) answered twice" \
		"$(jq -r '[.rounds[][] | select(test("^b[123]$"))] | length' <<<"$out")" 512
	check_eq "$tag: each of them stayed on its backend" \
		"$(jq -r '.rounds as [$a, $b] | [range($a | length) | select($a[.] != $b[.])] | length' <<<"$out")" 0
	check_eq "$tag: all three backends served them" \
		"$(jq -r '[.rounds[0][]] | unique | join(" ")' <<<"$out")" "b1 b2 b3"
}

# hold_start DIR CONNS ROUNDS: connections held open in the background,
# round 0 done when it returns; HOLD_PID.
hold_start() {
	mkdir -p "$1"
	bg_ns "$CLI" python3 "$TOOLS/http_load.py" hold "$VIP4" 80 "$2" \
		--rounds "$3" --src "$CSRC" --sync "$1" >"$1/out"
	HOLD_PID=$!
	wait_for 30 test -e "$1/round0.json"
}

# hold_next DIR R: let round R run and wait for it.
hold_next() {
	touch "$1/go$2"
	wait_for 60 test -e "$1/round$2.json"
}

# Removing a backend moves only its connections.
case_remove() {
	local tag=$1 name=$2 dir=$T_DIR/${1// /-}-remove gone=b1 out c
	hold_start "$dir" 48 2 || {
		check "$tag: 48 connections held open" false
		return
	}
	ctl "$name" backend del "$V4" "${B4[0]}"
	hold_next "$dir" 1 || true
	wait "$HOLD_PID" 2>/dev/null || true
	out=$(jq -c --arg x "$gone" '.rounds as [$a, $b] | [range($a | length)] as $i | {
		answered: [$a[] | select(test("^b[123]$"))] | length,
		on_gone: [$i[] | select($a[.] == $x)] | length,
		others: [$i[] | select($a[.] != $x)] | length,
		kept: [$i[] | select($a[.] != $x and $b[.] == $a[.])] | length,
		stayed: [$i[] | select($a[.] == $x and $b[.] == $x)] | length
	}' "$dir/out")
	echo "  removal: $out"
	check_eq "$tag: 48 connections answered before the removal" \
		"$(jq .answered <<<"$out")" 48
	check "$tag: some of them on $gone" test "$(jq .on_gone <<<"$out")" -gt 0
	c=$(jq .others <<<"$out")
	check_eq "$tag: after removing $gone, the other backends' $c connections keep their backend" \
		"$(jq .kept <<<"$out")" "$c"
	check_eq "$tag: no connection of $gone still answered by it" \
		"$(jq .stayed <<<"$out")" 0
	out=$(load fresh "$VIP4" 80 300 --src "$CSRC")
	fresh_ok "$tag: 300 new connections after the removal" "$out" 300
	check_eq "$tag: none of them reached $gone" "$(answers "$out" "$gone")" 0
	ctl "$name" backend add "$V4" "${B4[0]}" weight 1 >/dev/null
}

# once SPORT: the backend that answers one request from 198.18.0.2:SPORT,
# on a connection the server closes first (so the port is free at once).
once() {
	load once "$VIP4" 80 198.18.0.2 "$1" | jq -r '.backend // .fatal'
}

# Draining keeps established connections and takes no new ones, not even
# one that reuses the source port of a flow to the drained backend that
# closed a moment ago (the server's TIME_WAIT takes such a SYN as a new
# connection).
case_drain() {
	local tag=$1 name=$2 sport=$3 dir=$T_DIR/${1// /-}-drain out sp=""
	local i
	for i in $(seq "$sport" $((sport + 40))); do
		if [ "$(once "$i")" = b2 ]; then
			sp=$i
			break
		fi
	done
	hold_start "$dir" 48 2 || {
		check "$tag: 48 connections held open" false
		return
	}
	ctl "$name" backend set "$V4" "${B4[1]}" weight 0
	check_eq "$tag: b2 draining" "$(state "$name" "$V4" "${B4[1]}")" draining
	out=$(load fresh "$VIP4" 80 300 --src "$CSRC")
	fresh_ok "$tag: 300 new connections while b2 drains" "$out" 300
	check_eq "$tag: none of them reached b2" "$(answers "$out" b2)" 0
	if [ -n "$sp" ]; then
		out=$(once "$sp")
		check "$tag: a new connection from the source port of b2's last flow answered, not by b2 ($out)" \
			bash -c "[[ '$out' =~ ^b[13]$ ]]"
	else
		check "$tag: one of 41 source ports reaches b2" false
	fi
	hold_next "$dir" 1 || true
	wait "$HOLD_PID" 2>/dev/null || true
	out=$(jq -c '.rounds as [$a, $b] | {
		on_b2: [$a[] | select(. == "b2")] | length,
		answered: [$a[] | select(test("^b[123]$"))] | length,
		same: [range($a | length) | select($b[.] == $a[.])] | length
	}' "$dir/out")
	echo "  drain: $out"
	check_eq "$tag: 48 connections answered before draining" \
		"$(jq .answered <<<"$out")" 48
	check "$tag: some of them on b2" test "$(jq .on_b2 <<<"$out")" -gt 0
	check_eq "$tag: all 48 still answered by their backend, b2's too" \
		"$(jq .same <<<"$out")" 48
	ctl "$name" backend set "$V4" "${B4[1]}" weight 1
}

# The IPv6 VIP: fresh connections over all backends, one keep-alive.
case_ipv6() {
	local tag=$1 name=$2 out
	out=$(load fresh "$VIP6" 80 300)
	fresh_ok "$tag: IPv6 VIP: 300 fresh requests answered" "$out" 300
	check "$tag: IPv6 VIP: each backend answered ($(jq -c .answers <<<"$out"))" \
		test "$(jq '[.answers[] | select(. >= 50)] | length' <<<"$out")" -eq 3
	case_sticky "$tag: IPv6" "$name" "$V6" "$VIP6" "${B6[@]}"
}

# Health checks: a killed server goes down, gets no new flows, comes
# back. A daemon of its own, started with the health blocks.
case_health() {
	local tag=$1 mode=$2 name=$3-h conf t0 t out
	conf=$T_DIR/$name.conf
	lb_conf "$conf" "$mode" "$HEALTH"
	if ! start_xlbd "$LB" "$conf" "$name" 2>/dev/null; then
		check "$tag: xlbd starts with health checks ($(tail -n 1 "$T_DIR/$name.log"))" false
		return
	fi
	check "$tag: health: every backend up" wait_for 10 active "$name" 6
	stop_server 2
	t0=$(now_ms)
	if wait_for "$DETECT_SECS" state_is "$name" "$V4" "${B4[2]}" down; then
		t=$(($(now_ms) - t0))
		check "$tag: killed b3 down after $t ms" true
	else
		check "$tag: killed b3 down within $DETECT_SECS s (state $(state "$name" "$V4" "${B4[2]}"))" false
	fi
	out=$(load fresh "$VIP4" 80 "$SPREAD_N" --parallel 8 --src "$CSRC")
	fresh_ok "$tag: $SPREAD_N fresh requests with b3 down answered" "$out" "$SPREAD_N"
	check_eq "$tag: none of them went to b3" "$(answers "$out" b3)" 0
	start_server 2
	wait_for 10 listening "${BNS[2]}" || true
	check "$tag: b3 back up within $DETECT_SECS s of its restart" \
		wait_for "$DETECT_SECS" state_is "$name" "$V4" "${B4[2]}" active
	out=$(load fresh "$VIP4" 80 300 --src "$CSRC")
	fresh_ok "$tag: 300 fresh requests after b3 is back" "$out" 300
	check "$tag: b3 answers again" test "$(answers "$out" b3)" -gt 0
	stop_xlbd "$name"
}

# stop_xlbd NAME: detach the daemon started as NAME and wait for it.
stop_xlbd() {
	local pid=$XLBD_PID
	ctl "$1" detach >/dev/null || true
	wait_for 5 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
}

# run_mode ARMS MODE SPORT: every case for one mode on the topology.
run_mode() {
	local arms=$1 mode=$2 sport=$3 tag="$1-armed $2" name=${LB}-$2 conf t0
	conf=$T_DIR/$name.conf
	t0=$(now_ms)
	echo "-- $tag"
	# NAT sends the backends' answers on through the FIB, which
	# answers only where the kernel forwards.
	if [ "$mode" = nat ]; then
		in_ns "$LB" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1
	fi
	lb_conf "$conf" "$mode"
	if ! start_xlbd "$LB" "$conf" "$name" 2>/dev/null; then
		check "$tag: xlbd starts ($(tail -n 1 "$T_DIR/$name.log"))" false
		return
	fi
	if ! wait_for 10 active "$name" 6; then
		check "$tag: every backend resolved and active" false
		ctl "$name" backend list
		stop_xlbd "$name"
		return
	fi
	case_spread "$tag" "$name" $((sport + 600))
	case_sticky "$tag" "$name" "$V4" "$VIP4" "${B4[@]}"
	case_blob "$tag" "$name"
	case_many "$tag" "$sport"
	case_remove "$tag" "$name"
	case_drain "$tag" "$name" $((sport + 500))
	case_ipv6 "$tag" "$name"
	stop_xlbd "$name"
	case_health "$tag" "$mode" "$name"
	echo "  ($tag: $(($(now_ms) - t0)) ms)"
}

T0=$(now_ms)
topology one
run_mode one dsr 20000
vip_on_lo del
run_mode one nat 21000
topology_end
topology two
run_mode two dsr 22000
vip_on_lo del
run_mode two nat 23000
topology_end
echo "(all: $(($(now_ms) - T0)) ms)"
t_done
