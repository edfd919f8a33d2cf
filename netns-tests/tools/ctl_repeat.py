#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ctl_repeat.py SOCKET COUNT REQUEST...

Send each REQUEST (a JSON object, as xlbctl sends it) COUNT times in
turn to xlbd's control socket, all on one connection, each after the
reply to the one before, and check that every reply says "ok": true.
Exits 1 at the first that does not, naming it."""
import json
import socket
import sys


def main():
    path, count, requests = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    replies = sock.makefile("rb")
    for i in range(count):
        for req in requests:
            sock.sendall(req.encode() + b"\n")
            line = replies.readline()
            if not line or not json.loads(line).get("ok"):
                print(f"request {i} {req}: {line[:200]!r}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
