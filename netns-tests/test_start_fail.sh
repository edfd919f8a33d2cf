#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A start that fails leaves nothing behind. xlbd loads a fresh data plane,
# then refuses the file's second interface, which runs another XDP
# program: it exits 2 naming FILE:LINE, and afterwards no xlb program is
# attached to the first interface (no XDP, no tc filter, no clsact of
# xlb's), the pin dir is gone, the programs that start loaded (the ids it
# logs) are freed, and the other program is still attached. The same with the control socket's path
# unusable (after the interfaces were attached). A daemon that adopted a
# running data plane and then fails keeps that data plane running.
#
#  netns sa                         netns sb
# +----------------------------+   +-------------+
# | va0 198.18.0.1 (xlb's)     +---+ vb0         |
# | vf0 198.18.1.1 (foreign    +---+ vb1         |
# |     XDP program attached)  |   |             |
# +----------------------------+   +-------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=xlb-startfail
PINS=/sys/fs/bpf/$NAME
CONF=$T_DIR/start.conf

ns_add sa
ns_add sb
veth sa va0 198.18.0.1 sb vb0 198.18.0.2
veth sa vf0 198.18.1.1 sb vb1 198.18.1.2
# The foreign program: xlb's parse-and-drop floor, attached by iproute2.
# Through nsenter, not `ip -n`, which would remount /sys and leave
# iproute2 to pin in whichever bpffs /proc/mounts names first: this way
# it finds the test's own at /sys/fs/bpf.
in_ns sa ip link set dev vf0 xdpgeneric obj "$BUILD/floor.bpf.o" sec xdp ||
	fatal "a foreign XDP program attaches to vf0"
foreign_id() {
	ip -n sa -j link show vf0 | jq -r '.[0].xdp.prog.id // 0'
}
FOREIGN=$(foreign_id)
check "the foreign program is attached (id $FOREIGN)" test "$FOREIGN" -gt 0

# write_conf IF...: every IF with XDP generic and tc on both hooks.
write_conf() {
	{
		echo "interfaces = ("
		local sep=""
		for ifn; do
			printf '%s\t{ name = "%s"; xdp = "generic"; tc = "both"; }' \
				"$sep" "$ifn"
			sep=$',\n'
		done
		printf '\n);\n'
	} >"$CONF"
}

xdp_on_va0() {
	ip -n sa -j link show va0 | jq -r '.[0].xdp.prog.id // 0'
}
# loaded_ids LOG: the ids of the programs an xlbd logged loading in LOG.
# Only these are looked at: other tests may load xlb's programs at the
# same time, on the same kernel.
loaded_ids() {
	sed -n 's/.*: loaded and pinned (id \([0-9]*\))$/\1/p' "$1"
}
# freed ID...: none of the programs is loaded any more.
freed() {
	local id
	for id; do
		if bpftool prog show id "$id" >/dev/null 2>&1; then
			return 1
		fi
	done
}
# nothing_left WHAT LOG: no trace of xlb on va0 or in the pin dir, the
# foreign program still attached, the programs xlbd logged in LOG freed.
nothing_left() {
	local what=$1 ids
	mapfile -t ids < <(loaded_ids "$2")
	check_eq "$what: the start loaded its 4 programs" "${#ids[@]}" 4
	check_eq "$what: no XDP program on va0" "$(xdp_on_va0)" 0
	check_eq "$what: no clsact (so no tc filter) on va0" \
		"$(tc -n sa qdisc show dev va0 | grep -c clsact || true)" 0
	check "$what: the pin dir is gone" test ! -e "$PINS"
	check_eq "$what: the foreign program is still there" "$(foreign_id)" \
		"$FOREIGN"
	check "$what: the programs it loaded are freed (ids ${ids[*]})" \
		wait_for 5 freed "${ids[@]}"
}

# 1. The second interface runs another XDP program.
write_conf va0 vf0
check "xlbd refuses an interface with another XDP program (exit 2)" \
	expect_fail 2 "$CONF:3: interface 'vf0': another XDP program is attached (id $FOREIGN)" \
	nsenter --net=/run/netns/sa "$XLBD" -c "$CONF" --pin-dir "$PINS" \
	--socket "$T_DIR/$NAME.sock"
nothing_left "foreign program" "$T_DIR/stderr"

# 2. Everything attached, then the socket cannot be made.
write_conf va0
mkdir -p "$T_DIR/ro"
touch "$T_DIR/ro/xlbd"
check "xlbd fails when its socket directory is a file (exit 2)" \
	expect_fail 2 "" nsenter --net=/run/netns/sa "$XLBD" -c "$CONF" \
	--pin-dir "$PINS" --socket "$T_DIR/ro/xlbd/xlbd.sock"
nothing_left "socket" "$T_DIR/stderr"

# 3. An adopted data plane stays running when the restart fails.
start_xlbd sa "$CONF" "$NAME" || fatal "xlbd starts on va0"
id=$(xdp_on_va0)
check "xlb's program is on va0" test "$id" -gt 0
kill -9 "$XLBD_PID"
wait "$XLBD_PID" 2>/dev/null || true
write_conf va0 vf0
check "a restart refusing vf0 exits 2" \
	expect_fail 2 "another XDP program is attached" \
	nsenter --net=/run/netns/sa "$XLBD" -c "$CONF" --pin-dir "$PINS" \
	--socket "$T_DIR/$NAME.sock"
check_eq "...and the adopted data plane keeps running on va0" \
	"$(xdp_on_va0)" "$id"
check "...its pins kept" test -e "$PINS/xlb_ifaces"
nsenter --net=/run/netns/sa "$XLBD" --detach --pin-dir "$PINS" \
	2>>"$T_DIR/$NAME.log" || fatal "xlbd --detach"
nothing_left "after --detach" "$T_DIR/$NAME.log"

t_done
