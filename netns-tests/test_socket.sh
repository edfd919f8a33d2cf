#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The control socket's lock-down: the socket is 0660 in a 0750 directory,
# given to the --socket-group group when there is one; an unprivileged
# user (nobody, through setpriv) is refused by the file permissions and,
# when those are loosened by hand, by the peer-credential check; a member
# of the group is served. Then a fuzzed stream of malformed and hostile
# requests (tools/ctl_fuzz.py) leaves the daemon serving.
#
#   netns sa                         netns sb
#  +---------------------------+    +-----------------------------------+
#  | xlbd (root only)          |    | xlbd --socket-group users         |
#  | /run/xlb-a/xlbd.sock      |    | /run/xlb-b/xlbd.sock              |
#  | veth-sa 198.18.0.1/24     |    | veth-sb 198.18.1.1/24             |
#  +------------+--------------+    +-----------------+-----------------+
#               | veth                                | veth
#  +------------+--------------+    +-----------------+-----------------+
#  | netns ca: 198.18.0.2/24   |    | netns cb: 198.18.1.2/24           |
#  +---------------------------+    +-----------------------------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GROUP=users
GID=$(getent group "$GROUP" | cut -d: -f3)
[ -n "$GID" ] || fatal "no group '$GROUP' on this machine"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
MEMBER=(setpriv --reuid=65534 --regid=65534 --groups="$GID")
PRIMARY=(setpriv --reuid=65534 --regid="$GID" --clear-groups)

ns_add sa
ns_add ca
ns_add sb
ns_add cb
veth sa veth-sa 198.18.0.1 ca veth-ca 198.18.0.2
veth sb veth-sb 198.18.1.1 cb veth-cb 198.18.1.2

# start NS IF NAME [ARGS...]: a counters-only xlbd on IF in NS, socket in
# /run/NAME/ (a directory xlbd makes); sets XLBD_PID.
start() {
	local ns=$1 ifn=$2 name=$3 sock=/run/$3/xlbd.sock _
	shift 3
	cat >"$T_DIR/$name.conf" <<CONF
interfaces = ( { name = "$ifn"; xdp = "generic"; tc = "off"; } );
CONF
	nsenter --net="/run/netns/$ns" -- "$XLBD" -c "$T_DIR/$name.conf" \
		--pin-dir "/sys/fs/bpf/$name" --socket "$sock" \
		--metrics off "$@" 2>>"$T_DIR/$name.log" &
	XLBD_PID=$!
	T_PIDS+=("$XLBD_PID")
	for _ in $(seq 100); do
		"$XLBCTL" -s "$sock" status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$T_DIR/$name.log" >&2
	return 1
}

# mode PATH: "octal-mode owner:group".
mode() {
	stat -c '%a %U:%G' "$1"
}

quiet() {
	"$@" >/dev/null
}

logged() {
	grep -q -- "$2" "$T_DIR/$1.log"
}

# --- root only ------------------------------------------------------
start sa veth-sa xlb-a || fatal "xlbd (root only) did not come up"
A=/run/xlb-a/xlbd.sock
check_eq "socket directory 0750 root:root" "$(mode /run/xlb-a)" "750 root:root"
check_eq "socket 0660 root:root" "$(mode "$A")" "660 root:root"
check "root is served" quiet "$XLBCTL" -s "$A" status
check "nobody: refused by the file permissions" expect_fail 2 \
	"permission denied" "${NOBODY[@]}" "$XLBCTL" -s "$A" status
# Loosened by hand, the permissions no longer stop anyone: the
# credentials check still does.
chmod 0755 /run/xlb-a
chmod 0666 "$A"
check "nobody through loose permissions: refused by credentials" \
	expect_fail 2 "permission denied: uid 65534 is not root" \
	"${NOBODY[@]}" "$XLBCTL" -s "$A" status
check "a group member is refused too without --socket-group" \
	expect_fail 2 "permission denied: uid 65534 is not root" \
	"${MEMBER[@]}" "$XLBCTL" -s "$A" -j stats
check "the refusal is logged" logged xlb-a \
	"warn: control socket: permission denied: uid 65534"
check "root is still served" quiet "$XLBCTL" -s "$A" status

# --- a group ----------------------------------------------------------
check "an unknown group is refused at start" expect_fail 1 \
	"no group 'xlb-no-such-group'" "$XLBD" -c "$T_DIR/xlb-a.conf" \
	--socket-group xlb-no-such-group --socket /run/xlb-x/xlbd.sock
start sb veth-sb xlb-b --socket-group "$GROUP" ||
	fatal "xlbd --socket-group did not come up"
PID_B=$XLBD_PID
B=/run/xlb-b/xlbd.sock
check_eq "socket directory 0750 root:$GROUP" "$(mode /run/xlb-b)" \
	"750 root:$GROUP"
check_eq "socket 0660 root:$GROUP" "$(mode "$B")" "660 root:$GROUP"
check "a member (supplementary group) is served" \
	quiet "${MEMBER[@]}" "$XLBCTL" -s "$B" status
check "a member (primary group) is served" \
	quiet "${PRIMARY[@]}" "$XLBCTL" -s "$B" -j stats
check "nobody: refused by the file permissions" expect_fail 2 \
	"permission denied" "${NOBODY[@]}" "$XLBCTL" -s "$B" status
chmod 0755 /run/xlb-b
chmod 0666 "$B"
check "nobody through loose permissions: refused by credentials" \
	expect_fail 2 "permission denied: uid 65534 is not root or in group $GROUP" \
	"${NOBODY[@]}" "$XLBCTL" -s "$B" status
chmod 0750 /run/xlb-b
chmod 0660 "$B"

# --- fuzz -------------------------------------------------------------
check "fuzzed requests: each answered, daemon serving, memory bounded" \
	python3 "$TOOLS/ctl_fuzz.py" "$B" "$PID_B" 2000 "${XLB_FUZZ_SEED:-$RANDOM}"
check "xlbctl status answers after the fuzz" quiet "$XLBCTL" -s "$B" status
check "a member is still served after the fuzz" \
	quiet "${MEMBER[@]}" "$XLBCTL" -s "$B" status
check "xlbd is alive" kill -0 "$PID_B"
check "xlbd logged no crash" bash -c "! grep -qi 'segfault\|abort' '$T_DIR/xlb-b.log'"
t_done
