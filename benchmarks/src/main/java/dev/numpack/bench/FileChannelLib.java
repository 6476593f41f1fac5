package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Baseline: positional {@link FileChannel} reads and writes on the raw file. */
final class FileChannelLib extends RawFileLib {
    private final int rowBytes;

    FileChannelLib(String name, Path dir, NdArray initial, boolean fsync) throws IOException {
        super(name, dir, initial, fsync);
        this.rowBytes = Math.toIntExact(initial.rowBytes());
    }

    /** One FileChannel read of the whole file into a new direct buffer. */
    @Override
    ByteBuffer fullLoad() throws IOException {
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.toIntExact(ch.size())).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, dst, 0);
        return dst.flip();
    }

    /** One positional write per row (then force with fsync). */
    @Override
    void replace(long[] indices, NdArray rows) throws IOException {
        ByteBuffer src = rows.buffer();
        for (int i = 0; i < indices.length; i++) {
            writeFully(ch, src.slice(i * rowBytes, rowBytes), indices[i] * rowBytes);
        }
        if (fsync) {
            ch.force(true);
        }
    }

    /** One positional read per row. */
    @Override
    void gather(long[] indices, ByteBuffer dst) throws IOException {
        int limit = dst.limit();
        try {
            for (long idx : indices) {
                dst.limit(dst.position() + rowBytes);
                readFully(ch, dst, idx * rowBytes);
            }
        } finally {
            dst.limit(limit);
        }
    }

    /** Positional reads into one reused direct buffer of a chunk's size. */
    @Override
    double stream(int chunkRows) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(Math.multiplyExact(chunkRows, rowBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        long size = ch.size();
        double acc = 0;
        for (long pos = 0; pos < size; pos += chunk.capacity()) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - pos));
            readFully(ch, chunk, pos);
            acc = sum(acc, chunk.flip());
        }
        return acc;
    }

    @Override
    void writeNewFile(FileChannel c, NdArray whole) throws IOException {
        writeFully(c, whole.buffer(), 0);
    }

    @Override
    void reopened() {
        // nothing mapped
    }
}
