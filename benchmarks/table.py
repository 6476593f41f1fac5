#!/usr/bin/env python3
"""Prints markdown tables from a JMH JSON result.

Usage: python3 benchmarks/table.py results.json

CoreOpsBenchmark: numpack against each baseline. numpack (Durability.FSYNC, the default) is compared
with the baselines that force() ("-fsync"), numpack-nofsync with the ones that do not; read ops compare
numpack with filechannel and mmap. The ratio is numpack's time over the baseline's: above 1 means numpack
is slower.

DatasetEpochBenchmark: time per epoch and rows per second of each dataset, and numpack's throughput over
the other's (above 1 means numpack is faster). With -prof gc, also the JVM heap allocated per epoch.

CheckpointBenchmark: per save or restore, the mean and median time, the tensor bytes moved (the secondary
metric "bytes", one iteration's value), the bandwidth (bytes / mean time, MB = 10^6 bytes) and ratios of
bandwidth against raw and DJL (above 1 means more MB/s than the other); for restores also DJL's time over the
lib's (above 1 means the lib's restore takes less time than Model.load).
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


DATASET = ".DatasetEpochBenchmark."
TO_SECONDS = {"s/op": 1.0, "ms/op": 1e-3, "us/op": 1e-6, "ns/op": 1e-9}


def dataset_table(records):
    res = {}
    for r in records:
        method = r["benchmark"].rsplit(".", 1)[1]
        p = r["params"]
        m = r["primaryMetric"]
        err = m.get("scoreError")
        err = float("nan") if err in (None, "NaN") else float(err)
        sec = r.get("secondaryMetrics", {})
        alloc = sec.get("gc.alloc.rate.norm", sec.get("\u00b7gc.alloc.rate.norm"))  # JMH 1.37 / older
        res[(method, int(p["rows"]), int(p["batch"]), p["lib"])] = (m["score"], err, m["scoreUnit"], alloc)
    with_alloc = any(v[3] is not None for v in res.values())
    unit = next(iter(res.values()))[2]
    head = f"| pass | rows | batch | lib | {unit.replace('/op', '/epoch')} | rows/s | numpack / lib (throughput) |"
    rule = "|---|---:|---:|---|---:|---:|---:|"
    if with_alloc:
        head += " heap alloc / epoch |"
        rule += "---:|"
    print(head)
    print(rule)
    libs = ["numpack", "arraydataset", "rowbyrow"]
    libs += sorted({k[3] for k in res} - set(libs))
    for method in sorted({k[0] for k in res}, key=lambda x: (x != "epoch", x)):
        for rows, batch in sorted({(k[1], k[2]) for k in res if k[0] == method}, reverse=True):
            base = res.get((method, rows, batch, "numpack"))
            for lib in libs:
                key = (method, rows, batch, lib)
                if key not in res:
                    continue
                score, err, u, alloc = res[key]
                per_s = rows / (score * TO_SECONDS[u])
                ratio = f"{score / base[0]:.2f}x" if base and lib != "numpack" else ""
                line = f"| {method} | {rows:,} | {batch} | {lib} | {fmt(score, err)} | {per_s:,.0f} | {ratio} |"
                if with_alloc:
                    line += f" {alloc['score'] / 1048576:,.1f} MiB |" if alloc else " |"
                print(line)


CHECKPOINT = ".CheckpointBenchmark."
CKPT_WHAT = {
    "numpack": "params + Adam state",
    "numpack-nofsync": "params + Adam state",
    "numpack-weights": "params",
    "numpack-weights-of-full": "params (of a full checkpoint)",
    "djl": "params",
    "djl-fsync": "params",
    "raw": "params + Adam state",
}
CKPT_LIBS = ["numpack", "numpack-nofsync", "numpack-weights", "numpack-weights-of-full", "djl", "djl-fsync", "raw"]


def checkpoint_table(records):
    res = {}
    for r in records:
        method = r["benchmark"].rsplit(".", 1)[1]
        p = r["params"]
        m = r["primaryMetric"]
        err = m.get("scoreError")
        err = float("nan") if err in (None, "NaN") else float(err)
        sec = r.get("secondaryMetrics", {}).get("bytes")
        nbytes = sec["rawData"][0][0] if sec else float("nan")
        median = m.get("scorePercentiles", {}).get("50.0", float("nan"))
        res[(method, p.get("cache", ""), p["lib"])] = (m["score"], err, median, m["scoreUnit"], nbytes, m.get("scoreConfidence"))

    def mbps(key):
        score, _, _, unit, nbytes, _ = res[key]
        return nbytes / (score * TO_SECONDS[unit]) / 1e6

    def ratio(x):
        return f"{x:.2f}x"

    first = True
    for method in ("save", "restore"):
        keys = [k for k in res if k[0] == method]
        if not keys:
            continue
        if not first:
            print()
        first = False
        unit = res[keys[0]][3].replace("/op", "")
        head = f"| {method}{' (cache)' if method == 'restore' else ''} | lib | what | tensor bytes | {unit} (mean ± 99.9%) | {unit} (median) | MB/s | MB/s vs raw |"
        rule = "|---|---|---|---:|---:|---:|---:|---:|"
        if method == "save":
            head += " MB/s vs djl-fsync |"
            rule += "---:|"
        else:
            head += " MB/s vs djl | djl time / lib time |"
            rule += "---:|---:|"
        print(head)
        print(rule)
        for cache in sorted({k[1] for k in keys}, key=lambda c: (c != "warm", c)):
            libs = [l for l in CKPT_LIBS if (method, cache, l) in res]
            libs += sorted({k[2] for k in keys if k[1] == cache} - set(libs))
            raw = (method, cache, "raw")
            djl = (method, cache, "djl-fsync" if method == "save" else "djl")
            for lib in libs:
                key = (method, cache, lib)
                score, err, median, _, nbytes, _ = res[key]
                label = method if not cache else cache
                line = (f"| {label} | {lib} | {CKPT_WHAT.get(lib, '')} | {nbytes:,.0f} | {fmt(score, err)} | {fmt(median, float('nan'))} "
                        f"| {mbps(key):,.0f} | {ratio(mbps(key) / mbps(raw)) if raw in res and lib != 'raw' else ''} |")
                if method == "save":
                    line += f" {ratio(mbps(key) / mbps(djl)) if djl in res and key != djl else ''} |"
                else:
                    other = djl in res and key != djl
                    line += (f" {ratio(mbps(key) / mbps(djl)) if other else ''} |"
                             f" {ratio(res[djl][0] / score) if other else ''} |")
                print(line)


def main(path):
    records = json.load(open(path))
    dataset = [r for r in records if DATASET in r["benchmark"]]
    checkpoint = [r for r in records if CHECKPOINT in r["benchmark"]]
    core = [r for r in records if DATASET not in r["benchmark"] and CHECKPOINT not in r["benchmark"]]
    printed = False
    if core or not (dataset or checkpoint):
        core_table(core)
        printed = True
    if dataset:
        if printed:
            print()
        dataset_table(dataset)
        printed = True
    if checkpoint:
        if printed:
            print()
        checkpoint_table(checkpoint)


def core_table(records):
    res = {}
    unit = None
    for r in records:
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
