#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Program upgrades and map layout versions. build/variant/xlbd is xlbd
# built with programs that differ from build/xlbd's in their instructions
# (same maps). Starting one build over the other's pins must swap the
# programs on every hook in one step while traffic runs: a NAT download
# through the LB completes intact, a UDP stream that a rule drops never
# reaches its receiver and the rule counts every datagram exactly once,
# a stream that passes arrives whole, nothing is detached; the runtime
# state stays. A restart of the same build replaces nothing. A pin dir
# whose recorded map layout version differs is refused, by the daemon and
# by --detach, and the running data plane is left as it was.
#
#       c                      lb                          b
#   +-----------+   +---------------------------+   +-------------+
#   | curl      |   | xlbd (build, then variant,|   | http_backend|
#   | udp_burst |   |  then build again)        |   | 198.18.1.2  |
#   | 198.18.0.2|   | udp_echo :5001 :5002      |   | default via |
#   | xlbd peer |   | 198.18.0.1      198.18.1.1|   | 198.18.1.1  |
#   +----c0-----+   +---lb-c-------------lb-s---+   +----b0-------+
#        |              |                 |              |
#        +--------------+                 +--------------+
#
# NAT VIP 198.18.100.10:80/tcp -> 198.18.1.2 (the LB forwards; c0 and b0
# run a counters-only xlbd so frames the LB redirects to them arrive).
# Rule: drop UDP to port 5001 at ingress. Checksum offload off.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NEXT=$BUILD/variant/xlbd
PIN=/sys/fs/bpf/lbx
N_UDP=2000
BLOB_MB=40

[ -x "$NEXT" ] || fatal "$NEXT missing (make build/variant/xlbd)"

ns_add c
ns_add lb
ns_add b
veth c c0 198.18.0.2 lb lb-c 198.18.0.1
veth lb lb-s 198.18.1.1 b b0 198.18.1.2
ip -n c route add 198.18.100.0/24 via 198.18.0.1
ip -n b route add default via 198.18.1.1
in_ns lb sysctl -qw net.ipv4.ip_forward=1

cat >"$T_DIR/peer-c.conf" <<'EOF'
interfaces = ( { name = "c0"; xdp = "native"; tc = "off"; } );
EOF
sed 's/c0/b0/' "$T_DIR/peer-c.conf" >"$T_DIR/peer-b.conf"
cat >"$T_DIR/lb.conf" <<'EOF'
interfaces = (
  { name = "lb-c"; xdp = "native"; tc = "both"; filter = true; lb = true; },
  { name = "lb-s"; xdp = "native"; tc = "both"; lb = true; }
);
filter = {
  rules = ( { order = 10; action = "drop"; hook = "ingress";
              proto = "udp"; dport = 5001; } );
};
vips = (
  { address = "198.18.100.10"; port = 80; proto = "tcp"; mode = "nat";
    backends = ( { address = "198.18.1.2"; weight = 1; } ); }
);
EOF

www_dirs 1 "$BLOB_MB"
bg_ns b python3 "$TOOLS/http_backend.py" 80 "$T_DIR/www1"
bg_ns lb python3 "$TOOLS/udp_echo.py" 198.18.0.1 5001 "$T_DIR/echo-5001"
bg_ns lb python3 "$TOOLS/udp_echo.py" 198.18.0.1 5002 "$T_DIR/echo-5002"

start_xlbd c "$T_DIR/peer-c.conf" peer-c || fatal "peer xlbd in c"
start_xlbd b "$T_DIR/peer-b.conf" peer-b || fatal "peer xlbd in b"
start_xlbd lb "$T_DIR/lb.conf" lbx || fatal "xlbd in lb"

wait_for 10 listening b || fatal "the server in b listens"

# hook_ids: "xdp(lb-c) tc-in(lb-c) tc-eg(lb-c) xdp(lb-s)" as the
# kernel has them attached.
hook_ids() {
	local x1 x2 ti te
	x1=$(ip -n lb -j link show lb-c | jq -r '.[0].xdp.prog.id // 0')
	x2=$(ip -n lb -j link show lb-s | jq -r '.[0].xdp.prog.id // 0')
	ti=$(in_ns lb tc -j filter show dev lb-c ingress |
		jq -r '[.[] | select(.options.prog.id) | .options.prog.id][0] // 0')
	te=$(in_ns lb tc -j filter show dev lb-c egress |
		jq -r '[.[] | select(.options.prog.id) | .options.prog.id][0] // 0')
	echo "$x1 $ti $te $x2"
}

# pin_ids: the ids of the pinned programs, in hook_ids' order.
pin_ids() {
	local x ti te
	x=$(bpftool -j prog show pinned "$PIN/prog_xdp" | jq -r .id)
	ti=$(bpftool -j prog show pinned "$PIN/prog_tc_ingress" | jq -r .id)
	te=$(bpftool -j prog show pinned "$PIN/prog_tc_egress" | jq -r .id)
	echo "$x $ti $te $x"
}

# gone ID...: within 2 s no program ID exists (a replaced program is
# freed after an RCU grace period).
gone() {
	local id left
	for _ in $(seq 20); do
		left=
		for id; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left+=" $id"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "  still there:$left"
	return 1
}

tag_of() {
	bpftool -j prog show id "$1" | jq -r .tag
}

# state: what must survive an upgrade, counters and flow counts left out.
state() {
	{
		ctl lbx -j vip list | jq -c '[.vips[] | {id, vip, mode, in_ring}]'
		ctl lbx -j backend list |
			jq -c '[.backends[] | del(.packets, .bytes, .new_flows, .conns)]'
		ctl lbx -j rule list | jq -c '[.rules[] | {id, order, action}]'
		ctl lbx config dump
	} 2>&1
}

rule_hits() {
	ctl lbx -j rule list | jq -r '.rules[0].hits.packets'
}

# stop_lb: SIGTERM the LB's daemon and wait for it (the data plane stays).
stop_lb() {
	kill "$XLBD_PID"
	wait "$XLBD_PID" 2>/dev/null || true
}

# upgrade_under_traffic LABEL BINARY: with a download and both UDP streams
# running, stop the LB's daemon and start BINARY over its pins; then check
# that every hook holds BINARY's programs, swapped in place, and that no
# datagram or byte went astray.
upgrade_under_traffic() {
	local label=$1 bin=$2 before pins after old_tag h0 h1 curl_pid b1 b2 id
	: >"$T_DIR/echo-5001"
	: >"$T_DIR/echo-5002"
	before=$(hook_ids)
	old_tag=$(tag_of "${before%% *}")
	h0=$(rule_hits)
	state >"$T_DIR/state-before"

	in_ns c curl -sS --max-time 60 --limit-rate 10M -o "$T_DIR/got" \
		http://198.18.100.10/blob &
	curl_pid=$!
	in_ns c python3 "$TOOLS/udp_burst.py" -w 0.1 198.18.0.1 5001 "$N_UDP" \
		>/dev/null &
	b1=$!
	in_ns c python3 "$TOOLS/udp_burst.py" -w 0.1 198.18.0.1 5002 "$N_UDP" \
		>/dev/null &
	b2=$!
	sleep 0.7
	stop_lb
	XLBD=$bin start_xlbd lb "$T_DIR/lb.conf" lbx ||
		fatal "$label: $bin did not start over the pins"
	wait "$b1" "$b2" || true

	after=$(hook_ids)
	pins=$(pin_ids)
	check_eq "$label: every hook holds the pinned programs" "$after" "$pins"
	for id in $before; do
		check "$label: program $id replaced" \
			bash -c "[[ ' $after ' != *' $id '* ]]"
	done
	# shellcheck disable=SC2086 # one id per word
	check "$label: the old programs are gone (nothing holds them)" \
		gone $before
	check "$label: the XDP program's code changed (tag $old_tag)" \
		test "$(tag_of "${after%% *}")" != "$old_tag"
	check "$label: the log tells the replacement" \
		grep -q "XDP program id ${before%% *} replaced by id ${after%% *}" \
		"$T_DIR/lbx.log"
	check_eq "$label: dropped stream never reached its receiver" \
		"$(wc -l <"$T_DIR/echo-5001")" 0
	check_eq "$label: passed stream arrived whole" \
		"$(wc -l <"$T_DIR/echo-5002")" "$N_UDP"
	h1=$(rule_hits)
	check_eq "$label: the drop rule counted each datagram once" \
		"$((h1 - h0))" "$N_UDP"
	state >"$T_DIR/state-after"
	check "$label: VIPs, backends, rules and config dump unchanged" \
		cmp -s "$T_DIR/state-before" "$T_DIR/state-after"
	check "$label: the download through the NAT VIP completed" \
		wait "$curl_pid"
	check_eq "$label: and arrived intact" \
		"$(sha256sum "$T_DIR/got" | cut -d' ' -f1)" "$BLOB_SUM"
	check_eq "$label: status shows the new XDP program" \
		"$(ctl lbx -j status | jq -r '.interfaces[] | select(.name == "lb-c") | .xdp.prog_id')" \
		"${after%% *}"
}

first=$(hook_ids)
FIRST_TAG=$(tag_of "${first%% *}")
check "every hook attached" bash -c "[[ '$first' != *' 0'* && '$first' != '0 '* ]]"
check_eq "the pins are what is attached" "$first" "$(pin_ids)"
for m in xlb_rules xlb_vips xlb_backends xlb_ring xlb_allow4 xlb_ifaces; do
	check "$m is read-only to the programs (BPF_F_RDONLY_PROG)" \
		bash -c "(( \$(bpftool -j map show pinned $PIN/$m | jq .flags) & 128 ))"
done

# A runtime change, to see it kept across the upgrades.
ctl lbx rule add order 20 pass proto udp dport 5003 >/dev/null
ctl lbx vip add 198.18.100.11:80/tcp mode nat >/dev/null
ctl lbx backend add 198.18.100.11:80/tcp 198.18.1.2 weight 3 >/dev/null

upgrade_under_traffic "upgrade" "$NEXT"

# The same build again: nothing to replace.
same=$(hook_ids)
stop_lb
XLBD=$NEXT start_xlbd lb "$T_DIR/lb.conf" lbx || fatal "restart of the same build"
check_eq "same build restarted: no program replaced" "$(hook_ids)" "$same"

upgrade_under_traffic "downgrade" "$XLBD"
check_eq "downgrade: the first build's code is back" \
	"$(tag_of "$(hook_ids | cut -d' ' -f1)")" "$FIRST_TAG"

# Another map layout version recorded in the pins: refused, untouched.
stop_lb
read -r -a meta <<<"$(bpftool -j map lookup pinned "$PIN/xlb_meta" \
	key 0 0 0 0 | jq -r '.value | join(" ")')"
ver=$((meta[0] + 256 * meta[1]))
other=$((ver + 1))
bpftool map update pinned "$PIN/xlb_meta" key 0 0 0 0 \
	value $((other & 255)) $((other >> 8)) 0 0 "${meta[@]:4}"
held=$(hook_ids)
check "a pin dir of layout v$other: xlbd refuses it" \
	expect_fail 2 "holds state of map layout v$other, this build uses v$ver" \
	nsenter --net=/run/netns/lb "$XLBD" -c "$T_DIR/lb.conf" \
	--pin-dir "$PIN" --socket "$T_DIR/refused.sock"
check "and so does xlbd --detach" \
	expect_fail 2 "holds state of map layout v$other" \
	nsenter --net=/run/netns/lb "$XLBD" --detach --pin-dir "$PIN"
check_eq "the running data plane is untouched" "$(hook_ids)" "$held"
check "and still forwards through the NAT VIP" \
	in_ns c curl -sS --max-time 5 -o /dev/null http://198.18.100.10/blob
bpftool map update pinned "$PIN/xlb_meta" key 0 0 0 0 \
	value $((ver & 255)) $((ver >> 8)) 0 0 "${meta[@]:4}"
start_xlbd lb "$T_DIR/lb.conf" lbx || fatal "xlbd after the version is restored"
check_eq "layout v$ver again: adopted as it was" "$(hook_ids)" "$held"

# prog_fds: the program file descriptors the LB's daemon holds.
prog_fds() {
	find "/proc/$XLBD_PID/fd" -lname 'anon_inode:bpf-prog' | wc -l
}
fds=$(prog_fds)
for _ in $(seq 50); do
	ctl lbx status >/dev/null
done
check_eq "50 status requests leave no program descriptor open" \
	"$(prog_fds)" "$fds"

t_done
