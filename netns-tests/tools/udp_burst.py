#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""udp_burst.py [-s SRC] [-p SPORT] [-w WAIT] DST PORT COUNT

Send COUNT UDP datagrams from SRC (and SPORT, if given) to DST PORT, one
millisecond apart, then wait until every echo is back or WAIT seconds
(default 0.5) pass without one. Prints how many distinct datagrams were
echoed. Unlike udp_ping.py it does not wait for each reply in turn, so
a dropped flow costs one WAIT, not one per datagram."""
import argparse
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-s", "--src")
    ap.add_argument("-p", "--sport", type=int, default=0)
    ap.add_argument("-w", "--wait", type=float, default=0.5)
    ap.add_argument("dst")
    ap.add_argument("port", type=int)
    ap.add_argument("count", type=int)
    a = ap.parse_args()
    family = socket.AF_INET6 if ":" in a.dst else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if a.src or a.sport:
        sock.bind((a.src or "", a.sport))
    sock.connect((a.dst, a.port))
    sent = set()
    for i in range(a.count):
        payload = b"xlb-burst-%08d" % i
        sent.add(payload)
        sock.send(payload)
        time.sleep(0.001)
    echoed = set()
    sock.settimeout(a.wait)
    while echoed != sent:
        try:
            data = sock.recv(65535)
        except socket.timeout:
            break
        except ConnectionRefusedError:
            continue
        if data in sent:
            echoed.add(data)
    print(len(echoed))


if __name__ == "__main__":
    main()
