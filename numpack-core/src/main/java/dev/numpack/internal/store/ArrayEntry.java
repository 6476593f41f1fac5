package dev.numpack.internal.store;

import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.internal.format.DeletionBitmap;
import dev.numpack.internal.format.SegmentManifest;
import java.nio.file.Path;

/**
 * One array as committed: its metadata record, its segment manifest if segmented, its deletion bitmap
 * if rows were deleted. Immutable; a change makes a new entry.
 */
public final class ArrayEntry {
    private final ArrayRecord record;
    private final SegmentManifest manifest;
    private final DeletionBitmap bitmap;
    private final String problem;
    private final String problemDetail; // the problem without the store and array it names

    /**
     * @param record the metadata record
     * @param manifest the segment manifest, or {@code null} for a plain data file
     * @param bitmap the deletion bitmap, or {@code null} when no row is deleted
     */
    public ArrayEntry(ArrayRecord record, SegmentManifest manifest, DeletionBitmap bitmap) {
        this(record, manifest, bitmap, null, null);
    }

    private ArrayEntry(ArrayRecord record, SegmentManifest manifest, DeletionBitmap bitmap, String problem,
            String problemDetail) {
        this.record = record;
        this.manifest = manifest;
        this.bitmap = bitmap;
        this.problem = problem;
        this.problemDetail = problemDetail;
    }

    /**
     * An array whose files are damaged. It stays listed (and its record is written back unchanged) so
     * that one bad array does not make the rest of the store unreadable; reading it raises the problem.
     *
     * @param record its metadata record
     * @param damage what is wrong, as found when the array's files were read or mapped
     * @return the entry
     */
    public static ArrayEntry broken(ArrayRecord record, CorruptStoreException damage) {
        String full = damage.getMessage();
        // the message as the exception would read without a problem: what it prefixes to every problem
        String names = new CorruptStoreException(damage.store(), damage.array(), "").getMessage();
        String detail = full.startsWith(names) ? full.substring(names.length()) : full;
        return new ArrayEntry(record, null, null, full, detail);
    }

    /**
     * The entry of an array that is to be read or written: there, and with readable files.
     *
     * @param store the store directory, for the error
     * @param name the array asked for
     * @param entry its entry, or {@code null} when the store has no such array
     * @return {@code entry}
     * @throws ArrayNotFoundException if {@code entry} is {@code null}
     * @throws CorruptStoreException naming the store and the array, if its files are damaged
     */
    public static ArrayEntry requireReadable(Path store, String name, ArrayEntry entry) {
        if (entry == null) {
            throw new ArrayNotFoundException(store, name);
        }
        if (entry.problem != null) {
            throw new CorruptStoreException(store, name, entry.problemDetail);
        }
        return entry;
    }

    /** @return what is wrong with this array's files, or {@code null} when it is readable */
    public String problem() {
        return problem;
    }

    /** @return the metadata record */
    public ArrayRecord record() {
        return record;
    }

    /** @return the name */
    public String name() {
        return record.name();
    }

    /** @return the segment manifest, or {@code null} */
    public SegmentManifest manifest() {
        return manifest;
    }

    /** @return the deletion bitmap, or {@code null} */
    public DeletionBitmap bitmap() {
        return bitmap;
    }

    /** @return physical rows */
    public long physicalRows() {
        return record.physicalRows();
    }

    /** @return live rows */
    public long logicalRows() {
        return bitmap == null ? record.physicalRows() : bitmap.liveRows();
    }

    /** @return the shape with live rows as first dimension */
    public long[] logicalShape() {
        long[] s = record.shape();
        if (s.length > 0) {
            s[0] = logicalRows();
        }
        return s;
    }

    /**
     * @param logical an index among live rows
     * @return the physical row
     */
    public long physicalRow(long logical) {
        return bitmap == null ? logical : bitmap.physicalRow(logical);
    }
}
