#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mon_slow.py SOCKET GO

A monitor client that does not read: asks xlbd at SOCKET for every
packet ("all"), reads the reply, then reads nothing more until the file
GO exists. Then it reads the stream, printing each line, until a line
tells of events lost in xlbd (exit 0) or 20 seconds pass (exit 1)."""
import json
import os
import socket
import sys
import time

LIMIT = 20.0
STEP = 0.05


def main():
    path, go = sys.argv[1:3]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(path)
    sock.sendall(b'{"cmd":"monitor","mode":"all"}\n')
    reply = b""
    while not reply.endswith(b"\n"):
        reply += sock.recv(1)
    if not json.loads(reply).get("ok"):
        print(reply.decode().strip())
        return 1
    end = time.monotonic() + LIMIT
    while not os.path.exists(go) and time.monotonic() < end:
        time.sleep(STEP)
    sock.settimeout(STEP)
    buf = b""
    while time.monotonic() < end:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        if not data:
            return 1
        buf += data
        *lines, buf = buf.split(b"\n")
        for line in lines:
            print(line.decode(), flush=True)
            ev = json.loads(line)
            if ev.get("type") == "lost" and ev.get("where") == "xlbd":
                return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
