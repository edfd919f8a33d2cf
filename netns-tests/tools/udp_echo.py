#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP echo server for the netns tests: answers every datagram with its
own payload until killed."""
import socket
import sys


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    while True:
        data, peer = sock.recvfrom(65535)
        sock.sendto(data, peer)


if __name__ == "__main__":
    main()
