#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A steady, sequence-numbered UDP stream and its receiver, to tell
exactly which datagrams of a stream got through. Each prints one JSON
object on stdout when it ends.

  send SRC DST PORT --stop STOP [--rate PPS]
      From SRC to DST:PORT, RATE datagrams a second (default 2000),
      paced by the clock, until the file STOP exists. Datagram i carries
      "xlb-stream PORT i":
      {"sent": N, "errors": N, "first_error": ""}
  recv ADDR PORT [PORT ...] --ready READY --stop STOP
      Counts the datagrams reaching ADDR on each PORT; touches READY
      once bound, and ends once STOP exists and nothing arrived for
      0.5 s (2 s at most):
      {"PORT": {"packets": N, "distinct": N, "min": I, "max": I,
                "foreign": N (datagrams not of this port's stream)}, ..}
"""
import argparse
import json
import os
import selectors
import socket
import sys
import time

RCVBUF = 8 << 20
# Not exported by Python's socket module; its value on Linux.
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
QUIET = 0.5
LINGER = 2.0


def send(args):
    family = socket.AF_INET6 if ":" in args.dst else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((args.src, 0))
    sock.connect((args.dst, args.port))
    out = {"sent": 0, "errors": 0, "first_error": ""}
    start = time.monotonic()
    next_check = 0
    while True:
        now = time.monotonic()
        if now >= next_check:
            if os.path.exists(args.stop):
                break
            next_check = now + 0.02
        due = int((now - start) * args.rate)
        while out["sent"] < due:
            try:
                sock.send(b"xlb-stream %d %d" % (args.port, out["sent"]))
            except OSError as e:
                out["errors"] += 1
                if not out["first_error"]:
                    out["first_error"] = "%s: %s" % (type(e).__name__, e)
                break
            out["sent"] += 1
        time.sleep(0.001)
    return out


def recv(args):
    sel = selectors.DefaultSelector()
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    stats = {}
    for port in args.ports:
        sock = socket.socket(family, socket.SOCK_DGRAM)
        # Root may go past rmem_max: a slow turn of this process must
        # not cost datagrams.
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
        sock.bind((args.addr, port))
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ, port)
        stats[port] = {"packets": 0, "seqs": set(), "foreign": 0}
    with open(args.ready, "w", encoding="ascii"):
        pass
    last = time.monotonic()
    stopped = None
    while True:
        now = time.monotonic()
        if stopped is None and os.path.exists(args.stop):
            stopped = now
        if stopped is not None and (now - last >= QUIET or
                                    now - stopped >= LINGER):
            break
        for key, _ in sel.select(0.05):
            st = stats[key.data]
            while True:
                try:
                    data = key.fileobj.recv(65535)
                except BlockingIOError:
                    break
                last = time.monotonic()
                st["packets"] += 1
                words = data.split()
                if (len(words) == 3 and words[0] == b"xlb-stream" and
                        words[1] == b"%d" % key.data):
                    st["seqs"].add(int(words[2]))
                else:
                    st["foreign"] += 1
    out = {}
    for port, st in stats.items():
        seqs = st["seqs"]
        out[str(port)] = {"packets": st["packets"], "distinct": len(seqs),
                          "min": min(seqs) if seqs else -1,
                          "max": max(seqs) if seqs else -1,
                          "foreign": st["foreign"]}
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("src")
    s.add_argument("dst")
    s.add_argument("port", type=int)
    s.add_argument("--stop", required=True)
    s.add_argument("--rate", type=int, default=2000)
    r = sub.add_parser("recv")
    r.add_argument("addr")
    r.add_argument("ports", type=int, nargs="+")
    r.add_argument("--ready", required=True)
    r.add_argument("--stop", required=True)
    args = p.parse_args()
    out = {"send": send, "recv": recv}[args.cmd](args)
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
