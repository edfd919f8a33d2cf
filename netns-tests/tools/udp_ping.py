#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send COUNT UDP datagrams to ADDR PORT one at a time, each waiting for
its echo, from SRC when given (else the route's source). Exits 0 only if
every echo came back intact; prints the count of replies. One datagram in
flight at a time keeps the count exact.

Usage: udp_ping.py ADDR PORT COUNT [SRC]"""
import socket
import sys


def main():
    addr, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(2.0)
    if len(sys.argv) > 4:
        sock.bind((sys.argv[4], 0))
    sock.connect((addr, port))
    replies = 0
    for i in range(count):
        payload = b"xlb-%08d" % i
        sock.send(payload)
        try:
            if sock.recv(65535) == payload:
                replies += 1
        except socket.timeout:
            pass
    print(replies)
    return 0 if replies == count else 1


if __name__ == "__main__":
    sys.exit(main())
