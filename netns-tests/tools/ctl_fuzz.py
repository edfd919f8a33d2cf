#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed and hostile traffic for xlbd's control socket.

    ctl_fuzz.py SOCKET PID [COUNT [SEED]]

Sends COUNT malformed request lines (random bytes, truncated JSON, wrong
types, unknown commands, NUL bytes, deep nesting), each on a connection of
its own or pipelined, and checks each got one error reply; then lines over
the size limit, clients streaming without a newline (with the daemon's
peak memory bounded and other clients still answered meanwhile), more
connections than the daemon takes, half-closed sockets and a client that
never reads. Prints one line per check, "ok ..." or "FAIL ...", and exits
1 if any failed.
"""

import json
import os
import random
import socket
import sys
import threading
import time

MAX_REQUEST = 256 << 20
MAX_CLIENTS = 32
# The requests a fuzzed line may name: all but detach, which would stop
# the daemon as asked.
KNOWN = ["status", "stats", "rule_add", "rule_del", "rule_list",
         "list_add", "list_del", "list_list", "batch", "vip_add",
         "vip_del", "backend_add", "backend_set", "backend_del",
         "backend_list", "config_dump"]
VALID = [b'{"cmd":"status"}', b'{"cmd":"stats","dev":"lo"}',
         b'{"cmd":"rule_add","rule":{"action":"drop","dport":9}}']

failures = 0


def report(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures += 1


def connect(path, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_line(s):
    buf = b""
    while b"\n" not in buf:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        buf += chunk
    return buf.split(b"\n", 1)[0] if b"\n" in buf else None


def parse_reply(line):
    """The reply as a dict with a boolean "ok", or None."""
    if line is None:
        return None
    try:
        r = json.loads(line)
    except ValueError:
        return None
    if not isinstance(r, dict) or not isinstance(r.get("ok"), bool):
        return None
    if not r["ok"] and not isinstance(r.get("error"), str):
        return None
    return r


def malformed(rng):
    """One line (no newline) the daemon must refuse with ok=false."""
    kind = rng.randrange(8)
    if kind == 0:
        n = rng.randrange(1, 400)
        b = bytes(rng.randrange(256) for _ in range(n)).replace(b"\n", b" ")
        return b if b.strip() else b"x"
    if kind == 1:
        v = rng.choice(VALID)
        return v[:rng.randrange(1, len(v))]
    if kind == 2:
        return rng.choice([b"[]", b"1", b"null", b'"status"', b"true",
                           b"{}", b'{"cmd":5}', b'{"cmd":null}',
                           b'{"cmd":["status"]}', b'{"cmd":{}}',
                           b'{"cmd":"status","cmd":"stats"}', b""])
    if kind == 3:
        name = "".join(rng.choice("abcdefghijklmnop_") for _ in
                       range(rng.randrange(1, 30)))
        return json.dumps({"cmd": "zz_" + name}).encode()
    if kind == 4:
        v = rng.choice(VALID)
        i = rng.randrange(len(v) + 1)
        return v[:i] + b"\0" + v[i:]
    if kind == 5:
        # Deeper than jansson parses (2048).
        d = rng.randrange(2100, 6000)
        return b'{"cmd":"status","x":' + b"[" * d + b"]" * d + b"}"
    if kind == 6:
        return b"\xff\xfe" + rng.choice(VALID)
    return b'{"cmd":"status"' + b" " * rng.randrange(10)


def wrong_types(rng):
    """A known request with fields of the wrong type: any reply will do."""
    junk = [5, -1, 2**70, 1.5, None, True, "", "x" * 300, [], {}, [1, 2],
            {"a": 1}, "198.18.0.10:80/tcp", "nope0"]
    req = {"cmd": rng.choice(KNOWN)}
    for key in rng.sample(["dev", "rule", "id", "list", "hook", "prefix",
                           "force", "peer", "ops", "vip", "backend",
                           "address", "weight", "mode"], rng.randrange(4)):
        req[key] = rng.choice(junk)
    return json.dumps(req).encode()


def one_by_one(path, rng, count):
    silent = refused = answered = accepted = 0
    for i in range(count):
        line = malformed(rng) if i % 4 else wrong_types(rng)
        s = connect(path)
        s.sendall(line + b"\n")
        r = parse_reply(read_line(s))
        s.close()
        if r is None:
            silent += 1
            if silent <= 3:
                print("  no reply to %r" % line[:80], flush=True)
        elif i % 4 and r["ok"]:
            accepted += 1
            if accepted <= 3:
                print("  accepted %r" % line[:80], flush=True)
        elif i % 4:
            refused += 1
        else:
            answered += 1
    report(silent == 0 and accepted == 0,
           "%d malformed lines, each on its own connection: %d refused, "
           "%d wrong-typed answered, %d accepted, %d without a reply"
           % (count, refused, answered, accepted, silent))


def pipelined(path, rng, count):
    lines = [malformed(rng) for _ in range(count)]
    s = connect(path)
    sender = threading.Thread(
        target=lambda: s.sendall(b"".join(x + b"\n" for x in lines)))
    sender.start()
    buf = b""
    deadline = time.time() + 30
    while buf.count(b"\n") < count and time.time() < deadline:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        buf += chunk
    sender.join()
    s.close()
    replies = [parse_reply(x) for x in buf.split(b"\n")[:-1]]
    good = sum(1 for r in replies if r is not None and not r["ok"])
    report(good == count, "%d malformed lines pipelined on one connection: "
           "%d error replies" % (count, good))


def peak_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def stream(path, total, result, idx):
    """Send total bytes with no newline; record the reply or the silence."""
    s = connect(path, timeout=60)
    chunk = b"a" * (1 << 20)
    sent = 0
    try:
        while sent < total:
            s.sendall(chunk)
            sent += len(chunk)
        s.shutdown(socket.SHUT_WR)
    except (BrokenPipeError, ConnectionResetError):
        pass
    except socket.timeout:
        result[idx] = "send stalled after %d MiB" % (sent >> 20)
        s.close()
        return
    r = parse_reply(read_line(s))
    result[idx] = r["error"] if r and not r["ok"] else "no error reply"
    s.close()


def status_ok(path):
    s = connect(path)
    s.sendall(b'{"cmd":"status"}\n')
    r = parse_reply(read_line(s))
    s.close()
    return bool(r and r["ok"])


def oversized(path, pid):
    """Over-long lines and newline-less streams, three at once."""
    base = rss_kib(pid)
    result = [None] * 3
    threads = [threading.Thread(target=stream,
                                args=(path, MAX_REQUEST + (8 << 20), result,
                                      i)) for i in range(3)]
    for t in threads:
        t.start()
    # Others are served meanwhile.
    served = 0
    started = time.time()
    while any(t.is_alive() for t in threads) and time.time() - started < 120:
        t0 = time.time()
        if status_ok(path) and time.time() - t0 < 5:
            served += 1
        time.sleep(0.2)
    for t in threads:
        t.join(timeout=60)
    peak = peak_kib(pid)
    limit = base + 2 * (MAX_REQUEST >> 10) + (64 << 10)
    report(all(r in ("request too long",
                     "too many large requests at once: try again")
               for r in result),
           "three clients sending over 256 MiB without a newline: %s"
           % "; ".join(str(r) for r in result))
    report(served > 0, "status answered %d times while they streamed"
           % served)
    report(peak <= limit, "daemon's peak memory %d MiB (bound %d MiB)"
           % (peak >> 10, limit >> 10))
    time.sleep(0.5)
    report(rss_kib(pid) < base + (64 << 10),
           "buffers given back: %d MiB resident after, %d before"
           % (rss_kib(pid) >> 10, base >> 10))


def too_many(path):
    conns = [connect(path) for _ in range(MAX_CLIENTS + 8)]
    time.sleep(0.5)
    refused = 0
    for s in conns:
        s.settimeout(0.2)
        try:
            data = s.recv(4096)
        except socket.timeout:
            continue
        r = parse_reply(data.split(b"\n")[0]) if data else None
        if r and not r["ok"] and "too many clients" in r["error"]:
            refused += 1
    for s in conns:
        s.close()
    report(refused >= 8, "%d connections at once: %d refused with an error"
           % (len(conns), refused))


def half_closed(path):
    s = connect(path)
    s.sendall(b'{"cmd":"status"}\n')
    s.shutdown(socket.SHUT_WR)
    r = parse_reply(read_line(s))
    s.close()
    report(bool(r and r["ok"]), "a request then SHUT_WR: answered")
    s = connect(path)
    s.sendall(b'{"cmd":"sta')
    s.shutdown(socket.SHUT_WR)
    try:
        rest = s.recv(4096)
    except socket.timeout:
        rest = b"(still open)"
    s.close()
    report(rest == b"", "half a request then SHUT_WR: closed without "
           "waiting (%r)" % rest[:40])
    s = connect(path)
    s.sendall(b'{"cmd":"zz"}\n')
    s.shutdown(socket.SHUT_RD)
    s.close()
    conns = [connect(path) for _ in range(10)]
    for s in conns:
        s.close()
    report(status_ok(path), "connections closed before any reply: served on")


def never_reads(path):
    s = connect(path)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(30)
    t0 = time.time()
    try:
        s.sendall(b'{"cmd":"stats"}\n' * 20000)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    ok = status_ok(path)
    report(ok and time.time() - t0 < 20,
           "a client that never reads its replies: dropped, others served "
           "(%.1f s)" % (time.time() - t0))
    s.close()


def main():
    path, pid = sys.argv[1], int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    rng = random.Random(seed)
    print("  seed %d" % seed, flush=True)
    one_by_one(path, rng, count)
    pipelined(path, rng, count)
    too_many(path)
    half_closed(path)
    never_reads(path)
    oversized(path, pid)
    report(status_ok(path), "status answered after all of it")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
