package dev.numpack;

import dev.numpack.internal.RowChecks;

import dev.numpack.internal.store.RowSource;

import dev.numpack.internal.store.ArrayData;
import dev.numpack.internal.store.ArrayEntry;
import java.nio.ByteBuffer;

/**
 * An array opened in a {@link WritableBatchMode}: its data mapped copy-on-write, to be read and changed in
 * place with no copy. Changes reach the store only when the batch commits.
 */
public final class WritableArray {
    private final WritableBatchMode batch;
    private final ArrayEntry entry;
    private final ArrayData data;

    WritableArray(WritableBatchMode batch, ArrayEntry entry, ArrayData data) {
        this.batch = batch;
        this.entry = entry;
        this.data = data;
    }

    /** @return the array name */
    public String name() {
        return entry.name();
    }

    /** @return the element type */
    public DType dtype() {
        return entry.record().dtype();
    }

    /** @return the shape */
    public long[] shape() {
        return entry.record().shape();
    }

    /** @return rows */
    public long rows() {
        return entry.physicalRows();
    }

    /** @return bytes per row */
    public long rowBytes() {
        return entry.record().rowBytes();
    }

    /**
     * The whole array as one writable, little-endian buffer over the mapping (zero-copy).
     *
     * @return the buffer
     * @throws InvalidArgumentException if the array spans several chunks (over 1 GiB, or segmented): use
     *     {@link #chunkCount()} and {@link #chunk(int)}
     */
    public ByteBuffer buffer() {
        batch.ensureOpen();
        if (chunkCount() != 1) {
            throw new InvalidArgumentException(batch.storePath(), name(), "the array spans " + chunkCount()
                    + " mapped chunks; use chunk(i)");
        }
        return chunk(0);
    }

    /** @return how many mapped chunks hold the array (each holds whole rows) */
    public int chunkCount() {
        int n = 0;
        for (var f : data.files()) {
            n += f.chunkCount();
        }
        return n;
    }

    /**
     * @param i chunk index, in row order
     * @return a writable little-endian view of chunk {@code i} (whole rows)
     */
    public ByteBuffer chunk(int i) {
        batch.ensureOpen();
        if (i < 0) {
            throw new InvalidArgumentException(batch.storePath(), name(), "chunk " + i + " of " + chunkCount());
        }
        int k = i;
        for (var f : data.files()) {
            if (k < f.chunkCount()) {
                return f.chunk(k);
            }
            k -= f.chunkCount();
        }
        throw new InvalidArgumentException(batch.storePath(), name(), "chunk " + i + " of " + chunkCount());
    }

    /**
     * @param start first row
     * @param count rows
     * @param dst destination at its position
     */
    public void readRows(long start, long count, ByteBuffer dst) {
        batch.ensureOpen();
        RowChecks.range(batch.storePath(), name(), start, count, rows());
        RowChecks.room(batch.storePath(), name(), dst, count, rowBytes());
        data.copyRows(start, count, dst);
    }

    /**
     * @param start first row
     * @param count rows
     * @param src source at its position, {@code count * rowBytes()} bytes
     */
    public void writeRows(long start, long count, ByteBuffer src) {
        batch.ensureOpen();
        checkRange(start, count, src);
        data.putRows(start, count, src);
    }

    private void checkRange(long start, long count, ByteBuffer buf) {
        RowChecks.range(batch.storePath(), name(), start, count, rows());
        RowChecks.holds(batch.storePath(), name(), buf, count, rowBytes());
    }

    ArrayEntry entry() {
        return entry;
    }

    RowSource source() {
        return new RowSource() {
            @Override
            public long rows() {
                return entry.physicalRows();
            }

            @Override
            public long rowBytes() {
                return entry.record().rowBytes();
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                data.copyRows(first, count, dst);
            }

            @Override
            public ByteBuffer view(long first, long count) {
                return data.view(first, count);
            }
        };
    }
}
