package dev.numpack.io;

import dev.numpack.internal.RowChecks;

import dev.numpack.AlreadyClosedException;
import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.StoreIOException;

import dev.numpack.NdArray;

import dev.numpack.DType;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.format.NpyHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a NumPy {@code .npy} file (format 1.0, 2.0 or 3.0) holding one of the 14 NumPack element types.
 *
 * <p>Whatever the file's layout, rows come out as NumPack stores them: little-endian, C order. Big-endian
 * files are byte-swapped per scalar component (a complex number is two components), and Fortran-order
 * files are transposed on the fly. Files larger than 2 GiB are read a range of rows at a time with
 * {@link #readRows}.
 *
 * <pre>{@code
 * try (NpyReader r = NpyReader.open(Path.of("x.npy"))) {
 *     NdArray all = r.load();
 * }
 * }</pre>
 *
 * <p>A reader may be shared between threads; it must not be used after {@link #close()}.
 */
public final class NpyReader implements AutoCloseable {
    /** Fortran-order files are mapped in windows of at most this size, so files over 2 GiB work. */
    static final long MAX_WINDOW_BYTES = 1L << 30;

    /**
     * C-order reads are split into chunks of this size: a read into a heap buffer makes the JDK copy
     * through a temporary direct buffer of the read's size, which must stay small.
     */
    private static final int READ_CHUNK_BYTES = 8 << 20;

    private final Path file;
    private final FileChannel channel;
    private final NpyHeader header;
    private final long rows;
    private final long rowBytes;
    private final boolean transposed;
    private final long windowBytes;
    private volatile boolean closed;

    // The current mapping of a Fortran-order file; guarded by this.
    private MappedByteBuffer window;
    private long windowStart;

    private NpyReader(Path file, FileChannel channel, NpyHeader header, long windowBytes) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        long[] shape = header.shape();
        this.rows = shape.length == 0 ? 1 : shape[0];
        long rb = header.dtype().itemSize();
        for (int i = 1; i < shape.length; i++) {
            rb *= shape[i]; // cannot overflow: the header checked the product of the nonzero dimensions
        }
        this.rowBytes = rb;
        // Below two dimensions Fortran and C order are the same layout.
        this.transposed = header.fortranOrder() && shape.length > 1;
        this.windowBytes = Math.max(windowBytes, header.dtype().itemSize());
    }

    /**
     * Opens a {@code .npy} file and reads its header.
     *
     * @param file the file
     * @return a reader positioned nowhere: every read names its rows
     * @throws CorruptStoreException if the file is not a valid {@code .npy} file of a supported type, or
     *     is shorter than its header and data
     * @throws StoreIOException if the file cannot be opened or read (missing, no permission, I/O error)
     */
    public static NpyReader open(Path file) {
        return open(file, MAX_WINDOW_BYTES);
    }

    /** As {@link #open(Path)}, with a smaller mapping window so that tests can cross window edges. */
    static NpyReader open(Path file, long windowBytes) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreIOException(file, null, "cannot open .npy file: " + e, e);
        }
        try {
            NpyHeader header = readHeader(file, channel);
            long size = channel.size();
            if (size - header.headerLength() < header.dataLength()) {
                throw new CorruptStoreException(file, null, "truncated .npy file: " + header + " needs "
                        + header.headerLength() + " header bytes and " + header.dataLength()
                        + " data bytes, the file has " + size + " bytes");
            }
            return new NpyReader(file, channel, header, windowBytes);
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new StoreIOException(file, null, "cannot read .npy header: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    private static NpyHeader readHeader(Path file, FileChannel channel) throws IOException {
        try {
            ByteBuffer prefix = ByteBuffer.allocate(NpyHeader.PREFIX_BYTES);
            readUpTo(channel, prefix, 0);
            long length = NpyHeader.totalHeaderLength(prefix.flip());
            ByteBuffer whole = ByteBuffer.allocate((int) length);
            readUpTo(channel, whole, 0);
            return NpyHeader.decode(whole.flip());
        } catch (FormatException e) {
            throw new CorruptStoreException(file, null, e.getMessage(), e);
        }
    }

    /** Reads until {@code dst} is full or the file ends. */
    private static void readUpTo(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + dst.position());
            if (n < 0) {
                return;
            }
        }
    }

    private static void closeQuietly(FileChannel channel, Exception primary) {
        try {
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    /** @return the file this reader reads */
    public Path file() {
        return file;
    }

    /** @return the file's format version: 1, 2 or 3 */
    public int version() {
        return header.version();
    }

    /** @return whether the file stores the array in Fortran (column-major) order; reads return C order */
    public boolean fortranOrder() {
        return header.fortranOrder();
    }

    /** @return whether the file's elements are big-endian; reads return little-endian */
    public boolean bigEndian() {
        return header.bigEndian();
    }

    /** @return the element type */
    public DType dtype() {
        return header.dtype();
    }

    /** @return a copy of the shape, empty for a 0-d array */
    public long[] shape() {
        return header.shape();
    }

    /** @return the number of rows: the first dimension, or 1 for a 0-d array (one row of one element) */
    public long rows() {
        return rows;
    }

    /** @return the bytes of one row: the item size times all but the first dimension */
    public long rowBytes() {
        return rowBytes;
    }

    /**
     * Reads rows as little-endian, C-order bytes.
     *
     * @param startRow the first row
     * @param count the number of rows
     * @param dst receives {@code count * rowBytes()} bytes from its position, which is advanced past them
     * @throws InvalidArgumentException if the rows are out of range or {@code dst} is read-only or too
     *     small
     * @throws CorruptStoreException if the file became shorter after it was opened
     * @throws AlreadyClosedException if the reader is closed
     * @throws StoreIOException if the file cannot be read
     */
    public void readRows(long startRow, long count, ByteBuffer dst) {
        ensureOpen();
        RowChecks.range(file, null, startRow, count, rows);
        RowChecks.room(file, null, dst, count, rowBytes);
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
            throw new AlreadyClosedException(file, null, "npy reader");
        } catch (IOException e) {
            throw new StoreIOException(file, null, "cannot read .npy data: " + e, e);
        }
        dst.position(start + (int) n);
    }

    /**
     * Reads all elements into memory. A file that fits the 2 GiB limit but not the JVM's free memory fails
     * with the JVM's {@link OutOfMemoryError}: read such files in ranges with {@link #readRows}.
     *
     * @return the array, little-endian and in C order
     * @throws InvalidArgumentException naming the file and the bytes needed, if the data exceeds the 2 GiB
     *     an {@link NdArray} can hold
     * @throws CorruptStoreException if the file became shorter after it was opened
     * @throws AlreadyClosedException if the reader is closed
     * @throws StoreIOException if the file cannot be read
     */
    public NdArray load() {
        ensureOpen();
        long n = header.dataLength();
        if (n > Integer.MAX_VALUE) {
            throw new InvalidArgumentException(file, null, "an in-memory array holds at most 2 GiB ("
                    + Integer.MAX_VALUE + " bytes), this needs " + n + " bytes: read it in ranges with readRows");
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) n);
        readRows(0, rows, data);
        return NdArray.wrap(header.dtype(), header.shape(), data.flip());
    }

    /** C order: the rows are one contiguous range of the file; read it, then fix the byte order. */
    private void readContiguous(long startRow, ByteBuffer out) throws IOException {
        long filePos = header.headerLength() + startRow * rowBytes;
        ByteBuffer rest = out.slice();
        while (rest.hasRemaining()) {
            ByteBuffer chunk = rest.duplicate();
            chunk.limit(chunk.position() + Math.min(chunk.remaining(), READ_CHUNK_BYTES));
            int r = channel.read(chunk, filePos + rest.position());
            if (r < 0) {
                throw new CorruptStoreException(file, null, "the .npy file ended at byte "
                        + (filePos + rest.position()) + " while reading its data: it was truncated after "
                        + "being opened");
            }
            rest.position(rest.position() + r);
        }
        if (header.bigEndian()) {
            swapInPlace(out.slice(), header.dtype().componentSize());
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
        long[] shape = header.shape();
        int ndim = shape.length;
        int itemSize = header.dtype().itemSize();
        long rowElements = rowBytes / itemSize;

        // C-order strides (in elements) of dimensions 1..ndim-1 within a row.
        long[] cStride = new long[ndim];
        cStride[ndim - 1] = 1;
        for (int d = ndim - 2; d >= 1; d--) {
            cStride[d] = cStride[d + 1] * shape[d + 1];
        }
        long[] index = new long[ndim];
        long cIndex = 0; // C-order position of the current column within a row
        int componentSize = header.dtype().componentSize();
        int base = out.position();

        for (long column = 0; column < rowElements; column++) {
            long src = header.headerLength() + (column * rows + startRow) * itemSize;
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
            long end = header.headerLength() + header.dataLength();
            long size = Math.min(windowBytes, end - pos);
            window = channel.map(FileChannel.MapMode.READ_ONLY, pos, size);
            window.order(header.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
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
            throw new AlreadyClosedException(file, null, "npy reader");
        }
    }

    /**
     * Closes the file. Mapped windows are released by the garbage collector, as Java offers no way to
     * unmap them. Closing twice has no effect.
     *
     * @throws StoreIOException if closing the file fails
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (this) {
            window = null;
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new StoreIOException(file, null, "cannot close .npy file: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "NpyReader(" + file + ", " + header + ")";
    }
}
