package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A baseline: the array as a raw little-endian file ({@code x.bin}, no header) handled with plain
 * {@code java.nio}. With {@code fsync}, every write operation ends with {@code FileChannel.force(true)}
 * (or {@code MappedByteBuffer.force()}), and a save also fsyncs the directory after the rename.
 * Baselines give no atomicity for replace or append: they show what moving the bytes costs.
 */
abstract class RawFileLib extends Lib {
    final Path dir;
    final Path file;
    final Path tmp;
    final boolean fsync;
    final long initialBytes;
    FileChannel ch; // READ + WRITE on file

    RawFileLib(String name, Path dir, NdArray initial, boolean fsync) throws IOException {
        super(name);
        this.dir = dir;
        this.file = dir.resolve("x.bin");
        this.tmp = dir.resolve("x.bin.tmp");
        this.fsync = fsync;
        this.initialBytes = initial.byteSize();
        if (initialBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("baselines map the file as one buffer: at most 2 GiB");
        }
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(c, initial.buffer(), 0);
            c.force(true);
        }
        fsyncDir();
        this.ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** FileChannel.open + map of the whole file, then unmap and close: no data is read. */
    @Override
    final long lazyOpen() throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer m = c.map(FileChannel.MapMode.READ_ONLY, 0, c.size());
            long n = m.capacity();
            Unmap.unmap(m);
            return n;
        }
    }

    /** A positional FileChannel write at the end (both baselines, as the brief specifies). */
    @Override
    final void append(NdArray rows) throws IOException {
        writeFully(ch, rows.buffer(), ch.size());
        if (fsync) {
            ch.force(true);
        }
    }

    @Override
    final void truncateToInitial() throws IOException {
        ch.truncate(initialBytes);
    }

    /** Writes a new file, (fsyncs it,) renames it over the old one (and fsyncs the directory). */
    @Override
    final void save(NdArray whole) throws IOException {
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            writeNewFile(c, whole);
            if (fsync) {
                c.force(true);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            fsyncDir();
        }
        ch.close();
        ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        reopened();
    }

    /** @param c an empty new file to fill with {@code whole}'s bytes */
    abstract void writeNewFile(FileChannel c, NdArray whole) throws IOException;

    /** Called after {@link #save} swapped in a new file and reopened {@link #ch}. */
    abstract void reopened() throws IOException;

    @Override
    public void close() throws IOException {
        ch.close();
    }

    final void fsyncDir() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    static void writeFully(FileChannel c, ByteBuffer src, long pos) throws IOException {
        while (src.hasRemaining()) {
            pos += c.write(src, pos);
        }
    }

    static void readFully(FileChannel c, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = c.read(dst, pos);
            if (n < 0) {
                throw new EOFException("read past the end at " + pos);
            }
            pos += n;
        }
    }
}
