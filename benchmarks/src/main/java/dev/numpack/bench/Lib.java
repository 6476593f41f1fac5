package dev.numpack.bench;

import dev.numpack.Durability;
import dev.numpack.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * One way of storing the benchmark array: numpack-java, or a baseline that moves the same bytes with
 * plain {@code java.nio}. Every implementation implements every benchmarked operation (the methods are
 * abstract), so no combination of {@code lib} and benchmark can be skipped or silently do nothing; an
 * unknown {@code lib} name fails the trial in {@link #create}.
 *
 * <p>The array is {@code rows x 10} float32, little-endian, C order. Baselines keep it as a raw file
 * with no header.
 */
abstract class Lib implements AutoCloseable {
    /** Every accepted {@code lib} parameter value. */
    static final List<String> NAMES = List.of(
            "numpack", "numpack-nofsync",
            "filechannel", "filechannel-fsync",
            "mmap", "mmap-fsync");

    /**
     * @param name a {@link #NAMES} value
     * @param dir an empty scratch directory the implementation owns
     * @param initial the array to start from
     * @return the implementation, holding {@code initial} on disk
     * @throws IllegalArgumentException for an unknown name
     */
    static Lib create(String name, Path dir, NdArray initial) throws IOException {
        switch (name) {
            case "numpack":
                return new NumPackLib(dir, initial, Durability.FSYNC);
            case "numpack-nofsync":
                return new NumPackLib(dir, initial, Durability.NO_FSYNC);
            case "filechannel":
                return new FileChannelLib(dir, initial, false);
            case "filechannel-fsync":
                return new FileChannelLib(dir, initial, true);
            case "mmap":
                return new MmapLib(dir, initial, false);
            case "mmap-fsync":
                return new MmapLib(dir, initial, true);
            default:
                throw new IllegalArgumentException("unknown lib '" + name + "', expected one of " + NAMES);
        }
    }

    /** @return the whole array in a newly allocated direct buffer, position 0, limit = its bytes */
    abstract ByteBuffer fullLoad() throws IOException;

    /**
     * Opens the array for lazy (mapped) access and closes it again, reading no data.
     *
     * @return something derived from the open view, for the blackhole
     */
    abstract long lazyOpen() throws IOException;

    /**
     * Overwrites rows in place.
     *
     * @param indices distinct row indices, in any order
     * @param rows one row per index, in index order
     */
    abstract void replace(long[] indices, NdArray rows) throws IOException;

    /** @param rows rows appended at the end */
    abstract void append(NdArray rows) throws IOException;

    /** Drops every appended row, back to the initial row count (untimed; between iterations). */
    abstract void truncateToInitial() throws IOException;

    /**
     * Copies rows at arbitrary indices into {@code dst} at its position, advancing it.
     *
     * @param indices row indices
     * @param dst a buffer with room for the rows
     */
    abstract void gather(long[] indices, ByteBuffer dst) throws IOException;

    /** @param whole the array written over the existing one, atomically (new file, then rename) */
    abstract void save(NdArray whole) throws IOException;

    @Override
    public abstract void close() throws IOException;
}
