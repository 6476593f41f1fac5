package dev.numpack.reliability.fuzz;

import dev.numpack.ArrayInfo;
import dev.numpack.DType;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.RowStream;
import dev.numpack.WritableArray;
import dev.numpack.WritableBatchMode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Every public read path of an open store (names, infos, verify, info/shape/dtype, load, gather, the lazy view's
 * gathers, row reads, scans and load, streams, exports) and its write paths (save over, append, replace,
 * delete, compact, clone, batch and writable-batch commits, imports, drop, compact all), each run through a
 * {@link Recorder}.
 */
final class StorePaths {
    /** Rows bigger than this are not built for writes: the fuzzer's own allocation would be the failure. */
    private static final long MAX_ROW_BYTES = 64 << 10;
    /** Arrays visited per store: the template has 7, a damaged metadata file may list many more. */
    private static final int MAX_ARRAYS = 9;
    /** Chunks read from a stream: an array of 2^62 empty rows has more than any test can read. */
    private static final int MAX_CHUNKS = 64;

    private final Recorder rec;
    private final Path out;

    StorePaths(Recorder rec, Path out) {
        this.rec = rec;
        this.out = out;
    }

    /** @return the arrays of the store (at most {@link #MAX_ARRAYS}), or none if they cannot be listed */
    List<String> names(NumPack np, String mode) {
        Set<String> names = rec.call(mode + " names", null, np::names);
        List<String> out = new ArrayList<>();
        if (names != null) {
            for (String n : names) {
                if (out.size() < MAX_ARRAYS) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** Every read path, on every array (the exports on one, chosen by {@code r}). */
    void reads(NumPack np, String mode, SplittableRandom r) {
        List<String> names = names(np, mode);
        rec.call(mode + " infos", null, np::infos);
        rec.run(mode + " verify", null, np::verify);
        for (String n : names) {
            String m = mode + " " + n + " ";
            ArrayInfo info = rec.call(m + "info", n, () -> np.info(n));
            rec.call(m + "shape", n, () -> np.shape(n));
            rec.call(m + "dtype", n, () -> np.dtype(n));
            rec.call(m + "contains", n, () -> np.contains(n));
            rec.call(m + "load", n, () -> np.load(n));
            rec.call(m + "gather 0", n, () -> np.gather(n, 0));
            rec.call(m + "gather -1", n, () -> np.gather(n, -1));
            if (info != null) {
                rec.call(m + "gather rows", n, () -> np.gather(n, info.rows()));
            }
            lazy(np, n, m);
            rec.run(m + "stream", n, () -> {
                try (RowStream s = np.stream(n, 3)) {
                    Iterator<NdArray> it = s.iterator();
                    for (int i = 0; i < MAX_CHUNKS && it.hasNext(); i++) {
                        it.next();
                    }
                }
            });
        }
        if (!names.isEmpty()) {
            // exports fsync their file and directory: one array per store, chosen by the case, keeps cases quick
            String n = Edge.pick(r, names);
            rec.run(mode + " " + n + " exportNpy", n, () -> np.exportNpy(n, out.resolve("export.npy")));
            if (r.nextInt(4) == 0) {
                rec.run(mode + " exportNpz", null, () -> np.exportNpz(out.resolve("export.npz"), names.toArray(String[]::new)));
            }
        }
    }

    private void lazy(NumPack np, String n, String m) {
        LazyArray v = rec.call(m + "lazy", n, () -> np.lazy(n));
        if (v == null) {
            return;
        }
        long rows = v.rows();
        long rowBytes = v.rowBytes();
        rec.call(m + "lazy gather 0,-1", n, () -> v.gather(0, rows - 1));
        rec.call(m + "lazy gather rows", n, () -> v.gather(rows));
        rec.call(m + "lazy gather -rows-1", n, () -> v.gather(-rows - 1));
        if (rowBytes <= MAX_ROW_BYTES) {
            rec.run(m + "lazy gather into", n, () -> v.gather(new long[] {rows - 1, 0},
                    ByteBuffer.allocateDirect((int) (2 * rowBytes))));
            rec.run(m + "lazy readRows into", n, () -> v.readRows(0, Math.min(rows, 2),
                    ByteBuffer.allocateDirect((int) (2 * rowBytes))));
        }
        rec.call(m + "lazy readRows", n, () -> v.readRows(Math.max(0, rows - 3), Math.min(rows, 3)));
        rec.call(m + "lazy readRows past end", n, () -> v.readRows(rows, 1));
        rec.run(m + "lazy scanRows", n, () -> v.scanRows(0, Math.min(rows, 5), b -> b.get(b.position())));
        rec.call(m + "lazy load", n, v::load);
        rec.run(m + "lazy close", n, v::close);
    }

    /** The write paths, on a few arrays chosen by {@code r}, then store-wide writes. */
    void writes(NumPack np, SplittableRandom r, Path validNpy) {
        List<String> names = names(np, "write");
        for (int k = 0; k < 2 && !names.isEmpty(); k++) {
            String n = Edge.pick(r, names);
            String m = "write " + n + " ";
            long[] shape = rec.call(m + "shape", n, () -> np.shape(n));
            DType dtype = rec.call(m + "dtype", n, () -> np.dtype(n));
            NdArray rows2 = shape == null || dtype == null ? null : rows(dtype, shape, 2);
            if (rows2 != null) {
                rec.run(m + "append", n, () -> np.append(n, rows2));
                rec.run(m + "replace 0", n, () -> np.replace(n, rows(dtype, shape, 1), 0));
                rec.run(m + "replace -1,0", n, () -> np.replace(n, rows2, -1, 0));
                rec.run(m + "batch edit", n, () -> np.batchMode(b -> {
                    ByteBuffer e = b.edit(n);
                    if (e.hasRemaining()) {
                        e.put(0, (byte) 1);
                    }
                    b.append(n, rows2);
                }));
            }
            rec.run(m + "batch load", n, () -> np.batchMode(b -> b.load(n)));
            rec.run(m + "delete 0", n, () -> np.delete(n, 0));
            rec.run(m + "writable batch", n, () -> {
                try (WritableBatchMode wb = np.writableBatchMode()) {
                    WritableArray w = wb.open(n);
                    if (w.chunkCount() > 0 && w.chunk(0).hasRemaining()) {
                        w.chunk(0).put(0, (byte) 1);
                    }
                }
            });
            rec.run(m + "compact", n, () -> np.compact(n));
            rec.run(m + "cloneArray", n, () -> np.cloneArray(n, "clone"));
            if (rows2 != null) {
                rec.run(m + "save over", n, () -> np.save(n, rows(dtype, shape, 3)));
            }
            rec.run(m + "appendNpy", n, () -> np.appendNpy(n, validNpy));
        }
        rec.run("write batch save", "fresh", () -> np.batchMode(b -> {
            b.save("fresh", TemplateStore.filledArray(DType.INT32, 4, 2));
            b.drop("clone");
        }));
        rec.run("write importNpy", "imported", () -> np.importNpy("imported", validNpy));
        rec.run("write save new", "new", () -> np.save("new", TemplateStore.filledArray(DType.FLOAT32, 2, 2)));
        if (!names.isEmpty()) {
            String n = Edge.pick(r, names);
            rec.run("write drop " + n, n, () -> np.drop(n));
        }
        rec.run("write compactAll", null, np::compactAll);
        if (r.nextInt(8) == 0) {
            rec.run("write reset", null, np::reset);
        }
    }

    /** @return {@code count} rows that fit an array of {@code dtype} and {@code shape}, or {@code null} if too big */
    static NdArray rows(DType dtype, long[] shape, int count) {
        if (shape.length == 0) {
            return null;
        }
        long[] s = shape.clone();
        s[0] = count;
        long bytes = dtype.itemSize();
        for (int i = 1; i < s.length; i++) {
            if (s[i] < 0 || s[i] > MAX_ROW_BYTES) {
                return null;
            }
            bytes *= s[i];
            if (bytes > MAX_ROW_BYTES) {
                return null;
            }
        }
        return TemplateStore.filledArray(dtype, s);
    }
}
