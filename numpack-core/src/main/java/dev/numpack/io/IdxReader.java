package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPackException;
import dev.numpack.StoreIOException;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.format.IdxHeader;
import dev.numpack.internal.format.ZipDirectory;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an IDX file, the format of MNIST, Fashion-MNIST and their kin ({@code train-images-idx3-ubyte}),
 * plain or gzipped ({@code .gz}, recognised by its content, not its name): uint8, int8, int16, int32,
 * float32 or float64 elements, big-endian in the file, handed out little-endian in C order.
 *
 * <pre>{@code
 * try (IdxReader r = IdxReader.open(Path.of("t10k-images-idx3-ubyte.gz"))) {
 *     NdArray images = r.load();                  // uint8 (10000, 28, 28)
 * }
 * }</pre>
 *
 * <p>A gzipped file is inflated as it is read, with memory bounded whatever its size; going back starts it
 * over. Its length must be what its header says: a file that ends early, goes on after its data, declares
 * more data than gzip can expand its bytes to, or fails gzip's CRC is a {@link CorruptStoreException}.
 *
 * <p>A reader may be shared between threads; it must not be used after {@link #close()}.
 */
public final class IdxReader implements ArrayReader {
    private static final int GZIP_MAGIC = 0x8b1f;
    private static final int GZIP_BUFFER_BYTES = 64 << 10;

    private final Path file;
    private final IdxHeader header;
    private final boolean gzipped;
    private final RowReader data;

    private IdxReader(Path file, IdxHeader header, boolean gzipped, RowReader data) {
        this.file = file;
        this.header = header;
        this.gzipped = gzipped;
        this.data = data;
    }

    /**
     * Opens an IDX file, plain or gzipped, and reads its header.
     *
     * @param file the file
     * @return the reader
     * @throws CorruptStoreException if the file is not an IDX file (bad magic number, unknown type),
     *     declares dimensions that overflow, or is not as long as its header says
     * @throws NumPackException if the file cannot be opened or read
     */
    public static IdxReader open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreIOException(file, null, "cannot open IDX file: " + e, e);
        }
        ByteSource source = null;
        try {
            long size = channel.size();
            boolean gzipped = isGzip(channel);
            StreamedBytes.Opener gunzip = () -> new GZIPInputStream(new ChannelInputStream(channel, 0, size),
                    GZIP_BUFFER_BYTES);
            IdxHeader header = readHeader(file, gzipped ? gunzip : () -> new ChannelInputStream(channel, 0, size));
            long total = header.headerLength() + header.dataLength();
            if (gzipped && !ZipDirectory.inflatable(size, total)) {
                throw new CorruptStoreException(file, null, header + " declares " + total + " bytes, more than "
                        + "gzip can expand the file's " + size + " bytes to: a forged size");
            }
            if (!gzipped && size != total) {
                throw new CorruptStoreException(file, null, (size < total ? "truncated IDX file: " : "IDX file with "
                        + (size - total) + " bytes after its data: ") + header + " needs " + total
                        + " bytes, the file has " + size);
            }
            source = gzipped
                    ? new StreamedBytes(file, null, "gzip", gunzip, total, channel)
                    : new FileBytes(channel, 0, size, true, null);
            RowReader data = new RowReader(file, null, "IDX", header.dtype(), header.shape(),
                    header.headerLength(), true, false, source, NpyReader.MAX_WINDOW_BYTES);
            return new IdxReader(file, header, gzipped, data);
        } catch (IOException e) {
            closeQuietly(channel, source, e);
            throw new StoreIOException(file, null, "cannot read IDX header: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel, source, e);
            throw e;
        }
    }

    private static boolean isGzip(FileChannel channel) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
        while (magic.hasRemaining() && channel.read(magic, magic.position()) >= 0) {
            // two bytes, or the end of a shorter file
        }
        return !magic.hasRemaining() && (magic.getShort(0) & 0xFFFF) == GZIP_MAGIC;
    }

    /** Reads the header from the start of the (decompressed) file; closes the stream. */
    private static IdxHeader readHeader(Path file, StreamedBytes.Opener opener) throws IOException {
        try (InputStream in = opener.open()) {
            byte[] prefix = in.readNBytes(IdxHeader.PREFIX_BYTES);
            int length = IdxHeader.headerLength(ByteBuffer.wrap(prefix));
            ByteBuffer whole = ByteBuffer.allocate(length).put(prefix);
            whole.put(in.readNBytes(length - prefix.length));
            return IdxHeader.decode(whole.flip());
        } catch (FormatException e) {
            throw new CorruptStoreException(file, null, e.getMessage(), e);
        } catch (ZipException | EOFException e) {
            throw new CorruptStoreException(file, null, "damaged gzip data: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel channel, ByteSource source, Exception primary) {
        try {
            if (source != null) {
                source.close();
            }
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    /** @return the file this reader reads */
    @Override
    public Path file() {
        return file;
    }

    /** @return whether the file is gzipped */
    public boolean gzipped() {
        return gzipped;
    }

    /** @return the element type: uint8, int8, int16, int32, float32 or float64 */
    @Override
    public DType dtype() {
        return header.dtype();
    }

    /** @return a copy of the shape (at least one dimension) */
    @Override
    public long[] shape() {
        return header.shape();
    }

    /** @return the number of rows: the first dimension */
    @Override
    public long rows() {
        return data.rows();
    }

    /** @return the bytes of one row: the item size times all but the first dimension */
    @Override
    public long rowBytes() {
        return data.rowBytes();
    }

    /**
     * Reads rows as little-endian, C-order bytes. For a gzipped file, reads in order are cheapest: going
     * back inflates again from the start.
     *
     * @param start the first row
     * @param count the number of rows
     * @param dst receives {@code count * rowBytes()} bytes from its position, which is advanced past them
     * @throws InvalidArgumentException if the rows are out of range or {@code dst} is read-only or too small
     * @throws CorruptStoreException if the file is damaged or became shorter after it was opened
     * @throws AlreadyClosedException if the reader is closed
     * @throws NumPackException if the file cannot be read
     */
    @Override
    public void readRows(long start, long count, ByteBuffer dst) {
        data.readRows(start, count, dst);
    }

    /**
     * Reads all elements into memory.
     *
     * @return the array, little-endian
     * @throws InvalidArgumentException if the data exceeds the 2 GiB an {@link NdArray} can hold
     * @throws CorruptStoreException if the file is damaged
     * @throws AlreadyClosedException if the reader is closed
     */
    @Override
    public NdArray load() {
        return data.load();
    }

    /**
     * Closes the file. Closing twice has no effect.
     *
     * @throws NumPackException if closing the file fails
     */
    @Override
    public void close() {
        data.close();
    }

    @Override
    public String toString() {
        return "IdxReader(" + file + (gzipped ? ", gzip" : "") + ", " + header + ")";
    }
}
