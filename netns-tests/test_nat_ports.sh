#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT ports under load. A backend port has 28,232 NAT ports per LB
# address; a port must be free again once its flow is gone, or a NAT VIP
# stops taking connections for good. With ONE backend:
# - two NAT VIPs, one client address and port connected to both at once
#   (a port both flows try first, found with tools/nat_port.py): the
#   backend sees two distinct source ports;
# - 60,000 short connections (request, answer, RST) from 4 client
#   addresses, then 30,000 more: every one answered, no packet of one
#   reaching the backend on another's port (the backend sends no RST),
#   the backend seeing more connections than ports, and a slow download
#   through the same VIP, started before them, arriving intact;
# - a 30 s SYN flood from random sources (build/tools/syn_flood, faster
#   than the 28,232 ports / 5 s SYN timeout can absorb), then 1,000 new
#   connections: service back within seconds of the flood's end, every
#   one answered.
#
#  netns nc (clients)            netns nl (xlbd, XDP generic)          netns nb
# +-----------------------+      +----------------------------+       +------------------+
# | tcp_churn, paced_get, |      |                            |       | tcp_server :80   |
# | syn_flood             |      | veth-xlb         veth-b1   |       | (logs each       |
# | 198.18.0.2            +------+ 198.18.0.1       198.18.1.1+-------+  peer) 198.18.1.2|
# | .100-.103 (churn)     |veth- |                            |veth-s1| default via .1.1 |
# +-----------------------+ cli  +----------------------------+       +------------------+
#
# The VIPs (198.18.100.0/24, port 80, nat) are routed by nc to nl. Flood
# sources are in 198.19.0.0/16, which nl routes back to nc, where the
# backend's SYN-ACKs to them end (nc does not forward).
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=198.18.100.10
B=198.18.1.2
LB_SNAT=198.18.1.1
NAME=xlb-natports
CONF=$T_DIR/nat.conf
PEERS=$T_DIR/peers
CLIENTS=198.18.0.100,198.18.0.101,198.18.0.102,198.18.0.103
NAT_PORTS=28232
SYN_TIMEOUT=5
FIRST_N=60000
MORE_N=30000
PARALLEL=64
FLOOD_SECS=30
FLOOD_NET=198.19.0.0/16
LEGIT_N=1000
# The service must be back this soon after the flood: the SYN timeout,
# the port's grace, and room for a slow host.
BACK_SECS=10
# The slow download: BLOB_MB, the first MB at DL_RATE, the rest at
# paced_get.py's slow rate, and its last chunk only once $T_DIR/go
# exists, so that it spans the 90,000 connections however long they
# take, moving data or holding its connection idle.
BLOB_MB=4
DL_RATE=$((128 << 10))
TAIL_MB=3
# A broken data plane makes every connection wait its timeout: give up
# after this many failures.
MAX_FAILED=100

for t in tcp_server tcp_churn syn_flood; do
	[ -x "$BUILD/tools/$t" ] || fatal "build/tools/$t is missing: run make"
done

ns_add nc
ns_add nl
ns_add nb
veth nc veth-cli 198.18.0.2 nl veth-xlb 198.18.0.1
veth nl veth-b1 "$LB_SNAT" nb veth-s1 "$B"
for a in ${CLIENTS//,/ }; do
	veth_addr nc veth-cli "$a" nl veth-xlb
done
ip -n nb route add default via "$LB_SNAT"
ip -n nc route add 198.18.100.0/24 via 198.18.0.1
ip -n nl route add "$FLOOD_NET" via 198.18.0.2
# NAT replies are sent on through the FIB, which answers only where the
# kernel forwards; the LB's own connections stay off the NAT ports.
in_ns nl sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.ip_local_port_range="61000 65535"

# A client port whose flows to VIP and to VIP2 try the same NAT port
# first: only the owner check tells them apart.
read -r CPORT VIP2 PORT1 < <(python3 "$TOOLS/nat_port.py" collide \
	198.18.0.2 "$VIP" 80 198.18.100.20 40 20000 12000) ||
	fatal "nat_port.py finds a client port both VIPs map to one NAT port"

# The flood's SYN-only entries stay in one CPU's share of xlb_syns, a
# per-CPU LRU (the table's size over the possible CPUs): give each CPU
# room for more than the backend port's 28,232 NAT ports, so that the
# ports, not that share, bound the flood on any machine.
CPUS=$(python3 -c 'import sys
n = 0
for r in open("/sys/devices/system/cpu/possible").read().strip().split(","):
    a, _, b = r.partition("-")
    n += int(b or a) - int(a) + 1
print(n)')
cat >"$CONF" <<CONF
lb = { max_syns = $((CPUS * 65536)); };
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "off"; lb = true; }
);
vips = (
	{ address = "$VIP"; port = 80; proto = "tcp"; mode = "nat";
	  backends = ( { address = "$B"; } ); },
	{ address = "$VIP2"; port = 80; proto = "tcp"; mode = "nat";
	  backends = ( { address = "$B"; } ); }
);
CONF

head -c $((BLOB_MB << 20)) /dev/urandom >"$T_DIR/blob"
BLOB_SUM=$(sha256sum "$T_DIR/blob" | cut -d' ' -f1)
bg_ns nb "$BUILD/tools/tcp_server" 80 b1 --blob "$T_DIR/blob" --log "$PEERS"
wait_for 5 listening nb || fatal "the backend listens on port 80"
start_xlbd nl "$CONF" "$NAME" || fatal "xlbd starts"

active() {
	[ "$(ctl "$NAME" -j backend list |
		jq '[.backends[] | select(.state == "active")] | length')" -eq 2 ]
}
wait_for 10 active || fatal "the backend is active for both VIPs"

# exhausted: the lb_nat_ports_exhausted drops so far.
exhausted() {
	ctl "$NAME" -j stats | jq '.lb.lb_nat_ports_exhausted'
}

# churn N ARGS...: tcp_churn's JSON for N connections to the VIP.
churn() {
	local n=$1
	shift
	in_ns nc "$BUILD/tools/tcp_churn" "$VIP" 80 "$n" "$@" || true
}

# ok_failed JSON: "OK FAILED".
ok_failed() {
	jq -r '"\(.ok) \(.failed)"' <<<"$1"
}

# backend_rsts: the RSTs the backend's kernel has sent. It has no cause
# to send any while the clients end every connection: one answers a
# packet that came on a port with no connection behind it.
backend_rsts() {
	in_ns nb cat /proc/net/snmp | awk '/^Tcp:/ && !col {
		for (i = 1; i <= NF; i++) if ($i == "OutRsts") col = i; next
	} /^Tcp:/ { print $col }'
}

# lb_ports: the LB ports the backend saw connections from, one a line.
lb_ports() {
	awk -v lb="$LB_SNAT" '$1 == lb { print $2 }' "$PEERS"
}

echo "-- two NAT VIPs, one backend, one client port"
cat >"$T_DIR/two_vips.py" <<'PY'
import socket
import struct
import sys

src, sport = sys.argv[1], int(sys.argv[2])
socks, out = [], []
for vip in sys.argv[3:]:
    s = socket.socket()
    socks.append(s)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.settimeout(5)
    try:
        s.bind((src, sport))
        s.connect((vip, 80))
        s.sendall(b"GET /name HTTP/1.1\r\nHost: vip\r\n\r\n")
        got = b""
        while not got.endswith(b"\r\n\r\nb1\n"):
            buf = s.recv(1024)
            if not buf:
                raise OSError("closed early")
            got += buf
        out.append("b1")
    except OSError as e:
        out.append(type(e).__name__)
print(" ".join(out))
PY
: >"$PEERS"
echo "  198.18.0.2:$CPORT tries port $PORT1 first to $VIP and to $VIP2"
got=$(in_ns nc python3 "$T_DIR/two_vips.py" 198.18.0.2 "$CPORT" "$VIP" "$VIP2")
check_eq "both VIPs answer the same client port, both connections open" \
	"$got" "b1 b1"
mapfile -t ports < <(lb_ports)
check_eq "the first flow has port $PORT1, as nat_port.py says" \
	"${ports[0]:-none}" "$PORT1"
check "the backend sees two distinct source ports (${ports[*]})" \
	test "${#ports[@]}" -eq 2 -a "${ports[0]:-}" != "${ports[1]:-}"

echo "-- $FIRST_N + $MORE_N short connections, one backend, a slow download"
: >"$PEERS"
bg_ns nc python3 "$TOOLS/paced_get.py" "$VIP" 80 /blob --rate "$DL_RATE" \
	--progress "$T_DIR/dl.progress" --hold "$T_DIR/go" \
	--tail $((TAIL_MB << 20)) >"$T_DIR/dl.json"
DL_PID=$!
started() {
	[ "$(cat "$T_DIR/dl.progress" 2>/dev/null || echo 0)" -gt 0 ]
}
wait_for 10 started || fatal "the slow download starts"
ex0=$(exhausted)
rst0=$(backend_rsts)
for n in "$FIRST_N" "$MORE_N"; do
	out=$(churn "$n" --src "$CLIENTS" --parallel "$PARALLEL" \
		--max-failed "$MAX_FAILED")
	echo "  $n connections: $(jq -r '"\(.ms) ms, \(.per_s)/s"' <<<"$out"): $out"
	check_eq "$n connections (RST-closed), all answered: ok, failed" \
		"$(ok_failed "$out")" "$n 0"
done
ex1=$(exhausted)
echo "  lb_nat_ports_exhausted meanwhile: $((ex1 - ex0)) (dropped SYNs, sent again)"
check_eq "the backend sent no RST: every packet came on its connection's port" \
	"$(($(backend_rsts) - rst0))" 0
conns=$(lb_ports | wc -l)
distinct=$(lb_ports | sort -u | wc -l)
check "the backend accepted $conns connections from $distinct LB ports (<= $NAT_PORTS): ports reused" \
	test "$conns" -gt $((FIRST_N + MORE_N)) -a "$distinct" -le "$NAT_PORTS"
have=$(cat "$T_DIR/dl.progress")
check "the download was still running ($have of $((BLOB_MB << 20)) bytes)" \
	test "$have" -lt $((BLOB_MB << 20))
touch "$T_DIR/go"
wait "$DL_PID" || true
check_eq "the download arrived intact on its one connection (status, bytes, sha256)" \
	"$(jq -r '"\(.status) \(.bytes) \(.sha256) \(.error)"' "$T_DIR/dl.json")" \
	"200 $((BLOB_MB << 20)) $BLOB_SUM "

echo "-- a ${FLOOD_SECS} s SYN flood from $FLOOD_NET, then $LEGIT_N connections"
ex0=$(exhausted)
# One CPU: the flood's SYN entries stay in one CPU's share of the
# per-CPU LRU xlb_syns, the other CPU is left to xlbd and the test.
flood=$(in_ns nc taskset -c 1 "$BUILD/tools/syn_flood" "$VIP" 80 \
	"$FLOOD_SECS" "$FLOOD_NET") || fatal "syn_flood runs"
t_end=$(now_ms)
ex1=$(exhausted)
echo "  flood: $flood"
# The first connection that succeeds; each try has 250 ms (one SYN) and
# a new source port, so a new flow and new candidate ports.
back=""
while [ $(($(now_ms) - t_end)) -lt $((BACK_SECS * 1000)) ]; do
	out=$(churn 1 --timeout-ms 250)
	if [ "$(ok_failed "$out")" = "1 0" ]; then
		back=$(($(now_ms) - t_end))
		break
	fi
done
out=$(churn "$LEGIT_N" --src "$CLIENTS" --parallel 32 \
	--max-failed "$MAX_FAILED")
echo "  $LEGIT_N connections after the flood: $out"
echo "  lb_nat_ports_exhausted after the flood: $(($(exhausted) - ex1))"
rate=$(jq .per_s <<<"$flood")
check "the flood exhausted the ports: $((ex1 - ex0)) lb_nat_ports_exhausted drops at $rate SYN/s (break-even $((NAT_PORTS / SYN_TIMEOUT)))" \
	test $((ex1 - ex0)) -gt 0
check "service back ${back:-never} ms after the flood's end (within $BACK_SECS s)" \
	test -n "$back"
check_eq "$LEGIT_N new connections after the flood, all answered: ok, failed" \
	"$(ok_failed "$out")" "$LEGIT_N 0"

t_done
