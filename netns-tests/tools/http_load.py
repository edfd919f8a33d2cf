#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""HTTP clients for the load balancer's netns test. Every backend serves a
file /name holding its name, so each answer says which backend gave it.
Prints one JSON object on stdout; the test judges it.

  fresh HOST PORT COUNT [--parallel P] [--src A,B,..] [--sport BASE]
      COUNT requests for /name, each on a fresh connection, P at a time,
      from the source addresses in turn (request i from port
      BASE + i // len(src) with --sport, so a run is the same flows every
      time). The client closes first, so its TIME_WAIT keeps the kernel
      from giving a source port twice;
      "tuples" counts the distinct (address, port) sources all the same:
      {"answers": {NAME: N, ..}, "errors": N, "error": FIRST_ERROR,
       "tuples": N}
  hold HOST PORT CONNS [--rounds R] [--src A,B,..] [--sport BASE]
       [--sync DIR]
      CONNS keep-alive connections held open together (connection i from
      source address i % len(src) and, with --sport, port
      BASE + i // len(src)); each round asks /name once on every one.
      A connection that fails answers "error: ..." and then "closed".
      With --sync, round r is also written to DIR/round<r>.json, and
      round r > 0 starts only once DIR/go<r> exists.
      {"rounds": [[ANSWER per connection], ..]}
  once HOST PORT SRC SPORT
      One request from SRC:SPORT (SO_REUSEADDR), the server closing
      first, so the same source can connect again at once:
      {"backend": NAME}
  get HOST PORT PATH
      On one connection, /name then PATH, whose body is hashed:
      {"backend": NAME, "sha256": HEX, "bytes": N}
"""
import argparse
import hashlib
import http.client
import json
import os
import socket
import sys
import threading
import time

TIMEOUT = 5.0
SYNC_WAIT = 120.0


def connect(host, port, src=None, sport=0):
    source = (src, sport) if src else None
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT,
                                      source_address=source)
    conn.connect()
    return conn


def ask_name(conn):
    conn.request("GET", "/name")
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise OSError("HTTP status %d" % resp.status)
    return body.decode().strip()


def fresh(args):
    srcs = args.src.split(",") if args.src else [None]
    answers, errors, first, tuples = {}, [0], [], set()
    lock = threading.Lock()

    def worker(w):
        for i in range(w, args.count, args.parallel):
            try:
                sport = args.sport + i // len(srcs) if args.sport else 0
                conn = connect(args.host, args.port, srcs[i % len(srcs)],
                               sport)
                with lock:
                    tuples.add(conn.sock.getsockname()[:2])
                try:
                    name = ask_name(conn)
                finally:
                    conn.close()
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors[0] += 1
                    if not first:
                        first.append("%s: %s" % (type(e).__name__, e))
                continue
            with lock:
                answers[name] = answers.get(name, 0) + 1

    threads = [threading.Thread(target=worker, args=(w,))
               for w in range(args.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"answers": answers, "errors": errors[0],
            "error": first[0] if first else "", "tuples": len(tuples)}


def write_round(sync, r, answers):
    tmp = os.path.join(sync, ".round%d.json" % r)
    with open(tmp, "w", encoding="ascii") as f:
        json.dump(answers, f)
    os.rename(tmp, os.path.join(sync, "round%d.json" % r))


def wait_go(sync, r):
    path = os.path.join(sync, "go%d" % r)
    deadline = time.monotonic() + SYNC_WAIT
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise SystemExit("hold: %s never appeared" % path)
        time.sleep(0.05)


def hold(args):
    srcs = args.src.split(",") if args.src else [None]
    conns = []
    for i in range(args.conns):
        sport = args.sport + i // len(srcs) if args.sport else 0
        try:
            conns.append(connect(args.host, args.port, srcs[i % len(srcs)],
                                 sport))
        except OSError as e:
            conns.append("error: connect: %s" % e)
    rounds = []
    for r in range(args.rounds):
        if args.sync and r > 0:
            wait_go(args.sync, r)
        answers = []
        for i, conn in enumerate(conns):
            if isinstance(conn, str):
                answers.append("closed" if r else conn)
                continue
            try:
                answers.append(ask_name(conn))
            except (OSError, http.client.HTTPException) as e:
                answers.append("error: %s: %s" % (type(e).__name__, e))
                conn.close()
                conns[i] = "closed"
        rounds.append(answers)
        if args.sync:
            write_round(args.sync, r, answers)
    for conn in conns:
        if not isinstance(conn, str):
            conn.close()
    return {"rounds": rounds}


def once(args):
    family = socket.AF_INET6 if ":" in args.src else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.settimeout(TIMEOUT)
    sock.bind((args.src, args.sport))
    sock.connect((args.host, args.port))
    sock.sendall(b"GET /name HTTP/1.1\r\nHost: vip\r\n"
                 b"Connection: close\r\n\r\n")
    # Read up to the server's FIN, so that this side closes second and
    # keeps no TIME_WAIT.
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 "):
        raise OSError("bad answer: %r" % head[:40])
    return {"backend": body.decode().strip()}


def get(args):
    conn = connect(args.host, args.port)
    name = ask_name(conn)
    conn.request("GET", args.path)
    resp = conn.getresponse()
    digest, size = hashlib.sha256(), 0
    while True:
        chunk = resp.read(1 << 20)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
    conn.close()
    return {"backend": name, "status": resp.status,
            "sha256": digest.hexdigest(), "bytes": size}


def main():
    p = argparse.ArgumentParser(description="HTTP clients for test_lb.sh")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("fresh", "hold", "once", "get"):
        s = sub.add_parser(name)
        s.add_argument("host")
        s.add_argument("port", type=int)
    f = sub.choices["fresh"]
    f.add_argument("count", type=int)
    f.add_argument("--parallel", type=int, default=8)
    f.add_argument("--src", default="")
    f.add_argument("--sport", type=int, default=0)
    h = sub.choices["hold"]
    h.add_argument("conns", type=int)
    h.add_argument("--rounds", type=int, default=1)
    h.add_argument("--src", default="")
    h.add_argument("--sport", type=int, default=0)
    h.add_argument("--sync", default="")
    sub.choices["once"].add_argument("src")
    sub.choices["once"].add_argument("sport", type=int)
    sub.choices["get"].add_argument("path")
    args = p.parse_args()
    try:
        out = {"fresh": fresh, "hold": hold, "once": once,
               "get": get}[args.cmd](args)
    except (OSError, http.client.HTTPException) as e:
        out = {"fatal": "%s: %s" % (type(e).__name__, e)}
    json.dump(out, sys.stdout)
    print()
    return 1 if "fatal" in out else 0


if __name__ == "__main__":
    sys.exit(main())
