package dev.numpack;

import dev.numpack.internal.RowChecks;

import dev.numpack.internal.store.RowSource;

import dev.numpack.internal.format.DeletionBitmap;
import dev.numpack.internal.store.ArrayData;
import dev.numpack.internal.store.ArrayEntry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A memory-mapped, read-only view of one array, opened in O(1): no data is read until asked for.
 *
 * <p>The view is a snapshot: it keeps the shape, deletion bitmap and mapped files of the moment it was
 * opened. A later save or compaction writes new files, so this view keeps reading the old content; rows
 * replaced in place (by {@code replace}, or by a batch commit that changed few rows of an array it kept the
 * shape of) show through, and appended rows are not part of the snapshot's row count. Row indices are
 * logical (deleted rows are skipped) and may be negative, counting from the end, as in NumPack.
 *
 * <p>{@link #gather(long[], ByteBuffer)} is the hot path for training: it copies arbitrary rows into a
 * caller-supplied buffer with no allocation. Views are safe to use from several threads.
 */
public final class LazyArray implements AutoCloseable {
    private final NumPack store;
    private final ArrayEntry entry;
    private final ArrayData data;
    private final long rowBytes;
    private final long rows;
    private final ByteBuffer single; // the one mapped chunk holding all rows, or null
    private volatile boolean closed;

    LazyArray(NumPack store, ArrayEntry entry, ArrayData data) {
        this.store = store;
        this.entry = entry;
        this.data = data;
        this.rowBytes = entry.record().rowBytes();
        this.rows = entry.logicalRows();
        this.single = data.single();
    }

    /** @return the array name */
    public String name() {
        return entry.name();
    }

    /** @return the element type */
    public DType dtype() {
        return entry.record().dtype();
    }

    /** @return the logical shape */
    public long[] shape() {
        return entry.logicalShape();
    }

    /** @return the live row count (1 for a 0-d array) */
    public long rows() {
        return rows;
    }

    /** @return bytes per row */
    public long rowBytes() {
        return rowBytes;
    }

    /**
     * Copies rows at arbitrary logical indices, in the given order, into {@code dst} at its position
     * (advancing it). {@code dst} may be heap or direct; its byte order does not matter, the bytes are
     * little-endian.
     *
     * @param indices logical row indices; negative ones count from the end
     * @param dst a writable buffer with room for {@code indices.length * rowBytes()} bytes
     * @throws InvalidArgumentException if an index is out of range, or {@code dst} is read-only or too small
     *     (then nothing is written)
     * @throws AlreadyClosedException if this view or its store is closed
     */
    public void gather(long[] indices, ByteBuffer dst) {
        ensureOpen();
        RowChecks.room(store.path(), name(), dst, indices.length, rowBytes);
        DeletionBitmap bm = entry.bitmap();
        ByteBuffer one = single;
        if (one != null) {
            // fast path: one mapping, absolute bulk copies, no per-row lookup of file or chunk
            int rb = (int) rowBytes;
            int p = dst.position();
            for (long idx : indices) {
                long i = normalize(idx);
                dst.put(p, one, (int) ((bm == null ? i : bm.physicalRow(i)) * rb), rb);
                p += rb;
            }
            dst.position(p);
            return;
        }
        for (long idx : indices) {
            long i = normalize(idx);
            data.copyRows(bm == null ? i : bm.physicalRow(i), 1, dst);
        }
    }

    /**
     * Copies rows to chosen places: row {@code indices[k]} goes to {@code dst} at byte
     * {@code dst.position() + slots[k] * rowBytes()}. The position of {@code dst} is not changed.
     *
     * <p>This lets a caller read a batch in file order (sorted indices, so the page cache and the disk's
     * read-ahead see ascending offsets) while placing each row where its batch order wants it.
     *
     * @param indices logical row indices; negative ones count from the end
     * @param slots the destination row of each index, in {@code [0, dst.remaining() / rowBytes())}
     * @param dst the destination buffer, heap or direct, writable; bytes are little-endian whatever its order
     * @throws InvalidArgumentException if an index or slot is out of range, the arrays differ in length or
     *     {@code dst} is read-only (then nothing is written)
     * @throws AlreadyClosedException if this view or its store is closed
     */
    public void gather(long[] indices, int[] slots, ByteBuffer dst) {
        ensureOpen();
        RowChecks.writable(store.path(), name(), dst);
        RowChecks.onePerIndex(store.path(), name(), indices.length, slots.length, "slots");
        long capacity = rowBytes == 0 ? Long.MAX_VALUE : dst.remaining() / rowBytes;
        DeletionBitmap bm = entry.bitmap();
        ByteBuffer one = single;
        int base = dst.position();
        int rb = (int) Math.min(rowBytes, Integer.MAX_VALUE);
        for (int k = 0; k < indices.length; k++) {
            int slot = slots[k];
            RowChecks.slot(store.path(), name(), slot, capacity);
            long i = normalize(indices[k]);
            long physical = bm == null ? i : bm.physicalRow(i);
            int at = base + (int) (slot * rowBytes);
            if (one != null) {
                dst.put(at, one, (int) (physical * rb), rb);
            } else {
                data.copyRows(physical, 1, dst.duplicate().position(at));
            }
        }
    }

    /**
     * @param indices logical row indices; negative ones count from the end
     * @return those rows as a new array of shape {@code (indices.length, ...)}
     * @throws InvalidArgumentException if an index is out of range, the array is 0-d, or the rows are more
     *     than the 2 GiB an {@link NdArray} holds
     * @throws AlreadyClosedException if this view or its store is closed
     */
    public NdArray gather(long... indices) {
        long[] shape = shapeWithRows(indices.length);
        ensureOpen();
        for (long idx : indices) {
            normalize(idx); // every index is checked before the result, which may be large, is allocated
        }
        ByteBuffer b = allocate(shape);
        gather(indices, b);
        return NdArray.adopt(dtype(), shape, b.clear());
    }

    /**
     * Copies {@code count} rows starting at logical row {@code start} into {@code dst} at its position.
     *
     * @param start first logical row (not negative)
     * @param count rows
     * @param dst a writable buffer with room for {@code count * rowBytes()} bytes
     * @throws InvalidArgumentException if the rows are out of range, or {@code dst} is read-only or too
     *     small (then nothing is written)
     * @throws AlreadyClosedException if this view or its store is closed
     */
    public void readRows(long start, long count, ByteBuffer dst) {
        ensureOpen();
        RowChecks.range(store.path(), name(), start, count, rows);
        RowChecks.room(store.path(), name(), dst, count, rowBytes);
        if (count == 0 || rowBytes == 0) {
            return; // nothing to copy: walking up to 2^63-1 zero-byte rows through the files would never end
        }
        copyLogical(entry, data, start, count, dst);
    }

    /** Bytes per piece that {@link #scanRows} passes on (whole rows; one row when a row is larger). */
    static final long SCAN_BYTES = 1L << 20;

    /**
     * Passes rows {@code [start, start + count)} to {@code reader}, in order, as read-only little-endian
     * buffers of whole rows, about 1 MiB each, without copying where it can: rows whose pages are in memory
     * come as a view of the mapping until the first piece that is not; that one and all after it are read
     * (with positional reads where the store keeps the file open, see {@link NumPack#openReadOnly}), as one
     * sequential stream the kernel reads ahead of, into one buffer reused for every piece. For one-pass reads of
     * data that need not be kept, such as checksums: a buffer is valid only during the call it is passed to.
     *
     * @param start first logical row (not negative)
     * @param count rows
     * @param reader takes each piece (its remaining bytes are whole rows)
     * @throws InvalidArgumentException if the rows are out of range or a row is over 1 GiB
     */
    public void scanRows(long start, long count, java.util.function.Consumer<ByteBuffer> reader) {
        ensureOpen();
        RowChecks.range(store.path(), name(), start, count, rows);
        if (rowBytes > (1L << 30)) {
            throw new InvalidArgumentException(store.path(), name(), "rows of " + rowBytes
                    + " bytes: over the 1 GiB a scanned piece holds");
        }
        if (count == 0 || rowBytes == 0) {
            return;
        }
        long per = Math.max(1, SCAN_BYTES / rowBytes);
        long most = Math.min(count, per + per / 2); // a piece, or a piece and a short last one merged
        ByteBuffer scratch = null;
        ScanSource source = new ScanSource(dev.numpack.internal.store.MappedFile::resident);
        for (long row = start, end = start + count, n; row < end; row += n) {
            n = Math.min(per, end - row);
            if (end - row - n < per / 2) {
                n = end - row; // no short last piece: read on its own it would come from the mapping, slowly when cold
            }
            ByteBuffer view = entry.bitmap() == null ? data.view(row, n) : null; // logical rows are physical here
            if (source.fromMapping(view)) {
                reader.accept(view.asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN));
                continue;
            }
            if (scratch == null) {
                scratch = ByteBuffer.allocateDirect((int) (most * rowBytes)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            }
            scratch.clear();
            copyLogical(entry, data, row, n, scratch);
            reader.accept(scratch.flip().asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN));
        }
    }

    /**
     * @param start first logical row (not negative)
     * @param count rows
     * @return rows {@code start} to {@code start + count - 1} as a new array
     * @throws InvalidArgumentException if the rows are out of range, the array is 0-d, or they are more than
     *     the 2 GiB an {@link NdArray} holds
     * @throws AlreadyClosedException if this view or its store is closed
     */
    public NdArray readRows(long start, long count) {
        ensureOpen();
        RowChecks.range(store.path(), name(), start, count, rows);
        long[] shape = shapeWithRows(count);
        ByteBuffer b = allocate(shape);
        readRows(start, count, b);
        return NdArray.adopt(dtype(), shape, b.clear());
    }

    /**
     * Reads the whole array (its logical rows) into memory. An array that fits the 2 GiB limit but not the
     * JVM's free memory fails with the JVM's {@link OutOfMemoryError}: read such arrays in ranges.
     *
     * @return the array
     * @throws InvalidArgumentException naming the store, the array and the bytes needed, if the array is
     *     more than the 2 GiB an {@link NdArray} holds
     * @throws OutOfMemoryError naming the store, the array and the bytes needed, if the JVM has no room for
     *     them (a valid array may be larger than the memory the JVM was given)
     * @throws AlreadyClosedException if this view or its store is closed
     */
    public NdArray load() {
        ensureOpen();
        long[] shape = shape();
        ByteBuffer b = allocate(shape);
        readRows(0, rows, b);
        return NdArray.adopt(dtype(), shape, b.clear());
    }

    /**
     * @return a buffer for rows of this array in that shape, refused with this store and array named; not zeroed
     *     first, since {@code readRows} and {@code gather} fill it whole
     */
    private ByteBuffer allocate(long[] shape) {
        return NdArray.allocateToOverwrite(store.path(), name(), dtype(), shape);
    }

    /** @return the store this view reads from, for messages */
    Path storePath() {
        return store.path();
    }

    /** Releases this view; later use throws {@link AlreadyClosedException}. */
    @Override
    public void close() {
        closed = true;
    }

    private long[] shapeWithRows(long n) {
        long[] s = entry.record().shape();
        if (s.length == 0) {
            throw new InvalidArgumentException(store.path(), name(), "a 0-d array has no rows to index");
        }
        s[0] = n;
        return s;
    }

    private long normalize(long idx) {
        return RowChecks.index(store.path(), name(), idx, rows);
    }

    private void ensureOpen() {
        if (closed) {
            throw new AlreadyClosedException(store.path(), name(), "lazy view");
        }
        store.ensureOpen();
    }

    /** Copies logical rows, walking the deletion bitmap in runs of live rows. */
    static void copyLogical(ArrayEntry entry, ArrayData data, long start, long count, ByteBuffer dst) {
        DeletionBitmap bm = entry.bitmap();
        if (bm == null) {
            data.copyRows(start, count, dst);
            return;
        }
        if (count == 0) {
            return;
        }
        long p = bm.physicalRow(start);
        long left = count;
        while (left > 0) {
            if (!bm.isLive(p)) {
                p++;
                continue;
            }
            long run = 1;
            while (run < left && p + run < bm.totalRows() && bm.isLive(p + run)) {
                run++;
            }
            data.copyRows(p, run, dst);
            p += run;
            left -= run;
        }
    }

    /** @return rows of this view as a source for writes */
    static RowSource source(ArrayEntry entry, ArrayData data) {
        long rb = entry.record().rowBytes();
        long n = entry.logicalRows();
        return new RowSource() {
            @Override
            public long rows() {
                return n;
            }

            @Override
            public long rowBytes() {
                return rb;
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                copyLogical(entry, data, first, count, dst);
            }
        };
    }

    @Override
    public String toString() {
        return "LazyArray(" + store.path() + ", " + name() + ", " + dtype().numpyName() + Arrays.toString(shape()) + ")";
    }
}
