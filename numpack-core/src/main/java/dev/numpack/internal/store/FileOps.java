package dev.numpack.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * File primitives with the durability the store promises: whole writes, fsync of files and of their
 * directory, atomic renames. With {@code durable == false} every fsync is skipped: the result still
 * survives a killed process (the kernel holds the pages) but not a power loss.
 */
public final class FileOps {
    private final boolean durable;

    /** @param durable whether to fsync */
    public FileOps(boolean durable) {
        this.durable = durable;
    }

    /** @return whether this instance fsyncs */
    public boolean durable() {
        return durable;
    }

    /**
     * Creates {@code file} anew (after unlinking any old file of that name, so that a reader who mapped
     * the old inode keeps its content) and writes {@code data} into it, fsynced when durable.
     *
     * @param file the file
     * @param data the content
     * @throws IOException on failure
     */
    public void writeNew(Path file, ByteBuffer data) throws IOException {
        Files.deleteIfExists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeFully(ch, data.duplicate(), 0);
            if (durable) {
                ch.force(true);
            }
        }
    }

    /**
     * @param from source
     * @param to target, replaced if it exists
     * @throws IOException on failure
     */
    public void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system cannot rename " + from + " atomically", e);
        }
    }

    /**
     * Fsyncs a directory so that the names created, renamed or deleted in it are durable.
     *
     * @param dir the directory (skipped when not durable)
     * @throws IOException on failure
     */
    public void syncDir(Path dir) throws IOException {
        if (durable) {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                // Some platforms refuse to open directories; Linux, where durability matters here, does not.
                if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                    throw e;
                }
            }
        }
    }

    /**
     * @param file a file
     * @return its whole content
     * @throws IOException on failure, {@link NoSuchFileException} if missing
     */
    public static ByteBuffer readAll(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file));
    }

    /**
     * @param file a file
     * @param maxBytes the largest size accepted
     * @return its whole content
     * @throws IOException on failure, or when the file is larger than {@code maxBytes}
     */
    public static ByteBuffer readAll(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new IOException(file.getFileName() + " holds " + size + " bytes, more than the " + maxBytes + " accepted");
        }
        return readAll(file);
    }

    /**
     * @param ch channel
     * @param data bytes to write from position to limit
     * @param position file position
     * @throws IOException on failure
     */
    public static void writeFully(FileChannel ch, ByteBuffer data, long position) throws IOException {
        long pos = position;
        while (data.hasRemaining()) {
            pos += ch.write(data, pos);
        }
    }

    /**
     * @param ch channel
     * @param dst buffer to fill from position to limit
     * @param position file position
     * @throws IOException on failure or when the file ends first
     */
    public static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new IOException("read past EOF at " + pos);
            }
            pos += n;
        }
    }
}
