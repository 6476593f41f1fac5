package dev.numpack.internal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The deletion bitmap of one array ({@code deleted_<name>.npkb}): bit {@code row % 64} of word
 * {@code row / 64} is 1 for a live row and 0 for a deleted one; bits past the last row are 0.
 *
 * <p>Instances are immutable: {@link #withDeleted} and {@link #extendedBy} return new bitmaps, so a
 * snapshot handed to a reader never changes under it. {@link #physicalRow} maps a logical index (one
 * that counts live rows only) to a physical one in O(log n) through a rank directory built on first
 * use.
 */
public final class DeletionBitmap {
    private static final int HEADER_BYTES = 16;

    private final long totalRows;
    private final long[] words;
    private final long liveRows;
    private volatile long[] rankBefore; // rankBefore[w] = live rows in words [0, w)

    private DeletionBitmap(long totalRows, long[] words) {
        this.totalRows = totalRows;
        this.words = words;
        long live = 0;
        for (long w : words) {
            live += Long.bitCount(w);
        }
        this.liveRows = live;
    }

    /**
     * @param totalRows physical rows
     * @return a bitmap in which every row is live
     */
    public static DeletionBitmap allLive(long totalRows) {
        long[] w = new long[wordCount(totalRows)];
        Arrays.fill(w, -1L);
        clearTail(w, totalRows);
        return new DeletionBitmap(totalRows, w);
    }

    /** @return physical rows, live and deleted */
    public long totalRows() {
        return totalRows;
    }

    /** @return live rows */
    public long liveRows() {
        return liveRows;
    }

    /** @return deleted rows */
    public long deletedRows() {
        return totalRows - liveRows;
    }

    /**
     * @param physicalRow a physical row
     * @return whether it is live
     */
    public boolean isLive(long physicalRow) {
        return (words[(int) (physicalRow >>> 6)] & (1L << (physicalRow & 63))) != 0;
    }

    /**
     * @param logicalRow an index among live rows, in [0, liveRows)
     * @return its physical row
     */
    public long physicalRow(long logicalRow) {
        if (logicalRow < 0 || logicalRow >= liveRows) {
            throw new IndexOutOfBoundsException("logical row " + logicalRow + " of " + liveRows);
        }
        long[] rank = rankDirectory();
        // last word whose rankBefore <= logicalRow
        int lo = 0;
        int hi = words.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (rank[mid] <= logicalRow) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        long w = words[lo];
        long k = logicalRow - rank[lo];
        for (long i = 0; i < k; i++) {
            w &= w - 1; // drop the lowest live bit k times
        }
        return ((long) lo << 6) + Long.numberOfTrailingZeros(w);
    }

    private long[] rankDirectory() {
        long[] r = rankBefore;
        if (r == null) {
            r = new long[words.length + 1];
            for (int i = 0; i < words.length; i++) {
                r[i + 1] = r[i] + Long.bitCount(words[i]);
            }
            rankBefore = r;
        }
        return r;
    }

    /**
     * @param physicalRows rows to mark deleted (already deleted ones are ignored)
     * @return the new bitmap
     */
    public DeletionBitmap withDeleted(long[] physicalRows) {
        long[] w = words.clone();
        for (long row : physicalRows) {
            if (row < 0 || row >= totalRows) {
                throw new IndexOutOfBoundsException("physical row " + row + " of " + totalRows);
            }
            w[(int) (row >>> 6)] &= ~(1L << (row & 63));
        }
        return new DeletionBitmap(totalRows, w);
    }

    /**
     * @param rows live rows appended at the end
     * @return the new bitmap
     */
    public DeletionBitmap extendedBy(long rows) {
        long total = totalRows + rows;
        long[] w = Arrays.copyOf(words, wordCount(total));
        for (long r = totalRows; r < total; r++) {
            w[(int) (r >>> 6)] |= 1L << (r & 63);
        }
        return new DeletionBitmap(total, w);
    }

    /** @return the file bytes in the current (headered) layout */
    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 8 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(totalRows).putLong(deletedRows());
        for (long w : words) {
            b.putLong(w);
        }
        return b.flip();
    }

    /**
     * Decodes either layout: the current one (u64 total rows, u64 deleted count, words) or the legacy one
     * (words only), told apart by size as upstream does.
     *
     * @param bytes the file's bytes
     * @param expectedRows the array's physical row count from the metadata
     * @return the bitmap
     * @throws FormatException if the size fits neither layout, the header disagrees with the metadata or
     *     with the words, or bits are set past the last row
     */
    public static DeletionBitmap decode(ByteBuffer bytes, long expectedRows) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = wordCount(expectedRows);
        long headered = HEADER_BYTES + 8L * n;
        long[] w = new long[n];
        if (b.remaining() == headered) {
            long total = b.getLong();
            long deleted = b.getLong();
            if (total != expectedRows) {
                throw new FormatException("bitmap counts " + total + " rows, metadata says " + expectedRows);
            }
            b.asLongBuffer().get(w);
            DeletionBitmap bm = check(new DeletionBitmap(expectedRows, w));
            if (bm.deletedRows() != deleted) {
                throw new FormatException("bitmap header says " + deleted + " deleted rows, its bits say "
                        + bm.deletedRows());
            }
            return bm;
        }
        if (b.remaining() == 8L * n) {
            b.asLongBuffer().get(w);
            return check(new DeletionBitmap(expectedRows, w));
        }
        throw new FormatException("bitmap of " + b.remaining() + " bytes fits neither layout for " + expectedRows
                + " rows (" + headered + " or " + 8L * n + " bytes)");
    }

    private static DeletionBitmap check(DeletionBitmap bm) {
        long[] w = bm.words.clone();
        clearTail(w, bm.totalRows);
        if (!Arrays.equals(w, bm.words)) {
            throw new FormatException("bitmap has bits set past its last row " + bm.totalRows);
        }
        return bm;
    }

    private static void clearTail(long[] w, long totalRows) {
        int rem = (int) (totalRows & 63);
        if (rem != 0) {
            w[w.length - 1] &= (1L << rem) - 1;
        }
    }

    private static int wordCount(long rows) {
        long n = (rows + 63) >>> 6;
        if (n > Integer.MAX_VALUE - 8) {
            throw new FormatException(rows + " rows is beyond what a bitmap can index");
        }
        return (int) n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeletionBitmap && ((DeletionBitmap) o).totalRows == totalRows
                && Arrays.equals(((DeletionBitmap) o).words, words);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(totalRows) * 31 + Arrays.hashCode(words);
    }
}
