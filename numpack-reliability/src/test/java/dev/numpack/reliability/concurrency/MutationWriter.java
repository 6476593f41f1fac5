package dev.numpack.reliability.concurrency;

import dev.numpack.BatchMode;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.WritableArray;
import dev.numpack.WritableBatchMode;
import dev.numpack.io.NpyWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one writer of {@link ConcurrentReadersTest}: every kind of mutation of a store, drawn at random, each
 * writing {@link Cells} rows of a new generation. Before a write it registers the generation (its tag and row
 * count) in {@link #written()}, so that a reader that sees the rows finds them there. It keeps every array
 * at {@link ReadRound#MIN_ROWS} live rows or more and under {@link #MAX_ROWS}, and never drops or clones
 * into the stable arrays.
 */
final class MutationWriter {
    /** The mutations, with their weights. */
    enum Kind {
        SAVE_NEW(6), SAVE_OVERWRITE(6), SAVE_SEVERAL(2), APPEND(12), APPEND_SEVERAL(3), REPLACE(12), DELETE(10),
        COMPACT(5), COMPACT_ALL(1), DROP(4), CLONE(3), BATCH(8), WRITABLE_BATCH(8), IMPORT_NPY(2), APPEND_NPY(2);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    /** Rows past which an array is overwritten rather than appended to. */
    static final int MAX_ROWS = 3000;

    private final NumPack np;
    private final Random r;
    private final Path scratch;
    private final Map<Long, long[]> written = new ConcurrentHashMap<>();
    private final Map<Kind, Integer> done = new TreeMap<>();
    private long generation;

    /**
     * @param np the writable store
     * @param seed picks the mutations
     * @param scratch a directory outside the store for {@code .npy} files
     */
    MutationWriter(NumPack np, long seed, Path scratch) {
        this.np = np;
        this.r = new Random(seed);
        this.scratch = scratch;
    }

    /** @return every write so far: generation -> {tag, rows} (registered before the write) */
    Map<Long, long[]> written() {
        return written;
    }

    /** @return the mutations done, by kind */
    Map<Kind, Integer> done() {
        return done;
    }

    /** Saves the stable arrays and one volatile array. */
    void setUp() {
        for (int t = 0; t <= Cells.STABLE; t++) {
            np.save(Cells.NAMES[t], rows(Cells.NAMES[t], 64));
        }
    }

    /** Does one random mutation. */
    void step() throws Exception {
        int total = 0;
        for (Kind k : Kind.values()) {
            total += k.weight;
        }
        int x = r.nextInt(total);
        Kind kind = Kind.values()[0];
        for (Kind k : Kind.values()) {
            x -= k.weight;
            if (x < 0) {
                kind = k;
                break;
            }
        }
        done.merge(run(kind), 1, Integer::sum);
    }

    /** @return the kind actually done (a mutation that does not fit the state becomes one that does) */
    private Kind run(Kind kind) throws Exception {
        String a = existing();
        long live = np.shape(a)[0];
        switch (kind) {
            case SAVE_NEW: {
                String n = absentVolatile();
                if (n == null) {
                    return run(Kind.DROP);
                }
                np.save(n, rows(n, size()));
                return kind;
            }
            case SAVE_OVERWRITE:
                np.save(a, rows(a, size()));
                return kind;
            case SAVE_SEVERAL: {
                String b = Cells.NAMES[r.nextInt(Cells.NAMES.length)];
                Map<String, NdArray> m = new LinkedHashMap<>();
                m.put(a, rows(a, size()));
                m.put(b, rows(b, size()));
                np.save(m);
                return kind;
            }
            case APPEND:
                if (live > MAX_ROWS) {
                    return run(Kind.SAVE_OVERWRITE);
                }
                np.append(a, rows(a, 1 + r.nextInt(64)));
                return kind;
            case APPEND_SEVERAL: {
                String b = existing();
                if (b.equals(a) || live > MAX_ROWS || np.shape(b)[0] > MAX_ROWS) {
                    return run(Kind.APPEND);
                }
                np.append(Map.of(a, rows(a, 1 + r.nextInt(32)), b, rows(b, 1 + r.nextInt(32))));
                return kind;
            }
            case REPLACE: {
                long[] idx = distinct(live, 1 + r.nextInt(16));
                np.replace(a, rows(a, idx.length), idx);
                return kind;
            }
            case DELETE: {
                int k = 1 + r.nextInt(8);
                if (live - k < ReadRound.MIN_ROWS) {
                    return run(Kind.APPEND);
                }
                np.delete(a, distinct(live, k));
                return kind;
            }
            case COMPACT:
                np.compact(a);
                return kind;
            case COMPACT_ALL:
                np.compactAll();
                return kind;
            case DROP: {
                String v = existingVolatile();
                if (v == null) {
                    return run(Kind.SAVE_NEW);
                }
                np.drop(v);
                return kind;
            }
            case CLONE: {
                String dst = absentVolatile();
                if (dst == null) {
                    return run(Kind.DROP);
                }
                np.cloneArray(a, dst);
                return kind;
            }
            case BATCH:
                batch(a, live);
                return kind;
            case WRITABLE_BATCH:
                writableBatch(a);
                return kind;
            case IMPORT_NPY: {
                String n = r.nextBoolean() ? a : Cells.NAMES[r.nextInt(Cells.NAMES.length)];
                np.importNpy(n, npy(rows(n, size())));
                return kind;
            }
            case APPEND_NPY:
                if (live > MAX_ROWS) {
                    return run(Kind.SAVE_OVERWRITE);
                }
                np.appendNpy(a, npy(rows(a, 1 + r.nextInt(64))));
                return kind;
            default:
                throw new AssertionError(kind);
        }
    }

    /** A batch commit: rows replaced, one deleted and rows appended in one array, maybe another saved. */
    private void batch(String a, long live) {
        try (BatchMode b = np.batchMode()) {
            long[] idx = distinct(live, 1 + r.nextInt(8));
            b.replace(a, rows(a, idx.length), idx);
            if (live > ReadRound.MIN_ROWS) {
                b.delete(a, r.nextInt((int) live));
            }
            if (live < MAX_ROWS) {
                b.append(a, rows(a, 1 + r.nextInt(16)));
            }
            String v = Cells.NAMES[Cells.STABLE + r.nextInt(Cells.NAMES.length - Cells.STABLE)];
            if (r.nextInt(3) == 0 && !v.equals(a)) {
                b.save(v, rows(v, size()));
            }
        }
    }

    /** A writable-batch commit (after a compaction if needed): a run of rows of one array rewritten in place. */
    private void writableBatch(String a) {
        if (np.info(a).deletedRows() > 0) {
            np.compact(a); // a writable batch opens only arrays without deleted rows
        }
        try (WritableBatchMode wb = np.writableBatchMode()) {
            WritableArray w = wb.open(a);
            long phys = w.rows();
            int k = (int) Math.min(phys, 1 + r.nextInt(32));
            long start = (long) (r.nextDouble() * (phys - k + 1));
            w.writeRows(start, k, rows(a, k).buffer());
        }
    }

    private Path npy(NdArray rows) {
        Path f = scratch.resolve("rows.npy");
        NpyWriter.write(f, rows);
        return f;
    }

    /** @return new rows for array {@code name}, registered under a new generation */
    private NdArray rows(String name, int count) {
        long gen = ++generation;
        long tag = Cells.tagOf(name);
        written.put(gen, new long[] {tag, count});
        return Cells.rows(tag, gen, count);
    }

    private int size() {
        return ReadRound.MIN_ROWS + r.nextInt(300);
    }

    private long[] distinct(long live, int k) {
        List<Long> all = new ArrayList<>();
        for (long i = 0; i < live; i++) {
            all.add(i);
        }
        java.util.Collections.shuffle(all, r);
        long[] out = new long[(int) Math.min(k, live)];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private String existing() {
        List<String> names = new ArrayList<>(np.names());
        return names.get(r.nextInt(names.size()));
    }

    private String existingVolatile() {
        List<String> v = new ArrayList<>();
        for (int t = Cells.STABLE; t < Cells.NAMES.length; t++) {
            if (np.contains(Cells.NAMES[t])) {
                v.add(Cells.NAMES[t]);
            }
        }
        return v.isEmpty() ? null : v.get(r.nextInt(v.size()));
    }

    private String absentVolatile() {
        List<String> v = new ArrayList<>();
        for (int t = Cells.STABLE; t < Cells.NAMES.length; t++) {
            if (!np.contains(Cells.NAMES[t])) {
                v.add(Cells.NAMES[t]);
            }
        }
        return v.isEmpty() ? null : v.get(r.nextInt(v.size()));
    }
}
