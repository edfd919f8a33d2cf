#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT to backends on ports of their own: a NAT VIP on port 80 whose two
# backends listen on 8080 and 9090 only (nothing answers on their port
# 80). TCP health checks go to each backend's port; fresh connections
# are answered by both, a download arrives intact; `backend list` shows
# ADDR:PORT and `-j` the port; `backend set` keeps it; `config dump`
# writes it and loads back. A port for a DSR VIP is refused by xlbctl and
# by a reload (FILE:LINE), nothing changing; a reload that gives a
# backend another port makes it a new backend there; xlbctl deletes a
# backend and adds it back with its port; a restart keeps the ports.
#
#  netns pc              netns pl (xlbd, XDP generic)        netns pb1
# +------------+        +---------------------------+       +----------------------+
# | curl       |veth-cli| veth-xlb      veth-b1     |veth-s1| 198.18.1.2           |
# | 198.18.0.2 +--------+ 198.18.0.1    198.18.1.1  +-------+ :8080 (b1)           |
# +------------+        |               veth-b2     |       +----------------------+
#                       |               198.18.2.1  +-------+ netns pb2: 198.18.2.2 |
#                       +---------------------------+veth-s2| :9090 (b2), :8080 (b3)|
#                                                           +----------------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=198.18.0.10
DSR_VIP=198.18.0.11
V="$VIP:80/tcp"
B1=198.18.1.2
B2=198.18.2.2
NAME=xlb-port
CONF=$T_DIR/port.conf

star p "$VIP" "$DSR_VIP"

# www1..3: the pages of b1, b2 and b3 (b2's host on another port).
www_dirs 3 1
bg_ns pb1 python3 "$TOOLS/http_backend.py" 8080 "$T_DIR/www1"
bg_ns pb2 python3 "$TOOLS/http_backend.py" 9090 "$T_DIR/www2"
bg_ns pb2 python3 "$TOOLS/http_backend.py" 8080 "$T_DIR/www3"
wait_for 5 listening pb1 8080 || fatal "b1 listens on 8080"
wait_for 5 listening pb2 9090 || fatal "b2 listens on 9090"
wait_for 5 listening pb2 8080 || fatal "b3 listens on 8080"
listening pb1 80 && fatal "nothing may listen on the backends' port 80"

# write_conf FILE B2PORT [DSR_BACKEND]: the configuration, backend 2 on
# port B2PORT, DSR_BACKEND (a group) as the DSR VIP's backend.
write_conf() {
	cat >"$1" <<CONF
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b2"; xdp = "generic"; tc = "off"; lb = true; }
);
vips = (
	{ address = "$VIP"; port = 80; proto = "tcp"; mode = "nat";
	  health = { type = "tcp"; interval = "0.2s"; timeout = "0.15s";
		     rise = 1; fall = 2; };
	  backends = ( { address = "$B1"; port = 8080; },
		       { address = "$B2"; port = $2; } ); },
	{ address = "$DSR_VIP"; port = 80; proto = "tcp";
	  backends = ( ${3:-} ); }
);
CONF
}

# field ADDR JQ: a field of backend ADDR of the NAT VIP.
field() {
	ctl "$NAME" -j backend list "$V" |
		jq -r --arg a "$1" ".backends[] | select(.address == \$a) | $2"
}

both_up() {
	[ "$(field "$B1" .health.state) $(field "$B2" .health.state)" = "up up" ]
}

# who N: N new connections (curl) to the VIP; the pages' names that
# answered, counted, as "b1:3 b2:7" (in name order); "none" for a failure.
who() {
	local _
	for _ in $(seq "$1"); do
		in_ns pc curl -s --max-time 2 "http://$VIP/name" || echo none
	done | sort | uniq -c | awk '{ printf "%s%s:%s", s, $2, $1; s=" " }'
}

write_conf "$CONF" 9090
check "--check-config accepts backend ports" "$XLBD" --check-config -c "$CONF"
start_xlbd pl "$CONF" "$NAME" || fatal "xlbd starts"

check "tcp checks at the backends' ports: both up within 3 s" \
	wait_for 3 both_up
check_eq "-j backend list: the ports" \
	"$(field "$B1" .port) $(field "$B2" .port)" "8080 9090"
ctl "$NAME" backend list >"$T_DIR/list"
check "backend list shows ADDR:PORT" \
	grep -q "^$V  *$B1:8080  *1  *active  *up" "$T_DIR/list"
check "...for both" grep -q "^$V  *$B2:9090 " "$T_DIR/list"
spread=$(who 40)
check "40 new connections answered by both backends ($spread)" \
	bash -c "[[ '$spread' =~ ^b1:[0-9]+\ b2:[0-9]+$ ]]"
sum=$(in_ns pc curl -s --max-time 10 "http://$VIP/blob" | sha256sum |
	cut -d' ' -f1)
check_eq "a 1 MB download through the port translation arrives intact" \
	"$sum" "$BLOB_SUM"

# A port for a DSR VIP, at run time: refused, nothing added.
check "xlbctl: a port for a DSR VIP is refused" \
	expect_fail 1 "port: VIP $DSR_VIP:80/tcp is dsr, which leaves the destination port as it is" \
	ctl "$NAME" backend add "$DSR_VIP:80/tcp" "$B1" port 8080
check_eq "...and the DSR VIP still has no backend" \
	"$(ctl "$NAME" backend list "$DSR_VIP:80/tcp")" "no backends"
check "xlbctl: backend set takes no port" \
	expect_fail 1 "unknown argument 'port'" \
	ctl "$NAME" backend set "$V" "$B1" weight 1 port 80

# backend set keeps the port; the dump writes it and loads back.
id1=$(field "$B1" .id)
ctl "$NAME" backend set "$V" "$B1" weight 3
check_eq "backend set: weight 3, same id, same port" \
	"$(field "$B1" .weight) $(field "$B1" .id) $(field "$B1" .port)" \
	"3 $id1 8080"
ctl "$NAME" config dump >"$T_DIR/dump.conf"
check "config dump writes the port" \
	grep -q "{ address = \"$B1\"; weight = 3; port = 8080; }" \
	"$T_DIR/dump.conf"
check "the dump passes config check" ctl "$NAME" config check "$T_DIR/dump.conf"

# A bad reload: a port on the DSR VIP's backend, refused with its line.
id2=$(field "$B2" .id)
write_conf "$CONF" 8080 "{ address = \"$B1\"; port = 8080; }"
line=$(grep -n "address = \"$DSR_VIP\"" "$CONF" | cut -d: -f1)
check "reload of a port on a DSR VIP: refused with FILE:LINE" \
	expect_fail 1 "$CONF:$((line + 1)): port: VIP $DSR_VIP:80/tcp is dsr" \
	ctl "$NAME" config reload
check_eq "...nothing changed" \
	"$(field "$B2" .id) $(field "$B2" .port) $(field "$B1" .weight)" \
	"$id2 9090 3"

# Another port for backend 2: a new backend there.
write_conf "$CONF" 8080
ctl "$NAME" config reload
check_eq "reload to port 8080: backend 2 there, under a new id" \
	"$(field "$B2" .port) $(test "$(field "$B2" .id)" != "$id2" && echo new)" \
	"8080 new"
check_eq "...backend 1 kept (id, port), with the file's weight" \
	"$(field "$B1" .id) $(field "$B1" .port) $(field "$B1" .weight)" \
	"$id1 8080 1"
check "...and up at its new port" wait_for 3 both_up
spread=$(who 40)
check "new connections reach b1 and b3, not b2 ($spread)" \
	bash -c "[[ '$spread' =~ ^b1:[0-9]+\ b3:[0-9]+$ ]]"

# xlbctl: backend 1 deleted, then added back with its port.
ctl "$NAME" backend del "$V" "$B1"
check_eq "backend 1 deleted: every connection to b3" "$(who 10)" "b3:10"
ctl "$NAME" backend add "$V" "$B1" port 8080
check_eq "added back by xlbctl with port 8080" "$(field "$B1" .port)" 8080
check "...up" wait_for 3 both_up
spread=$(who 40)
check "new connections reach b1 and b3 again ($spread)" \
	bash -c "[[ '$spread' =~ ^b1:[0-9]+\ b3:[0-9]+$ ]]"

# A restart takes the ports back from the pinned maps.
kill -9 "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null || true
start_xlbd pl "$CONF" "$NAME" || fatal "xlbd restarts"
check_eq "after kill -9 and a restart: the same ports" \
	"$(field "$B1" .port) $(field "$B2" .port)" "8080 8080"
spread=$(who 20)
check "...and new connections reach b1 and b3 ($spread)" \
	bash -c "[[ '$spread' =~ ^b1:[0-9]+\ b3:[0-9]+$ ]]"

t_done
