#!/usr/bin/env python3
"""Prints a markdown table from a CoreOpsBenchmark JMH JSON result: numpack against each baseline.

Usage: python3 benchmarks/table.py results.json

numpack (Durability.FSYNC, the default) is compared with the baselines that force() ("-fsync"),
numpack-nofsync with the ones that do not; read ops compare numpack with filechannel and mmap.
The ratio is numpack's time over the baseline's: above 1 means numpack is slower.
"""
import json
import sys

OPS = ["fullLoad", "lazyOpen", "gather1000", "replace100", "append100", "save"]
PAIRS = [
    ("numpack", "filechannel"), ("numpack", "mmap"),                          # read ops
    ("numpack", "filechannel-fsync"), ("numpack", "mmap-fsync"),              # durable writes
    ("numpack-nofsync", "filechannel"), ("numpack-nofsync", "mmap"),          # non-durable writes
]
READ_OPS = {"fullLoad", "lazyOpen", "gather1000"}


def fmt(score, err):
    if score >= 100:
        return f"{score:,.0f} ± {err:,.0f}" if err == err else f"{score:,.0f}"
    if score >= 1:
        return f"{score:.1f} ± {err:.1f}" if err == err else f"{score:.1f}"
    return f"{score:.3f} ± {err:.3f}" if err == err else f"{score:.3f}"


def main(path):
    res = {}
    unit = None
    for r in json.load(open(path)):
        op = r["benchmark"].rsplit(".", 1)[1]
        p = r["params"]
        m = r["primaryMetric"]
        unit = m["scoreUnit"]
        err = m.get("scoreError")
        err = float("nan") if err in (None, "NaN") else float(err)
        res[(op, p["rows"], p["lib"])] = (m["score"], err)
    rows_values = sorted({k[1] for k in res}, key=int, reverse=True)
    print(f"| op | rows | numpack | {unit} | baseline | {unit} | numpack / baseline |")
    print("|---|---:|---|---:|---|---:|---:|")
    for rows in rows_values:
        for op in OPS:
            for a, b in PAIRS:
                read = op in READ_OPS
                if read != (b in ("filechannel", "mmap") and a == "numpack"):
                    continue
                if (op, rows, a) not in res or (op, rows, b) not in res:
                    continue
                sa, ea = res[(op, rows, a)]
                sb, eb = res[(op, rows, b)]
                ratio = sa / sb
                r = f"{ratio:.2f}x" if ratio >= 0.1 else f"{ratio:.4f}x"
                print(f"| {op} | {int(rows):,} | {a} | {fmt(sa, ea)} | {b} | {fmt(sb, eb)} | {r} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results.json")
