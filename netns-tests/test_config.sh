#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbctl config check|reload|dump end to end. A daemon starts from a file
# with interfaces, filter rules and lists, and DSR VIPs with backends
# (one with health checks); xlbctl then changes rules, lists, VIPs and
# backends at run time. `config dump` prints all of it, `config check`
# accepts the dump, and a second daemon started from the dump (after the
# first is detached, with a fresh pin dir) lists the same rules, list
# entries, VIPs and backends (ids and counters aside) and dumps the same
# text. `config reload` of a broken file exits 1 naming FILE:LINE and
# changes nothing; of a good one adds and removes a VIP and a rule and
# drops the runtime changes, as SIGHUP does. Malformed config requests
# get error replies.
#
#  netns cc              netns cl (xlbd, XDP generic)           netns cb
# +------------+        +------------------------------+       +----------------------+
# | 198.18.0.2 +--------+ veth-xlb 198.18.0.1          |       | 198.18.1.2, .3, .4   |
# +------------+veth-cli| veth-b   198.18.1.1          +-------+ 2001:db8:1::2        |
#                       |          2001:db8:1::1       |veth-s | python3 http.server  |
#                       +------------------------------+       +----------------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# xlbd refuses list changes that would cut off an SSH client it is told
# about; this test has none.
unset SSH_CONNECTION

CONF=$T_DIR/xlb.conf
DUMP=$T_DIR/dump.conf
V4=198.18.0.10:80/tcp
V6='[2001:db8::10]:443/tcp'

ns_add cc
ns_add cl
ns_add cb
veth cc veth-cli 198.18.0.2 cl veth-xlb 198.18.0.1
veth_ds cl veth-b 198.18.1.1 2001:db8:1::1 cb veth-s 198.18.1.2 2001:db8:1::2
veth_addr cb veth-s 198.18.1.3 cl veth-b
veth_addr cb veth-s 198.18.1.4 cl veth-b
# The health checks' target: a TCP service on the backends that accepts
# and closes.
bg_ns cb python3 -c 'import socket
s = socket.create_server(("0.0.0.0", 80))
while True:
    s.accept()[0].close()'

# base_conf: the file the first daemon starts from.
base_conf() {
	cat <<'CONF'
# Interfaces, filter and VIPs, each with something to round-trip.
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "both"; filter = true; lb = true; },
	{ name = "veth-b"; xdp = "generic"; tc = "off"; }
);
filter = {
	max_rules = 64;
	max_prefixes = 128;
	rules = (
		{ order = 10; action = "drop"; src = "198.18.9.0/24"; proto = "udp"; dport = 53; },
		{ order = 20; action = "pass"; hook = "egress"; dst = "2001:db8::10"; proto = "tcp"; dport = 22; },
		{ order = 3000000000L; action = "drop"; proto = "icmp"; }
	);
	allow = { ingress = [ "198.18.0.0/15", "2001:db8::/32" ]; };
	deny = { ingress = [ "198.18.66.0/24" ]; egress = [ "2001:db8:66::/48" ]; };
};
vips = (
	{ address = "198.18.0.10"; port = 80; proto = "tcp"; mode = "dsr";
	  health = { type = "tcp"; interval = "0.5s"; timeout = "250ms"; rise = 1; fall = 2; };
	  backends = ( { address = "198.18.1.2"; weight = 1; },
		       { address = "198.18.1.3"; weight = 2; } ); },
	{ address = "2001:db8::10"; port = 443; proto = "tcp";
	  backends = ( { address = "2001:db8:1::2"; } ); }
);
CONF
}

# state NAME [ids]: the daemon's rules, lists, VIPs and backends as one
# sorted JSON document, without counters (and without ids unless asked).
state() {
	local name=$1 keep=${2:-}
	local drop='del(.packets, .bytes, .new_flows, .conn_hits, .conn_misses, .hits)
		| if .health then .health |= {state} else . end'
	[ "$keep" = ids ] || drop="del(.id) | $drop"
	jq -S -n \
		--argjson rules "$(ctl "$name" -j rule list)" \
		--argjson allow "$(ctl "$name" -j allow list)" \
		--argjson deny "$(ctl "$name" -j deny list)" \
		--argjson vips "$(ctl "$name" -j vip list)" \
		--argjson backends "$(ctl "$name" -j backend list)" "
		def clean: $drop;
		{ rules: [\$rules.rules[] | clean] | sort_by(.hook, .order),
		  allow: [\$allow.entries[] | clean] | sort_by(.hook, .prefix),
		  deny: [\$deny.entries[] | clean] | sort_by(.hook, .prefix),
		  vips: [\$vips.vips[] | clean | .backends |= (map(clean)
			| sort_by(.address))] | sort_by(.vip),
		  backends: [\$backends.backends[] | clean]
			| sort_by(.vip, .address) }"
}

# settled NAME: every backend resolved and, where checked, up (health
# checks and next hops are asynchronous); 10 s at most.
settled() {
	local _
	for _ in $(seq 100); do
		ctl "$1" -j backend list | jq -e '[.backends[]
			| select(.mac == null or .health.state == "down")]
			| length == 0' >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# expect_exit STATUS CMD...: CMD exits with STATUS.
expect_exit() {
	local want=$1 got
	shift
	set +e
	"$@" >/dev/null 2>&1
	got=$?
	set -e
	[ "$got" -eq "$want" ]
}

# quiet CMD...: CMD without its output.
quiet() {
	"$@" >/dev/null
}

# request NAME LINE: one raw request line to the daemon's socket.
request() {
	printf '%s\n' "$2" | socat -t 5 - "UNIX-CONNECT:$T_DIR/$1.sock"
}

base_conf >"$CONF"
check "config check accepts the file" quiet "$XLBCTL" config check "$CONF"
start_xlbd cl "$CONF" one --metrics off || fatal "xlbd starts"
check "backends resolve and pass their checks" settled one

# Runtime changes of every kind.
id20=$(ctl one -j rule list | jq '.rules[] | select(.order == 20) | .id')
check "rule add" quiet ctl one rule add order 15 drop proto tcp dport 8080
check "rule add without order" quiet ctl one rule add pass src 2001:db8:5::/48
check "rule del" ctl one rule del "$id20"
check "allow add egress" ctl one allow add egress 198.18.200.0/24
check "deny del" ctl one deny del ingress 198.18.66.0/24
check "deny add" ctl one deny add 2001:db8:77::/48
check "vip add" ctl one vip add 198.18.0.11:53/udp
check "backend add" ctl one backend add 198.18.0.11:53/udp 198.18.1.4 weight 3
check "vip add nat" ctl one vip add '[2001:db8::20]:0/udp' mode nat
check "backend set weight 0" ctl one backend set "$V4" 198.18.1.2 weight 0
check "backend add to a file VIP" ctl one backend add "$V4" 198.18.1.4
check "backend del" ctl one backend del "$V6" 2001:db8:1::2
check "the new backends resolve" settled one
before=$(state one)
before_ids=$(state one ids)

ctl one config dump >"$DUMP" || fatal "config dump"
check "dump: rule added at run time" grep -q 'order = 15; action = "drop"' "$DUMP"
check "dump: rule deleted at run time is gone" expect_exit 1 grep -q 'order = 20;' "$DUMP"
check "dump: order past 2^31 has the L suffix" grep -q 'order = 3000000000L;' "$DUMP"
check "dump: runtime VIP and backend" grep -q '"198.18.0.11"; port = 53; proto = "udp"' "$DUMP"
check "dump: the nat VIP" grep -q '"2001:db8::20"; port = 0; proto = "udp"; mode = "nat"' "$DUMP"
check "dump: weight set at run time" grep -q '{ address = "198.18.1.2"; weight = 0; }' "$DUMP"
check "dump: the health group" grep -q 'health = { type = "tcp"; interval = "500ms"; timeout = "250ms"; rise = 1; fall = 2; };' "$DUMP"
check "dump: the sizes configured" grep -q 'max_prefixes = 128;' "$DUMP"
check_eq "config check of the dump" "$("$XLBCTL" config check "$DUMP")" "$DUMP: ok"
check "xlbd --check-config accepts the dump" quiet "$XLBD" --check-config -c "$DUMP"
# dump_is NAME FILE [-j]: NAME's dump (from -j's object) is FILE.
dump_is() {
	if [ "${3:-}" = -j ]; then
		ctl "$1" -j config dump | jq -j .config | cmp -s - "$2"
	else
		ctl "$1" config dump | cmp -s - "$2"
	fi
}
check "-j config dump: an object holding the text" dump_is one "$DUMP" -j

# A broken file at the config path: refused with FILE:LINE, no change.
sed 's/max_prefixes = 128;/max_prefixes = 128; frob = 1;/' "$CONF" >"$CONF.bad"
cp "$CONF.bad" "$CONF"
set +e
err=$(ctl one config reload 2>&1)
rc=$?
set -e
check_eq "bad reload (unknown key): exit 1" "$rc" 1
line=$(grep -n 'frob' "$CONF" | cut -d: -f1)
check_eq "bad reload names FILE:LINE" "$err" \
	"xlbctl: $CONF:$line: unknown filter key 'frob' (known: max_rules, max_prefixes, rules, allow, deny)"
printf 'interfaces = ( { name = "veth-xlb"; } \n' >"$CONF"
set +e
err=$(ctl one config reload 2>&1)
rc=$?
set -e
check_eq "bad reload (syntax): exit 1" "$rc" 1
check "bad reload (syntax) names FILE:LINE ($err)" grep -Eq "^xlbctl: $CONF:[0-9]+: " <<<"$err"
base_conf | sed 's/order = 20;/order = 10;/' >"$CONF"
set +e
err=$(ctl one config reload 2>&1)
rc=$?
set -e
check_eq "bad reload (duplicate order): exit 1" "$rc" 1
check_eq "bad reload (duplicate order) names FILE:LINE" "$err" \
	"xlbctl: $CONF:11: duplicate order 10 (first at line 10)"
base_conf | sed 's/name = "veth-b";/name = "nosuch0";/' >"$CONF"
set +e
err=$(ctl one config reload 2>&1)
rc=$?
set -e
check_eq "reload naming a missing interface: exit 1" "$rc" 1
check_eq "reload naming a missing interface: FILE:LINE" "$err" \
	"xlbctl: $CONF:4: interface 'nosuch0': no such device"
check_eq "after bad reloads, nothing changed (ids too)" "$(state one ids)" "$before_ids"
check "the daemon still answers" quiet ctl one status

# Malformed and unknown config requests. reply_is LINE JQ: the reply to
# LINE satisfies JQ.
reply_is() {
	request one "$1" | jq -e "$2" >/dev/null
}
check "config_dump with an argument: refused" reply_is \
	'{"cmd":"config_dump","x":1}' \
	'.ok == false and .code == 1 and .error == "unknown key '"'x'"'"'
check "config_reload with an argument: refused" reply_is \
	'{"cmd":"config_reload","file":"/etc/passwd"}' '.ok == false and .code == 1'
check "unknown config request: refused" reply_is '{"cmd":"config_frob"}' \
	'.ok == false and .code == 1'
check "malformed request: refused" reply_is '{"cmd":"config_dump"' '.ok == false'
check "a good config_dump request: ok" reply_is '{"cmd":"config_dump"}' \
	'.ok == true and (.data.config | type) == "string"'
check_eq "nothing changed by the refused requests" "$(state one ids)" "$before_ids"

# xlbctl's own usage errors.
check "config without a verb: exit 1" expect_exit 1 ctl one config
check "config frob: exit 1" expect_exit 1 ctl one config frob
check "config check without FILE: exit 1" expect_exit 1 "$XLBCTL" config check
check "config check of a missing file: exit 1" expect_exit 1 "$XLBCTL" config check "$T_DIR/nofile"
check "config check of a broken file: exit 1" expect_exit 1 "$XLBCTL" config check "$CONF.bad"
check "config dump with an argument: exit 1" expect_exit 1 ctl one config dump all
check "config reload without xlbd: exit 2" expect_exit 2 "$XLBCTL" -s "$T_DIR/none.sock" config reload

# A second daemon from the dump, after the first is detached.
check "detach the first daemon" quiet ctl one detach
for _ in $(seq 50); do
	[ -e /sys/fs/bpf/one ] || break
	sleep 0.1
done
cp "$DUMP" "$T_DIR/two.conf"
start_xlbd cl "$T_DIR/two.conf" two --metrics off || fatal "xlbd starts from the dump"
check "its backends resolve and pass their checks" settled two
after=$(state two)
check_eq "the same rules, lists, VIPs and backends" "$after" "$before"
if [ "$after" != "$before" ]; then
	diff <(echo "$before") <(echo "$after") | head -40 || true
fi
check "its dump is the same text" dump_is two "$DUMP"

# A good reload: the base file with one VIP and one rule added and one of
# each removed; the runtime changes go.
base_conf | sed -e 's/^\t\t{ order = 10;.*$/\t\t{ order = 40; action = "drop"; dport = 9; proto = "udp"; },/' \
	-e 's/^\t{ address = "2001:db8::10"; port = 443; proto = "tcp";$/\t{ address = "198.18.0.12"; port = 8080; proto = "tcp";/' \
	-e 's/{ address = "2001:db8:1::2"; }/{ address = "198.18.1.4"; }/' >"$T_DIR/two.conf"
out=$(ctl two config reload 2>&1) || true
check_eq "good reload: applied" "$out" "$T_DIR/two.conf: reloaded"
rules=$(ctl two -j rule list | jq -c '[.rules[].order]')
check_eq "rules: 10 gone, 40 there, runtime ones gone" "$rules" '[40,3000000000,20]'
vips=$(ctl two -j vip list | jq -c '[.vips[].vip] | sort')
check_eq "VIPs: 198.18.0.12 added, the IPv6 one and the runtime ones gone" \
	"$vips" '["198.18.0.10:80/tcp","198.18.0.12:8080/tcp"]'
ctl two config dump >"$T_DIR/three.conf" || true
check "the dump after the reload loads back" quiet "$XLBCTL" config check "$T_DIR/three.conf"

# SIGHUP takes the same path.
sed -i 's/order = 40;/order = 41;/' "$T_DIR/two.conf"
kill -HUP "$XLBD_PID"
hup() {
	ctl two -j rule list | jq -e 'any(.rules[]; .order == 41)' >/dev/null
}
hup_ok=1
for _ in $(seq 50); do
	if hup; then
		hup_ok=0
		break
	fi
	sleep 0.1
done
check "SIGHUP reloads as config reload does" [ "$hup_ok" -eq 0 ]

t_done
