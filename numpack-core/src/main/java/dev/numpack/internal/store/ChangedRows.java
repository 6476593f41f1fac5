package dev.numpack.internal.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Finds the rows of an array that differ from its committed data. A batch commit of an array whose dtype and
 * shape did not change then rewrites only those rows, in place and redo-logged as {@code NumPack.replace}
 * does, instead of writing the whole array to a new file: 100 changes to 10 rows of 40 bytes in a 40 MB array
 * commit 400 bytes (and their journal records). Comparing costs one read of both copies, far less than writing and syncing the whole array.
 */
public final class ChangedRows {
    /**
     * Most bytes one commit rewrites in place, over all its arrays, counting {@link #ROW_OVERHEAD} per row: the
     * rows travel in the redo journal, which is held in memory and read back whole by recovery.
     */
    public static final long MAX_IN_PLACE_BYTES = 64L << 20;
    /** What a changed row costs in the journal beyond its bytes (its action and buffer), counted generously. */
    public static final long ROW_OVERHEAD = 64;
    /** Bytes compared at a time: equal blocks are skipped with one vectorised comparison. */
    private static final int BLOCK = 256 << 10;

    private ChangedRows() {
    }

    /**
     * @param committed the committed rows (physical = logical: no deleted rows)
     * @param now the rows to commit, as many and as wide as {@code committed}
     * @param budgetBytes what the commit may still write in place, rows and {@link #ROW_OVERHEAD} counted
     * @return the ascending indices of the rows that differ, or {@code null} when more than a quarter of the
     *     array's rows differ or the rows would exceed the budget (then a new file is the better write)
     */
    public static long[] find(ArrayData committed, RowSource now, long budgetBytes) {
        long rows = now.rows();
        long rb = now.rowBytes();
        if (rb <= 0 || rb > Integer.MAX_VALUE / 4 || rows == 0) {
            return null;
        }
        long budgetRows = Math.min(rows / 4, Math.max(0, budgetBytes) / (rb + ROW_OVERHEAD));
        int blockRows = (int) Math.max(1, BLOCK / rb);
        ByteBuffer scratchA = null;
        ByteBuffer scratchB = null;
        long[] out = new long[16];
        int found = 0;
        for (long first = 0; first < rows; first += blockRows) {
            int n = (int) Math.min(blockRows, rows - first);
            ByteBuffer a = committed.view(first, n);
            if (a == null) {
                scratchA = scratchA != null ? scratchA.clear() : direct(blockRows * rb);
                committed.copyRows(first, n, scratchA);
                a = scratchA.flip();
            }
            ByteBuffer b = now.view(first, n);
            if (b == null) {
                scratchB = scratchB != null ? scratchB.clear() : direct(blockRows * rb);
                now.copy(first, n, scratchB);
                b = scratchB.flip();
            }
            int from = 0;
            int end = (int) (n * rb);
            while (from < end) {
                int m = a.slice(from, end - from).mismatch(b.slice(from, end - from));
                if (m < 0) {
                    break;
                }
                long row = (from + m) / rb;
                if (found == out.length) {
                    out = Arrays.copyOf(out, found * 2);
                }
                out[found++] = first + row;
                if (found > budgetRows) {
                    return null;
                }
                from = (int) ((row + 1) * rb);
            }
        }
        return Arrays.copyOf(out, found);
    }

    /** @return rows {@code picked[i]} of {@code all}, as a source whose row {@code i} is that row */
    public static RowSource picked(RowSource all, long[] picked) {
        return new RowSource() {
            @Override
            public long rows() {
                return picked.length;
            }

            @Override
            public long rowBytes() {
                return all.rowBytes();
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                for (long i = first; i < first + count; i++) {
                    all.copy(picked[(int) i], 1, dst);
                }
            }
        };
    }

    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
