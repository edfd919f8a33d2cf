#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bad_ipv4.py IFNAME DST_MAC SRC DST [COUNT]

Send COUNT (default 1) Ethernet frames out of IFNAME, through a packet
socket, each holding an IPv4 header with IHL 4 (16 bytes, under the
20-byte minimum) from SRC to DST, followed by a UDP header and payload:
a packet no parser may accept."""
import socket
import struct
import sys


def csum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    ifname, dmac, src, dst = sys.argv[1:5]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((ifname, 0))
    smac = sock.getsockname()[4]
    eth = bytes.fromhex(dmac.replace(":", "")) + smac + \
        struct.pack("!H", 0x0800)
    udp = struct.pack("!HHHH", 40000, 9000, 16, 0) + b"malforme"
    tot_len = 20 + len(udp)
    # Version 4, IHL 4: 0x44. The rest is a well-formed 20-byte header.
    ip = struct.pack("!BBHHHBBH4s4s", 0x44, 0, tot_len, 1, 0, 64,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    for _ in range(count):
        sock.send(eth + ip + udp)


if __name__ == "__main__":
    main()
