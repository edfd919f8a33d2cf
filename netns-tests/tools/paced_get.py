#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A long download on one connection, read at a set pace, for tests that
must act while it runs (test_restart.sh kills and restarts xlbd).

Usage: paced_get.py HOST PORT PATH --rate BYTES_PER_S --progress FILE
                    [--hold FILE --tail BYTES]

GETs PATH and reads the body at most at RATE, hashing it. FILE (written
by rename, so it is read whole) holds the bytes received so far, renewed
every 0.1 s and at the end. With --hold, the last TAIL bytes are read at
SLOW_RATE while the file HOLD does not exist, and the last chunk waits
for it: on a slow machine the download goes on, slowly, and cannot end
before the test is done with it; HOLD appearing in time costs nothing.
Any error (a reset, a stall of more than TIMEOUT seconds) ends it. Prints
{"status": N, "bytes": N, "sha256": HEX, "slow_ms": N, "error": TEXT}
(slow_ms: the time spent waiting for HOLD) and exits 0 when the whole
body (as Content-Length says) arrived.
"""
import argparse
import hashlib
import http.client
import json
import os
import sys
import time

TIMEOUT = 10.0
CHUNK = 64 << 10
SLOW_RATE = 512 << 10
HOLD_MAX = 120.0


def put(path, n):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % n)
    os.replace(tmp, path)


def wait_for(path):
    t0 = time.monotonic()
    while not os.path.exists(path) and time.monotonic() - t0 < HOLD_MAX:
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("path")
    ap.add_argument("--rate", type=int, required=True)
    ap.add_argument("--progress", required=True)
    ap.add_argument("--hold")
    ap.add_argument("--tail", type=int, default=0)
    args = ap.parse_args()

    out = {"status": 0, "bytes": 0, "sha256": "", "slow_ms": 0, "error": ""}
    digest = hashlib.sha256()
    got = 0
    slow_since = slow_until = None
    put(args.progress, 0)
    try:
        conn = http.client.HTTPConnection(args.host, args.port,
                                          timeout=TIMEOUT)
        conn.request("GET", args.path)
        resp = conn.getresponse()
        out["status"] = resp.status
        size = int(resp.getheader("Content-Length", "-1"))
        due = last = time.monotonic()
        while True:
            rate = args.rate
            if (args.hold and size >= 0 and size - got <= args.tail and
                    not os.path.exists(args.hold)):
                # Slowly, from now on: no catching up on a late start.
                rate = SLOW_RATE
                due = max(due, time.monotonic())
                if slow_since is None:
                    slow_since = due
                if 0 < size - got <= CHUNK:
                    wait_for(args.hold)
            elif slow_since is not None and slow_until is None:
                slow_until = time.monotonic()
            buf = resp.read(CHUNK)
            if not buf:
                break
            digest.update(buf)
            got += len(buf)
            due += len(buf) / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            if now - last >= 0.1:
                put(args.progress, got)
                last = now
        conn.close()
        if got != size:
            out["error"] = "short body: %d of %d bytes" % (got, size)
    except (OSError, http.client.HTTPException) as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
    put(args.progress, got)
    if slow_since is not None:
        end = slow_until if slow_until is not None else time.monotonic()
        out["slow_ms"] = int((end - slow_since) * 1000)
    out["bytes"] = got
    out["sha256"] = digest.hexdigest()
    print(json.dumps(out))
    sys.exit(0 if not out["error"] and out["status"] == 200 else 1)


if __name__ == "__main__":
    main()
