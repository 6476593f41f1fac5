package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.StoreIOException;
import dev.numpack.internal.RowChecks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * The reading of an array whose elements follow a header in a {@link ByteSource}, in C or Fortran order,
 * little- or big-endian, handed out as NumPack stores them: little-endian, C order. Big-endian data is
 * byte-swapped per scalar component (a complex number is two components); Fortran-order data is transposed
 * on the fly through mapped windows, so the source must be mappable then.
 *
 * <p>The one row engine behind {@link NpyReader} (files and {@code .npz} members) and {@link IdxReader},
 * which add what their headers say. Thread-safe: sources synchronize their own state and the mapping
 * window is guarded by this.
 */
abstract class ArrayFileReader implements ArrayReader {
    /**
     * C-order reads go through the source in pieces of this size, so that a stream's buffer and the JDK's
     * temporary direct buffers stay small whatever the caller asks for.
     */
    private static final int PIECE_BYTES = 8 << 20;

    private final Path file;
    /** The archive member read, for messages and {@link NpyReader#member()}, or {@code null}. */
    final String member;
    private final String what;
    private final DType dtype;
    private final long[] shape;
    private final long dataStart;
    private final long dataLength;
    private final boolean bigEndian;
    private final boolean transposed;
    private final ByteSource source;
    private final long windowBytes;
    private final long rows;
    private final long rowBytes;
    private volatile boolean closed;

    // The current mapping of a Fortran-order array; guarded by this.
    private MappedByteBuffer window;
    private long windowStart;

    /**
     * @param file the file, for messages
     * @param member the archive member, for messages, or {@code null}
     * @param what the format, for messages (".npy", "IDX")
     * @param dtype the element type
     * @param shape the shape; its byte size must not overflow (the header codecs check it)
     * @param dataStart where the elements start in the source
     * @param bigEndian whether the elements are big-endian
     * @param fortranOrder whether they are in Fortran order
     * @param source the bytes; must be mappable if the data is Fortran order with two or more dimensions
     * @param windowBytes the most bytes mapped at once for a Fortran-order read
     * @throws IOException if checking a stored member's bytes ahead of mapped reads fails
     */
    ArrayFileReader(Path file, String member, String what, DType dtype, long[] shape, long dataStart,
            boolean bigEndian, boolean fortranOrder, ByteSource source, long windowBytes) throws IOException {
        this.file = file;
        this.member = member;
        this.what = what;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.dataStart = dataStart;
        this.bigEndian = bigEndian && dtype.componentSize() > 1;
        this.source = source;
        this.rows = shape.length == 0 ? 1 : shape[0];
        long rb = dtype.itemSize();
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            empty |= shape[i] == 0;
            if (i > 0) {
                rb *= shape[i]; // cannot overflow: the header checked the product of the nonzero dimensions
            }
        }
        this.rowBytes = rb;
        this.dataLength = empty ? 0 : rows * rb;
        this.transposed = needsMapping(fortranOrder, shape);
        this.windowBytes = Math.max(windowBytes, dtype.itemSize());
        if (transposed) {
            if (!source.mappable()) {
                // the package opens Fortran-order members through a temporary file: a broken invariant, not input
                throw new AssertionError("Fortran-order data must be read from a mappable source");
            }
            source.verify(); // mapped reads skip the in-order checksum: check it now
        }
    }

    /**
     * @return whether the data must be transposed, so that the source must be mappable: below two
     *     dimensions Fortran and C order are the same layout
     */
    static boolean needsMapping(boolean fortranOrder, long[] shape) {
        return fortranOrder && shape.length > 1;
    }

    /** @return the file this reader reads: the file itself, or the archive holding the member */
    @Override
    public final Path file() {
        return file;
    }

    /** @return the element type */
    @Override
    public final DType dtype() {
        return dtype;
    }

    /** @return a copy of the shape, empty for a 0-d array */
    @Override
    public final long[] shape() {
        return shape.clone();
    }

    /** @return the number of rows: the first dimension, or 1 for a 0-d array (one row of one element) */
    @Override
    public final long rows() {
        return rows;
    }

    /** @return the bytes of one row: the item size times all but the first dimension */
    @Override
    public final long rowBytes() {
        return rowBytes;
    }

    /**
     * Reads rows as little-endian, C-order bytes. For a compressed file or member, reads in order are
     * cheapest: going back decompresses again from its start.
     *
     * @param startRow the first row
     * @param count the number of rows
     * @param dst receives {@code count * rowBytes()} bytes from its position, which is advanced past them
     * @throws InvalidArgumentException if the rows are out of range or {@code dst} is read-only or too
     *     small
     * @throws CorruptStoreException if the file became shorter after it was opened, or is damaged (a
     *     member's bytes do not match the archive's CRC-32, a compressed stream is broken)
     * @throws AlreadyClosedException if the reader is closed
     * @throws dev.numpack.NumPackException if the file cannot be read
     */
    @Override
    public final void readRows(long startRow, long count, ByteBuffer dst) {
        ensureOpen();
        RowChecks.range(file, member, startRow, count, rows);
        RowChecks.room(file, member, dst, count, rowBytes);
        long n = count * rowBytes; // at most the data length, so no overflow
        if (n == 0) {
            return;
        }
        int start = dst.position();
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        out.limit(start + (int) n);
        try {
            if (transposed) {
                readTransposed(startRow, count, out);
            } else {
                readContiguous(startRow, out);
            }
        } catch (ClosedChannelException e) {
            throw new AlreadyClosedException(file, member, what + " reader");
        } catch (IOException e) {
            throw new StoreIOException(file, member, "cannot read " + what + " data: " + e, e);
        }
        dst.position(start + (int) n);
    }

    /**
     * Reads all elements into memory.
     *
     * @return the array, little-endian and in C order
     * @throws InvalidArgumentException if the data exceeds the 2 GiB an {@link NdArray} can hold
     * @throws CorruptStoreException if the file became shorter after it was opened, or is damaged
     * @throws AlreadyClosedException if the reader is closed
     */
    @Override
    public final NdArray load() {
        ensureOpen();
        if (dataLength > Integer.MAX_VALUE) {
            throw new InvalidArgumentException(file, member, "an in-memory array holds at most 2 GiB ("
                    + Integer.MAX_VALUE + " bytes), this needs " + dataLength + " bytes: read it in ranges with readRows");
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) dataLength);
        readRows(0, rows, data);
        return NdArray.wrap(dtype, shape, data.flip());
    }

    /** C order: the rows are one contiguous range of the source; read it, then fix the byte order. */
    private void readContiguous(long startRow, ByteBuffer out) throws IOException {
        long from = dataStart + startRow * rowBytes;
        ByteBuffer rest = out.slice();
        while (rest.hasRemaining()) {
            ByteBuffer piece = rest.duplicate();
            piece.limit(piece.position() + Math.min(piece.remaining(), PIECE_BYTES));
            int r = source.read(from + rest.position(), piece);
            if (r == 0) {
                throw new CorruptStoreException(file, member, "the " + what + " file ended at byte "
                        + (from + rest.position()) + " while reading its data: it was truncated after being "
                        + "opened");
            }
            rest.position(rest.position() + r);
        }
        if (bigEndian) {
            swapInPlace(out.slice(), dtype.componentSize());
        }
    }

    private static void swapInPlace(ByteBuffer b, int componentSize) {
        int end = b.limit();
        switch (componentSize) {
            case 2:
                for (int i = 0; i < end; i += 2) {
                    b.putShort(i, Short.reverseBytes(b.getShort(i)));
                }
                break;
            case 4:
                for (int i = 0; i < end; i += 4) {
                    b.putInt(i, Integer.reverseBytes(b.getInt(i)));
                }
                break;
            case 8:
                for (int i = 0; i < end; i += 8) {
                    b.putLong(i, Long.reverseBytes(b.getLong(i)));
                }
                break;
            default:
                throw new AssertionError("component size " + componentSize);
        }
    }

    /**
     * Fortran order: the first index varies fastest in the file. For each combination of the other
     * indices (a "column", visited in file order so the mapping moves forward), the requested rows are
     * contiguous in the file and land {@code rowElements} elements apart in the output.
     */
    private synchronized void readTransposed(long startRow, long count, ByteBuffer out) throws IOException {
        int ndim = shape.length;
        int itemSize = dtype.itemSize();
        long rowElements = rowBytes / itemSize;

        // C-order strides (in elements) of dimensions 1..ndim-1 within a row.
        long[] cStride = new long[ndim];
        cStride[ndim - 1] = 1;
        for (int d = ndim - 2; d >= 1; d--) {
            cStride[d] = cStride[d + 1] * shape[d + 1];
        }
        long[] index = new long[ndim];
        long cIndex = 0; // C-order position of the current column within a row
        int componentSize = dtype.componentSize();
        int base = out.position();

        for (long column = 0; column < rowElements; column++) {
            long src = dataStart + (column * rows + startRow) * itemSize;
            long dstElement = cIndex;
            for (long r = 0; r < count; r++, src += itemSize, dstElement += rowElements) {
                ByteBuffer w = map(src, itemSize);
                copyElement(w, (int) (src - windowStart), out, base + (int) (dstElement * itemSize),
                        itemSize, componentSize);
            }
            // Advance the column's multi-index in Fortran order: dimension 1 fastest.
            for (int d = 1; d < ndim; d++) {
                cIndex += cStride[d];
                if (++index[d] < shape[d]) {
                    break;
                }
                cIndex -= shape[d] * cStride[d];
                index[d] = 0;
            }
        }
    }

    /** Returns the window holding {@code [pos, pos + length)}, mapping a new one if needed. */
    private MappedByteBuffer map(long pos, int length) throws IOException {
        if (window == null || pos < windowStart || pos + length > windowStart + window.capacity()) {
            long end = dataStart + dataLength;
            if (end > source.length()) {
                throw new CorruptStoreException(file, member, "the " + what + " data needs " + end
                        + " bytes, the source has " + source.length());
            }
            long size = Math.min(windowBytes, end - pos);
            window = source.map(pos, size);
            window.order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            windowStart = pos;
        }
        return window;
    }

    /**
     * Copies one element component by component. The source buffer carries the file's byte order and the
     * destination is little-endian, so the typed get/put pair does any byte swap.
     */
    private static void copyElement(ByteBuffer src, int srcIndex, ByteBuffer dst, int dstIndex, int itemSize,
            int componentSize) {
        for (int k = 0; k < itemSize; k += componentSize) {
            switch (componentSize) {
                case 1: dst.put(dstIndex + k, src.get(srcIndex + k)); break;
                case 2: dst.putShort(dstIndex + k, src.getShort(srcIndex + k)); break;
                case 4: dst.putInt(dstIndex + k, src.getInt(srcIndex + k)); break;
                case 8: dst.putLong(dstIndex + k, src.getLong(srcIndex + k)); break;
                default: throw new AssertionError("component size " + componentSize);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new AlreadyClosedException(file, member, what + " reader");
        }
    }

    /**
     * Closes the file (for an {@code .npz} member: releases its decompression state and any temporary
     * file). Mapped windows are released by the garbage collector, as Java offers no way to unmap them.
     * Closing twice has no effect.
     *
     * @throws StoreIOException if closing fails
     */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (this) {
            window = null;
        }
        try {
            source.close();
        } catch (IOException e) {
            throw new StoreIOException(file, member, "cannot close " + what + " file: " + e, e);
        }
    }
}
