package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Baseline: {@link MappedByteBuffer}s on the raw file. Gather reads a read-only mapping made once;
 * replace writes a read-write mapping made once; append is a FileChannel write at the end (shared with
 * {@link FileChannelLib}).
 */
final class MmapLib extends RawFileLib {
    private final int rowBytes;
    private MappedByteBuffer ro;
    private MappedByteBuffer rw;

    MmapLib(String name, Path dir, NdArray initial, boolean fsync) throws IOException {
        super(name, dir, initial, fsync);
        this.rowBytes = Math.toIntExact(initial.rowBytes());
        map();
    }

    private void map() throws IOException {
        ro = ch.map(FileChannel.MapMode.READ_ONLY, 0, initialBytes);
        rw = ch.map(FileChannel.MapMode.READ_WRITE, 0, initialBytes);
    }

    private void unmap() {
        Unmap.unmap(ro);
        Unmap.unmap(rw);
        ro = null;
        rw = null;
    }

    /** Map the whole file, one bulk copy into a new direct buffer, unmap. */
    @Override
    ByteBuffer fullLoad() throws IOException {
        int n = Math.toIntExact(ch.size());
        MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, n);
        try {
            ByteBuffer dst = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
            dst.put(0, m, 0, n);
            return dst;
        } finally {
            Unmap.unmap(m);
        }
    }

    /** One absolute bulk put per row into the read-write mapping (then force() with fsync). */
    @Override
    void replace(long[] indices, NdArray rows) {
        ByteBuffer src = rows.buffer();
        for (int i = 0; i < indices.length; i++) {
            rw.put(Math.toIntExact(indices[i] * rowBytes), src, i * rowBytes, rowBytes);
        }
        if (fsync) {
            rw.force();
        }
    }

    /** The hand-written loop: one absolute bulk copy per row out of the read-only mapping. */
    @Override
    void gather(long[] indices, ByteBuffer dst) {
        int p = dst.position();
        for (long idx : indices) {
            dst.put(p, ro, Math.toIntExact(idx * rowBytes), rowBytes);
            p += rowBytes;
        }
        dst.position(p);
    }

    /** Slices of the read-only mapping, one chunk after another (the page cache is the memory). */
    @Override
    double stream(int chunkRows) {
        int step = Math.multiplyExact(chunkRows, rowBytes);
        int size = ro.capacity();
        double acc = 0;
        for (int pos = 0; pos < size; pos += step) {
            acc = sum(acc, ro.slice(pos, Math.min(step, size - pos)).order(ByteOrder.LITTLE_ENDIAN));
        }
        return acc;
    }

    /** Map the new file read-write (which sizes it), one bulk put, (force,) unmap. */
    @Override
    void writeNewFile(FileChannel c, NdArray whole) throws IOException {
        int n = Math.toIntExact(whole.byteSize());
        MappedByteBuffer m = c.map(FileChannel.MapMode.READ_WRITE, 0, n);
        try {
            m.put(0, whole.buffer(), 0, n);
            if (fsync) {
                m.force();
            }
        } finally {
            Unmap.unmap(m);
        }
    }

    @Override
    void reopened() throws IOException {
        unmap();
        map();
    }

    @Override
    public void close() throws IOException {
        unmap();
        super.close();
    }
}
