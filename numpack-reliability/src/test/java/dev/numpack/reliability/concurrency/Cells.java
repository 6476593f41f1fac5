package dev.numpack.reliability.concurrency;

import dev.numpack.DType;
import dev.numpack.NdArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The self-describing rows the concurrency writer writes: int64 rows of four values {@code (tag, generation,
 * row, check)}. The tag names the array the rows were written for, the generation is unique to one write
 * (every mutation that writes rows takes a new one), the row is the row's index in that write, and the check
 * is a mix of the three. A reader can therefore tell of any row it reads whether those 32 bytes were ever
 * written, and by which write, without knowing when it read: a torn row, a row of zeros, or bytes of another
 * file fail the check, and a (generation, row) the writer never wrote is not in its registry.
 */
final class Cells {
    /** Values per row. */
    static final int WIDTH = 4;
    /** Bytes per row. */
    static final int ROW_BYTES = WIDTH * Long.BYTES;

    /**
     * The arrays, by tag: the first {@link #STABLE} are never dropped and never receive another array's rows
     * (a clone), so every row of them carries their own tag; the others are saved, dropped and cloned into.
     */
    static final String[] NAMES = {"s0", "s1", "v0", "v1", "v2", "v3"};
    /** How many of {@link #NAMES} are stable. */
    static final int STABLE = 2;

    private Cells() {}

    /** @return the tag of an array name */
    static int tagOf(String name) {
        return java.util.Arrays.asList(NAMES).indexOf(name);
    }

    /** @return {@code null}, or why a row with this tag cannot be in array {@code name} */
    static String tagProblem(String name, long tag) {
        int own = tagOf(name);
        if (tag < 0 || tag >= NAMES.length) {
            return "tag " + tag + " belongs to no array";
        }
        return own < STABLE && tag != own ? "a row of " + NAMES[(int) tag] + " in " + name : null;
    }

    /**
     * @param tag the array's tag
     * @param generation the write's generation
     * @param rows how many rows
     * @return rows {@code 0..rows-1} of that write
     */
    static NdArray rows(long tag, long generation, int rows) {
        ByteBuffer b = ByteBuffer.allocateDirect(rows * ROW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            b.putLong(tag).putLong(generation).putLong(r).putLong(check(tag, generation, r));
        }
        b.flip();
        return NdArray.wrap(DType.INT64, new long[] {rows, WIDTH}, b);
    }

    /** @return the check value of a row (a SplitMix64 finalizer over the three fields) */
    static long check(long tag, long generation, long row) {
        long z = tag * 0x9E3779B97F4A7C15L + generation * 0xBF58476D1CE4E5B9L + row + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Checks every row of a read result and hands each decoded row to {@code seen}.
     *
     * @param what the array and the read path, for messages
     * @param a what a read returned
     * @param seen receives (tag, generation, row) of each row
     * @return {@code null} when every row is whole, else what is wrong with the first bad row
     */
    static String check(String what, NdArray a, RowSink seen) {
        if (a.dtype() != DType.INT64 || a.shape().length != 2 || a.shape()[1] != WIDTH) {
            return what + ": dtype " + a.dtype() + " shape " + java.util.Arrays.toString(a.shape())
                    + " was never written";
        }
        ByteBuffer b = a.buffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        for (long r = 0; r < a.rows(); r++) {
            int p = base + (int) r * ROW_BYTES;
            long tag = b.getLong(p);
            long gen = b.getLong(p + 8);
            long row = b.getLong(p + 16);
            long chk = b.getLong(p + 24);
            if (chk != check(tag, gen, row)) {
                return what + ": row " + r + " holds (" + tag + ", " + gen + ", " + row + ", " + chk
                        + "), bytes no write produced";
            }
            String bad = seen.accept(tag, gen, row);
            if (bad != null) {
                return what + ": row " + r + ": " + bad;
            }
        }
        return null;
    }

    /** Receives the decoded rows of a read. */
    interface RowSink {
        /** @return {@code null}, or why this row cannot have been written */
        String accept(long tag, long generation, long row);
    }
}
