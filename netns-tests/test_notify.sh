#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# xlbd under systemd, without systemd: a stand-in notification socket
# (tools/notify_listen.py) gets READY=1 once xlbd serves, RELOADING=1 with
# MONOTONIC_USEC then READY=1 around each SIGHUP reload (a refused one
# too), and STOPPING=1 on SIGTERM, after which the data plane is still
# attached. With JOURNAL_STREAM naming its stderr, xlbd's lines carry the
# journal's "<N>" priorities. configs/xlbd.service passes
# `systemd-analyze verify` and its security review.
#
#   netns na                               netns nc
#  +------------------------------+       +------------------+
#  | xlbd (counters on veth-n)    | veth  |                  |
#  | NOTIFY_SOCKET=$T_DIR/notify  +-------+ veth-nc          |
#  | 198.18.0.1/24                |       | 198.18.0.2/24    |
#  +------------------------------+       +------------------+
#
# shellcheck source=netns-tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IF=veth-n
NOTIFY=$T_DIR/notify.sock
MSGS=$T_DIR/notify.log
CONF=$T_DIR/xlbd.conf
LOG=$T_DIR/xlbd.log

ns_add na
ns_add nc
veth na "$IF" 198.18.0.1 nc veth-nc 198.18.0.2
cat >"$CONF" <<CONF
interfaces = ( { name = "$IF"; xdp = "generic"; tc = "ingress"; } );
CONF

# --- the unit file ----------------------------------------------------
# verify checks that the commands exist: point them at this build.
sed "s|/usr/local/sbin/xlbd|$XLBD|g" "$ROOT/configs/xlbd.service" \
	>"$T_DIR/xlbd.service"
check "systemd-analyze verify: no complaint" bash -c \
	"out=\$(systemd-analyze verify --man=no '$T_DIR/xlbd.service' 2>&1) &&
	 [ -z \"\$out\" ] || { echo \"  \$out\"; false; }"
check "systemd-analyze security: exposure under 5" bash -c \
	"systemd-analyze security --offline=true '$T_DIR/xlbd.service' |
	 awk '/Overall exposure level/ { print \"  \" \$0; exit !(\$(NF-2) < 5) }'"
check "the unit validates the file before starting and reloading" bash -c \
	"grep -q '^ExecStartPre=.* --check-config -c /etc/xlb/xlbd.conf' \
		'$ROOT/configs/xlbd.service' &&
	 grep -q '^ExecReload=.* --check-config -c /etc/xlb/xlbd.conf' \
		'$ROOT/configs/xlbd.service'"

# --- notifications ----------------------------------------------------
python3 "$TOOLS/notify_listen.py" "$NOTIFY" >"$MSGS" &
T_PIDS+=("$!")
for _ in $(seq 50); do
	[ -S "$NOTIFY" ] && break
	sleep 0.1
done
[ -S "$NOTIFY" ] || fatal "the notification socket did not appear"

# The log file's "DEV:INO", as systemd sets it for the journal's stream.
: >"$LOG"
JSTREAM=$(stat -c '%d:%i' "$LOG")
NOTIFY_SOCKET=$NOTIFY JOURNAL_STREAM=$JSTREAM \
	nsenter --net=/run/netns/na -- "$XLBD" -c "$CONF" \
	--pin-dir /sys/fs/bpf/xlb-n --socket "$T_DIR/xlbd.sock" \
	--metrics off 2>>"$LOG" &
PID=$!
T_PIDS+=("$PID")

# wait_msg N PATTERN: the listener's line N matches PATTERN (5 s at most).
wait_msg() {
	local n=$1 pattern=$2 _
	for _ in $(seq 50); do
		if [ "$(wc -l <"$MSGS")" -ge "$n" ]; then
			sed -n "${n}p" "$MSGS" | grep -Eq -- "$pattern" && return 0
			echo "  message $n: $(sed -n "${n}p" "$MSGS")"
			return 1
		fi
		sleep 0.1
	done
	echo "  no message $n; got: $(paste -sd' ' "$MSGS")"
	return 1
}

check "READY=1 from xlbd's pid once serving" \
	wait_msg 1 "^$PID READY=1\|STATUS=serving$"
check "the socket answers once READY=1 came" \
	bash -c "'$XLBCTL' -s '$T_DIR/xlbd.sock' status >/dev/null"

kill -HUP "$PID"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC" \
	wait_msg 2 "^$PID RELOADING=1\|MONOTONIC_USEC=[0-9]+\|STATUS=reloading$"
check "then READY=1, reload applied" \
	wait_msg 3 "^$PID READY=1\|STATUS=serving; reload applied$"
usec=$(sed -n 2p "$MSGS" | grep -Eo 'MONOTONIC_USEC=[0-9]+' | cut -d= -f2)
now=$(python3 -c 'import time; print(int(time.monotonic() * 1e6))')
check "MONOTONIC_USEC is CLOCK_MONOTONIC (within 60 s of now)" \
	test "$((now - ${usec:-0}))" -lt 60000000 -a "$((now - ${usec:-0}))" -gt -60000000

echo 'interfaces = ( { name = "veth-n"; bogus = 1; } );' >"$CONF"
kill -HUP "$PID"
check "a refused reload: RELOADING=1" wait_msg 4 "^$PID RELOADING=1"
check "then READY=1 again, saying so" \
	wait_msg 5 "^$PID READY=1\|STATUS=serving; last reload refused$"
check "still serving after the refused reload" \
	bash -c "'$XLBCTL' -s '$T_DIR/xlbd.sock' status >/dev/null"

kill -TERM "$PID"
check "SIGTERM: STOPPING=1" wait_msg 6 "^$PID STOPPING=1\|STATUS=stopping"
rc=0
wait "$PID" || rc=$?
check_eq "xlbd exits 0 on SIGTERM" "$rc" 0
check "the data plane stays attached" bash -c \
	"ip -n na -j link show '$IF' | jq -e '.[0].xdp.prog.id' >/dev/null"
check_eq "nothing else was sent" "$(wc -l <"$MSGS")" 6

# --- journal priorities -----------------------------------------------
check "info lines carry <6>" grep -q '^<6>serving ' "$LOG"
check "the refused reload's error carries <3>" \
	grep -q '^<3>reload refused' "$LOG"
check "no line without a priority" bash -c "! grep -qv '^<[0-7]>' '$LOG'"

"$XLBD" --detach --pin-dir /sys/fs/bpf/xlb-n 2>/dev/null ||
	echo "  (detach failed)"
t_done
