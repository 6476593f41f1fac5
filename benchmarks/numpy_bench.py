#!/usr/bin/env python3
"""The cross-language reference: CoreOpsBenchmark's operations done with numpy on a .npy file.

Usage: python3 benchmarks/numpy_bench.py [--rows 1000000 100000] [--repeat 30] [--quick] [--dir DIR] [--out numpy.json]

Same array as the Java side: rows x 10 float32, uniform random from a fixed seed (numpy's generator,
so not the same values, nor the same random row indices, as Java's SplittableRandom). Row indices come
from fixed seeds; 256 index sets are cycled, as in CoreOpsBenchmark. Only numpy and the standard library.

| op         | lib             | what is timed                                                                 |
|------------|-----------------|-------------------------------------------------------------------------------|
| fullLoad   | numpy           | np.load(path)                                                                 |
| lazyOpen   | numpy           | np.load(path, mmap_mode='r'), then the array is dropped (munmap)              |
| replace100 | numpy-mmap      | np.load(mmap_mode='r+'), assign 100 distinct rows, flush() (msync, MS_SYNC)   |
| replace100 | numpy-rewrite   | np.load, assign the rows, then `save` below (what a plain-npy user does)      |
| append100  | numpy-rewrite   | np.load, np.concatenate the 100 rows, then `save` below                       |
| append100  | numpy-rawappend | not a numpy API: write the rows at the end of the file, patch the header shape |
| gather1000 | numpy           | arr[idx] (fancy indexing) on a mapping opened once, 1000 random rows          |
| save       | numpy           | np.save to x.npy.tmp, then os.replace over x.npy                              |
| stream     | numpy           | np.load(mmap_mode='r'), then chunk.sum(dtype=float64) per 10,000-row chunk    |
| save       | raw-write       | not numpy: the array's bytes written with one os.write to a new file          |
| save       | raw-write-fsync | the same, then os.fsync                                                       |
| save       | raw-write-fsync-rename-dirfsync | the same, then os.replace over the old file and fsync of the directory |

The raw-* lines are the physical floor of a save on this machine (system calls only, no header, no
preallocation; each writes a new file, and the ones that do not replace remove it untimed), the baselines of
the save targets in table.py.

Nothing here fsyncs, except numpy-mmap's flush (msync with MS_SYNC, which syncs the file's data like
fdatasync): compare it with the Java "-fsync" libs and the other numpy rows with the ones without.
append100 starts every repetition from the initial rows (truncate + header patch, untimed).

Timing: warmup, then each repetition timed alone with time.perf_counter_ns (ops whose median is under
1 ms get 10x the repetitions). Score = mean in us/op, scoreError = 3.29 * sd / sqrt(n) (a normal 99.9%
interval, close to JMH's), median in scorePercentiles["50.0"]. The JSON is shaped like JMH's (a list of
records with benchmark "numpy.<op>", params {rows, lib}, primaryMetric), so table.py and Charts merge it
with JMH's. stream also gets secondaryMetrics: peakRssBytes (VmHWM of a fresh Python process that imports
numpy and does one pass), rssGrowthBytes (that peak minus the process's RSS before the pass) and
tracemallocPeakBytes (peak of Python + numpy heap allocations during the pass).
"""
import argparse
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

COLS, INDEX_SETS, GATHER_ROWS, WRITE_ROWS, CHUNK_ROWS = 10, 256, 1000, 100, 10_000
Z_999 = 3.29  # two-sided 99.9% quantile of the normal distribution


# ---------------------------------------------------------------------------- the operations


def save(path, a):
    """np.save to a temp file, then an atomic rename over path (as the Java save does)."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:  # a file object: np.save would append ".npy" to a name
        np.save(f, a)
    os.replace(tmp, path)


def raw_write(path, a, fsync=False, replace=None):
    """The array's bytes with one os.write to the new file path; then fsync; then rename over replace and
    fsync the directory (what a durable save must do at least)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(a).cast("B")
        done = 0
        while done < len(view):
            done += os.write(fd, view[done:])
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    if replace:
        os.replace(path, replace)
        dfd = os.open(os.path.dirname(replace), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def set_rows(path, rows):
    """Rewrites the .npy header in place with a new row count (numpy pads headers so the shape can grow)."""
    with open(path, "r+b") as f:
        np.lib.format.read_magic(f)
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        offset = f.tell()
        h = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            h, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": fortran, "shape": (rows,) + shape[1:]})
        assert len(h.getvalue()) == offset, "new header does not fit the old one"
        f.seek(0)
        f.write(h.getvalue())
        return offset


def raw_append(path, rows):
    """Appends rows to the data and patches the row count in the header: no rewrite, no numpy API."""
    with open(path, "r+b") as f:
        np.lib.format.read_magic(f)
        shape, _, _ = np.lib.format.read_array_header_1_0(f)
        f.seek(0, os.SEEK_END)
        f.write(rows.tobytes())
    set_rows(path, shape[0] + len(rows))


def lazy_open(path):
    a = np.load(path, mmap_mode="r")
    return a.shape[0]  # `a` is dropped on return: numpy closes the mapping


def replace_mmap(path, idx, rows):
    a = np.load(path, mmap_mode="r+")
    a[idx] = rows
    a.flush()
    del a


def replace_rewrite(path, idx, rows):
    a = np.load(path)
    a[idx] = rows
    save(path, a)


def append_rewrite(path, rows):
    save(path, np.concatenate([np.load(path), rows]))


def stream(path):
    a = np.load(path, mmap_mode="r")
    acc = 0.0
    for i in range(0, a.shape[0], CHUNK_ROWS):
        acc += float(a[i:i + CHUNK_ROWS].sum(dtype=np.float64))
    return acc


# ---------------------------------------------------------------------------- timing


def measure(fn, n, warmup, before=None):
    """Times fn(i) for i = 0.. (before(i) runs untimed first); returns the per-call times in us."""
    def once(i):
        if before:
            before(i)
        t0 = time.perf_counter_ns()
        fn(i)
        return (time.perf_counter_ns() - t0) / 1e3

    for i in range(warmup):
        once(i)
    times = [once(warmup + i) for i in range(n)]
    if statistics.median(times) < 1000:  # cheap op: 10x the repetitions, for a steadier mean
        times += [once(warmup + n + i) for i in range(9 * n)]
    return times


def record(op, rows, lib, times, secondary=None):
    n = len(times)
    mean = statistics.fmean(times)
    err = Z_999 * statistics.stdev(times) / math.sqrt(n) if n > 1 else "NaN"  # JMH writes "NaN" too
    return {
        "benchmark": f"numpy.{op}",
        "mode": "avgt",
        "numpyVersion": np.__version__,
        "pythonVersion": platform.python_version(),
        "measurementIterations": n,
        "params": {"rows": str(rows), "lib": lib},
        "primaryMetric": {
            "score": mean,
            "scoreError": err,
            "scoreConfidence": [mean - err, mean + err] if n > 1 else [mean, mean],
            "scorePercentiles": {"0.0": min(times), "50.0": statistics.median(times), "100.0": max(times)},
            "scoreUnit": "us/op",
            "rawData": [times],
        },
        "secondaryMetrics": secondary or {},
    }


def stream_memory(path):
    """One stream pass in a fresh Python process: its peak RSS, RSS growth and tracemalloc peak."""
    out = subprocess.run([sys.executable, __file__, "--stream-probe", path], check=True,
                         capture_output=True, text=True).stdout
    return {k: {"score": v, "scoreError": "NaN", "scoreUnit": "bytes", "rawData": [[v]]}
            for k, v in json.loads(out).items()}


def stream_probe(path):
    def status(key):  # /proc/self/status, in bytes
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key + ":"))

    rss = status("VmRSS")
    tracemalloc.start()
    stream(path)
    _, traced = tracemalloc.get_traced_memory()
    print(json.dumps({"peakRssBytes": status("VmHWM"), "rssGrowthBytes": status("VmHWM") - rss,
                      "tracemallocPeakBytes": traced}))


# ---------------------------------------------------------------------------- one array size


def bench(rows, repeat, warmup, root):
    d = tempfile.mkdtemp(prefix="numpy-bench-", dir=root)
    path = os.path.join(d, "x.npy")
    try:
        init = np.random.default_rng(1).random((rows, COLS), dtype=np.float32)
        save(path, init)
        # 256 index sets, as on the Java side: gathers may repeat rows, replaced rows are distinct
        g = np.random.default_rng(2)
        gather_sets = [g.integers(0, rows, GATHER_ROWS) for _ in range(INDEX_SETS)]
        r = np.random.default_rng(3)
        replace_sets = [r.choice(rows, WRITE_ROWS, replace=False) for _ in range(INDEX_SETS)]
        replace_rows = [np.random.default_rng(1000 + i).random((WRITE_ROWS, COLS), dtype=np.float32)
                        for i in range(INDEX_SETS)]
        append_rows = np.random.default_rng(4).random((WRITE_ROWS, COLS), dtype=np.float32)
        header = set_rows(path, rows)  # header size, to truncate appended rows away

        def restore(_=None):  # back to the initial rows (untimed)
            os.truncate(path, header + init.nbytes)
            set_rows(path, rows)

        # self-checks (untimed), so no variant times something that does not work
        assert np.array_equal(np.load(path), init) and lazy_open(path) == rows
        assert np.array_equal(np.load(path, mmap_mode="r")[gather_sets[0]], init[gather_sets[0]])
        for fn in (replace_mmap, replace_rewrite):
            fn(path, replace_sets[0], replace_rows[0])
            assert np.array_equal(np.load(path)[replace_sets[0]], replace_rows[0]), fn.__name__
            save(path, init)
        for fn in (append_rewrite, raw_append):
            fn(path, append_rows)
            assert np.array_equal(np.load(path), np.concatenate([init, append_rows])), fn.__name__
            restore()
        assert math.isclose(stream(path), float(init.sum(dtype=np.float64)), rel_tol=1e-9)

        def idx(i, sets):
            return sets[i % INDEX_SETS]

        out = []

        def run(op, lib, fn, before=None, secondary=None):
            times = measure(fn, repeat, warmup, before)
            out.append(record(op, rows, lib, times, secondary))
            m = out[-1]["primaryMetric"]
            print(f"  {op:<10} {lib:<16} {m['score']:>12,.1f} ± {float(m['scoreError']):>10,.1f} us/op"
                  f"  (median {m['scorePercentiles']['50.0']:,.1f}, n={len(times)})", file=sys.stderr)

        print(f"rows={rows:,}", file=sys.stderr)
        run("fullLoad", "numpy", lambda i: np.load(path))
        run("lazyOpen", "numpy", lambda i: lazy_open(path))
        m = np.load(path, mmap_mode="r")  # opened once for gather, like the Java mappings
        run("gather1000", "numpy", lambda i: m[idx(i, gather_sets)])
        del m
        run("replace100", "numpy-mmap", lambda i: replace_mmap(path, idx(i, replace_sets), idx(i, replace_rows)))
        run("replace100", "numpy-rewrite", lambda i: replace_rewrite(path, idx(i, replace_sets), idx(i, replace_rows)))
        save(path, init)
        run("append100", "numpy-rewrite", lambda i: append_rewrite(path, append_rows), before=restore)
        run("append100", "numpy-rawappend", lambda i: raw_append(path, append_rows), before=restore)
        restore()
        run("save", "numpy", lambda i: save(path, init))
        raw, raw_tmp = os.path.join(d, "x.raw"), os.path.join(d, "x.raw.tmp")

        def unlink_raw(_=None):  # the file the last repetition made (untimed)
            for p in (raw, raw_tmp):
                if os.path.exists(p):
                    os.unlink(p)

        run("save", "raw-write", lambda i: raw_write(raw, init), before=unlink_raw)
        run("save", "raw-write-fsync", lambda i: raw_write(raw, init, fsync=True), before=unlink_raw)
        unlink_raw()
        raw_write(raw, init)
        assert np.array_equal(np.fromfile(raw, dtype=np.float32).reshape(init.shape), init)
        run("save", "raw-write-fsync-rename-dirfsync", lambda i: raw_write(raw_tmp, init, fsync=True, replace=raw))
        run("stream", "numpy", lambda i: stream(path), secondary=stream_memory(path))
        return out
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 100_000])
    p.add_argument("--repeat", type=int, help="timed repetitions per op (default 30, --quick 5)")
    p.add_argument("--quick", action="store_true", help="short mode: 1 warmup, 5 repetitions")
    p.add_argument("--dir", help="parent of the scratch directory (default: the system temp dir)")
    p.add_argument("--out", default="numpy.json")
    p.add_argument("--stream-probe", help=argparse.SUPPRESS)  # internal: stream_memory's child
    a = p.parse_args()
    if a.stream_probe:
        return stream_probe(a.stream_probe)
    repeat = a.repeat or (5 if a.quick else 30)
    warmup = 1 if a.quick else 3
    records = [r for rows in a.rows for r in bench(rows, repeat, warmup, a.dir)]
    with open(a.out, "w") as f:
        json.dump(records, f, indent=1)
    print(f"wrote {len(records)} records to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
