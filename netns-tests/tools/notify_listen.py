#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in for systemd's notification socket.

    notify_listen.py PATH

Binds an AF_UNIX datagram socket at PATH and prints each message it gets
as one line, its assignments joined by '|' (READY=1|STATUS=serving), with
the sender's pid first: "PID READY=1|STATUS=serving".
"""

import os
import socket
import struct
import sys


def main():
    path = sys.argv[1]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    while True:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = 0
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
        text = msg.decode(errors="replace").strip("\n").replace("\n", "|")
        sys.stdout.write("%d %s\n" % (pid, text))
        sys.stdout.flush()


if __name__ == "__main__":
    os.umask(0o077)
    main()
