package dev.numpack.internal.store;

import dev.numpack.internal.format.SegmentManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The mapped bytes of one array: one {@link MappedFile} for a plain data file, one per segment for a
 * segmented array. Addresses physical rows; logical-to-physical mapping is the caller's.
 */
public final class ArrayData {
    private final long rowBytes;
    private final MappedFile[] files;
    private final long[] firstRow; // firstRow[i] = physical row where files[i] starts; one extra at the end

    private ArrayData(long rowBytes, MappedFile[] files, long[] firstRow) {
        this.rowBytes = rowBytes;
        this.files = files;
        this.firstRow = firstRow;
    }

    /**
     * Maps an array's data.
     *
     * @param layout the store
     * @param entry the array
     * @param mode {@code READ_ONLY} or {@code PRIVATE} (copy-on-write)
     * @return the mapping
     * @throws IOException if a file is missing or short
     */
    public static ArrayData map(StoreLayout layout, ArrayEntry entry, FileChannel.MapMode mode) throws IOException {
        return map(layout, entry, mode, 0);
    }

    /**
     * Maps an array's data, keeping the channels of up to {@code readers} of its large files open for
     * positional reads (see {@link MappedFile}); the caller closes them with {@link #closeReaders()}.
     *
     * @param layout the store
     * @param entry the array
     * @param mode {@code READ_ONLY} or {@code PRIVATE} (copy-on-write)
     * @param readers most channels to keep open (0 for none)
     * @return the mapping
     * @throws IOException if a file is missing or short
     */
    public static ArrayData map(StoreLayout layout, ArrayEntry entry, FileChannel.MapMode mode, int readers)
            throws IOException {
        long rb = entry.record().rowBytes();
        String name = entry.name();
        List<MappedFile> files = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        long row = 0;
        long chunk = MappedFile.chunkFor(rb);
        if (entry.manifest() == null) {
            files.add(MappedFile.map(layout.resolve(entry.record().dataFile(), name), entry.record().sizeBytes(), mode,
                    chunk, readers > 0));
            starts.add(0L);
            row = entry.physicalRows();
        } else {
            for (SegmentManifest.Segment s : entry.manifest().segments()) {
                if (s.rows() == 0) {
                    continue;
                }
                long kept = files.stream().filter(MappedFile::hasReader).count();
                try {
                    files.add(MappedFile.map(layout.resolve(s.file(), name), s.bytes(), mode, chunk, kept < readers));
                } catch (IOException | RuntimeException e) {
                    files.forEach(MappedFile::closeReader);
                    throw e;
                }
                starts.add(row);
                row += s.rows();
            }
        }
        long[] first = new long[files.size() + 1];
        for (int i = 0; i < starts.size(); i++) {
            first[i] = starts.get(i);
        }
        first[files.size()] = row;
        return new ArrayData(rb, files.toArray(new MappedFile[0]), first);
    }

    /**
     * @return the whole array as one mapped buffer when it lies in a single file chunk (the common case,
     *     under 1 GiB), for a per-row fast path; otherwise {@code null}
     */
    public ByteBuffer single() {
        return files.length == 1 && files[0].chunkCount() == 1 ? files[0].chunk(0) : null;
    }

    /** @return how many of its files keep a channel open for positional reads */
    public int readers() {
        int n = 0;
        for (MappedFile f : files) {
            n += f.hasReader() ? 1 : 0;
        }
        return n;
    }

    /** Closes the channels kept for positional reads; the mappings stay valid. */
    public void closeReaders() {
        for (MappedFile f : files) {
            f.closeReader();
        }
    }

    /** @return bytes per row */
    public long rowBytes() {
        return rowBytes;
    }

    /** @return the mapped files in row order */
    public MappedFile[] files() {
        return files.clone();
    }

    /**
     * Copies physical rows into {@code dst} at its position, advancing it.
     *
     * @param first first physical row
     * @param count rows
     * @param dst destination with room for {@code count * rowBytes}
     */
    public void copyRows(long first, long count, ByteBuffer dst) {
        forEachFile(first, count, (f, offset, bytes) -> f.copyTo(offset, bytes, dst));
    }

    /**
     * @param first first physical row
     * @param count rows
     * @return the rows' bytes without a copy when they lie in one file chunk, else {@code null}
     */
    public ByteBuffer view(long first, long count) {
        if (count <= 0) {
            return null;
        }
        int f = fileOf(first);
        if (first + count > firstRow[f + 1]) {
            return null;
        }
        return files[f].view((first - firstRow[f]) * rowBytes, count * rowBytes);
    }

    /**
     * Writes rows into a {@code PRIVATE} mapping (never reaches the files).
     *
     * @param first first physical row
     * @param count rows
     * @param src source at its position, advanced
     */
    public void putRows(long first, long count, ByteBuffer src) {
        forEachFile(first, count, (f, offset, bytes) -> f.copyFrom(offset, bytes, src));
    }

    /** A run of rows inside one file: the file, the byte offset in it, the byte length. */
    private interface Run {
        void accept(MappedFile file, long offset, long bytes);
    }

    /** Splits rows {@code [first, first + count)} at file (segment) boundaries, in order. */
    private void forEachFile(long first, long count, Run run) {
        long row = first;
        long left = count;
        int f = fileOf(row);
        while (left > 0) {
            long inFile = Math.min(left, firstRow[f + 1] - row);
            run.accept(files[f], (row - firstRow[f]) * rowBytes, inFile * rowBytes);
            row += inFile;
            left -= inFile;
            f++;
        }
    }

    private int fileOf(long row) {
        int lo = 0;
        int hi = files.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (firstRow[mid] <= row) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
