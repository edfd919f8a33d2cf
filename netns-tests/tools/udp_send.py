#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""udp_send.py SRC SPORT DST PORT COUNT

Send COUNT UDP datagrams from SRC:SPORT to DST:PORT and expect nothing
back. The socket is not connected, so ICMP errors about the port do not
fail the sends."""
import socket
import sys


def main():
    src, sport, dst, port, count = sys.argv[1:6]
    family = socket.AF_INET6 if ":" in dst else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((src, int(sport)))
    for i in range(int(count)):
        sock.sendto(b"xlb-monitor-%08d" % i, (dst, int(port)))


if __name__ == "__main__":
    main()
