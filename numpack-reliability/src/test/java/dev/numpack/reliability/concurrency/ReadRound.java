package dev.numpack.reliability.concurrency;

import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.RowStream;
import java.util.Collection;
import java.util.Random;

/**
 * One reader's pass over some arrays of a store through one read path: {@code load}, {@code lazy} (a gather
 * of random rows and a range), {@code gather}, or {@code stream}. Every row read goes through
 * {@link Cells#check}. Shared by the reader threads and the reader processes.
 */
final class ReadRound {
    /** The read paths, taken in turn. */
    enum Path { LOAD, LAZY, GATHER, STREAM }

    /** The fewest live rows the writer leaves in an array. */
    static final int MIN_ROWS = 8;

    private ReadRound() {}

    /**
     * Reads {@code names} of {@code np} through {@code path}.
     *
     * @return how many reads (calls that returned rows) it made
     * @throws AssertionError naming the array and the path when a row is bad or shapes disagree
     */
    static int run(NumPack np, Collection<String> names, Path path, Random r, Cells.RowSink sink) {
        int reads = 0;
        for (String n : names) {
            String what = n + " by " + path;
            switch (path) {
                case LOAD:
                    fail(Cells.check(what, np.load(n), sink));
                    reads++;
                    break;
                case LAZY:
                    try (LazyArray l = np.lazy(n)) {
                        long rows = l.rows();
                        fail(Cells.check(what + " gather", l.gather(indices(r, rows)), sink));
                        long start = rows == 0 ? 0 : r.nextInt((int) rows);
                        long count = Math.min(rows - start, 1 + r.nextInt(64));
                        NdArray part = l.readRows(start, count);
                        if (part.rows() != count) {
                            throw new AssertionError(what + ": readRows(" + start + ", " + count + ") gave "
                                    + part.rows() + " rows");
                        }
                        fail(Cells.check(what + " readRows", part, sink));
                        reads += 2;
                    }
                    break;
                case GATHER:
                    // the writer's own store may shrink the array between shape() and gather(); it never
                    // leaves fewer than MIN_ROWS rows, so indices below that are valid in any state
                    long rows = Math.min(np.shape(n)[0], MIN_ROWS);
                    fail(Cells.check(what, np.gather(n, indices(r, rows)), sink));
                    reads++;
                    break;
                case STREAM:
                    try (RowStream s = np.stream(n, 1 + r.nextInt(100))) {
                        long total = 0;
                        for (NdArray chunk : s) {
                            fail(Cells.check(what, chunk, sink));
                            total += chunk.rows();
                        }
                        if (total != s.rows()) {
                            throw new AssertionError(what + ": streamed " + total + " of " + s.rows() + " rows");
                        }
                        reads++;
                    }
                    break;
                default:
                    throw new AssertionError(path);
            }
        }
        return reads;
    }

    private static long[] indices(Random r, long rows) {
        long[] idx = new long[rows == 0 ? 0 : 1 + r.nextInt(16)];
        for (int i = 0; i < idx.length; i++) {
            long k = (long) (r.nextDouble() * rows);
            idx[i] = r.nextBoolean() ? k : k - rows; // negative: from the end
        }
        return idx;
    }

    private static void fail(String problem) {
        if (problem != null) {
            throw new AssertionError(problem);
        }
    }
}
