#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""filter_listing.py [--rule-id ORDER] GEN RULES ALLOW DENY

Compare xlbd's filter listings (the JSON of `xlbctl -j rule list`,
`allow list` and `deny list`, in files RULES, ALLOW and DENY) with the
filter gen_filter.py wrote to directory GEN (rules.txt, allow.txt,
deny.txt). Prints one line: the three counts, then "same" when every rule
(order and source) and every prefix is there exactly once and nothing
else is, or "differ:" and the first few differences. With --rule-id,
the id of the rule of that order is added at the end ("-" if none).
A large listing is parsed in a fraction of the time jq takes."""
import argparse
import json
import os


def expected(gen, name):
    with open(os.path.join(gen, name)) as f:
        return [line.rstrip("\n") for line in f]


def diff(what, got, want, out):
    g, w = sorted(got), sorted(want)
    if g == w:
        return
    missing = sorted(set(w) - set(g))[:2]
    extra = sorted(set(g) - set(w))[:2]
    dups = len(g) - len(set(g))
    out.append("%s: missing %s, extra %s, %d duplicates" %
               (what, missing, extra, dups))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rule-id", type=int)
    ap.add_argument("gen")
    ap.add_argument("rules")
    ap.add_argument("allow")
    ap.add_argument("deny")
    a = ap.parse_args()
    with open(a.rules) as f:
        rules = json.load(f)["rules"]
    lists = {}
    for name in ("allow", "deny"):
        with open(getattr(a, name)) as f:
            lists[name] = [e["prefix"] for e in json.load(f)["entries"]]
    out = []
    diff("rules", ["%d %s" % (r["order"], r.get("src")) for r in rules],
         expected(a.gen, "rules.txt"), out)
    for name in ("allow", "deny"):
        diff(name, lists[name], expected(a.gen, name + ".txt"), out)
    line = "%d %d %d " % (len(rules), len(lists["allow"]), len(lists["deny"]))
    line += "differ: " + "; ".join(out) if out else "same"
    if a.rule_id is not None:
        ids = [r["id"] for r in rules if r["order"] == a.rule_id]
        line += " %s" % (ids[0] if ids else "-")
    print(line)


if __name__ == "__main__":
    main()
