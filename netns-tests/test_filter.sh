#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The filter stage end to end, on a router: xlbd on ff filters both of
# its links (XDP native for received packets, tc egress for sent ones)
# while ff forwards between a client and real servers (HTTP over TCP,
# UDP echo), IPv4 and IPv6. Config-file rules and lists, deny and allow
# lists, runtime rules on the next packet, order precedence, egress
# rules, batches, the lock-out guard, malformed packets, ids across a
# restart and a reload; every count exact.
#
#    netns fc                 netns ff                       netns fs
#  +-----------------+       +-----------------------+       +-----------------+
#  | curl, udp_burst |       | xlbd: filter = true   |       | http.server     |
#  |                 |       | on ff-c and ff-s, XDP |       |   :8080 (v4+v6) |
#  |                 |       | native + tc both;     |       | udp_echo :9000  |
#  |                 |       | forwarding v4 and v6  |       |   (v4, v6; logs)|
#  |            fc-ff+-------+ff-c             ff-s  +-------+fs-ff            |
#  | 198.18.1.2 good |       | 198.18.1.1 198.18.2.1 |       | 198.18.2.2/24   |
#  | 198.18.1.3 deny |       | 2001:db8:1::1         |       | 2001:db8:2::2/64|
#  | 198.18.1.4 out  |       |         2001:db8:2::1 |       |                 |
#  | 2001:db8:1::2,3 |       |                       |       |                 |
#  | routes via ff   |       |                       |       | routes via ff   |
#  +-----------------+       +-----------------------+       +-----------------+
#
# Static neighbours everywhere (IPv4 and IPv6), no ARP, no neighbour
# discovery, no link-local addresses: only the test's packets cross.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The lock-out guard reads SSH_CONNECTION: only the checks that mean to
# set it may have it.
unset SSH_CONNECTION

GOOD=198.18.1.2
DENIED=198.18.1.3
OUTSIDE=198.18.1.4
GOOD6=2001:db8:1::2
RULED6=2001:db8:1::3
SRV=198.18.2.2
SRV6=2001:db8:2::2
CONF=$T_DIR/ff.conf
SSH="$GOOD 40000 198.18.1.1 22"

ns_add fc
ns_add ff
ns_add fs
in_ns ff sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
veth_ds fc fc-ff "$GOOD" "$GOOD6" ff ff-c 198.18.1.1 2001:db8:1::1
veth_ds ff ff-s 198.18.2.1 2001:db8:2::1 fs fs-ff "$SRV" "$SRV6"
veth_addr fc fc-ff "$DENIED" ff ff-c
veth_addr fc fc-ff "$OUTSIDE" ff ff-c
veth_addr fc fc-ff "$RULED6" ff ff-c
ip -n fc route add 198.18.2.0/24 via 198.18.1.1
ip -n fc route add 2001:db8:2::/64 via 2001:db8:1::1
ip -n fs route add 198.18.1.0/24 via 198.18.2.1
ip -n fs route add 2001:db8:1::/64 via 2001:db8:2::1

mkdir "$T_DIR/www"
head -c 1048576 /dev/urandom >"$T_DIR/www/blob"
bg_ns fs python3 -m http.server 8080 --bind :: \
	--directory "$T_DIR/www" >/dev/null 2>&1
bg_ns fs python3 "$TOOLS/udp_echo.py" "$SRV" 9000 "$T_DIR/echo4.log"
bg_ns fs python3 "$TOOLS/udp_echo.py" "$SRV6" 9000 "$T_DIR/echo6.log"
touch "$T_DIR/echo4.log" "$T_DIR/echo6.log"

# servers_up NS: the HTTP server and both echo servers are up.
servers_up() {
	[ "$(in_ns "$1" ss -Htuln '( sport = :8080 or sport = :9000 )' | wc -l)" -eq 3 ]
}
wait_for 5 servers_up fs || fatal "servers listen on fs"

write_conf() {
	cat >"$CONF" <<CONF
# test_filter: ff filters both links
interfaces = (
	{ name = "ff-c"; xdp = "native"; tc = "both"; filter = true; },
	{ name = "ff-s"; xdp = "native"; tc = "both"; filter = true; }
);
filter = {
	max_rules = 256;
	max_prefixes = 1024;
	rules = (
$1
	);
	allow = { egress = [ "198.18.0.0/15", "2001:db8::/32",
			     "ff02::/16" ]; };	# ff02::/16: ff's own MLD
	deny = {
$2
	};
};
CONF
}

# The first file.
RULES1='		{ order = 100; action = "drop"; src = "198.18.1.0/24";
		  proto = "udp"; dport = 9001; },
		{ order = 200; action = "drop"; src = "2001:db8:1::3";
		  proto = "udp"; dport = 9000; },
		{ order = 300; action = "drop"; hook = "egress"; proto = "tcp";
		  dport = 25; }'
DENY1='		ingress = [ "198.18.1.3", "2001:db8:66::/48" ];'
write_conf "$RULES1" "$DENY1"

# burst SRC DST PORT COUNT [udp_burst.py options]: echoes received.
burst() {
	local src=$1 dst=$2 port=$3 n=$4
	shift 4
	in_ns fc python3 "$TOOLS/udp_burst.py" -s "$src" "$@" "$dst" "$port" "$n"
}

# fetch SRC URL: curl's exit code; 0 only if the file came back intact.
fetch() {
	local rc=0
	rm -f "$T_DIR/got"
	in_ns fc curl -sS --interface "$1" --connect-timeout 1 --max-time 10 \
		-g -o "$T_DIR/got" "$2" 2>/dev/null || rc=$?
	if [ "$rc" -eq 0 ] && ! cmp -s "$T_DIR/got" "$T_DIR/www/blob"; then
		rc=99
	fi
	echo "$rc"
}

drops() {
	ctl ff -j stats | jq -r ".drops.$1"
}

exception() {
	ctl ff -j stats | jq -r ".exceptions.$1"
}

# rule_hits ID: packets of rule ID, empty if there is no such rule.
rule_hits() {
	ctl ff -j rule list |
		jq -r --argjson id "$1" '.rules[] | select(.id == $id) | .hits.packets'
}

# rule_id ORDER: the id of the rule with that order, or empty.
rule_id() {
	ctl ff -j rule list |
		jq -r --argjson o "$1" '.rules[] | select(.order == $o) | .id'
}

# entry LIST HOOK PREFIX FIELD: "id" or "hits" of one list entry.
entry() {
	ctl ff -j "$1" list | jq -r --arg h "$2" --arg p "$3" --arg f "$4" \
		'.entries[] | select(.hook == $h and .prefix == $p) |
		 if $f == "id" then .id else .hits.packets end'
}

# served LOG SRC: datagrams from SRC the echo server got.
served() {
	grep -c "^$2 " "$T_DIR/$1" || true
}

# rules_brief: every rule as "order action hook match", ';'-joined.
rules_brief() {
	ctl ff -j rule list | jq -r '[.rules[] | "\(.order) \(.action) \(.hook)" +
		(["src", "dst", "proto", "sport", "dport"] as $k |
		 [$k[] as $f | select(has($f)) | " \($f)=\(.[$f])"] | add // "")] |
		join(";")'
}

# entries_brief LIST: every entry as "hook prefix", ';'-joined.
entries_brief() {
	ctl ff -j "$1" list |
		jq -r '[.entries[] | "\(.hook) \(.prefix)"] | join(";")'
}

# ids_ok RULES ENTRIES: that many distinct rule ids and list entry ids,
# whole numbers from 1.
ids_ok() {
	local q='[.[] | (.rules // .entries)[].id |
		select(type == "number" and . >= 1 and . == floor)] | unique | length'
	local r e
	r=$(ctl ff -j rule list | jq -s "$q")
	e=$({
		ctl ff -j allow list
		ctl ff -j deny list
	} | jq -s "$q")
	[ "$r $e" = "$1 $2" ] && return 0
	echo "  $r rule ids, $e entry ids"
	return 1
}

# ssh_ctl ARGS...: xlbctl as if run over SSH from $GOOD.
ssh_ctl() {
	SSH_CONNECTION=$SSH "$XLBCTL" -s "$T_DIR/ff.sock" "$@"
}

# filter_state: every rule and list entry, hits included, one a line.
filter_state() {
	ctl ff -j rule list | jq -c '.rules[] | {rule: .}'
	ctl ff -j allow list | jq -c '.entries[] | {allow: .}'
	ctl ff -j deny list | jq -c '.entries[] | {deny: .}'
}

# same_state STATE: filter_state is STATE; else shows the difference.
same_state() {
	local d
	if ! d=$(diff <(printf '%s\n' "$1") <(filter_state)); then
		printf '%s\n' "$d" | sed 's/^/  /'
		return 1
	fi
}

# kill_xlbd: kill -9 the daemon, as a crash would.
kill_xlbd() {
	{
		kill -9 "$XLBD_PID"
		wait "$XLBD_PID"
	} 2>/dev/null || true
}

start_xlbd ff "$CONF" ff || fatal "xlbd starts on ff"

echo "-- config file"
check_eq "rule list -j: the file's rules" "$(rules_brief)" \
	"100 drop ingress src=198.18.1.0/24 proto=udp dport=9001;200 drop ingress src=2001:db8:1::3/128 proto=udp dport=9000;300 drop egress proto=tcp dport=25"
check_eq "allow list -j: the file's entries" "$(entries_brief allow)" \
	"egress 198.18.0.0/15;egress 2001:db8::/32;egress ff02::/16"
check_eq "deny list -j: the file's entries" "$(entries_brief deny)" \
	"ingress 198.18.1.3/32;ingress 2001:db8:66::/48"
check "ids: 3 distinct rule ids, 5 distinct entry ids" ids_ok 3 5
R1=$(rule_id 100)
R2=$(rule_id 200)
E_DENY=$(entry deny ingress 198.18.1.3/32 id)
E_MLD=$(entry allow egress ff02::/16 id)
check "rule list shows rule $R2 with its id, order and match" \
	bash -c "'$XLBCTL' -s '$T_DIR/ff.sock' rule list | grep -Eq '^ *$R2 +200 +drop +ingress +src 2001:db8:1::3/128 proto udp dport 9000 +0 +0$'"
check "deny list shows entry $E_DENY" \
	bash -c "'$XLBCTL' -s '$T_DIR/ff.sock' deny list | grep -Eq '^ *$E_DENY +ingress +198.18.1.3/32 +0 +0$'"
# ff's own MLD reports, sent when xlbd attaches, may have hit ff02::/16.
check "allow list shows entry $E_MLD" \
	bash -c "'$XLBCTL' -s '$T_DIR/ff.sock' allow list | grep -Eq '^ *$E_MLD +egress +ff02::/16 +[0-9]+ +[0-9]+$'"

echo "-- traffic through the filter"
e0=$(entry allow egress 198.18.0.0/15 hits)
check_eq "good source: 20 UDP echoes" "$(burst "$GOOD" "$SRV" 9000 20)" 20
check_eq "egress allow 198.18.0.0/15: 20 requests + 20 replies" \
	"$(($(entry allow egress 198.18.0.0/15 hits) - e0))" 40
check_eq "good source: HTTP GET of 1 MiB intact" \
	"$(fetch "$GOOD" "http://$SRV:8080/blob")" 0
check_eq "good IPv6 source: 20 UDP echoes" \
	"$(burst "$GOOD6" "$SRV6" 9000 20)" 20
check_eq "good IPv6 source: HTTP GET of 1 MiB intact" \
	"$(fetch "$GOOD6" "http://[$SRV6]:8080/blob")" 0

d0=$(drops filter_deny)
check_eq "denied source: no UDP echo" "$(burst "$DENIED" "$SRV" 9000 20)" 0
check_eq "denied source: deny entry hits == 20" \
	"$(entry deny ingress 198.18.1.3/32 hits)" 20
check_eq "denied source: drops.filter_deny +20" \
	"$(($(drops filter_deny) - d0))" 20
check_eq "denied source: nothing reached the server" \
	"$(served echo4.log "$DENIED")" 0
check_eq "denied source: TCP connect times out (curl exit 28)" \
	"$(fetch "$DENIED" "http://$SRV:8080/blob")" 28

r0=$(drops filter_rule)
check_eq "IPv6 rule (src $RULED6 udp 9000): no echo" \
	"$(burst "$RULED6" "$SRV6" 9000 20)" 0
check_eq "IPv6 rule hits == 20" "$(rule_hits "$R2")" 20
check_eq "IPv6 rule: drops.filter_rule +20" \
	"$(($(drops filter_rule) - r0))" 20
check_eq "IPv6 rule: nothing reached the server" \
	"$(served echo6.log "$RULED6")" 0
check_eq "rule order 100 (udp 9001) drops 3, counted" \
	"$(burst "$GOOD" "$SRV" 9001 3 -w 0.2) $(rule_hits "$R1")" "0 3"

echo "-- lock-out guard (SSH_CONNECTION from $GOOD)"
check "allow add 198.18.9.0/24 refused, exit 1, names --force" \
	expect_fail 1 "cut off $GOOD.*--force" \
	ssh_ctl allow add ingress 198.18.9.0/24
check_eq "refused: the ingress allow list stays empty" \
	"$(ctl ff -j allow list | jq '[.entries[] | select(.hook == "ingress")] | length')" 0
check "allow add 198.18.9.0/24 --force accepted" \
	ssh_ctl allow add ingress 198.18.9.0/24 --force
n0=$(drops filter_not_allowed)
check_eq "forced: the session's address is now cut off" \
	"$(burst "$GOOD" "$SRV" 9000 5)" 0
check_eq "forced: drops.filter_not_allowed +5" \
	"$(($(drops filter_not_allowed) - n0))" 5
ctl ff allow del ingress 198.18.9.0/24
check_eq "allow entry removed: traffic again" \
	"$(burst "$GOOD" "$SRV" 9000 5)" 5
check "deny add $GOOD refused, exit 1, names --force" \
	expect_fail 1 "cut off $GOOD.*--force" \
	ssh_ctl deny add ingress "$GOOD"
check_eq "refused: no deny entry for $GOOD" \
	"$(entry deny ingress "$GOOD/32" id)" ""
check "deny add $GOOD --force accepted" \
	ssh_ctl --force deny add ingress "$GOOD"
d0=$(drops filter_deny)
check_eq "forced deny: no echo, drops.filter_deny +5" \
	"$(burst "$GOOD" "$SRV" 9000 5) $(($(drops filter_deny) - d0))" "0 5"
ctl ff deny del ingress "$GOOD"
check "a change that keeps the session is not refused" \
	ssh_ctl deny add ingress 198.18.9.0/24
ctl ff deny del ingress 198.18.9.0/24
printf 'rule add order 70 drop proto udp dport 9002\nallow add ingress 198.18.9.0/24\n' \
	>"$T_DIR/guard.batch"
s0=$(filter_state)
check "a batch that would cut off the session is refused" \
	expect_fail 1 "cut off $GOOD.*--force" \
	ssh_ctl -b "$T_DIR/guard.batch"
check "refused batch: nothing applied" same_state "$s0"

echo "-- ingress allow list"
for p in 198.18.1.0/30 198.18.2.0/24 2001:db8::/32; do
	ctl ff allow add ingress "$p"
done
n0=$(drops filter_not_allowed)
check_eq "outside the allow list: no echo" \
	"$(burst "$OUTSIDE" "$SRV" 9000 20)" 0
check_eq "outside the allow list: drops.filter_not_allowed +20" \
	"$(($(drops filter_not_allowed) - n0))" 20
check_eq "outside the allow list: nothing reached the server" \
	"$(served echo4.log "$OUTSIDE")" 0
a1=$(entry allow ingress 198.18.1.0/30 hits)
a2=$(entry allow ingress 198.18.2.0/24 hits)
check_eq "inside the allow list: 20 echoes" \
	"$(burst "$GOOD" "$SRV" 9000 20)" 20
check_eq "allow hits: 20 requests, 20 replies" \
	"$(($(entry allow ingress 198.18.1.0/30 hits) - a1)) $(($(entry allow ingress 198.18.2.0/24 hits) - a2))" \
	"20 20"
check_eq "inside the allow list over IPv6: 5 echoes" \
	"$(burst "$GOOD6" "$SRV6" 9000 5)" 5
d0=$(drops filter_deny)
n0=$(drops filter_not_allowed)
check_eq "denied and allowed: the deny list decides (deny +5, not_allowed +0)" \
	"$(burst "$DENIED" "$SRV" 9000 5) $(($(drops filter_deny) - d0)) $(($(drops filter_not_allowed) - n0))" \
	"0 5 0"
for p in 198.18.1.0/30 198.18.2.0/24 2001:db8::/32; do
	ctl ff allow del ingress "$p"
done
check_eq "empty allow list again: the outside source passes" \
	"$(burst "$OUTSIDE" "$SRV" 9000 5)" 5

echo "-- runtime rule, on the next packet"
add=$(ctl ff -j rule add drop src "$GOOD" proto udp dport 9000)
id=$(jq -r .id <<<"$add")
check_eq "rule add without order: highest + 10" "$(jq -r .order <<<"$add")" 310
r0=$(drops filter_rule)
check_eq "the datagram right after rule add is dropped" \
	"$(burst "$GOOD" "$SRV" 9000 1)" 0
check_eq "new rule hits == 1, drops.filter_rule +1" \
	"$(rule_hits "$id") $(($(drops filter_rule) - r0))" "1 1"
ctl ff rule del "$id"
check_eq "the datagram right after rule del is echoed" \
	"$(burst "$GOOD" "$SRV" 9000 1)" 1
check_eq "deleted rule is gone" "$(rule_hits "$id")" ""
check "rule add prints the id (text)" \
	bash -c "[[ \$('$XLBCTL' -s '$T_DIR/ff.sock' rule add order 77 drop proto udp dport 9077) =~ ^[0-9]+\$ ]]"
ctl ff rule del "$(rule_id 77)"

echo "-- order precedence"
drop30=$(ctl ff rule add order 30 drop proto udp dport 9000)
pass20=$(ctl ff rule add order 20 pass src "$DENIED" proto udp dport 9000)
d0=$(entry deny ingress 198.18.1.3/32 hits)
check_eq "pass at 20 beats drop at 30 and the deny list" \
	"$(burst "$DENIED" "$SRV" 9000 10)" 10
check_eq "hits: pass 10, drop 0, deny entry +0" \
	"$(rule_hits "$pass20") $(rule_hits "$drop30") $(($(entry deny ingress 198.18.1.3/32 hits) - d0))" \
	"10 0 0"
check_eq "drop at 30 drops the others" "$(burst "$GOOD" "$SRV" 9000 10)" 0
check_eq "drop at 30 (no address) drops IPv6 too" \
	"$(burst "$GOOD6" "$SRV6" 9000 5)" 0
check_eq "drop 30 hits == 15" "$(rule_hits "$drop30")" 15
drop10=$(ctl ff rule add order 10 drop src "$DENIED/32" proto udp dport 9000)
check_eq "drop at 10 beats pass at 20" "$(burst "$DENIED" "$SRV" 9000 10)" 0
check_eq "hits: drop 10 == 10, pass 20 still 10" \
	"$(rule_hits "$drop10") $(rule_hits "$pass20")" "10 10"
for id in "$drop10" "$pass20" "$drop30"; do
	ctl ff rule del "$id"
done
check_eq "rules deleted: traffic again" "$(burst "$GOOD" "$SRV" 9000 5)" 5

echo "-- egress rules"
id=$(ctl ff rule add drop hook egress src "$SRV" proto udp sport 9000)
s0=$(served echo4.log "$GOOD")
check_eq "egress src=server: no reply reaches the client" \
	"$(burst "$GOOD" "$SRV" 9000 10)" 0
check_eq "egress src=server: the server got all 10 requests" \
	"$(($(served echo4.log "$GOOD") - s0))" 10
check_eq "egress src=server: rule hits == 10" "$(rule_hits "$id")" 10
ctl ff rule del "$id"
id=$(ctl ff rule add drop hook egress dst "$SRV" proto udp dport 9000)
s0=$(served echo4.log "$GOOD")
check_eq "egress dst=server: no echo" "$(burst "$GOOD" "$SRV" 9000 10)" 0
check_eq "egress dst=server: the server got none" \
	"$(($(served echo4.log "$GOOD") - s0))" 0
check_eq "egress dst=server: rule hits == 10" "$(rule_hits "$id")" 10
ctl ff rule del "$id"
ctl ff deny add egress "$SRV6"
s0=$(served echo6.log "$GOOD6")
d0=$(drops filter_deny)
check_eq "egress deny $SRV6: no echo, the server got none" \
	"$(burst "$GOOD6" "$SRV6" 9000 5) $(($(served echo6.log "$GOOD6") - s0))" "0 0"
check_eq "egress deny: entry hits 5, drops.filter_deny +5" \
	"$(entry deny egress "$SRV6/128" hits) $(($(drops filter_deny) - d0))" "5 5"
ctl ff deny del egress "$SRV6"
check_eq "egress rules gone: traffic again" "$(burst "$GOOD" "$SRV" 9000 5)" 5

echo "-- batch"
cat >"$T_DIR/good.batch" <<'EOF'
# runtime additions, kept across a restart
rule add order 40 drop src 198.18.1.2 proto udp sport 40001 dport 9000
rule add order 41 drop src 2001:db8:1::2 proto udp sport 40001 dport 9000

deny add ingress 198.18.1.4
allow add egress 198.19.0.0/16
EOF
check_eq "xlbctl -b applies 4 commands" \
	"$(ctl ff -b "$T_DIR/good.batch")" "applied 4 commands"
check_eq "batch rules listed" \
	"$(ctl ff -j rule list | jq -r '[.rules[] | select(.order == 40 or .order == 41) | "\(.order) \(.src) \(.sport)"] | join(";")')" \
	"40 198.18.1.2/32 40001;41 2001:db8:1::2/128 40001"
check_eq "batch entries listed" \
	"$(entry deny ingress 198.18.1.4/32 hits) $(entry allow egress 198.19.0.0/16 hits)" \
	"0 0"
check_eq "batch rule 40: sport 40001 dropped, 40002 echoed" \
	"$(burst "$GOOD" "$SRV" 9000 5 -p 40001) $(burst "$GOOD" "$SRV" 9000 5 -p 40002)" \
	"0 5"
check_eq "batch rule 41 (IPv6): sport 40001 dropped" \
	"$(burst "$GOOD6" "$SRV6" 9000 5 -p 40001)" 0
check_eq "batch rules hits: 5 and 5" \
	"$(rule_hits "$(rule_id 40)") $(rule_hits "$(rule_id 41)")" "5 5"
check_eq "batch deny entry: the outside source is dropped" \
	"$(burst "$OUTSIDE" "$SRV" 9000 5) $(entry deny ingress 198.18.1.4/32 hits)" \
	"0 5"
cat >"$T_DIR/bad.batch" <<'EOF'
rule add order 50 drop proto udp dport 9003
deny add ingress 198.18.1.5
rule add order 51 drop src 198.18.9.1/24
EOF
s0=$(filter_state)
check "bad batch line refused with FILE:LINE, exit 1" \
	expect_fail 1 "$T_DIR/bad.batch:3: .*bad prefix '198.18.9.1/24': host bits set" \
	ctl ff -b "$T_DIR/bad.batch"
check "bad batch: nothing applied" same_state "$s0"
printf 'deny add ingress 198.18.1.5\nrule list\n' >"$T_DIR/bad2.batch"
check "a batch with 'rule list' refused at FILE:2" \
	expect_fail 1 "$T_DIR/bad2.batch:2: 'rule list' cannot go in a batch" \
	ctl ff -b "$T_DIR/bad2.batch"
check "bad batch 2: nothing applied" same_state "$s0"
# xlbd finds this one against its state: order 40 is taken. A batch is
# checked whole first, so the deny add of line 1 must not be applied.
printf 'deny add ingress 198.18.1.5\nrule add order 40 drop proto udp dport 9003\n' \
	>"$T_DIR/bad3.batch"
check "a batch reusing order 40 refused at FILE:2" \
	expect_fail 1 "$T_DIR/bad3.batch:2: .*order 40" \
	ctl ff -b "$T_DIR/bad3.batch"
check "bad batch 3 (refused by xlbd): nothing applied" same_state "$s0"
printf 'deny add ingress 198.18.1.5\nrule del 99999\n' >"$T_DIR/bad4.batch"
check "a batch deleting an unknown rule refused at FILE:2" \
	expect_fail 1 "$T_DIR/bad4.batch:2: .*no rule 99999" \
	ctl ff -b "$T_DIR/bad4.batch"
check "bad batch 4: nothing applied" same_state "$s0"

echo "-- malformed packet"
mac=$(ip -n ff -j link show ff-c | jq -r '.[0].address')
xdp_drops() {
	ctl ff -j stats | jq -r '.interfaces["ff-c"].hooks.xdp.verdicts.drop.packets'
}
m0=$(drops filter_malformed)
i0=$(exception ipv4_bad_ihl)
x0=$(xdp_drops)
in_ns fc python3 "$TOOLS/bad_ipv4.py" fc-ff "$mac" "$GOOD" "$SRV"
check_eq "IHL 4: drops.filter_malformed +1" \
	"$(($(drops filter_malformed) - m0))" 1
check_eq "IHL 4: exceptions.ipv4_bad_ihl +1" \
	"$(($(exception ipv4_bad_ihl) - i0))" 1
check_eq "IHL 4: dropped in XDP on ff-c" "$(($(xdp_drops) - x0))" 1

echo "-- xlbctl stats"
ctl ff stats >"$T_DIR/stats.txt"
ctl ff -j stats >"$T_DIR/stats.json"
for r in filter_rule filter_deny filter_not_allowed filter_malformed; do
	n=$(jq -r ".drops.$r" "$T_DIR/stats.json")
	check "stats: drops $r $n" grep -Eq "^ +$r +$n$" "$T_DIR/stats.txt"
done
check_eq "stats -j: filter hits of rule $R2 and entry $E_DENY" \
	"$(jq -c --arg r "$R2" --arg e "$E_DENY" \
		'[.filter.rules[$r].packets, .filter.lists[$e].packets]' "$T_DIR/stats.json")" \
	"[20,$(entry deny ingress 198.18.1.3/32 hits)]"
check "stats: filter hits of rule $R2" \
	grep -Eq "^ +rule $R2 +20 +[0-9]+$" "$T_DIR/stats.txt"
check "stats: filter hits of entry $E_DENY" \
	grep -Eq "^ +entry $E_DENY +$(entry deny ingress 198.18.1.3/32 hits) +[0-9]+$" \
	"$T_DIR/stats.txt"

echo "-- restart: ids stable"
s0=$(filter_state)
kill_xlbd
start_xlbd ff "$CONF" ff || fatal "xlbd restarts"
check_eq "restart adopts the pinned data plane" \
	"$(ctl ff -j status | jq -r .adopted)" true
check "rules and lists identical after restart (ids, hits)" \
	same_state "$s0"
check_eq "runtime rules (batch) still there, same ids" \
	"$(rule_id 40) $(rule_id 41)" \
	"$(jq -r '.rule | select(.order == 40 or .order == 41) | .id' <<<"$s0" | paste -sd' ')"
kill_xlbd
d0=$(jq -r '.deny | select(.prefix == "198.18.1.3/32") | .hits.packets' <<<"$s0")
check_eq "xlbd down: the deny list still drops" \
	"$(burst "$DENIED" "$SRV" 9000 5)" 0
start_xlbd ff "$CONF" ff || fatal "xlbd restarts again"
check_eq "deny hits counted while down" \
	"$(($(entry deny ingress 198.18.1.3/32 hits) - d0))" 5
check_eq "batch rule still drops after restart" \
	"$(burst "$GOOD" "$SRV" 9000 3 -p 40001)" 0
check_eq "good source still passes after restart" \
	"$(burst "$GOOD" "$SRV" 9000 3)" 3

echo "-- SIGHUP reload"
RULES2='		{ order = 100; action = "drop"; src = "198.18.1.0/24";
		  proto = "udp"; dport = 9001; },
		{ order = 200; action = "drop"; src = "2001:db8:1::3";
		  proto = "udp"; dport = 9000; },
		{ order = 400; action = "drop"; src = "198.18.1.4";
		  proto = "udp"; dport = 9000; }'
DENY2='		ingress = [ "198.18.1.3", "198.18.1.5" ];'
write_conf "$RULES2" "$DENY2"
deny_hits=$(entry deny ingress 198.18.1.3/32 hits)
applied=$(grep -c "reload applied" "$T_DIR/ff.log" || true)
kill -HUP "$XLBD_PID"
for _ in $(seq 50); do
	[ "$(grep -c "reload applied" "$T_DIR/ff.log" || true)" -gt "$applied" ] && break
	sleep 0.1
done
check "reload applied" test "$(grep -c "reload applied" "$T_DIR/ff.log" || true)" -gt "$applied"
check_eq "kept rule order 100: same id, same hits" \
	"$(rule_id 100) $(rule_hits "$R1")" "$R1 3"
check_eq "kept rule order 200: same id, same hits" \
	"$(rule_id 200) $(rule_hits "$R2")" "$R2 20"
check_eq "removed rule (order 300) gone" "$(rule_id 300)" ""
check_eq "runtime rules replaced by the file's" "$(rule_id 40)$(rule_id 41)" ""
new=$(rule_id 400)
check "new rule (order 400) there" test -n "$new"
check_eq "rule count after reload" \
	"$(ctl ff -j rule list | jq '.rules | length')" 3
check_eq "kept deny entry: same id, same hits" \
	"$(entry deny ingress 198.18.1.3/32 id) $(entry deny ingress 198.18.1.3/32 hits)" \
	"$E_DENY $deny_hits"
check_eq "deny list after reload" \
	"$(ctl ff -j deny list | jq -r '[.entries[].prefix] | sort | join(" ")')" \
	"198.18.1.3/32 198.18.1.5/32"
check_eq "new rule drops, counted" \
	"$(burst "$OUTSIDE" "$SRV" 9000 4) $(rule_hits "$new")" "0 4"
check_eq "batch rule gone: sport 40001 passes" \
	"$(burst "$GOOD" "$SRV" 9000 3 -p 40001)" 3

t_done
