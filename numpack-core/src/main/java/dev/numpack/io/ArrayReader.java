package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPackException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reads one array from a file that is not a store: a {@code .npy} file ({@link NpyReader}), a member of an
 * {@code .npz} archive ({@link NpzReader#member}) or an IDX file ({@link IdxReader}). Whatever the file's
 * layout, rows come out as NumPack stores them: little-endian, C order, a range at a time so that arrays
 * larger than memory can be read.
 *
 * <pre>{@code
 * try (ArrayReader r = IdxReader.open(Path.of("train-images-idx3-ubyte.gz"))) {
 *     ByteBuffer batch = ByteBuffer.allocateDirect(64 * (int) r.rowBytes());
 *     r.readRows(0, 64, batch);
 * }
 * }</pre>
 */
public interface ArrayReader extends AutoCloseable {
    /** @return the file this reader reads (the archive, for an {@code .npz} member) */
    Path file();

    /** @return the element type */
    DType dtype();

    /** @return a copy of the shape, empty for a 0-d array */
    long[] shape();

    /** @return the number of rows: the first dimension, or 1 for a 0-d array (one row of one element) */
    long rows();

    /** @return the bytes of one row: the item size times all but the first dimension */
    long rowBytes();

    /**
     * Reads rows as little-endian, C-order bytes. Reads of a compressed source are cheapest in order: going
     * back decompresses again from the start.
     *
     * @param start the first row
     * @param count the number of rows
     * @param dst receives {@code count * rowBytes()} bytes from its position, which is advanced past them
     * @throws InvalidArgumentException if the rows are out of range or {@code dst} is read-only or too small
     * @throws CorruptStoreException if the file is damaged (shorter than it says, a checksum or compressed
     *     stream that does not match)
     * @throws AlreadyClosedException if the reader is closed
     * @throws NumPackException if the file cannot be read
     */
    void readRows(long start, long count, ByteBuffer dst);

    /**
     * Reads all elements into memory.
     *
     * @return the array, little-endian and in C order
     * @throws InvalidArgumentException if the data exceeds the 2 GiB an {@link NdArray} can hold
     * @throws CorruptStoreException if the file is damaged
     * @throws AlreadyClosedException if the reader is closed
     * @throws NumPackException if the file cannot be read
     */
    NdArray load();

    /**
     * Releases the file (for an {@code .npz} member: its decompression state). Closing twice has no effect.
     *
     * @throws NumPackException if closing fails
     */
    @Override
    void close();
}
