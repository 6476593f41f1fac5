package dev.numpack.io;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
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
public final class IdxReader extends ArrayFileReader {
    private static final int GZIP_MAGIC = 0x8b1f;
    private static final int GZIP_BUFFER_BYTES = 64 << 10;

    private final IdxHeader header;
    private final boolean gzipped;

    private IdxReader(Path file, IdxHeader header, boolean gzipped, ByteSource source) throws IOException {
        super(file, null, "IDX", header.dtype(), header.shape(), header.headerLength(), true, false, source,
                NpyReader.MAX_WINDOW_BYTES);
        this.header = header;
        this.gzipped = gzipped;
    }

    /**
     * Opens an IDX file, plain or gzipped, and reads its header.
     *
     * @param file the file
     * @return the reader
     * @throws CorruptStoreException if the file is not an IDX file (bad magic number, unknown type),
     *     declares dimensions that overflow, or is not as long as its header says
     * @throws InvalidArgumentException if the path is not a regular file (a named pipe, a device, a
     *     directory): refused at once, without opening it
     * @throws NumPackException if the file cannot be opened or read
     */
    public static IdxReader open(Path file) {
        FileChannel channel = FileBytes.openChannel(file, "IDX");
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
            return new IdxReader(file, header, gzipped, source);
        } catch (IOException e) {
            if (source != null) {
                FileBytes.closeQuietly(source, e);
            }
            FileBytes.closeQuietly(channel, e);
            throw new StoreIOException(file, null, "cannot read IDX header: " + e, e);
        } catch (RuntimeException e) {
            if (source != null) {
                FileBytes.closeQuietly(source, e);
            }
            FileBytes.closeQuietly(channel, e);
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

    /** @return whether the file is gzipped */
    public boolean gzipped() {
        return gzipped;
    }

    @Override
    public String toString() {
        return "IdxReader(" + file() + (gzipped ? ", gzip" : "") + ", " + header + ")";
    }
}
