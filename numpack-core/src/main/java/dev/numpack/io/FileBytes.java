package dev.numpack.io;

import dev.numpack.InvalidArgumentException;
import dev.numpack.StoreIOException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardOpenOption;

/**
 * A range of a file read in place: a whole {@code .npy} or IDX file, a stored {@code .npz} member (with the
 * archive's CRC-32 checked as it is read in order), or a temporary file a compressed member was spilled to.
 */
final class FileBytes implements ByteSource {
    /**
     * Reads are split into chunks of this size: a read into a heap buffer makes the JDK copy through a
     * temporary direct buffer of the read's size, which must stay small.
     */
    private static final int READ_CHUNK_BYTES = 8 << 20;
    private static final int VERIFY_CHUNK_BYTES = 1 << 20;

    private final FileChannel channel;
    private final long start;
    private final long length;
    private final boolean owned;
    private final CrcCheck check;

    /**
     * @param channel the file
     * @param start where the range starts
     * @param length its bytes
     * @param owned whether closing this source closes the channel (not for a member of a shared archive)
     * @param check the CRC-32 to check the bytes against, or {@code null}
     */
    FileBytes(FileChannel channel, long start, long length, boolean owned, CrcCheck check) {
        this.channel = channel;
        this.start = start;
        this.length = length;
        this.owned = owned;
        this.check = check;
    }

    /**
     * Opens a file for reading.
     *
     * @param file the file
     * @param what its kind, for the message (".npy")
     * @return the channel
     * @throws InvalidArgumentException naming the file if it is not a regular file
     * @throws StoreIOException naming the file if it cannot be opened
     */
    static FileChannel openChannel(Path file, String what) {
        requireRegularFile(file, what);
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreIOException(file, null, "cannot open " + what + " file: " + e, e);
        }
    }

    /**
     * Refuses, before anything opens it, a path that is not a regular file: opening a named pipe for reading
     * blocks until a writer appears (for ever if none does), a device may never end, and a directory holds
     * no array. A symbolic link is followed, as the caller's own paths may be links to their files.
     *
     * @param file the file
     * @param what its kind, for the message (".npy")
     * @throws InvalidArgumentException naming the file if it is a pipe, a device, a socket or a directory
     * @throws StoreIOException naming the file if its type cannot be read (it does not exist, say)
     */
    static void requireRegularFile(Path file, String what) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new StoreIOException(file, null, "cannot open " + what + " file: " + e, e);
        }
        if (!attrs.isRegularFile()) {
            String kind = attrs.isDirectory() ? "a directory" : "a named pipe, a device or a socket";
            throw new InvalidArgumentException(file, null, "cannot open " + what + " file: it is " + kind
                    + ", not a regular file");
        }
    }

    /** Closes what a failed open had opened; a failure to close is added to the primary one. */
    static void closeQuietly(Closeable c, Exception primary) {
        try {
            c.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        int want = (int) Math.max(0, Math.min(dst.remaining(), length - offset));
        ByteBuffer part = dst.slice(dst.position(), want);
        int done = 0;
        while (done < want) {
            ByteBuffer chunk = part.slice(done, Math.min(want - done, READ_CHUNK_BYTES));
            int n = channel.read(chunk, start + offset + done);
            if (n < 0) {
                break; // the file became shorter than the range: the caller reports it
            }
            done += n;
        }
        if (check != null) {
            check.absorb(offset, part.slice(0, done));
        }
        dst.position(dst.position() + done);
        return done;
    }

    @Override
    public boolean mappable() {
        return true;
    }

    @Override
    public MappedByteBuffer map(long offset, long size) throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, start + offset, size);
    }

    @Override
    public void verify() throws IOException {
        if (check == null) {
            return;
        }
        ByteBuffer buf = ByteBuffer.allocate(VERIFY_CHUNK_BYTES);
        for (long at = check.checked(); at < length; at = check.checked()) {
            buf.clear();
            if (read(at, buf) == 0) {
                return; // shorter than the range: the reader reports it when it reads there
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (owned) {
            channel.close();
        }
    }
}
