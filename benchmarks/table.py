#!/usr/bin/env python3
"""Prints markdown tables from JMH JSON results (several files are merged, e.g. JMH's and numpy_bench.py's).

Usage: python3 benchmarks/table.py results.json [numpy.json ...]

CoreOpsBenchmark: numpack against each baseline. numpack (Durability.FSYNC, the default) is compared
with the baselines that force() ("-fsync"), numpack-nofsync with the ones that do not; read ops compare
numpack with filechannel and mmap. The ratio is numpack's time over the baseline's: above 1 means numpack
is slower. Then, per rows value, a peer table (ops x libs, mean time per op; libs are whatever the JSON
holds, numpack first, then the baselines, the peers and numpy) and the target ratios under it.

BatchModeBenchmark: normal, batch and writable per parameter set, normal / batch (target at least 25)
and normal / writable (target at least 150).

DatasetEpochBenchmark: time per epoch and rows per second of each dataset, and numpack's throughput over
the other's (above 1 means numpack is faster). With -prof gc, also the JVM heap allocated per epoch.

Targets (first, when the files hold any of their records): one line per target of the performance issues
and per shared parameter set (rows, cache, ...), the measured time over the reference's, from whatever files
are given, JMH's and numpy_bench.py's alike, so one run of benchmarks/run.sh gives every line. TARGETS below
lists them; a line picks its two sides by regular expressions on the benchmark name and the lib param, so a
new benchmark method shows up by adding one line (see benchmarks/README.md, "Adding a target line").

CheckpointBenchmark: per save or restore, the mean and median time, the tensor bytes moved (the secondary
metric "bytes", one iteration's value), the bandwidth (bytes / mean time, MB = 10^6 bytes) and ratios of
bandwidth against raw and DJL (above 1 means more MB/s than the other); for restores also DJL's time over the
lib's (above 1 means the lib's restore takes less time than Model.load).
"""
import json
import re
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


# ---------------------------------------------------------------- targets, one line each

# (target, ours, reference, goal). ours and reference are (benchmark, lib) regular expressions, matched in full
# against the benchmark name without its package ("CoreOpsBenchmark.save", "numpy.save") and the "lib" param.
# The two sides are paired on the params they share besides lib (rows, cache, batch, ...); where the
# reference pattern matches several libs, the fastest is the reference. goal is on ours' time / reference's
# time: ("<=", 1.2) means at most 1.2x the reference's time. A target stated in bandwidth (">= 0.8x the
# MB/s") is the same bytes in time (<= 1 / 0.8). A line whose records are missing prints "not measured".
JAVA_PEERS = r"npy-jetbrains|npy-djl|hdf5-jhdf|arrow|parquet|chronicle"
TARGETS = [
    ("full load into new memory", ("CoreOpsBenchmark.fullLoad", "numpack"), ("numpy.fullLoad", "numpy"), ("<=", 1.2)),
    ("full load, faster than every Java peer", ("CoreOpsBenchmark.fullLoad", "numpack"),
     ("CoreOpsBenchmark.fullLoad", JAVA_PEERS), ("<", 1.0)),
    ("save, not durable, against np.save + os.replace", ("CoreOpsBenchmark.save", "numpack-nofsync"),
     ("numpy.save", "numpy"), ("<=", 1.2)),
    ("save, durable, against raw write + fsync + rename + dir fsync", ("CoreOpsBenchmark.save", "numpack"),
     ("numpy.save", "raw-write-fsync-rename-dirfsync"), ("<=", 1.1)),
    ("append 100 rows, durable, against raw write + fsync", ("CoreOpsBenchmark.append100", "numpack"),
     ("CoreOpsBenchmark.append100", "filechannel-fsync"), ("<=", 1.5)),
    ("append 100 rows, not durable, against raw write", ("CoreOpsBenchmark.append100", "numpack-nofsync"),
     ("CoreOpsBenchmark.append100", "filechannel"), ("<=", 2.0)),
    ("checkpoint restore (weights) against Model.load", ("CheckpointBenchmark.restore", "numpack-weights"),
     ("CheckpointBenchmark.restore", "djl"), ("<=", 1.0)),
    ("durable checkpoint save, >= 0.8x raw write + fsync MB/s", ("CheckpointBenchmark.save", "numpack"),
     ("CheckpointBenchmark.save", "raw"), ("<=", 1 / 0.8)),
    ("NumPackDataset epoch, at least ArrayDataset's speed", (r"DatasetEpochBenchmark\.epoch\w*", "numpack"),
     (r"DatasetEpochBenchmark\.epoch\w*", "arraydataset"), ("<=", 1.0)),
]
GOALS = {"<=": lambda x, g: x <= g, "<": lambda x, g: x < g}


def short_name(benchmark):
    """dev.numpack.bench.CoreOpsBenchmark.save -> CoreOpsBenchmark.save; numpy.save stays."""
    return ".".join(benchmark.split(".")[-2:])


def target_table(records):
    """Every target line that any record matches; returns whether it printed anything."""
    timed = []
    for r in records:
        m = r["primaryMetric"]
        if m["scoreUnit"] not in TO_SECONDS:
            continue
        params = dict(r.get("params", {}))
        timed.append((short_name(r["benchmark"]), params.pop("lib", ""), params, m["score"] * TO_SECONDS[m["scoreUnit"]]))

    def side(pattern):
        bench, lib = pattern
        return [t for t in timed if re.fullmatch(bench, t[0]) and re.fullmatch(lib, t[1])]

    lines = []
    for what, ours_p, ref_p, (op, goal) in TARGETS:
        ours, refs = side(ours_p), side(ref_p)
        if not ours and not refs:
            continue
        if not ours or not refs:
            lines.append(f"| {what} | | {ours_p[1]} | {'' if ours else 'not measured'} | {ref_p[1].replace('|', ' / ')} "
                         f"| {'' if refs else 'not measured'} | | {op} {goal:.2f}x | |")
            continue
        for bench, lib, params, t in sorted(ours, key=lambda o: sorted(o[2].items())):
            same = [x for x in refs if all(x[2][k] == v for k, v in params.items() if k in x[2])]
            if any(x[0] == bench for x in same):  # one pattern on both sides (epoch, epochPrefetch): method to method
                same = [x for x in same if x[0] == bench]
            if not same:
                continue
            ref = min(same, key=lambda x: x[3])
            ratio = t / ref[3]
            shown = ", ".join(f"{k}={int(v):,}" if v.isdigit() else f"{k}={v}" for k, v in sorted(params.items(), key=lambda kv: (kv[0] != "rows", kv[0])))
            if len({o[0] for o in ours}) > 1:  # the line covers several methods: say which
                shown = bench.split(".")[-1] + (", " + shown if shown else "")
            lines.append(f"| {what} | {shown} | {lib} | {human(t)} | {ref[1]} ({ref[0].split('.')[0]}) | {human(ref[3])} "
                         f"| {ratio_text(ratio)} | {op} {goal:.2f}x | {'met' if GOALS[op](ratio, goal) else 'NOT met'} |")
    if not lines:
        return False
    jdks = sorted({f"{r.get('jdkVersion')} ({r.get('vmName', '')})" for r in records if "jdkVersion" in r})
    if jdks:
        print("JMH on " + "; ".join(jdks))
        print()
    print("| target | params | ours | time | reference | time | ours / reference | goal | |")
    print("|---|---|---|---:|---|---:|---:|---|---|")
    for line in lines:
        print(line)
    return True


def main(paths):
    records = [r for path in paths for r in json.load(open(path))]
    if target_table(records):
        print()
    dataset = [r for r in records if DATASET in r["benchmark"]]
    checkpoint = [r for r in records if CHECKPOINT in r["benchmark"]]
    batch = [r for r in records if BATCH in r["benchmark"]]
    core = [r for r in records if not any(b in r["benchmark"] for b in (DATASET, CHECKPOINT, BATCH))]
    printed = False
    if core or not (dataset or checkpoint or batch):
        if not core or any(r["params"]["lib"].startswith("numpack") for r in core):
            core_table(core)
            printed = True
        if core:
            if printed:
                print()
            peer_tables(core)
        printed = True
    if batch:
        if printed:
            print()
        batch_table(batch)
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


# ---------------------------------------------------------------- peer tables (CoreOps + numpy JSON)

# Column order: numpack, baselines, peers, numpy. A lib not listed goes after the listed name it starts
# with ("parquet-rewrite" after "parquet"), or else just before numpy.
LIB_ORDER = ["numpack", "numpack-nofsync", "numpack-reuse", "filechannel", "filechannel-fsync", "mmap", "mmap-fsync",
             "npy-jetbrains", "npy-djl", "hdf5-jhdf", "arrow", "parquet", "chronicle", "numpy", "raw-write"]
BASELINES = {"filechannel", "filechannel-fsync", "mmap", "mmap-fsync"}
PEER_OPS = OPS + ["stream"]


def lib_key(lib):
    prefixes = [i for i, name in enumerate(LIB_ORDER) if lib == name or lib.startswith(name + "-")]
    if prefixes:
        i = max(prefixes, key=lambda i: len(LIB_ORDER[i]))
        return (i, lib != LIB_ORDER[i], lib)
    return (LIB_ORDER.index("numpy") - 0.5, True, lib)


def is_peer(lib):
    """A Java peer library; numpy (numpy_bench.py) is the cross-language reference, compared on its own lines."""
    return (not lib.startswith("numpack") and lib not in BASELINES and not lib.startswith("numpy")
            and not lib.startswith("raw-"))  # numpy_bench.py's system-call floor


def human(seconds):
    """A time in the unit that keeps it between 1 and 1000, about 3 significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            v = seconds / scale
            return f"{v:.{2 if v < 10 else 1 if v < 100 else 0}f} {unit}"


def ratio_text(x):
    return f"{x:.2f}x" if x >= 0.1 else f"{x:.4f}x"


# What a stream pass asked of memory: PassMemory's counters (Java) and numpy_bench.py's (a fresh process)
MEMORY_METRICS = ["heapAllocBytes", "directAllocBytes", "peakRssGrowthBytes", "peakRssBytes", "rssGrowthBytes",
                  "tracemallocPeakBytes"]


def per_iteration(metric):
    """PassMemory's counters are JMH "events": JMH reports their sum over the measured iterations, so take the
    mean of the per-iteration values (rawData) instead; numpy_bench.py's values are per pass already."""
    raw = [v for fork in metric.get("rawData") or [] for v in fork]
    return sum(raw) / len(raw) if raw else metric["score"]


def mib(v):
    return "" if v is None else ("n/a" if v < 0 else f"{v / 2**20:,.1f} MiB")


def peer_tables(records):
    """Per rows value: ops x libs (mean time), then the target ratios."""
    res, rss = {}, {}
    for r in records:
        op = r["benchmark"].rsplit(".", 1)[1]
        p, m = r["params"], r["primaryMetric"]
        res[(op, p["rows"], p["lib"])] = m["score"] * TO_SECONDS[m["scoreUnit"]]
        sec = r.get("secondaryMetrics", {})
        mem = {k: per_iteration(sec[k]) for k in MEMORY_METRICS if k in sec}
        if mem:
            rss[(op, p["rows"], p["lib"])] = mem
    for n, rows in enumerate(sorted({k[1] for k in res}, key=int, reverse=True)):
        if n:
            print()
        here = {(op, lib): t for (op, rw, lib), t in res.items() if rw == rows}
        libs = sorted({lib for _, lib in here}, key=lib_key)
        ops = PEER_OPS + sorted({op for op, _ in here} - set(PEER_OPS))
        print(f"Peers, {int(rows):,} rows x 10 float32 (mean time per op):")
        print()
        print("| op | " + " | ".join(libs) + " |")
        print("|---|" + "---:|" * len(libs))
        for op in ops:
            if any((op, lib) in here for lib in libs):
                print(f"| {op} | " + " | ".join(human(here[(op, lib)]) if (op, lib) in here else "" for lib in libs) + " |")
        print()
        for line in target_lines(here, {(op, lib): v for (op, rw, lib), v in rss.items() if rw == rows}):
            print(line)


def target_lines(t, rss):
    """The target ratios of one rows value; t and rss are keyed (op, lib)."""
    lines = []

    def fastest(op, pred):
        cands = [(v, lib) for (o, lib), v in t.items() if o == op and pred(lib)]
        return min(cands) if cands else (None, None)

    def ratio(op, what, a, b, target=None, good=None):
        """Appends "op: what = a / b", with a and b (time, lib) pairs, and whether it meets target."""
        if a[0] is None or b[0] is None:
            return
        x = a[0] / b[0]
        verdict = f" (target {target}: {'met' if good(x) else 'NOT met'})" if target else ""
        lines.append(f"- {op}: {what} = {ratio_text(x)}{verdict}  [{a[1]} {human(a[0])}, {b[1]} {human(b[0])}]")

    def lib(op, name):
        return (t.get((op, name)), name)

    ratio("fullLoad", "numpack / filechannel", lib("fullLoad", "numpack"), lib("fullLoad", "filechannel"), "≤ 1.2",
          lambda x: x <= 1.2)
    peer = fastest("fullLoad", is_peer)
    ratio("fullLoad", f"numpack / fastest peer ({peer[1]})", lib("fullLoad", "numpack"), peer, "< 1", lambda x: x < 1)
    # saves like for like: durable against durable, not durable against not durable (no peer fsyncs)
    ratio("save", "numpack / filechannel-fsync", lib("save", "numpack"), lib("save", "filechannel-fsync"), "≤ 1.2",
          lambda x: x <= 1.2)
    ratio("save", "numpack-nofsync / filechannel", lib("save", "numpack-nofsync"), lib("save", "filechannel"), "≤ 1.2",
          lambda x: x <= 1.2)
    peer = fastest("save", is_peer)
    ratio("save", f"numpack-nofsync / fastest peer ({peer[1]})", lib("save", "numpack-nofsync"), peer, "< 1",
          lambda x: x < 1)
    peer = fastest("fullLoad", is_peer)
    ratio("fullLoad", f"numpack-reuse / fastest peer ({peer[1]})", lib("fullLoad", "numpack-reuse"), peer, "< 1",
          lambda x: x < 1)
    peer = fastest("lazyOpen", is_peer)
    ratio("lazyOpen", f"fastest lazy peer ({peer[1]}) / numpack", peer, lib("lazyOpen", "numpack"), "≥ 50", lambda x: x >= 50)
    for op in ("replace100", "append100"):
        ratio(op, "numpack / filechannel-fsync", lib(op, "numpack"), lib(op, "filechannel-fsync"), "≤ 2", lambda x: x <= 2)
        ratio(op, "numpack-nofsync / filechannel", lib(op, "numpack-nofsync"), lib(op, "filechannel"), "≤ 2", lambda x: x <= 2)
    ratio("gather1000", "numpack / mmap", lib("gather1000", "numpack"), lib("gather1000", "mmap"), "≤ 1.5", lambda x: x <= 1.5)
    numpy = fastest("gather1000", lambda l: l.startswith("numpy"))
    ratio("gather1000", f"{numpy[1]} / numpack (target > 1: numpack faster)", numpy, lib("gather1000", "numpack"),
          "> 1", lambda x: x > 1)
    for op, ours in (("fullLoad", "numpack"), ("lazyOpen", "numpack"), ("save", "numpack-nofsync"),
                     ("stream", "numpack")):
        numpy = fastest(op, lambda l: l.startswith("numpy"))
        ratio(op, f"{numpy[1]} / {ours} (reference; above 1: numpack faster)", numpy, lib(op, ours))
    stream = sorted(((l, v) for (o, l), v in t.items() if o == "stream"), key=lambda x: lib_key(x[0]))
    if stream:
        lines += [""] if lines else []
        lines += ["| stream (10,000-row chunks) | time | heap allocated | direct allocated | peak RSS growth "
                  "| numpy: peak RSS of the process | numpy: tracemalloc peak |", "|---|---:|---:|---:|---:|---:|---:|"]
        for l, v in stream:
            m = rss.get(("stream", l), {})
            cells = [mib(m.get(k)) for k in ("heapAllocBytes", "directAllocBytes")]
            cells.append(mib(m.get("peakRssGrowthBytes", m.get("rssGrowthBytes"))))
            cells += [mib(m.get(k)) for k in ("peakRssBytes", "tracemallocPeakBytes")]
            lines.append(f"| {l} | {human(v)} | " + " | ".join(cells) + " |")
    return lines


# ---------------------------------------------------------------- BatchModeBenchmark

BATCH = ".BatchModeBenchmark."
BATCH_METHODS = ["normal", "normalReplace", "batch", "writable"]


def batch_table(records):
    """normal / batch / writable per parameter set (rows...), with the target ratios."""
    res = {}
    for r in records:
        method = r["benchmark"].rsplit(".", 1)[1]
        params = ", ".join(f"{k}={v}" for k, v in sorted(r["params"].items()))
        m = r["primaryMetric"]
        err = m.get("scoreError")
        err = float("nan") if err in (None, "NaN") else float(err)
        res[(params, method)] = (m["score"] * TO_SECONDS[m["scoreUnit"]], err * TO_SECONDS[m["scoreUnit"]])
    methods = BATCH_METHODS + sorted({k[1] for k in res} - set(BATCH_METHODS))
    methods = [x for x in methods if any(k[1] == x for k in res)]
    pairs = [("normal", "batch", 25), ("normal", "writable", 150), ("normalReplace", "batch", None),
             ("normalReplace", "writable", None)]
    print("| params | " + " | ".join(methods) + " | "
          + " | ".join(f"{a} / {b}" + (f" (target ≥ {t})" if t else "") for a, b, t in pairs) + " |")
    print("|---|" + "---:|" * (len(methods) + len(pairs)))
    def numbers_first(params):  # "rows=1000000" before "rows=100000", as in the other tables
        return [(-int(v), "") if v.isdigit() else (0, v) for v in (kv.split("=", 1)[1] for kv in params.split(", "))]

    for params in sorted({k[0] for k in res}, key=numbers_first):
        cells = [human(res[(params, x)][0]) + (f" ± {human(res[(params, x)][1])}" if res[(params, x)][1] == res[(params, x)][1] else "")
                 if (params, x) in res else "" for x in methods]
        ratios = []
        for base, other, target in pairs:
            if (params, base) in res and (params, other) in res:
                x = res[(params, base)][0] / res[(params, other)][0]
                ratios.append(ratio_text(x) + (f" ({'met' if x >= target else 'NOT met'})" if target else ""))
            else:
                ratios.append("")
        print(f"| {params} | " + " | ".join(cells + ratios) + " |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["results.json"])
