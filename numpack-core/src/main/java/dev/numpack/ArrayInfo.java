package dev.numpack;

import dev.numpack.internal.store.ArrayEntry;
import java.time.Instant;
import java.util.Arrays;

/** What the store records about one array: dtype, logical and physical shape, deleted rows, files. */
public final class ArrayInfo {
    private final ArrayEntry entry;

    ArrayInfo(ArrayEntry entry) {
        this.entry = entry;
    }

    /** @return the array name */
    public String name() {
        return entry.name();
    }

    /** @return the element type */
    public DType dtype() {
        return entry.record().dtype();
    }

    /** @return the logical shape: the first dimension counts live rows only */
    public long[] shape() {
        return entry.logicalShape();
    }

    /** @return the physical shape: the first dimension counts deleted rows too */
    public long[] physicalShape() {
        return entry.record().shape();
    }

    /** @return live rows (1 for a 0-d array) */
    public long rows() {
        return entry.logicalRows();
    }

    /** @return rows deleted logically and not yet compacted away */
    public long deletedRows() {
        return entry.physicalRows() - entry.logicalRows();
    }

    /** @return bytes of the data on disk, deleted rows included */
    public long byteSize() {
        return entry.record().sizeBytes();
    }

    /**
     * @return when the array's record last changed: save, append, delete or compaction (rows replaced in
     *     place leave the record, and this time, as they were)
     */
    public Instant lastModified() {
        long us = entry.record().lastModifiedMicros();
        return Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1000);
    }

    /** @return whether the data is split into segment files */
    public boolean segmented() {
        return entry.manifest() != null;
    }

    /** @return the number of data files (1, or the number of segments) */
    public int dataFiles() {
        return entry.manifest() == null ? 1 : entry.manifest().segments().size();
    }

    /** @return what is wrong with this array's files (it cannot be read), or {@code null} */
    public String problem() {
        return entry.problem();
    }

    @Override
    public String toString() {
        return name() + ": " + dtype().numpyName() + Arrays.toString(shape())
                + (deletedRows() > 0 ? " (" + deletedRows() + " deleted)" : "");
    }
}
