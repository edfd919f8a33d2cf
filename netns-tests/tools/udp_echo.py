#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP echo server for the netns tests: answers every datagram with its
own payload until killed. With LOG, also appends one line per datagram
received, "SRC_ADDR SRC_PORT LENGTH", so a test can tell what reached
the server even when no reply gets back."""
import socket
import sys


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    log = open(sys.argv[3], "a", buffering=1) if len(sys.argv) > 3 else None
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    while True:
        data, peer = sock.recvfrom(65535)
        if log:
            log.write("%s %d %d\n" % (peer[0], peer[1], len(data)))
        sock.sendto(data, peer)


if __name__ == "__main__":
    main()
