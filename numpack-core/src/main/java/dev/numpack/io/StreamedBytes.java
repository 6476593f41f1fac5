package dev.numpack.io;

import dev.numpack.CorruptStoreException;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.ZipException;

/**
 * Bytes that exist only as a decompressed stream (a deflated {@code .npz} member, a gzipped IDX file): read
 * forwards, with a fixed-size buffer whatever their size; a read before the current position starts the
 * stream over and skips to it. Reading up to the end also checks that the stream ends there (and, through
 * the stream, its checksum); a broken stream is a {@link CorruptStoreException}.
 *
 * <p>Between passes nothing is held: the stream, its inflater and buffer are released at the end and by
 * {@link #release()}, so that many sources (the members of a large archive) cost nothing until read.
 */
final class StreamedBytes implements ByteSource {
    /** Opens the stream at its first byte. */
    @FunctionalInterface
    interface Opener {
        /** @return a new stream over the bytes, from the first @throws IOException if it cannot be opened */
        InputStream open() throws IOException;
    }

    private static final int BUFFER_BYTES = 64 << 10;

    private final Path file;
    private final String member;
    private final String what;
    private final Opener opener;
    private final long length;
    private final Closeable owned;

    // guarded by this
    private InputStream in;
    private byte[] buffer;
    private long position;

    /**
     * @param file the file, for messages
     * @param member the member, for messages, or {@code null}
     * @param what what the stream is, for messages ("gzip", "deflate")
     * @param opener opens the stream
     * @param length the bytes the stream must hold: it is damaged if it ends before or goes on after
     * @param owned what the source owns and closes with itself (the file under the stream), or {@code null}
     */
    StreamedBytes(Path file, String member, String what, Opener opener, long length, Closeable owned) {
        this.file = file;
        this.member = member;
        this.what = what;
        this.opener = opener;
        this.length = length;
        this.owned = owned;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public synchronized int read(long offset, ByteBuffer dst) throws IOException {
        int want = (int) Math.max(0, Math.min(dst.remaining(), length - offset));
        if (want == 0) {
            return 0;
        }
        try {
            if (in == null || offset < position) {
                restart();
            }
            while (position < offset) {
                position += next((int) Math.min(buffer.length, offset - position));
            }
            for (int done = 0; done < want; ) {
                int n = next(Math.min(buffer.length, want - done));
                dst.put(buffer, 0, n);
                done += n;
                position += n;
            }
            if (position == length) {
                if (in.read() != -1) {
                    throw new ZipException("the stream holds more than the " + length + " bytes expected");
                }
                release();
            }
            return want;
        } catch (ZipException | EOFException e) {
            release();
            throw new CorruptStoreException(file, member, "damaged " + what + " data: " + e.getMessage(), e);
        }
    }

    /** Reads at most {@code max} bytes into the buffer; the stream ending early is an {@link EOFException}. */
    private int next(int max) throws IOException {
        int n = in.read(buffer, 0, max);
        if (n < 0) {
            throw new EOFException("the stream ends after " + position + " of the " + length + " bytes expected");
        }
        return n;
    }

    private void restart() throws IOException {
        release();
        in = opener.open();
        buffer = new byte[BUFFER_BYTES];
    }

    /**
     * Frees the stream and its buffers; the next read opens it again.
     *
     * @throws IOException if closing the stream fails
     */
    synchronized void release() throws IOException {
        InputStream s = in;
        in = null;
        buffer = null;
        position = 0;
        if (s != null) {
            s.close();
        }
    }

    /**
     * Decompresses all bytes into a temporary file (in {@code java.io.tmpdir}, deleted when the returned
     * source is closed, and at once where the system allows) for a reader that needs them in place, and
     * releases the stream.
     *
     * @return the bytes as a file
     * @throws IOException if the temporary file cannot be written
     */
    @Override
    public ByteSource inPlace() throws IOException {
        Path temp = Files.createTempFile("numpack-spill-", ".bin");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.DELETE_ON_CLOSE);
        try {
            ByteBuffer chunk = ByteBuffer.allocate(BUFFER_BYTES);
            for (long at = 0; at < length; ) {
                chunk.clear();
                int n = read(at, chunk);
                chunk.flip();
                while (chunk.hasRemaining()) {
                    channel.write(chunk, at + chunk.position());
                }
                at += n;
            }
            close();
            return new FileBytes(channel, 0, length, true, null);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public boolean mappable() {
        return false;
    }

    @Override
    public MappedByteBuffer map(long offset, long size) {
        throw new UnsupportedOperationException("a decompressed stream cannot be mapped");
    }

    @Override
    public void close() throws IOException {
        try {
            release();
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }
}
