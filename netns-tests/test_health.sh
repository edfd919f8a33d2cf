#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Health checks end to end: a DSR VIP with an http check (interval
# 0.2 s) over two backends running a small HTTP server. A backend whose
# server stops goes down within a bound: `xlbctl -j backend list` says
# why, its xlb_backends entry carries DOWN, it leaves the ring and new
# flows all reach the other backend; restarted, it comes back. A server
# answering 503 goes down too; a reload that changes the expected status
# takes effect, one that removes the health group brings every backend
# up; a restarted xlbd keeps a down backend down. Probes leave from
# source ports 61000-65535, outside the NAT ports.
#
#  netns hc              netns hl (xlbd, XDP generic)        netns hb1
# +------------+        +---------------------------+       +---------------------+
# | curl       |veth-cli| veth-xlb      veth-b1     |veth-s1| 198.18.0.10 on lo   |
# | 198.18.0.2 +--------+ 198.18.0.1    198.18.1.1  +-------+ 198.18.1.2, srv :80 |
# +------------+        |               veth-b2     |       +---------------------+
#                       |               198.18.2.1  +-------+ netns hb2: as hb1,  |
#                       +---------------------------+veth-s2| 198.18.2.2          |
#                                                           +---------------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=198.18.0.10
B1=198.18.1.2
B2=198.18.2.2
NAME=xlb-health
CONF=$T_DIR/health.conf

star h "$VIP"
for ns in hb1 hb2; do
	ip -n "$ns" addr add "$VIP/32" dev lo
	in_ns "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2
done

# The backends' server: answers every GET with its name, 503 while the
# file sick-NAME exists, and logs the client's port and the path.
cat >"$T_DIR/srv.py" <<'PY'
import http.server
import os
import sys

name, logf, sick = sys.argv[1:]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(logf, "a") as f:
            f.write(f"{self.client_address[1]} {self.path}\n")
        body = (name + "\n").encode()
        self.send_response(503 if os.path.exists(sick) else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    # Probes reset the connection once they have the status line.
    def handle_error(self, request, client_address):
        pass


Server(("0.0.0.0", 80), Handler).serve_forever()
PY

declare -A SRV_PID

# server N: start backend N's server, wait until it listens.
server() {
	local _
	bg_ns "hb$1" python3 "$T_DIR/srv.py" "b$1" "$T_DIR/log-b$1" \
		"$T_DIR/sick-b$1"
	SRV_PID[$1]=$!
	for _ in $(seq 50); do
		in_ns "hb$1" ss -Htln "sport = :80" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

stop_server() {
	kill "${SRV_PID[$1]}"
	wait "${SRV_PID[$1]}" 2>/dev/null || true
}

# write_conf HEALTH: the configuration, with HEALTH as the VIP's health
# group ("" for none).
write_conf() {
	cat >"$CONF" <<CONF
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "off"; },
	{ name = "veth-b2"; xdp = "generic"; tc = "off"; }
);
vips = (
	{ address = "$VIP"; port = 80; proto = "tcp";
	  $1
	  backends = ( { address = "$B1"; }, { address = "$B2"; } ); }
);
CONF
}

HTTP_CHECK='health = { type = "http"; path = "/health"; interval = "0.2s";
	    timeout = "0.15s"; rise = 2; fall = 2; };'

# field ADDR JQ: a field of backend ADDR in `xlbctl -j backend list`.
field() {
	ctl "$NAME" -j backend list |
		jq -r --arg a "$1" ".backends[] | select(.address == \$a) | $2"
}

# wait_health ADDR STATE SECONDS: until ADDR's health is STATE, which
# took TOOK tenths of a second; fails after SECONDS.
TOOK=0
wait_health() {
	for TOOK in $(seq 0 $(($3 * 10))); do
		[ "$(field "$1" .health.state)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# both_checked STATE: within 3 s, both backends STATE with a result
# (backends start up, so up alone says nothing).
both_checked() {
	local _ n
	for _ in $(seq 30); do
		n=$(ctl "$NAME" -j backend list | jq --arg s "$1" \
			'[.backends[] | select(.health.state == $s and
				(.health.result // "") != "")] | length')
		[ "$n" -eq 2 ] && return 0
		sleep 0.1
	done
	return 1
}

# dp_flags ADDR: the flags byte of ADDR's xlb_backends entry.
dp_flags() {
	local id
	id=$(field "$1" .id)
	bpftool -j map lookup pinned "/sys/fs/bpf/$NAME/xlb_backends" key \
		$((id & 255)) $((id >> 8 & 255)) 0 0 |
		jq -r '.value[17]' | xargs printf '%d'
}

is_down_flag() {
	[ $(($(dp_flags "$1") & 4)) -ne 0 ]
}

not_down_flag() {
	[ $(($(dp_flags "$1") & 4)) -eq 0 ]
}

# in_ring: how many backends the VIP's ring holds.
in_ring() {
	ctl "$NAME" -j vip list | jq '.vips[0].in_ring'
}

# who N: N new flows (curl) to the VIP; the backends that answered,
# counted, as "b1:3 b2:7" (in name order).
who() {
	local _
	for _ in $(seq "$1"); do
		in_ns hc curl -s --max-time 2 "http://$VIP/who" || echo none
	done | sort | uniq -c | awk '{ printf "%s%s:%s", s, $2, $1; s=" " }'
}

server 1 || fatal "backend 1's server listens"
server 2 || fatal "backend 2's server listens"
write_conf "$HTTP_CHECK"
check "--check-config accepts the health group" "$XLBD" --check-config -c "$CONF"
start_xlbd hl "$CONF" "$NAME" || fatal "xlbd starts"

check "both backends up (checked) within 3 s" both_checked up
check_eq "last result of an http check" "$(field "$B1" .health.result)" \
	"http status 200"
check_eq "both backends in the ring" "$(in_ring)" 2
spread=$(who 20)
check "new flows reach both backends ($spread)" \
	bash -c "[[ '$spread' =~ ^b1:[0-9]+\ b2:[0-9]+$ ]]"

# Backend 1's server stops: connection refused, down after 2 checks.
stop_server 1
check "stopped server: down within 3 s" wait_health "$B1" down 3
echo "  (in $TOOK/10 s)"
check_eq "state column says down" "$(field "$B1" .state)" down
check_eq "why: connection refused" "$(field "$B1" .health.result)" \
	"connect: Connection refused"
check_eq "down backend out of the ring" "$(field "$B1" .in_ring)" false
check "xlb_backends entry of the down backend has DOWN" is_down_flag "$B1"
check "the other backend's entry has no DOWN" not_down_flag "$B2"
check_eq "one backend in the ring" "$(in_ring)" 1
check_eq "every new flow reaches backend 2" "$(who 10)" "b2:10"
check "backend list prints the health column and why" \
	bash -c "'$XLBCTL' -s '$T_DIR/$NAME.sock' backend list |
		grep -q '$B1: health check failed: connect: Connection refused'"
check "stats carry health counters" \
	test "$(ctl "$NAME" -j stats |
		jq ".backends[\"$VIP:80/tcp\"][\"$B1\"].health.checks_failed")" -ge 2
check "the log says it went down" \
	grep -q "health: $VIP:80/tcp $B1 is down: connect: Connection refused" \
	"$T_DIR/$NAME.log"

# Restarted: up after 2 successes, DOWN cleared, back in the ring.
server 1 || fatal "backend 1's server listens again"
check "restarted server: up within 3 s" wait_health "$B1" up 3
echo "  (in $TOOK/10 s)"
check "DOWN cleared" not_down_flag "$B1"
check_eq "both in the ring again" "$(in_ring)" 2

# 503 from a running server: http status checked.
touch "$T_DIR/sick-b2"
wait_health "$B2" down 3 || true
check_eq "503: down, with the status as why" \
	"$(field "$B2" .state) $(field "$B2" .health.result)" \
	"down http status 503"
rm -f "$T_DIR/sick-b2"
check "503 gone: up again" wait_health "$B2" up 3

# A reload that expects 204: everything fails; another without health:
# every backend up and unchecked.
write_conf "${HTTP_CHECK/fall = 2;/fall = 2; status = 204;}"
kill -HUP "$XLBD_PID"
check "reload expecting 204: both down" both_checked down
check_eq "why: the status" "$(field "$B1" .health.result)" "http status 200"
check_eq "no backend in the ring" "$(in_ring)" 0

# A restart keeps a down backend down (its entry says DOWN).
kill -9 "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null || true
start_xlbd hl "$CONF" "$NAME" || fatal "xlbd restarts"
check_eq "after a restart: still down, still out of the ring" \
	"$(field "$B1" .health.state) $(field "$B1" .in_ring)" "down false"

write_conf ""
kill -HUP "$XLBD_PID"
check "reload without health: unchecked" wait_health "$B1" unchecked 3
check_eq "...and up, in the ring, without DOWN" \
	"$(field "$B1" .state) $(field "$B2" .state) $(dp_flags "$B1")" \
	"active active 3"
check_eq "both in the ring" "$(in_ring)" 2

# Every probe came from a port of 61000-65535.
ports=$(cat "$T_DIR/log-b1" "$T_DIR/log-b2" | awk '$2 == "/health" { print $1 }')
check "probes were logged ($(echo "$ports" | wc -l))" \
	test "$(echo "$ports" | wc -l)" -ge 10
check_eq "probe source ports outside 32768-60999" \
	"$(echo "$ports" | awk '$1 < 61000 || $1 > 65535' | wc -l)" 0

t_done
