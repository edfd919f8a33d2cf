#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Long-lived HTTP connections through a VIP, for tests that change the
load balancer under them. Each backend serves /name (its name) and a
blob; both commands keep one connection open until the file STOP
appears, touch READY once the connection has its first answer, and
print one JSON object on stdout.

  get HOST PORT PATH --ready READY --stop STOP [--rate BYTES_PER_S]
      On one connection, /name, then PATH, read at most RATE bytes a
      second (default 1 MiB) until STOP exists, then at full speed:
      {"backend": NAME, "status": N, "bytes": N, "sha256": HEX,
       "bytes_at_stop": N (-1: the body ended before STOP appeared),
       "error": ""}
  loop HOST PORT --ready READY --stop STOP [--pause SECONDS]
      On one keep-alive connection, /name again and again, PAUSE apart
      (default 0.02), until STOP exists, then once more:
      {"backend": FIRST_NAME, "requests": N, "bad": N (answers that
       were not 200 with FIRST_NAME), "first_bad": "", "error": ""}

"error" is the exception that ended the connection early, or "".
"""
import argparse
import hashlib
import http.client
import json
import os
import sys
import time

TIMEOUT = 10.0
CHUNK = 16384


def touch(path):
    with open(path, "w", encoding="ascii"):
        pass


def ask(conn, path):
    conn.request("GET", path)
    return conn.getresponse()


def ask_name(conn):
    resp = ask(conn, "/name")
    return resp.status, resp.read().decode(errors="replace").strip()


def get(args, out):
    conn = http.client.HTTPConnection(args.host, args.port, timeout=TIMEOUT)
    status, name = ask_name(conn)
    out["backend"] = name if status == 200 else "status %d" % status
    resp = ask(conn, args.path)
    out["status"] = resp.status
    touch(args.ready)
    digest, size, at_stop = hashlib.sha256(), 0, -1
    start = time.monotonic()
    while True:
        if at_stop < 0 and os.path.exists(args.stop):
            at_stop = size
        if at_stop < 0:
            ahead = size / args.rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(min(ahead, 0.05))
                continue
        chunk = resp.read(CHUNK)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
        out["bytes"] = size
    conn.close()
    out.update(sha256=digest.hexdigest(), bytes=size, bytes_at_stop=at_stop)


def loop(args, out):
    conn = http.client.HTTPConnection(args.host, args.port, timeout=TIMEOUT)
    out.update(requests=0, bad=0, first_bad="")
    last = False
    while True:
        status, name = ask_name(conn)
        out["requests"] += 1
        if out["requests"] == 1:
            out["backend"] = name
            touch(args.ready)
        if status != 200 or name != out["backend"]:
            out["bad"] += 1
            if not out["first_bad"]:
                out["first_bad"] = "%d %s" % (status, name)
        if last:
            break
        last = os.path.exists(args.stop)
        if not last:
            time.sleep(args.pause)
    conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("get", "loop"):
        s = sub.add_parser(name)
        s.add_argument("host")
        s.add_argument("port", type=int)
        s.add_argument("--ready", required=True)
        s.add_argument("--stop", required=True)
    g = sub.choices["get"]
    g.add_argument("path")
    g.add_argument("--rate", type=int, default=1 << 20)
    sub.choices["loop"].add_argument("--pause", type=float, default=0.02)
    args = p.parse_args()
    out = {"backend": "", "error": ""}
    try:
        {"get": get, "loop": loop}[args.cmd](args, out)
    except (OSError, http.client.HTTPException) as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
    json.dump(out, sys.stdout)
    print()
    return 1 if out["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
