package dev.numpack.io;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPackException;
import dev.numpack.StoreIOException;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.format.NpyHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads a NumPy {@code .npy} file (format 1.0, 2.0 or 3.0) holding one of the 14 NumPack element types, or
 * one member of an {@code .npz} archive ({@link NpzReader#member}).
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
public final class NpyReader extends ArrayFileReader {
    /** Fortran-order files are mapped in windows of at most this size, so files over 2 GiB work. */
    static final long MAX_WINDOW_BYTES = 1L << 30;

    private final NpyHeader header;

    private NpyReader(Path file, String member, NpyHeader header, ByteSource source, long windowBytes)
            throws IOException {
        super(file, member, ".npy", header.dtype(), header.shape(), header.headerLength(), header.bigEndian(),
                header.fortranOrder(), source, windowBytes);
        this.header = header;
    }

    /**
     * Opens a {@code .npy} file and reads its header.
     *
     * @param file the file
     * @return a reader positioned nowhere: every read names its rows
     * @throws CorruptStoreException if the file is not a valid {@code .npy} file of a supported type, or
     *     is shorter than its header and data
     * @throws InvalidArgumentException if the path is not a regular file (a named pipe, a device, a
     *     directory): refused at once, without opening it
     * @throws NumPackException if the file cannot be opened or read
     */
    public static NpyReader open(Path file) {
        return open(file, MAX_WINDOW_BYTES);
    }

    /** As {@link #open(Path)}, with a smaller mapping window so that tests can cross window edges. */
    static NpyReader open(Path file, long windowBytes) {
        FileChannel channel = FileBytes.openChannel(file, ".npy");
        long size;
        try {
            size = channel.size();
        } catch (IOException e) {
            FileBytes.closeQuietly(channel, e);
            throw new StoreIOException(file, null, "cannot read .npy header: " + e, e);
        }
        return over(file, null, new FileBytes(channel, 0, size, true, null), windowBytes);
    }

    /**
     * Reads a {@code .npy} stream from a source: a whole file, or a member of an archive, which must hold
     * exactly its header and data. Takes the source: closes it if opening fails.
     */
    static NpyReader over(Path file, String member, ByteSource source, long windowBytes) {
        try {
            NpyHeader header = readHeader(file, member, source);
            long available = source.length() - header.headerLength();
            if (available < header.dataLength()) {
                throw new CorruptStoreException(file, member, "truncated .npy " + (member == null ? "file" : "member")
                        + ": " + header + " needs " + header.headerLength() + " header bytes and "
                        + header.dataLength() + " data bytes, the " + (member == null ? "file" : "member") + " has "
                        + source.length() + " bytes");
            }
            if (member != null && available > header.dataLength()) {
                throw new CorruptStoreException(file, member, "the member holds " + source.length() + " bytes, "
                        + "its .npy header " + header + " accounts for " + (header.headerLength()
                        + header.dataLength()));
            }
            if (needsMapping(header.fortranOrder(), header.shape())) {
                source = source.inPlace(); // a compressed member is transposed from a temporary copy
            }
            return new NpyReader(file, member, header, source, windowBytes);
        } catch (IOException e) {
            FileBytes.closeQuietly(source, e);
            throw new StoreIOException(file, member, "cannot read .npy header: " + e, e);
        } catch (RuntimeException e) {
            FileBytes.closeQuietly(source, e);
            throw e;
        }
    }

    /** Reads the header: its fixed prefix says how long it is, then the rest follows in order. */
    private static NpyHeader readHeader(Path file, String member, ByteSource source) throws IOException {
        try {
            ByteBuffer prefix = ByteBuffer.allocate(NpyHeader.PREFIX_BYTES);
            source.read(0, prefix);
            long length = NpyHeader.totalHeaderLength(prefix.flip());
            ByteBuffer whole = ByteBuffer.allocate((int) length);
            whole.put(prefix.limit(Math.min(prefix.limit(), (int) length)));
            source.read(whole.position(), whole);
            return NpyHeader.decode(whole.flip());
        } catch (FormatException e) {
            throw new CorruptStoreException(file, member, e.getMessage(), e);
        }
    }

    /** @return the {@code .npz} member this reader reads, or {@code null} for a {@code .npy} file */
    public String member() {
        return member;
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

    @Override
    public String toString() {
        return "NpyReader(" + file() + (member == null ? "" : " member '" + member + "'") + ", " + header + ")";
    }
}
