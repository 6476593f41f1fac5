package dev.numpack.internal.store;

import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.internal.format.DeletionBitmap;
import dev.numpack.internal.format.SegmentManifest;

/**
 * One array as committed: its metadata record, its segment manifest if segmented, its deletion bitmap
 * if rows were deleted. Immutable; a change makes a new entry.
 */
public final class ArrayEntry {
    private final ArrayRecord record;
    private final SegmentManifest manifest;
    private final DeletionBitmap bitmap;
    private final String problem;

    /**
     * @param record the metadata record
     * @param manifest the segment manifest, or {@code null} for a plain data file
     * @param bitmap the deletion bitmap, or {@code null} when no row is deleted
     */
    public ArrayEntry(ArrayRecord record, SegmentManifest manifest, DeletionBitmap bitmap) {
        this(record, manifest, bitmap, null);
    }

    private ArrayEntry(ArrayRecord record, SegmentManifest manifest, DeletionBitmap bitmap, String problem) {
        this.record = record;
        this.manifest = manifest;
        this.bitmap = bitmap;
        this.problem = problem;
    }

    /**
     * An array whose files are damaged. It stays listed (and its record is written back unchanged) so
     * that one bad array does not make the rest of the store unreadable; reading it raises the problem.
     *
     * @param record its metadata record
     * @param problem what is wrong
     * @return the entry
     */
    public static ArrayEntry broken(ArrayRecord record, String problem) {
        return new ArrayEntry(record, null, null, problem);
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
