package dev.numpack.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only memory mapping of the first {@code length} bytes of a file, in chunks of at most 1 GiB
 * (a {@link MappedByteBuffer} covers at most 2 GiB), all little-endian. Reads that straddle chunks are
 * split. The mapping stays valid after the file is renamed over or deleted, which is how a view opened
 * before a save or compaction keeps reading the old content.
 *
 * <p>A mapping may also keep the channel it was mapped from (see {@link #map(Path, long, FileChannel.MapMode,
 * long, boolean)}): the same file (inode), so the same bytes. Large copies into direct buffers then use
 * positional reads ({@code pread}) in 1 MiB pieces instead of the mapping, because a page fault reads ahead
 * far less well than {@code read} does: 40 MB not in the page cache copied in 43 ms from a fresh mapping
 * against 33 ms with {@code pread}, on the 2-vCPU VM this was built on. Once the channel is closed
 * ({@link #closeReader()}, or an interrupt during a read), copies go through the mapping again.
 */
public final class MappedFile {
    /** Most bytes per chunk. */
    static final long MAX_CHUNK = 1L << 30;
    /** Smallest file worth keeping a channel open for. */
    public static final long READER_MIN_BYTES = 1L << 20;
    /** Smallest copy read with {@code pread} rather than from the mapping. */
    static final long PREAD_MIN_BYTES = 256L << 10;
    /** Bytes per {@code pread}: kernel read-ahead keeps ahead of 1 MiB reads better than of one huge read. */
    static final int PREAD_PIECE = 1 << 20;

    private final Path file;
    private final long length;
    private final long chunk;
    private final ByteBuffer[] chunks;
    private volatile FileChannel reader; // the mapped file's channel, or null

    private MappedFile(Path file, long length, long chunk, ByteBuffer[] chunks, FileChannel reader) {
        this.file = file;
        this.length = length;
        this.chunk = chunk;
        this.chunks = chunks;
        this.reader = reader;
    }

    /**
     * @param rowBytes bytes per row
     * @return the largest chunk size of at most 1 GiB holding whole rows, so no row straddles chunks
     *     (1 GiB when a row is larger)
     */
    public static long chunkFor(long rowBytes) {
        return rowBytes <= 0 || rowBytes > MAX_CHUNK ? MAX_CHUNK : (MAX_CHUNK / rowBytes) * rowBytes;
    }

    /**
     * @param file the file
     * @param length bytes to map from offset 0; the file must be at least that long
     * @param mode {@code READ_ONLY}, or {@code PRIVATE} for a copy-on-write mapping whose writes never
     *     reach the file
     * @param chunk bytes per chunk, at most 1 GiB (see {@link #chunkFor})
     * @return the mapping
     * @throws IOException if the file is missing or shorter than {@code length}
     */
    public static MappedFile map(Path file, long length, FileChannel.MapMode mode, long chunk) throws IOException {
        return map(file, length, mode, chunk, false);
    }

    /**
     * @param file the file
     * @param length bytes to map from offset 0; the file must be at least that long
     * @param mode {@code READ_ONLY}, or {@code PRIVATE} for a copy-on-write mapping whose writes never
     *     reach the file
     * @param chunk bytes per chunk, at most 1 GiB (see {@link #chunkFor})
     * @param keepReader whether to keep the channel open for large copies (only {@code READ_ONLY} mappings of
     *     at least {@link #READER_MIN_BYTES}); whoever asks must call {@link #closeReader()}
     * @return the mapping
     * @throws IOException if the file is missing or shorter than {@code length}
     */
    public static MappedFile map(Path file, long length, FileChannel.MapMode mode, long chunk, boolean keepReader)
            throws IOException {
        if (chunk <= 0 || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk " + chunk);
        }
        int n = (int) ((length + chunk - 1) / chunk);
        if (n == 0) {
            return new MappedFile(file, 0, chunk, new ByteBuffer[0], null); // an empty array may have no file
        }
        ByteBuffer[] chunks = new ByteBuffer[n];
        StandardOpenOption[] opts = mode == FileChannel.MapMode.READ_ONLY
                ? new StandardOpenOption[] {StandardOpenOption.READ}
                : new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
        boolean keep = keepReader && mode == FileChannel.MapMode.READ_ONLY && length >= READER_MIN_BYTES;
        FileChannel ch = FileChannel.open(file, opts);
        try {
            long size = ch.size();
            if (size < length) {
                throw new IOException(file.getFileName() + " holds " + size + " bytes, " + length + " expected");
            }
            for (int i = 0; i < n; i++) {
                long off = i * chunk;
                chunks[i] = ch.map(mode, off, Math.min(chunk, length - off)).order(ByteOrder.LITTLE_ENDIAN);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (!keep) {
            ch.close();
        }
        return new MappedFile(file, length, chunk, chunks, keep ? ch : null);
    }

    /** @return whether large copies still read through the kept channel */
    public boolean hasReader() {
        FileChannel r = reader;
        return r != null && r.isOpen();
    }

    /** Closes the kept channel, if any: later copies read from the mapping, which stays valid. */
    public void closeReader() {
        FileChannel r = reader;
        reader = null;
        if (r != null) {
            try {
                r.close();
            } catch (IOException ignored) {
                // a read-only channel has nothing to flush
            }
        }
    }

    /** @return the mapped length */
    public long length() {
        return length;
    }

    /** @return the number of chunks */
    public int chunkCount() {
        return chunks.length;
    }

    /**
     * @param i chunk index
     * @return a little-endian view of chunk {@code i} (position 0); writable for a private mapping
     */
    public ByteBuffer chunk(int i) {
        return chunks[i].duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param offset file offset
     * @param len byte count
     * @return the bytes without a copy when they lie in one chunk (little-endian, position 0), else
     *     {@code null}
     */
    public ByteBuffer view(long offset, long len) {
        if (offset < 0 || len < 0 || offset > length || len > length - offset) {
            throw new IndexOutOfBoundsException("read past EOF: [" + offset + ", " + (offset + len) + ") of "
                    + length + " in " + file);
        }
        int c = (int) (offset / chunk);
        long in = offset - c * chunk;
        if (len == 0 || c >= chunks.length || in + len > chunks[c].capacity()) {
            return null;
        }
        return chunks[c].slice((int) in, (int) len).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param view bytes as {@link #view} (or {@code ArrayData.view}) gives them
     * @return whether those bytes are in memory, so that reading them through the mapping takes no disk read
     *     ({@code mincore}, about 15 us per MiB here; where the kernel reports the page cache only for files
     *     the caller owns or may write, other files count as resident only once mapped into this process)
     */
    public static boolean resident(ByteBuffer view) {
        return !(view instanceof MappedByteBuffer) || ((MappedByteBuffer) view).isLoaded();
    }

    /**
     * Copies {@code len} bytes at {@code offset} into {@code dst} at its position, advancing it.
     *
     * @param offset file offset
     * @param len byte count
     * @param dst destination
     */
    public void copyTo(long offset, long len, ByteBuffer dst) {
        if (offset < 0 || len < 0 || offset > length || len > length - offset) {
            throw new IndexOutOfBoundsException("read past EOF: [" + offset + ", " + (offset + len) + ") of "
                    + length + " in " + file);
        }
        if (len > dst.remaining()) {
            throw new java.nio.BufferOverflowException(); // before any byte is written, as the mapping's put does
        }
        long done = len >= PREAD_MIN_BYTES && dst.isDirect() ? pread(offset, len, dst) : 0;
        if (done < len) {
            forEachPiece(offset + done, len - done, (c, in, n) -> {
                int p = dst.position();
                dst.put(p, chunks[c], in, n);
                dst.position(p + n);
            });
        }
    }

    /**
     * Reads what it can of {@code [offset, offset + len)} through the kept channel into {@code dst},
     * advancing it.
     *
     * @return the bytes read: all of them, or fewer if there is no channel or it was closed (by
     *     {@link #closeReader()}, or by an interrupt, whose flag stays set), the rest is for the mapping
     */
    private long pread(long offset, long len, ByteBuffer dst) {
        FileChannel r = reader;
        if (r == null) {
            return 0;
        }
        int start = dst.position();
        ByteBuffer piece = dst.duplicate();
        long done = 0;
        try {
            while (done < len) {
                int at = start + (int) done;
                int n = (int) Math.min(PREAD_PIECE, len - done);
                piece.limit(at + n).position(at);
                while (piece.hasRemaining()) {
                    if (r.read(piece, offset + done + (piece.position() - at)) < 0) {
                        throw new IOException("end of file"); // shorter than mapped: cannot be, fall back
                    }
                }
                done += n;
            }
        } catch (IOException e) {
            if (!r.isOpen()) {
                reader = null; // closed under us (closeReader, or an interrupt): the mapping serves from now on
            }
            done = done + (piece.position() - (start + (int) done)); // whole bytes already in dst
        }
        dst.position(start + (int) done);
        return done;
    }

    /**
     * Copies {@code len} bytes from {@code src} (at its position, advancing it) into a private mapping.
     *
     * @param offset file offset
     * @param len byte count
     * @param src source
     */
    public void copyFrom(long offset, long len, ByteBuffer src) {
        forEachPiece(offset, len, (c, in, n) -> {
            int p = src.position();
            chunks[c].put(in, src, p, n);
            src.position(p + n);
        });
    }

    /** A run of bytes inside one chunk: chunk index, offset in it, length. */
    private interface Piece {
        void accept(int chunk, int offset, int length);
    }

    /** Splits {@code [offset, offset + len)} at chunk boundaries, in order. */
    private void forEachPiece(long offset, long len, Piece piece) {
        long off = offset;
        long left = len;
        while (left > 0) {
            int c = (int) (off / chunk);
            int in = (int) (off % chunk);
            int n = (int) Math.min(left, chunk - in);
            piece.accept(c, in, n);
            off += n;
            left -= n;
        }
    }

    @Override
    public String toString() {
        return "MappedFile(" + file + ", " + length + " bytes)";
    }
}
