#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hold connections to xlbd until it runs out of file descriptors, and
ask it questions meanwhile over one connection made before the others.

First the asking connection to the control socket SOCK. Then each line
read from the FIFO CMDS is one command:
  ctl N            open N more connections to SOCK and hold them
  metrics N        the same to the /metrics address ADDR:PORT
  a JSON request   sent on the asking connection; its reply line is
                   appended to OUT
  release          every held connection is closed
  quit             exit
Connections xlbd does not accept wait in its listen queues; one that a
full queue refuses is left. Each command but quit appends one line to
OUT: the reply, "ctl N" or "metrics N" (how many are held), "released".

Usage: fd_hold.py SOCK ADDR:PORT CMDS OUT"""
import errno
import socket
import sys


def connect_nb(family, addr):
    """A non-blocking connect; None when the listen queue refuses it."""
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(addr)
    except OSError as e:
        if e.errno == errno.EINPROGRESS:
            return s
        if e.errno not in (errno.EAGAIN, errno.ECONNREFUSED):
            raise
        s.close()
        return None
    return s


def ask(conn, line, out):
    """Send one request line, append its one-line reply to out."""
    conn.sendall(line.encode() + b"\n")
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        reply += chunk
    out.write(reply.decode() if reply else '{"closed":true}\n')
    out.flush()


def main():
    sock, metrics, cmds, outf = sys.argv[1:5]
    host, port = metrics.rsplit(":", 1)
    targets = {"ctl": (socket.AF_UNIX, sock),
               "metrics": (socket.AF_INET, (host, int(port)))}
    held = {"ctl": [], "metrics": []}

    asking = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    asking.settimeout(10)
    asking.connect(sock)
    with open(outf, "a") as out, open(cmds) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] in targets:
                family, addr = targets[words[0]]
                for _ in range(int(words[1])):
                    s = connect_nb(family, addr)
                    if s is not None:
                        held[words[0]].append(s)
                out.write(f"{words[0]} {len(held[words[0]])}\n")
            elif words[0] == "release":
                for s in held["ctl"] + held["metrics"]:
                    s.close()
                held = {"ctl": [], "metrics": []}
                out.write("released\n")
            else:
                ask(asking, line.strip(), out)
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
