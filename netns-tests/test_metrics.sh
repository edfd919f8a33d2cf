#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The /metrics endpoint end to end. xlbd counts, filters (a drop rule, a
# deny entry) and load-balances (a DSR UDP VIP) on mx0; after traffic
# that hits each of them has stopped, the body of /metrics (default
# address 127.0.0.1:9477) is read with the Prometheus Python client's
# parser and every value compared with `xlbctl -j stats` taken at the
# same moment (tools/metrics_compare.py). Then the responder's manners:
# 404, 405, 400 for garbage, 431 for oversized headers; a silent client
# delays no other and is dropped at its 5 s deadline; 100 concurrent
# scrapes all answered; with every slot held by silent clients the
# control socket still answers at once; a taken address makes a second
# xlbd exit 1 naming it, before it touches anything; `[::1]:PORT` and
# `off` after a restart.
#
#  netns mc                 netns mx (xlbd, XDP generic)           netns mb
# +--------------+  veth   +------------------------------+ veth  +--------------------+
# | udp_burst,   | mc0 mx0 | 198.18.0.2      198.18.1.1   |mx1 mb0| 198.18.100.10 on lo|
# | ping         +---------+ filter, lb      counters     +-------+ 198.18.1.2         |
# | 198.18.0.1   |         | /metrics on 127.0.0.1:9477   |       | udp_echo :7000     |
# | 198.18.0.3   |         +------------------------------+       +--------------------+
# +--------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=198.18.100.10
BACKEND=198.18.1.2
NAME=xlb-metrics
CONF=$T_DIR/metrics.conf
URL=http://127.0.0.1:9477
PY=/usr/bin/python3

ns_add mc
ns_add mx
ns_add mb
veth mc mc0 198.18.0.1 mx mx0 198.18.0.2
veth mx mx1 198.18.1.1 mb mb0 "$BACKEND"
veth_addr mc mc0 198.18.0.3 mx mx0
ip -n mc route add "$VIP/32" via 198.18.0.2
in_ns mx sysctl -qw net.ipv4.ip_forward=1
ip -n mb addr add "$VIP/32" dev lo
in_ns mb sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
	net.ipv4.conf.all.arp_announce=2
ip -n mb route add default via 198.18.1.1

cat >"$CONF" <<CONF
# test_metrics: counters, a rule, a deny entry and a VIP on mx0.
interfaces = (
	{ name = "mx0"; xdp = "generic"; tc = "both"; filter = true; lb = true; },
	{ name = "mx1"; xdp = "generic"; tc = "off"; }
);
filter = {
	rules = ( { order = 10; action = "drop"; hook = "ingress";
		    proto = "udp"; dport = 9; } );
	deny = { ingress = [ "198.18.0.3/32" ]; };
};
vips = (
	{ address = "$VIP"; port = 7000; proto = "udp"; mode = "dsr";
	  backends = ( { address = "$BACKEND"; weight = 3; } ); }
);
CONF

# m CURL_ARGS...: curl run in mx, where xlbd listens.
m() {
	in_ns mx curl -sS --max-time 10 "$@"
}

# raw TEXT: send TEXT (printf format) to the endpoint, print the answer.
raw() {
	# shellcheck disable=SC2059
	printf "$1" | in_ns mx socat -t 5 - TCP:127.0.0.1:9477 2>/dev/null |
		head -c 200
}

status_of() {
	m -o /dev/null -w '%{http_code}' "$@" || true
}

# What changes in the stats object without traffic: the clock.
UNSTABLE='del(.time_ns) | del(.backends[][].health.since_s)'

# snapshot DIR: stats, metrics, stats again, backend list; 0 when the two
# stats agree (nothing was counted meanwhile).
snapshot() {
	local d=$1
	mkdir -p "$d"
	ctl "$NAME" -j stats | jq -S "$UNSTABLE" >"$d/s1"
	m -o "$d/metrics" "$URL/metrics"
	ctl "$NAME" -j stats >"$d/stats"
	ctl "$NAME" -j backend list >"$d/backends"
	jq -S "$UNSTABLE" "$d/stats" >"$d/s2"
	cmp -s "$d/s1" "$d/s2"
}

# value FILE NAME LABELS: one sample's value from a metrics body.
value() {
	awk -v k="$2$3" '$1 == k { print $2 }' "$1"
}

bg_ns mb "$PY" "$ROOT/netns-tests/tools/udp_echo.py" "$VIP" 7000
start_xlbd mx "$CONF" "$NAME" || fatal "xlbd starts"
check "log names the metrics address" \
	grep -q "metrics on http://127.0.0.1:9477/metrics" "$T_DIR/$NAME.log"
for _ in $(seq 50); do
	[ "$(ctl "$NAME" -j backend list | jq -r '.backends[0].state')" = active ] && break
	sleep 0.1
done

echo "-- values"
check_eq "200 datagrams to the VIP echoed by the backend" \
	"$(in_ns mc "$PY" "$TOOLS/udp_burst.py" -w 1 "$VIP" 7000 200)" 200
in_ns mc "$PY" "$TOOLS/udp_burst.py" -w 0.1 198.18.0.2 9 50 >/dev/null
in_ns mc "$PY" "$TOOLS/udp_burst.py" -w 0.1 -s 198.18.0.3 198.18.0.2 7 30 \
	>/dev/null
in_ns mc ping -c 3 -i 0.2 -q 198.18.0.2 >/dev/null || true
sleep 0.5
ok=false
for i in 1 2 3 4 5; do
	if snapshot "$T_DIR/snap$i"; then
		ok=true
		break
	fi
	sleep 0.5
done
check "stats stood still around a scrape" $ok
S=$T_DIR/snap$i
"$PY" "$TOOLS/metrics_compare.py" "$S/metrics" "$S/stats" "$S/backends" \
	>"$S/compare" && rc=0 || rc=$?
head -n 20 "$S/compare" | grep -v "values compared" || true
check "/metrics equals xlbctl -j stats ($(tail -n 1 "$S/compare"))" \
	test "$rc" -eq 0
check "the compared values include the lb's and the filter's" \
	grep -q "^[0-9]\{3,\} values compared" "$S/compare"
RULE=$(ctl "$NAME" -j rule list | jq -r '.rules[0].id')
ENTRY=$(ctl "$NAME" -j deny list | jq -r '.entries[0].id')
VL="{vip=\"$VIP:7000/udp\"}"
BL="{vip=\"$VIP:7000/udp\",backend=\"$BACKEND\"}"
check_eq "the VIP forwarded 200 packets" \
	"$(value "$S/metrics" xlb_vip_packets_total "$VL")" 200
check_eq "the backend got them" \
	"$(value "$S/metrics" xlb_backend_packets_total "$BL")" 200
check_eq "the rule hit 50 times" \
	"$(value "$S/metrics" xlb_rule_hits_total "{rule=\"$RULE\"}")" 50
check_eq "the deny entry hit 30 times" \
	"$(value "$S/metrics" xlb_list_hits_total "{entry=\"$ENTRY\"}")" 30
check_eq "drops: filter_rule 50, filter_deny 30" \
	"$(value "$S/metrics" xlb_drops_total '{reason="filter_rule"}') $(value \
		"$S/metrics" xlb_drops_total '{reason="filter_deny"}')" "50 30"
check_eq "backend weight and up" \
	"$(value "$S/metrics" xlb_backend_weight "$BL") $(value "$S/metrics" \
		xlb_backend_up "$BL")" "3 1"
check "ICMP counted at xdp" test "$(value "$S/metrics" xlb_class_packets_total \
	'{ifname="mx0",hook="xdp",class="ipv4_icmp"}')" -ge 3
check_eq "each family's TYPE once" \
	"$(grep -c '^# TYPE' "$S/metrics")" \
	"$(grep '^# TYPE' "$S/metrics" | sort -u | wc -l)"

echo "-- requests"
check_eq "content type" \
	"$(m -o /dev/null -w '%{content_type}' "$URL/metrics")" \
	"text/plain; version=0.0.4; charset=utf-8"
check_eq "query string ignored" "$(status_of "$URL/metrics?name=xlb_up")" 200
check_eq "HEAD" "$(status_of -I "$URL/metrics")" 200
check_eq "other path: 404" "$(status_of "$URL/")" 404
check_eq "POST: 405" "$(status_of -d x "$URL/metrics")" 405
check_eq "HTTP/1.1 without Host: 400" \
	"$(raw 'GET /metrics HTTP/1.1\r\n\r\n' | head -n 1 | tr -d '\r')" \
	"HTTP/1.1 400 Bad Request"
check_eq "garbage: 400" \
	"$(raw 'garbage\x01\x02\r\n\r\n' | head -n 1 | tr -d '\r')" \
	"HTTP/1.1 400 Bad Request"
check_eq "5000-byte header: 431" \
	"$(m -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 5000 \
		/dev/zero | tr '\0' a)" "$URL/metrics" 2>/dev/null)" 431
check_eq "still serving after those" "$(status_of "$URL/metrics")" 200

echo "-- slow and many clients"
# A client that connects and sends nothing, keeping its socket open.
silent() {
	exec 3<>/dev/tcp/127.0.0.1/9477
	cat <&3 >"$1"
}
export -f silent
t0=$(date +%s%N)
# shellcheck disable=SC2016  # expanded by the inner bash
bg_ns mx timeout 9 bash -c 'silent "$1"; date +%s%N >"$1.end"' _ \
	"$T_DIR/silent.out"
sleep 0.3
t1=$(date +%s%N)
check_eq "a second client answered while one is silent" \
	"$(status_of "$URL/metrics")" 200
t=$((($(date +%s%N) - t1) / 1000000))
check "and promptly ($t ms)" test "$t" -lt 1000
for _ in $(seq 80); do
	[ -e "$T_DIR/silent.out.end" ] && break
	sleep 0.1
done
if [ -e "$T_DIR/silent.out.end" ]; then
	t=$((($(cat "$T_DIR/silent.out.end") - t0) / 1000000))
	check "silent client dropped at its deadline ($t ms)" \
		test "$t" -ge 4500 -a "$t" -lt 7000
	check "with a 408" grep -q "408 Request Timeout" "$T_DIR/silent.out"
else
	check "silent client dropped within 8 s" false
fi

pids=()
for i in $(seq 100); do
	{
		status_of "$URL/metrics"
		echo
	} >"$T_DIR/many.$i" &
	pids+=("$!")
done
wait "${pids[@]}" || true
check_eq "100 concurrent scrapes: all 200" \
	"$(cat "$T_DIR"/many.* | grep -c '^200$')" 100
check "xlbd alive after them" kill -0 "$XLBD_PID"

# Every slot held by a silent client: the daemon itself still answers.
for i in $(seq 20); do
	# shellcheck disable=SC2016  # expanded by the inner bash
	bg_ns mx timeout 9 bash -c 'silent "$1"' _ "$T_DIR/hold.$i"
done
sleep 0.5
t1=$(date +%s%N)
check "control socket answers with every slot held" \
	bash -c "'$XLBCTL' -s '$T_DIR/$NAME.sock' status >/dev/null"
t=$((($(date +%s%N) - t1) / 1000000))
check "at once ($t ms)" test "$t" -lt 1000
check_eq "a scrape waits for a slot, then is answered" \
	"$(status_of "$URL/metrics")" 200

echo "-- addresses"
out=$(nsenter --net=/run/netns/mx -- "$XLBD" -c "$CONF" \
	--pin-dir /sys/fs/bpf/second --socket "$T_DIR/second.sock" 2>&1) &&
	rc=0 || rc=$?
check_eq "second xlbd on a taken address exits 1" "$rc" 1
check "and names the address ($out)" grep -q "127.0.0.1:9477" <<<"$out"
check "having touched nothing" test ! -e /sys/fs/bpf/second

kill -TERM "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null || true
start_xlbd mx "$CONF" "$NAME" --metrics '[::1]:9478' ||
	fatal "xlbd restarts on [::1]:9478"
check_eq "IPv6 listen address" \
	"$(status_of -g 'http://[::1]:9478/metrics')" 200
check "the counters survived the restart" test "$(m -g \
	'http://[::1]:9478/metrics' | awk -v k="xlb_vip_packets_total$VL" \
	'$1 == k { print $2 }')" -ge 200
kill -TERM "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null || true
start_xlbd mx "$CONF" "$NAME" --metrics off || fatal "xlbd restarts, off"
check "--metrics off: nothing listens" \
	bash -c "! nsenter --net=/run/netns/mx -- curl -s --max-time 2 \
		-o /dev/null $URL/metrics"
ctl "$NAME" detach >/dev/null
t_done
