#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The filter at scale: 100,000 rules and 1,000,000 allow/deny prefixes,
# first from a config file, then, on a fresh daemon with the same map
# sizes, from xlbctl batches. Exact counts and contents of every
# listing, then real traffic: one generated rule, one generated deny
# prefix and the deny list's IPv4 entry drop, allowed sources pass.
# Load times are printed as "info" lines.
#
#   netns sc                                 netns sx
#  +----------------------------+           +------------------------------+
#  | udp_burst.py               |           | xlbd (XDP native + tc both,  |
#  | 198.18.0.2    (allowed)    |   sc-x    |   filter = true) on sx-c     |
#  | 198.18.0.3    (deny list)  +-----------+ udp_echo.py :9000 (v4, v6)   |
#  | 198.18.130.5  (rule 1517)  |   sx-c    | 198.18.0.1/24                |
#  | 2001:db8::2   (allowed)    |           | 2001:db8::1/64               |
#  | 2001:db8:1::5 (denied /64) |           |                              |
#  +----------------------------+           +------------------------------+
#
# gen_filter.py writes the filter: rules "drop src 198.18.128.0 + i
# proto udp dport 9000", order 1000 + i; allow ingress 198.18.0.0/24,
# 2001:db8::/64, 65,536 IPv4 /32s in 198.19.0.0/16 and IPv6 /128s in
# 2001:db8:ff::/64; deny ingress 198.18.0.3/32 and IPv6 /64s from
# 2001:db8:1::/64 on.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N_RULES=100000
N_PREFIXES=1000000
IF=sx-c
SRV=198.18.0.1
SRV6=2001:db8::1

ns_add sc
ns_add sx
veth_ds sc sc-x 198.18.0.2 2001:db8::2 sx "$IF" "$SRV" "$SRV6"
veth_addr sc sc-x 198.18.0.3 sx "$IF"
veth_addr sc sc-x 198.18.130.5 sx "$IF"
veth_addr sc sc-x 2001:db8:1::5 sx "$IF"
ip -n sx route add 198.18.130.0/24 dev "$IF"
ip -n sx route add 2001:db8:1::/64 dev "$IF"
bg_ns sx python3 "$TOOLS/udp_echo.py" "$SRV" 9000
bg_ns sx python3 "$TOOLS/udp_echo.py" "$SRV6" 9000

mkdir "$T_DIR/gen"
python3 "$TOOLS/gen_filter.py" "$N_RULES" "$N_PREFIXES" "$T_DIR/gen"
GEN=$T_DIR/gen

# write_conf FILE [BODY]: the interface and the map sizes, with BODY
# (a file) in the filter section.
write_conf() {
	{
		cat <<CONF
# test_filter_scale
interfaces = (
	{ name = "$IF"; xdp = "native"; tc = "both"; filter = true; }
);
filter = {
	max_rules = $N_RULES;
	max_prefixes = $N_PREFIXES;
CONF
		[ -z "${2:-}" ] || cat "$2"
		echo "};"
	} >"$1"
}

# elapsed START: seconds since START (an $EPOCHREALTIME), to 0.01.
elapsed() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
}

burst() {
	local src=$1 dst=$2 n=$3
	in_ns sc python3 "$TOOLS/udp_burst.py" -s "$src" -w 0.3 "$dst" 9000 "$n"
}

# same_lines NAME WANT: stdin, sorted, is file WANT; else shows a diff.
same_lines() {
	LC_ALL=C sort >"$T_DIR/$1.got"
	if ! cmp -s "$T_DIR/$1.got" "$2"; then
		diff "$T_DIR/$1.got" "$2" | head -n 5 | sed 's/^/  /'
		return 1
	fi
}

# check_contents NAME: the rules and lists of daemon NAME, exactly.
# Listing 500,000 entries takes the daemon seconds and jq as long: each
# is asked once, jq reads each answer once (its length first, then the
# entries as "id order src" / "id prefix" lines, kept in $T_DIR for
# check_traffic).
check_contents() {
	local name=$1 t0 list out
	t0=$EPOCHREALTIME
	out=$T_DIR/$name-rules
	ctl "$name" -j rule list |
		jq -r '(.rules | length), (.rules[] | "\(.id) \(.order) \(.src)")' \
			>"$out"
	check_eq "$name: rule list -j | jq length" "$(head -n 1 "$out")" "$N_RULES"
	check "$name: every rule, order and source as generated" \
		same_lines rules "$GEN/rules.txt" < <(tail -n +2 "$out" | cut -d' ' -f2-)
	check_eq "$name: rule ids unique" \
		"$(tail -n +2 "$out" | cut -d' ' -f1 | sort -u | wc -l)" "$N_RULES"
	for list in allow deny; do
		out=$T_DIR/$name-$list
		ctl "$name" -j "$list" list |
			jq -r '(.entries | length), (.entries[] | "\(.id) \(.prefix)")' \
				>"$out"
		check_eq "$name: $list list -j | jq length" "$(head -n 1 "$out")" \
			"$(wc -l <"$GEN/$list.txt")"
		check "$name: every $list prefix as generated" same_lines "$list" \
			"$GEN/$list.txt" < <(tail -n +2 "$out" | cut -d' ' -f2)
	done
	check_eq "$name: list entry ids unique" \
		"$(tail -q -n +2 "$T_DIR/$name-allow" "$T_DIR/$name-deny" |
			cut -d' ' -f1 | sort -u | wc -l)" "$N_PREFIXES"
	echo "info $name: listing and comparing took $(elapsed "$t0") s"
}

# rule_hits NAME ORDER / entry_hits NAME LIST PREFIX: packets, from
# `xlbctl -j stats` (hit rules and entries only), by the ids listed.
rule_hits() {
	local id
	id=$(awk -v o="$2" '$2 == o { print $1 }' "$T_DIR/$1-rules")
	ctl "$1" -j stats | jq -r --arg id "$id" '.filter.rules[$id].packets // 0'
}

entry_hits() {
	local id
	id=$(awk -v p="$3" '$2 == p { print $1 }' "$T_DIR/$1-$2")
	ctl "$1" -j stats | jq -r --arg id "$id" '.filter.lists[$id].packets // 0'
}

# check_traffic NAME: the filter of daemon NAME still works, exactly.
check_traffic() {
	local name=$1
	check_eq "$name: allowed 198.18.0.2: 5 echoes" \
		"$(burst 198.18.0.2 "$SRV" 5)" 5
	check_eq "$name: allowed 2001:db8::2: 5 echoes" \
		"$(burst 2001:db8::2 "$SRV6" 5)" 5
	check_eq "$name: rule order 1517 drops 198.18.130.5, hits 5" \
		"$(burst 198.18.130.5 "$SRV" 5) $(rule_hits "$name" 1517)" "0 5"
	check_eq "$name: deny 198.18.0.3/32 drops, hits 5" \
		"$(burst 198.18.0.3 "$SRV" 5) $(entry_hits "$name" deny 198.18.0.3/32)" \
		"0 5"
	check_eq "$name: deny 2001:db8:1::/64 drops 2001:db8:1::5, hits 5" \
		"$(burst 2001:db8:1::5 "$SRV6" 5) $(entry_hits "$name" deny 2001:db8:1::/64)" \
		"0 5"
	check_eq "$name: allow hits of 198.18.0.0/24 and 2001:db8::/64" \
		"$(entry_hits "$name" allow 198.18.0.0/24) $(entry_hits "$name" allow 2001:db8::/64)" \
		"5 5"
}

echo "-- from the config file"
write_conf "$T_DIR/big.conf" "$GEN/filter.conf-part"
echo "info config file: $(wc -c <"$T_DIR/big.conf") bytes," \
	"$N_RULES rules, $N_PREFIXES prefixes"
t0=$EPOCHREALTIME
check "--check-config accepts the file" \
	"$XLBD" --check-config -c "$T_DIR/big.conf" >/dev/null
echo "info --check-config took $(elapsed "$t0") s"
t0=$EPOCHREALTIME
start_xlbd_within 60 sx "$T_DIR/big.conf" file || fatal "xlbd starts with the big file"
echo "info xlbd start with the file, until it answers: $(elapsed "$t0") s"
check "xlbd logs the counts" \
	grep -q "filter: $N_RULES rules, $N_PREFIXES list entries" "$T_DIR/file.log"
check_contents file
check_traffic file
ctl file detach >/dev/null
for _ in $(seq 100); do
	kill -0 "$XLBD_PID" 2>/dev/null || break
	sleep 0.1
done
check "detached" test ! -e /sys/fs/bpf/file

echo "-- from xlbctl batches, on a fresh daemon"
write_conf "$T_DIR/empty.conf"
start_xlbd sx "$T_DIR/empty.conf" cli || fatal "xlbd starts empty"
check_eq "fresh daemon: no rules" \
	"$(ctl cli -j rule list | jq '.rules | length')" 0
t0=$EPOCHREALTIME
check_eq "xlbctl -b: $N_RULES rule add lines" \
	"$(ctl cli -b "$GEN/rules.batch")" "applied $N_RULES commands"
echo "info xlbctl -b $N_RULES rule add: $(elapsed "$t0") s"
t0=$EPOCHREALTIME
check_eq "xlbctl -b: $N_PREFIXES allow/deny add lines" \
	"$(ctl cli -b "$GEN/lists.batch")" "applied $N_PREFIXES commands"
echo "info xlbctl -b $N_PREFIXES allow/deny add: $(elapsed "$t0") s"
check_contents cli
check_traffic cli

t_done
