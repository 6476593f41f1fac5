package dev.numpack.internal.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * File primitives with the durability the store promises: whole writes, fsync of files and of their
 * directory, atomic renames, and the one implementation of replacing a file through a temporary file
 * (write, fsync, rename over the target; the directory's fsync follows, here or batched by the caller).
 * {@code dev.numpack.io.AtomicFiles} offers it to the other modules (the engine does not depend on that
 * package). With {@code durable == false} every fsync is skipped: the result still survives a killed
 * process (the kernel holds the pages) but not a power loss.
 *
 * <p>Every fsync of the engine goes through an instance of this class ({@link #syncFile}, {@link #syncData},
 * {@link #syncMapped}, {@link #syncDir}), so that this is the one place that decides whether and how bytes and names are forced
 * to disk, and the one place a power-loss simulation observes them (see {@link #installForTests}).
 */
public final class FileOps {
    /**
     * The one test of the platform: Windows refuses to open a directory as a channel, so a directory
     * cannot be fsynced there; NTFS journals its own metadata (names, renames) instead.
     */
    private static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    /** How bytes and names are forced to disk: the operating system's fsync, or, in tests, a recorder. */
    public interface Fsync {
        /**
         * @param ch an open file
         * @param file its path (a recorder reads the bytes made durable through it)
         * @param metadata whether the file's metadata (times) must be forced too; its size always is
         * @throws IOException on failure
         */
        void file(FileChannel ch, Path file, boolean metadata) throws IOException;

        /**
         * Forces a range of a file mapped read-write ({@code msync}): the bytes written into that range through
         * the mapping, not the rest of the file, nor its times.
         *
         * @param map the mapping, of {@code file} from position {@code mapStart}
         * @param file its path (a recorder reads the bytes made durable through it)
         * @param mapStart the file position of the mapping's first byte
         * @param index the range's first byte, in the mapping
         * @param length the range's length
         * @throws IOException on failure
         */
        void mapped(MappedByteBuffer map, Path file, long mapStart, int index, int length) throws IOException;

        /**
         * @param dir a directory whose entries (created, renamed, deleted names) must become durable
         * @throws IOException on failure
         */
        void directory(Path dir) throws IOException;
    }

    /** The operating system's fsync; on Windows a directory that cannot be opened is skipped. */
    public static final Fsync OS = new Fsync() {
        @Override
        public void file(FileChannel ch, Path file, boolean metadata) throws IOException {
            ch.force(metadata);
        }

        @Override
        public void mapped(MappedByteBuffer map, Path file, long mapStart, int index, int length) throws IOException {
            try {
                map.force(index, length);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }

        @Override
        public void directory(Path dir) throws IOException {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                if (!WINDOWS) {
                    throw e;
                }
            }
        }
    };

    /** Writes a new file's content. */
    @FunctionalInterface
    public interface Content {
        /**
         * @param ch the new file, empty, positioned at 0; not to be closed
         * @throws IOException on failure
         */
        void writeTo(FileChannel ch) throws IOException;
    }

    /**
     * The test seam: the fsync of every instance made without an explicit {@link Fsync}, or {@code null} for
     * {@link #OS}. Read once per fsync (a volatile read next to a device flush); set only by
     * {@link #installForTests}.
     */
    private static volatile Fsync installed;

    private final boolean durable;
    private final Fsync fsync; // null: the installed recorder if any, else OS

    /** @param durable whether to fsync */
    public FileOps(boolean durable) {
        this.durable = durable;
        this.fsync = null;
    }

    /**
     * @param durable whether to fsync
     * @param fsync how (tests pass one that records the calls)
     */
    public FileOps(boolean durable, Fsync fsync) {
        this.durable = durable;
        this.fsync = java.util.Objects.requireNonNull(fsync, "fsync");
    }

    /**
     * Test seam, for the power-loss simulation only: until the returned handle is closed, every fsync of
     * every store, {@code AtomicFiles} call and checkpoint of this JVM (every instance made without an
     * explicit {@link Fsync}) goes to {@code recorder}, which must itself fsync through {@link #OS} what
     * it records, and ignore paths it does not watch. This package is not exported by the module, so no user
     * of the API can reach it; unused, it costs one volatile read per fsync.
     *
     * @param recorder the fsync to use instead of the operating system's
     * @return a handle whose {@code close()} restores {@link #OS}
     * @throws IllegalStateException if a recorder is installed already (tests that install one run alone)
     */
    public static AutoCloseable installForTests(Fsync recorder) {
        java.util.Objects.requireNonNull(recorder, "recorder");
        synchronized (FileOps.class) {
            if (installed != null) {
                throw new IllegalStateException("an fsync recorder is installed already");
            }
            installed = recorder;
        }
        return () -> {
            synchronized (FileOps.class) {
                if (installed == recorder) {
                    installed = null;
                }
            }
        };
    }

    private Fsync fsync() {
        if (fsync != null) {
            return fsync;
        }
        Fsync t = installed;
        return t != null ? t : OS;
    }

    /**
     * @return whether a test's recorder observes this instance's fsyncs: a {@link SyncGroup} then runs them
     *     on the caller's thread, so that the recorder sees one event at a time, in program order
     */
    boolean observed() {
        return durable && fsync() != OS;
    }

    /**
     * Forces a file's bytes and metadata to disk, when durable.
     *
     * @param ch the file, open
     * @param file its path
     * @throws IOException on failure
     */
    public void syncFile(FileChannel ch, Path file) throws IOException {
        if (durable) {
            fsync().file(ch, file, true);
        }
    }

    /**
     * Forces a file's bytes (and its size, not its times) to disk, when durable: {@code fdatasync}, for a
     * file rewritten in place such as the journal.
     *
     * @param ch the file, open
     * @param file its path
     * @throws IOException on failure
     */
    public void syncData(FileChannel ch, Path file) throws IOException {
        if (durable) {
            fsync().file(ch, file, false);
        }
    }

    /**
     * Forces a range written through a read-write mapping to disk, when durable ({@code msync}): for a file
     * whose size and blocks are fixed, such as the append log, a data-only sync of the pages written.
     *
     * @param map the mapping, of {@code file} from position {@code mapStart}
     * @param file its path
     * @param mapStart the file position of the mapping's first byte
     * @param index the range's first byte, in the mapping
     * @param length the range's length
     * @throws IOException on failure
     */
    public void syncMapped(MappedByteBuffer map, Path file, long mapStart, int index, int length) throws IOException {
        if (durable) {
            fsync().mapped(map, file, mapStart, index, length);
        }
    }

    /** @return whether this instance fsyncs */
    public boolean durable() {
        return durable;
    }

    /**
     * Replaces {@code target} by a file written anew: {@code content} goes to {@code temp} (after unlinking
     * any old file of that name, so a reader who mapped it keeps its content), which is fsynced when
     * durable and renamed over {@code target} atomically, so a crash leaves the old file or the new one. On
     * failure before the rename, {@code temp} is removed and {@code target} is untouched. The directory is
     * not fsynced here: call {@link #syncDir} after, once for several changes in one directory.
     *
     * @param temp the temporary file, in {@code target}'s directory
     * @param target the file to replace or create
     * @param content what the new file holds
     * @throws IOException on failure
     */
    public void replaceFile(Path temp, Path target, Content content) throws IOException {
        Files.deleteIfExists(temp);
        FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            content.writeTo(ch);
        } catch (IOException | RuntimeException e) {
            discard(ch, temp, e);
            throw e;
        }
        moveOver(ch, temp, target);
    }

    /**
     * Puts a temporary file its writer has completed in place: fsyncs it through {@code written} when
     * durable, closes that channel and renames the file over {@code target} atomically. On failure,
     * {@code temp} is removed and {@code target} is untouched. The directory is not fsynced here (see
     * {@link #syncDir}).
     *
     * @param written the open channel the file was written through; closed by this call
     * @param temp the file
     * @param target the file to replace or create, in the same directory
     * @throws IOException on failure
     */
    public void moveOver(FileChannel written, Path temp, Path target) throws IOException {
        try {
            syncFile(written, temp);
            written.close();
            rename(temp, target);
        } catch (IOException | RuntimeException e) {
            discard(written, temp, e);
            throw e;
        }
    }

    private static void discard(FileChannel ch, Path temp, Exception failure) {
        try {
            ch.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e); // a leftover temporary file: a store sweeps it at the next writer open
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
     * Fsyncs a directory so that the names created, renamed or deleted in it are durable. On Windows, where a
     * directory cannot be opened, nothing is done: the names are as durable as NTFS's metadata journal
     * makes them.
     *
     * @param dir the directory (skipped when not durable)
     * @throws IOException on failure
     */
    public void syncDir(Path dir) throws IOException {
        if (durable) {
            fsync().directory(dir);
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
