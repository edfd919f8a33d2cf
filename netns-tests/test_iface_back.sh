#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# An interface that goes away and comes back. xlbd runs a DSR and a NAT
# VIP over two backends, one behind veth-b1 (XDP generic, tc both ways,
# filter and lb). veth-b1 is deleted (its peer with it): xlbd notices,
# says so once, keeps its record and counter slot, `status` shows it
# missing, its backends leave both rings and new flows all reach the
# other backend; a reload meanwhile is applied. The pair is made again
# as before (new ifindex, same names and addresses): xlbd attaches it
# again as the file says (XDP mode, both tc hooks, stages), puts it in
# xlb_tx_ports, moves its record to the new ifindex with the same slot,
# resolves its backends, and flows through both VIPs reach both backends
# again, counted at veth-b1 and per backend. Then the same with xlbd
# stopped while the interface is gone: it starts (adopting), shows it
# missing, and attaches it when it comes back.
#
#  netns ic              netns il (xlbd, XDP generic)        netns ib1
# +------------+        +---------------------------+       +---------------------+
# | curl       |veth-cli| veth-xlb      veth-b1     |veth-s1| 198.18.1.2 :80 (b1) |
# | 198.18.0.2 +--------+ 198.18.0.1    198.18.1.1  +-------+ 198.18.0.10 on lo   |
# |            |        |               veth-b2     |       +---------------------+
# +------------+        |               198.18.2.1  +-------+ netns ib2: as ib1,  |
#                       +---------------------------+veth-s2| 198.18.2.2 (b2)     |
#                                                           +---------------------+
#
# VIPs: 198.18.0.10:80/tcp (DSR) and 198.18.0.20:80/tcp (NAT), routed by
# the client to the LB.
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VDSR=198.18.0.10
VNAT=198.18.0.20
B1=198.18.1.2
NAME=xlb-iface
CONF=$T_DIR/iface.conf
LOG=$T_DIR/$NAME.log
PINS=/sys/fs/bpf/$NAME

star i "$VDSR" "$VNAT"
star_http i "$VDSR" || fatal "the backends serve HTTP"

cat >"$CONF" <<CONF
interfaces = (
	{ name = "veth-xlb"; xdp = "generic"; tc = "off"; lb = true; },
	{ name = "veth-b1"; xdp = "generic"; tc = "both"; filter = true;
	  lb = true; },
	{ name = "veth-b2"; xdp = "generic"; tc = "off"; lb = true; }
);
vips = (
	{ address = "$VDSR"; port = 80; proto = "tcp"; mode = "dsr";
	  backends = ( { address = "$B1"; }, { address = "198.18.2.2"; } ); },
	{ address = "$VNAT"; port = 80; proto = "tcp"; mode = "nat";
	  backends = ( { address = "$B1"; }, { address = "198.18.2.2"; } ); }
);
CONF
start_xlbd il "$CONF" "$NAME" || fatal "xlbd starts"

# b1 JQ: JQ over backend b1 of both VIPs in `backend list -j`, one line.
b1() {
	ctl "$NAME" -j backend list |
		jq -c "[.backends[] | select(.address == \"$B1\") | $1]"
}
b1_active() {
	[ "$(b1 '.state == "active" and .in_ring')" = '[true,true]' ]
}
b1_out() {
	[ "$(b1 '.state != "active" and (.in_ring | not)')" = '[true,true]' ]
}

# who VIP N: N new flows to VIP; the answers counted, "b1:3 b2:7".
who() {
	answers ic "http://$1/name" "$2"
}
both_answer() {
	[[ $(who "$1" 20) =~ ^b1:[0-9]+\ b2:[0-9]+$ ]]
}

# iface JQ: JQ over veth-b1's object in `status -j`.
iface() {
	ctl "$NAME" -j status | jq -c ".interfaces[] |
		select(.name == \"veth-b1\") | $1"
}
missing() {
	[ "$(iface '.missing')" = true ]
}
# attached IFINDEX: veth-b1 back at IFINDEX's successor, as the file says.
attached() {
	[ "$(iface '.missing')" = false ] &&
		[ "$(iface '.ifindex')" != "$1" ] &&
		[ "$(iface '[.xdp.attached, .xdp.mode, .tc_ingress.attached,
			.tc_egress.attached, .stages]')" = \
			'[true,"generic",true,true,["counters","filter","lb"]]' ]
}

# slot IFINDEX: the counter slot of the xlb_ifaces record at IFINDEX,
# and whether it is active ("SLOT ACTIVE").
slot() {
	bpftool -j map lookup pinned "$PINS/xlb_ifaces" key \
		$(($1 & 255)) $(($1 >> 8 & 255)) 0 0 |
		jq -r '.formatted.value | "\(.slot) \(.active)"'
}
in_tx_ports() {
	bpftool map lookup pinned "$PINS/xlb_tx_ports" key \
		$(($1 & 255)) $(($1 >> 8 & 255)) 0 0 >/dev/null 2>&1
}

# xdp_packets: packets counted at veth-b1's XDP hook, all verdicts.
xdp_packets() {
	ctl "$NAME" -j stats | jq '.interfaces["veth-b1"].hooks.xdp.verdicts |
		[.[] | .packets] | add'
}
# b1_packets: packets forwarded to b1, both VIPs.
b1_packets() {
	ctl "$NAME" -j backend list | jq "[.backends[] |
		select(.address == \"$B1\") | .packets] | add"
}

# remake: veth-b1 and its peer made again as star() made them.
remake() {
	veth il veth-b1 198.18.1.1 ib1 veth-s1 "$B1"
	ip -n ib1 route add default via 198.18.1.1
}

check "b1 active in both rings" wait_for 5 b1_active
check "DSR: flows reach both backends" both_answer "$VDSR"
check "NAT: flows reach both backends" both_answer "$VNAT"
OLD=$(iface .ifindex)
read -r SLOT ACTIVE <<<"$(slot "$OLD")"
check_eq "veth-b1's record is active" "$ACTIVE" 1
XDP_BEFORE=$(xdp_packets)
B1_BEFORE=$(b1_packets)

# Gone.
ip -n il link del veth-b1
check "status shows veth-b1 missing" wait_for 5 missing
check "text status says missing" bash -c \
	"'$XLBCTL' -s '$T_DIR/$NAME.sock' status dev veth-b1 | grep -q missing"
check "b1 leaves both rings" wait_for 5 b1_out
check_eq "DSR: every flow reaches b2" "$(who "$VDSR" 10)" "b2:10"
check_eq "NAT: every flow reaches b2" "$(who "$VNAT" 10)" "b2:10"
check "its record and counter slot are kept" \
	[ "$(slot "$OLD")" = "$SLOT 1" ]
check "a reload while it is gone is applied" ctl "$NAME" config reload
check "...and it is still missing" missing

# Back.
remake
check "veth-b1 attached again as the file says" wait_for 10 attached "$OLD"
NEW=$(iface .ifindex)
echo "  veth-b1: ifindex $OLD, then $NEW"
check "its record moved to the new ifindex, same slot" \
	[ "$(slot "$NEW")" = "$SLOT 1" ]
check_eq "none left at the old ifindex" "$(slot "$OLD" | cut -d' ' -f2)" 0
check "the new ifindex is in xlb_tx_ports" in_tx_ports "$NEW"
check "b1 active in both rings again" wait_for 10 b1_active
check "DSR: flows reach both backends again" wait_for 10 both_answer "$VDSR"
check "NAT: flows reach both backends again" wait_for 10 both_answer "$VNAT"
check "veth-b1's XDP counters go on ($XDP_BEFORE before)" \
	[ "$(xdp_packets)" -gt "$XDP_BEFORE" ]
check "b1's counters go on ($B1_BEFORE before)" \
	[ "$(b1_packets)" -gt "$B1_BEFORE" ]
check_eq "its going is logged once" "$(grep -c 'veth-b1: gone' "$LOG")" 1

# Gone while xlbd is stopped; xlbd starts anyway and takes it back.
kill -TERM "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null || true
ip -n il link del veth-b1
check "xlbd starts while veth-b1 is gone" start_xlbd il "$CONF" "$NAME"
check "...and shows it missing" missing
check "b1 out of both rings" wait_for 5 b1_out
OLD=$(iface .ifindex)
remake
check "veth-b1 attached again" wait_for 10 attached "$OLD"
check "b1 active in both rings again" wait_for 10 b1_active
check "NAT: flows reach both backends again" wait_for 10 both_answer "$VNAT"
t_done
