#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gen_filter.py RULES PREFIXES DIR

Write a large filter to DIR, as a config file's filter section and as
xlbctl batches, plus the sorted lists a test compares xlbctl's output
with. Everything lies in 198.18.0.0/15 and 2001:db8::/32:

  rules    RULES x  drop src 198.18.128.0 + i (a /32) proto udp dport 9000,
                    order 1000 + i (up to 131072 rules)
  allow    ingress  198.18.0.0/24, 2001:db8::/64, up to 65536 IPv4 /32s in
                    198.19.0.0/16, then IPv6 /128s in 2001:db8:ff::/64
  deny     ingress  198.18.0.3/32, then IPv6 /64s in 2001:db8:1::/48 on

PREFIXES is split evenly between the two lists. Addresses are printed
in their canonical forms (as inet_ntop and xlbctl print them).

Files: filter.conf-part (the body of `filter = { ... }` without the
sizes), rules.batch, lists.batch, and the expected listings rules.txt
("ORDER SRC"), allow.txt and deny.txt (one prefix per line), sorted.
"""
import os
import sys


def v6_128(i):
    """2001:db8:ff:0:0:0:hi:lo, canonical."""
    hi, lo = i >> 16, i & 0xFFFF
    if hi:
        return "2001:db8:ff::%x:%x/128" % (hi, lo)
    if lo:
        return "2001:db8:ff::%x/128" % lo
    return "2001:db8:ff::/128"


def v6_64(i):
    """2001:db8:(1 + i / 65536):(i % 65536)::/64, canonical."""
    hi, lo = 1 + (i >> 16), i & 0xFFFF
    if lo:
        return "2001:db8:%x:%x::/64" % (hi, lo)
    return "2001:db8:%x::/64" % hi


def v4(n):
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255,
                            n & 255)


def main():
    n_rules, n_prefixes, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if n_rules > 131072 or n_prefixes < 8:
        sys.exit("gen_filter.py: 0..131072 rules, 8 or more prefixes")
    n_allow = n_prefixes // 2
    n_deny = n_prefixes - n_allow

    allow = ["198.18.0.0/24", "2001:db8::/64"]
    n4 = min(65536, (n_allow - 2) // 2)
    base = (198 << 24) | (19 << 16)
    allow += ["%s/32" % v4(base + i) for i in range(n4)]
    allow += [v6_128(i) for i in range(n_allow - len(allow))]
    deny = ["198.18.0.3/32"]
    deny += [v6_64(i) for i in range(n_deny - 1)]
    base = (198 << 24) | (18 << 16) | (128 << 8)
    rules = [(1000 + i, v4(base + i)) for i in range(n_rules)]

    def path(name):
        return os.path.join(out, name)

    with open(path("filter.conf-part"), "w") as f:
        f.write("\trules = (\n")
        f.write(",\n".join(
            '\t\t{ order = %d; action = "drop"; src = "%s"; '
            'proto = "udp"; dport = 9000; }' % r for r in rules))
        f.write("\n\t);\n")
        for name, lst in (("allow", allow), ("deny", deny)):
            f.write("\t%s = { ingress = [\n" % name)
            f.write(",\n".join('\t\t"%s"' % p for p in lst))
            f.write("\n\t]; };\n")
    with open(path("rules.batch"), "w") as f:
        f.write("# %d rules\n" % n_rules)
        for r in rules:
            f.write("rule add order %d drop src %s proto udp dport 9000\n" % r)
    with open(path("lists.batch"), "w") as f:
        f.write("# %d prefixes\n" % n_prefixes)
        for name, lst in (("allow", allow), ("deny", deny)):
            for p in lst:
                f.write("%s add ingress %s\n" % (name, p))
    with open(path("rules.txt"), "w") as f:
        f.writelines(sorted("%d %s/32\n" % r for r in rules))
    for name, lst in (("allow", allow), ("deny", deny)):
        with open(path(name + ".txt"), "w") as f:
            f.writelines(sorted(p + "\n" for p in lst))


if __name__ == "__main__":
    main()
