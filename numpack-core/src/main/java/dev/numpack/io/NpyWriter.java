package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPackException;
import dev.numpack.StoreIOException;
import dev.numpack.StoreStateException;

import dev.numpack.DType;
import dev.numpack.internal.format.NpyHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a NumPy {@code .npy} file (format 1.0, little-endian, C order: the file {@code numpy.save}
 * would write) atomically: the data goes to a temporary file beside the target, and {@link #commit()}
 * syncs it and renames it onto the target. Until then the target is untouched; {@link #close()} without
 * a commit deletes the temporary file.
 *
 * <pre>{@code
 * try (NpyWriter w = NpyWriter.create(Path.of("x.npy"), DType.FLOAT32, new long[] {1000, 128})) {
 *     for (ByteBuffer chunk : chunks) {
 *         w.write(chunk);               // little-endian, C-order rows
 *     }
 *     w.commit();
 * }
 * }</pre>
 *
 * <p>A writer is meant for one thread. A failed write abandons it: the temporary file is deleted.
 */
public final class NpyWriter implements AutoCloseable {
    private final Path target;
    private final AtomicFile file;
    private final DType dtype;
    private final long[] shape;
    private final long dataBytes;
    private long written;

    private NpyWriter(AtomicFile file, DType dtype, long[] shape, long dataBytes) {
        this.target = file.target();
        this.file = file;
        this.dtype = dtype;
        this.shape = shape;
        this.dataBytes = dataBytes;
    }

    /**
     * Starts a file: creates {@code <target>.tmp-<random>} beside the target and writes the header.
     *
     * @param target the file to create or replace on {@link #commit()}
     * @param dtype the element type
     * @param shape the shape, empty for a 0-d array
     * @return the writer, expecting {@code product(shape) * dtype.itemSize()} data bytes
     * @throws InvalidArgumentException if a dimension is negative, the size overflows or the shape has so
     *     many dimensions that the header would exceed {@link NpyHeader#MAX_HEADER_BYTES}
     * @throws StoreIOException if the temporary file cannot be created
     */
    public static NpyWriter create(Path target, DType dtype, long[] shape) {
        long[] s = shape.clone();
        ByteBuffer header;
        try {
            header = NpyHeader.encode(dtype, s); // validates the shape as a reader will
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(target, null, e.getMessage(), e);
        }
        long dataBytes = dtype.itemSize();
        for (long d : s) {
            dataBytes *= d; // cannot overflow: encode checked the product of the nonzero dimensions
        }
        NpyWriter w = new NpyWriter(AtomicFile.create(target, ".npy"), dtype, s, dataBytes);
        try {
            w.file.write(header);
        } catch (IOException e) {
            throw w.file.abandon("cannot write .npy header", e);
        }
        return w;
    }

    /**
     * Writes an array to a file atomically: {@link #create}, {@link #write(ByteBuffer)}, {@link #commit()}.
     *
     * @param target the file to create or replace
     * @param array the array
     * @throws StoreIOException if the file cannot be written
     */
    public static void write(Path target, NdArray array) {
        try (NpyWriter w = create(target, array.dtype(), array.shape())) {
            w.write(array.buffer());
            w.commit();
        }
    }

    /** @return the file this writer creates or replaces on commit */
    public Path target() {
        return target;
    }

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /** @return a copy of the shape */
    public long[] shape() {
        return shape.clone();
    }

    /** @return how many data bytes are still to be written before {@link #commit()} */
    public long remainingBytes() {
        return dataBytes - written;
    }

    /**
     * Appends data: elements in C order, little-endian.
     *
     * @param data the bytes from its position to its limit; its position is advanced to its limit
     * @throws InvalidArgumentException if the bytes would exceed what the shape calls for (nothing is
     *     written then)
     * @throws StoreStateException if the writer was committed
     * @throws AlreadyClosedException if the writer was closed
     * @throws StoreIOException if writing fails; the writer is then abandoned
     */
    public void write(ByteBuffer data) {
        ensureOpen();
        if (data.remaining() > dataBytes - written) {
            throw new InvalidArgumentException(target, null, "writing " + data.remaining() + " bytes would "
                    + "exceed the shape " + Arrays.toString(shape) + " of " + dtype.numpyName() + ": only "
                    + (dataBytes - written) + " of " + dataBytes + " data bytes remain");
        }
        int n = data.remaining();
        try {
            file.write(data);
        } catch (IOException e) {
            throw file.abandon("cannot write .npy data", e);
        }
        written += n;
    }

    /**
     * Makes the file durable and visible: checks that all data was written, syncs the file, renames it
     * atomically onto the target (replacing any file there) and syncs the directory so that the rename
     * survives a crash.
     *
     * @throws InvalidArgumentException if fewer bytes were written than the shape calls for (the writer
     *     stays open so that the rest can be written)
     * @throws StoreStateException if the writer was already committed
     * @throws AlreadyClosedException if the writer was closed
     * @throws NumPackException if syncing or renaming fails; the writer is then abandoned unless the
     *     rename happened and only the directory sync failed
     */
    public void commit() {
        ensureOpen();
        if (written != dataBytes) {
            throw new InvalidArgumentException(target, null, "cannot commit: " + written + " of " + dataBytes
                    + " data bytes written for shape " + Arrays.toString(shape) + " of " + dtype.numpyName());
        }
        file.commit();
    }

    private void ensureOpen() {
        file.ensureOpen("npy writer",
                () -> new StoreStateException(target, null, "the npy writer was already committed: the file is "
                        + "written; create a new writer to write it again"));
    }

    /**
     * Closes the writer. Without a {@link #commit()}, deletes the temporary file and leaves the target as
     * it was. Closing twice, or after a commit, has no effect.
     *
     * @throws NumPackException if the temporary file cannot be deleted
     */
    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "NpyWriter(" + target + ", " + dtype.numpyName() + " " + Arrays.toString(shape) + ", "
                + written + "/" + dataBytes + " bytes)";
    }
}
