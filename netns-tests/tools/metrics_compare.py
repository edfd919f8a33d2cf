#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""metrics_compare.py METRICS STATS BACKENDS

Check a /metrics answer body (file METRICS) against the `xlbctl -j stats`
object (file STATS) taken at the same moment and the `xlbctl -j backend
list` object (file BACKENDS). The text is read with the Prometheus Python
client's parser. Every integer of the stats object must be a sample of the
metric docs/metrics.md names for it, with the same value, and every counter
sample must come from the stats object: an integer this script cannot
place, or a sample without a source, is a failure. Prints one line per
problem and a summary line; exits 1 on any problem."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

# The gauges of the VIPs' and backends' "conns" objects, and of "tables",
# as docs/metrics.md names them; a member not here is a failure (KeyError).
VIP_GAUGES = {"active": "xlb_vip_active_flows", "syn": "xlb_vip_syn_flows",
              "nat_ports": "xlb_vip_nat_ports",
              "nat_ports_available": "xlb_vip_nat_ports_available"}
BACKEND_GAUGES = {"active": "xlb_backend_active_conns",
                  "syn": "xlb_backend_syn_conns",
                  "nat_ports": "xlb_backend_nat_ports"}
TABLE_METRICS = {"in_use": "xlb_lb_table_entries",
                 "size": "xlb_lb_table_size",
                 "reaped": "xlb_lb_table_reaped_total"}


def expected(stats):
    """(name, labels) -> value for every integer of the stats object
    that is a counter, and the members this script cannot place."""
    want, unplaced = {}, []

    def put(name, labels, value):
        want[(name, tuple(sorted(labels.items())))] = value

    for ifname, ifc in stats.get("interfaces", {}).items():
        for hook, h in ifc.get("hooks", {}).items():
            for group, (label, pkts, byts) in {
                "verdicts": ("action", "xlb_packets_total", "xlb_bytes_total"),
                "classes": ("class", "xlb_class_packets_total",
                            "xlb_class_bytes_total"),
            }.items():
                for key, c in h.pop(group, {}).items():
                    labels = {"ifname": ifname, "hook": hook, label: key}
                    put(pkts, labels, c.pop("packets"))
                    put(byts, labels, c.pop("bytes"))
                    unplaced += [f"{ifname}.{hook}.{group}.{key}.{k}"
                                 for k in c]
            unplaced += [f"interfaces.{ifname}.hooks.{hook}.{g}" for g in h]
        ifc.pop("ifindex", None)
        ifc.pop("hooks", None)
        unplaced += [f"interfaces.{ifname}.{k}" for k in ifc]
    for group, name in (("exceptions", "xlb_exceptions_total"),
                        ("drops", "xlb_drops_total"),
                        ("lb", "xlb_lb_exceptions_total")):
        for reason, v in stats.get(group, {}).items():
            put(name, {"reason": reason}, v)
    filt = stats.get("filter", {})
    for group, label, pkts, byts in (
            ("rules", "rule", "xlb_rule_hits_total", "xlb_rule_bytes_total"),
            ("lists", "entry", "xlb_list_hits_total",
             "xlb_list_bytes_total")):
        for key, c in filt.get(group, {}).items():
            put(pkts, {label: key}, c["packets"])
            put(byts, {label: key}, c["bytes"])
    for vip, v in stats.get("vips", {}).items():
        for key, value in v.items():
            if key != "id" and isinstance(value, int):
                put(f"xlb_vip_{key}_total", {"vip": vip}, value)
        for key, value in v.get("conns", {}).items():
            put(VIP_GAUGES[key], {"vip": vip}, value)
    for vip, per in stats.get("backends", {}).items():
        for addr, b in per.items():
            labels = {"vip": vip, "backend": addr}
            for key, value in b.items():
                if key != "id" and isinstance(value, int):
                    put(f"xlb_backend_{key}_total", labels, value)
            for key, value in b.get("conns", {}).items():
                put(BACKEND_GAUGES[key], labels, value)
            for key, value in b.get("health", {}).items():
                if isinstance(value, int):
                    put(f"xlb_backend_health_{key}_total", labels, value)
            put("xlb_backend_up", labels,
                0 if b.get("health", {}).get("state") == "down" else 1)
    for table, t in stats.get("tables", {}).items():
        for key, name in TABLE_METRICS.items():
            put(name, {"table": table}, t[key])
    known = {"time_ns", "interfaces", "exceptions", "drops", "lb", "filter",
             "vips", "backends", "tables"}
    unplaced += [k for k in stats if k not in known]
    return want, unplaced


def main():
    metrics_text, stats_file, backends_file = sys.argv[1:4]
    with open(metrics_text) as f:
        text = f.read()
    with open(stats_file) as f:
        stats = json.load(f)
    with open(backends_file) as f:
        backends = json.load(f)["backends"]
    got, types, problems = {}, {}, []
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in got:
                problems.append(f"sample twice: {key}")
            got[key] = s.value
            types[s.name] = fam.type
    want, unplaced = expected(stats)
    problems += [f"stats member without a metric: {u}" for u in unplaced]
    for b in backends:
        labels = {"vip": b["vip"], "backend": b["address"]}
        want[("xlb_backend_weight", tuple(sorted(labels.items())))] = \
            b["weight"]
    for key, value in want.items():
        if key not in got:
            problems.append(f"missing: {key[0]}{dict(key[1])} = {value}")
        elif got[key] != value:
            problems.append(f"differs: {key[0]}{dict(key[1])}: "
                            f"metrics {got[key]:.0f}, stats {value}")
    for key in got:
        if key not in want and key[0] not in ("xlb_up", "xlb_build_info"):
            problems.append(f"no source in stats: {key[0]}{dict(key[1])}")
    for name, t in types.items():
        if name.endswith("_total") != (t == "counter"):
            problems.append(f"{name}: type {t}")
    for p in problems:
        print(p)
    print(f"{len(want)} values compared, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
