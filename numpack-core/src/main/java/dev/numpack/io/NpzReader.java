package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPackException;
import dev.numpack.StoreIOException;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.format.ZipDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a NumPy {@code .npz} archive: the zip of {@code .npy} members that {@code numpy.savez} (stored) and
 * {@code numpy.savez_compressed} (deflated) write, zip64 included. Each member is read by an
 * {@link NpyReader}, a range of rows at a time, with memory bounded whatever its size.
 *
 * <pre>{@code
 * try (NpzReader z = NpzReader.open(Path.of("mnist.npz"))) {
 *     for (String name : z.members()) {            // "x_train", "y_train", ...
 *         try (NpyReader m = z.member(name)) {
 *             System.out.println(name + " " + m.dtype() + " " + Arrays.toString(m.shape()));
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Opening reads the zip directory and refuses what a damaged or hostile archive holds (member names with
 * {@code ../} or absolute paths, duplicate members, overlapping members, sizes outside the file or beyond
 * what deflate can produce, encryption, other compression methods) with a {@link CorruptStoreException}
 * naming the file and member. A member's CRC-32 is checked whenever its bytes are read through in order
 * (as {@link NpyReader#load} and the store's imports do).
 *
 * <p>Deflated members are inflated as they are read; going back in one starts it over. A deflated member in
 * Fortran order (with two or more dimensions) cannot be transposed from a stream: opening it inflates it
 * once into a temporary file in {@code java.io.tmpdir}, deleted when the member's reader closes.
 *
 * <p>A reader may be shared between threads. Closing it makes the members' readers unusable.
 */
public final class NpzReader implements AutoCloseable {
    private static final String NPY = ".npy";

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Member> members;
    private volatile boolean closed;

    /** A member and where its data starts. */
    private record Member(ZipDirectory.Entry entry, long dataOffset) {}

    private NpzReader(Path file, FileChannel channel, Map<String, Member> members) {
        this.file = file;
        this.channel = channel;
        this.members = members;
    }

    /**
     * Opens an archive and reads its directory.
     *
     * @param file the {@code .npz} file
     * @return the reader
     * @throws CorruptStoreException if the file is not a zip archive, is truncated, or holds anything unsafe
     *     (see the class comment)
     * @throws InvalidArgumentException if the path is not a regular file (a named pipe, a device, a
     *     directory): refused at once, without opening it
     * @throws NumPackException if the file cannot be opened or read
     */
    public static NpzReader open(Path file) {
        FileChannel channel = FileBytes.openChannel(file, ".npz");
        try {
            return new NpzReader(file, channel, readDirectory(file, channel));
        } catch (IOException e) {
            FileBytes.closeQuietly(channel, e);
            throw new StoreIOException(file, null, "cannot read the .npz directory: " + e, e);
        } catch (FormatException e) {
            FileBytes.closeQuietly(channel, e);
            throw new CorruptStoreException(file, null, "not a valid .npz archive: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            FileBytes.closeQuietly(channel, e);
            throw e;
        }
    }

    private static Map<String, Member> readDirectory(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        long tailStart = Math.max(0, size - ZipDirectory.MAX_TAIL_BYTES);
        ZipDirectory.End end = ZipDirectory.findEnd(bytesAt(channel, tailStart, size - tailStart), tailStart, size);
        if (end.zip64EndOffset() >= 0) {
            end = ZipDirectory.zip64End(bytesAt(channel, end.zip64EndOffset(), ZipDirectory.ZIP64_END_BYTES), end,
                    size);
        }
        List<ZipDirectory.Entry> entries =
                ZipDirectory.entries(bytesAt(channel, end.directoryOffset(), end.directorySize()), end);
        long[] dataOffsets = new long[entries.size()];
        for (int i = 0; i < dataOffsets.length; i++) {
            ZipDirectory.Entry e = entries.get(i);
            dataOffsets[i] = ZipDirectory.dataOffset(bytesAt(channel, e.localHeaderOffset(),
                    Math.min(e.localHeaderPrefix(), Math.max(0, size - e.localHeaderOffset()))), e);
        }
        ZipDirectory.checkLayout(entries, dataOffsets, end);
        Map<String, Member> members = new LinkedHashMap<>();
        for (int i = 0; i < dataOffsets.length; i++) {
            ZipDirectory.Entry e = entries.get(i);
            String name = arrayName(e.name());
            if (members.put(name, new Member(e, dataOffsets[i])) != null) {
                throw new CorruptStoreException(file, name, "two members of the archive hold array '" + name
                        + "' (with and without the .npy suffix)");
            }
        }
        return Collections.unmodifiableMap(members);
    }

    /** Reads {@code n} bytes at {@code position}, or as many as the file has. */
    private static ByteBuffer bytesAt(FileChannel channel, long position, long n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) n); // callers bound n: directory and header limits
        while (b.hasRemaining() && channel.read(b, position + b.position()) >= 0) {
            // keep reading until full or the end of the file
        }
        return b.flip();
    }

    /** NumPy names a member {@code <array>.npy}; the array's name is what precedes the suffix. */
    private static String arrayName(String memberName) {
        return memberName.endsWith(NPY) && memberName.length() > NPY.length()
                ? memberName.substring(0, memberName.length() - NPY.length())
                : memberName;
    }

    /** @return the archive */
    public Path file() {
        return file;
    }

    /**
     * @return the arrays' names in archive order, as {@code numpy.load(...).files} lists them: the member
     *     names without their {@code .npy} suffix
     */
    public List<String> members() {
        return new ArrayList<>(members.keySet());
    }

    /**
     * @param name an array's name, as {@link #members()} lists it
     * @return whether the archive holds it
     */
    public boolean contains(String name) {
        return members.containsKey(name);
    }

    /**
     * Opens one member for reading. Its reader holds no decompression state until it reads, so that many
     * can be open at once; close each when done.
     *
     * @param name the array's name, as {@link #members()} lists it ({@code x} for member {@code x.npy})
     * @return a reader of the member's rows; its {@link NpyReader#file()} is the archive and
     *     {@link NpyReader#member()} the name
     * @throws ArrayNotFoundException if the archive has no such member
     * @throws CorruptStoreException if the member is not a valid {@code .npy} array, or its bytes do not
     *     match the archive's records
     * @throws AlreadyClosedException if this reader is closed
     * @throws NumPackException if the archive cannot be read
     */
    public NpyReader member(String name) {
        if (closed) {
            throw new AlreadyClosedException(file, name, ".npz reader");
        }
        Member m = members.get(name);
        if (m == null) {
            throw new ArrayNotFoundException(file, name);
        }
        ZipDirectory.Entry e = m.entry();
        if (e.method() == ZipDirectory.STORED) {
            CrcCheck check = new CrcCheck(file, name, e.crc(), e.size());
            return NpyReader.over(file, name, new FileBytes(channel, m.dataOffset(), e.size(), false, check),
                    NpyReader.MAX_WINDOW_BYTES);
        }
        StreamedBytes.Opener inflate = () -> new DeflatedMemberStream(
                new ChannelInputStream(channel, m.dataOffset(), e.compressedSize()), e.size(), e.crc());
        StreamedBytes stream = new StreamedBytes(file, name, "deflate", inflate, e.size(), null);
        NpyReader reader = NpyReader.over(file, name, stream, NpyReader.MAX_WINDOW_BYTES);
        try {
            stream.release(); // the header is read: hold nothing until the rows are (a no-op if it was spilled)
        } catch (IOException ex) {
            reader.close();
            throw new StoreIOException(file, name, "cannot release the member's stream: " + ex, ex);
        }
        return reader;
    }

    /**
     * Closes the archive. Readers of its members can no longer read. Closing twice has no effect.
     *
     * @throws NumPackException if closing the file fails
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new StoreIOException(file, null, "cannot close .npz file: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "NpzReader(" + file + ", " + members.size() + " members)";
    }
}
