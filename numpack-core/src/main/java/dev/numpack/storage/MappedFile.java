package dev.numpack.storage;

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
 */
public final class MappedFile {
    /** Most bytes per chunk. */
    static final long MAX_CHUNK = 1L << 30;

    private final Path file;
    private final long length;
    private final long chunk;
    private final ByteBuffer[] chunks;

    private MappedFile(Path file, long length, long chunk, ByteBuffer[] chunks) {
        this.file = file;
        this.length = length;
        this.chunk = chunk;
        this.chunks = chunks;
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
        if (chunk <= 0 || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("chunk " + chunk);
        }
        int n = (int) ((length + chunk - 1) / chunk);
        if (n == 0) {
            return new MappedFile(file, 0, chunk, new ByteBuffer[0]); // an empty array may have no file
        }
        ByteBuffer[] chunks = new ByteBuffer[n];
        StandardOpenOption[] opts = mode == FileChannel.MapMode.READ_ONLY
                ? new StandardOpenOption[] {StandardOpenOption.READ}
                : new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
        try (FileChannel ch = FileChannel.open(file, opts)) {
            long size = ch.size();
            if (size < length) {
                throw new IOException(file.getFileName() + " holds " + size + " bytes, " + length + " expected");
            }
            for (int i = 0; i < n; i++) {
                long off = i * chunk;
                chunks[i] = ch.map(mode, off, Math.min(chunk, length - off)).order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        return new MappedFile(file, length, chunk, chunks);
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
        forEachPiece(offset, len, (c, in, n) -> {
            int p = dst.position();
            dst.put(p, chunks[c], in, n);
            dst.position(p + n);
        });
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
