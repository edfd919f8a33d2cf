#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The NAT port a new IPv4 TCP flow tries first, as the data plane picks
it (xlb_flow_hash() in dataplane/lb_conn.bpf.h, xlb_nat_take() in
dataplane/lb_nat.bpf.h, without an snat pool): XLB_NAT_PORT_BASE + the
flow's hash modulo XLB_NAT_PORT_COUNT. A test that relies on it checks
the port a flow really got, so a change there shows as a failed check.

  nat_port.py first CLIENT CPORT VIP VPORT
      prints the port
  nat_port.py collide CLIENT VIP VPORT VIP2_FIRST VIP2_COUNT CPORT_FIRST CPORT_COUNT
      finds a client port and a second VIP (of VIP2_COUNT addresses from
      VIP2_FIRST) whose flows from CLIENT to VIP and to the second VIP
      try the same port first; prints "CPORT VIP2 PORT"
"""
import ipaddress
import socket
import struct
import sys

PORT_BASE = 32768
PORT_COUNT = 28232
M32 = 0xFFFFFFFF


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M32


def hash_word(h, k):
    k = (k * 0xCC9E2D51) & M32
    k = rotl(k, 15)
    k = (k * 0x1B873593) & M32
    h ^= k
    h = rotl(h, 13)
    return (h * 5 + 0xE6546B64) & M32


def word(addr):
    """An address's first key word as the data plane reads it: its bytes
    in network order, loaded as a little-endian u32."""
    return struct.unpack("<I", socket.inet_aton(addr))[0]


def be16(port):
    """A port as the key holds it (network order), read as a u16."""
    return struct.unpack("<H", struct.pack(">H", port))[0]


def flow_hash(client, cport, vip, vport):
    h = 0x9747B28C
    h = hash_word(h, word(client))
    h = hash_word(h, word(vip))
    h = hash_word(h, (be16(cport) << 16) | be16(vport))
    h = hash_word(h, socket.IPPROTO_TCP)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


def first(client, cport, vip, vport):
    return PORT_BASE + flow_hash(client, cport, vip, vport) % PORT_COUNT


def collide(client, vip, vport, vip2_first, vip2_count, cport_first,
            cport_count):
    base = ipaddress.IPv4Address(vip2_first)
    for i in range(vip2_count):
        vip2 = str(base + i)
        for cport in range(cport_first, cport_first + cport_count):
            port = first(client, cport, vip, vport)
            if port == first(client, cport, vip2, vport):
                return "%d %s %d" % (cport, vip2, port)
    return None


def main():
    args = sys.argv[1:]
    if len(args) == 5 and args[0] == "first":
        print(first(args[1], int(args[2]), args[3], int(args[4])))
        return 0
    if len(args) == 8 and args[0] == "collide":
        found = collide(args[1], args[2], int(args[3]), args[4],
                        int(args[5]), int(args[6]), int(args[7]))
        if not found:
            print("nat_port.py: no collision in that range", file=sys.stderr)
            return 1
        print(found)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
