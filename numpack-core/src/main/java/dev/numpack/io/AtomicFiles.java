package dev.numpack.io;

import dev.numpack.InvalidArgumentException;
import dev.numpack.StoreIOException;
import dev.numpack.internal.store.FileOps;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Replaces a file so that a crash or power loss leaves either the old file or the whole new one, never a
 * part: the new content is written to a temporary file beside the target, fsynced, renamed over the target
 * atomically, and then the directory is fsynced so that the rename itself survives a power loss. The steps
 * are the store's own (its engine replaces its metadata the same way); this class offers them to
 * {@link NpyWriter} and to the adapters (a checkpoint's weight export, for one), so that there is one
 * implementation of the sequence and one rule for the platforms.
 *
 * <p>The contract: if a call throws before the rename, the target is untouched and the temporary file is
 * removed. If only the directory's fsync fails, the target already holds the new content (readers see it),
 * but a power loss may still undo the rename; the exception says so. On Windows a directory cannot be opened
 * to be fsynced: that step is skipped, and the rename is as durable as NTFS's own metadata journal makes it.
 * Every failure is a {@link StoreIOException} naming the target, with the {@link IOException} as its cause.
 */
public final class AtomicFiles {
    private static final FileOps DURABLE = new FileOps(true);
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Writes the content of a new file. */
    @FunctionalInterface
    public interface Content {
        /**
         * @param out the temporary file; buffered, flushed and closed by {@link AtomicFiles}, not by this call
         * @throws IOException on failure (the target stays untouched)
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * @param target a file
     * @return a fresh name beside it for its temporary file, {@code <name>.tmp-<random hex>} (not created)
     * @throws InvalidArgumentException if {@code target} has no file name (a root)
     */
    public static Path tempBeside(Path target) {
        if (target.getFileName() == null) {
            throw new InvalidArgumentException(target, null, "target has no file name");
        }
        return target.resolveSibling(target.getFileName() + ".tmp-" + Long.toHexString(RANDOM.nextLong() >>> 1));
    }

    /**
     * Creates or replaces {@code target} with what {@code content} writes, durably and atomically (see the
     * class comment).
     *
     * @param target the file
     * @param content writes the new file's bytes
     * @throws StoreIOException if writing, fsyncing or renaming fails (the target is untouched), or if the
     *     directory's fsync fails after the rename
     * @throws InvalidArgumentException if {@code target} has no file name
     */
    public static void write(Path target, Content content) {
        write(DURABLE, target, content);
    }

    /** {@link #write(Path, Content)} through {@code ops}: tests pass one whose fsyncs are recorded. */
    static void write(FileOps ops, Path target, Content content) {
        try {
            ops.replaceFile(tempBeside(target), target, ch -> {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch));
                content.writeTo(out);
                out.flush(); // not closed: that would close the channel before its fsync
            });
        } catch (IOException e) {
            throw new StoreIOException(target, null, "could not write the file, it is unchanged: " + e, e);
        }
        syncAfterRename(ops, target);
    }

    /**
     * Puts a temporary file that its writer has completed in place: fsyncs it, closes {@code written},
     * renames the file over {@code target} atomically and fsyncs the directory.
     *
     * @param written the channel the temporary file was written through (closed by this call, also on failure)
     * @param temp the temporary file, beside the target (e.g. {@link #tempBeside})
     * @param target the file to create or replace
     * @throws StoreIOException if fsyncing or renaming fails (the target is untouched and {@code temp} is
     *     removed), or if the directory's fsync fails after the rename
     */
    public static void commit(FileChannel written, Path temp, Path target) {
        commit(DURABLE, written, temp, target);
    }

    /** {@link #commit(FileChannel, Path, Path)} through {@code ops}, for tests. */
    static void commit(FileOps ops, FileChannel written, Path temp, Path target) {
        try {
            ops.moveOver(written, temp, target);
        } catch (IOException e) {
            throw new StoreIOException(target, null, "could not put the new file in place, it is unchanged: " + e, e);
        }
        syncAfterRename(ops, target);
    }

    private static void syncAfterRename(FileOps ops, Path target) {
        try {
            ops.syncDir(directoryOf(target));
        } catch (IOException e) {
            throw new StoreIOException(target, null, "the new file is in place, but fsyncing its directory failed, "
                    + "so a power loss may undo the rename: " + e, e);
        }
    }

    /**
     * Fsyncs a directory, so that the names created, renamed or deleted in it survive a power loss (skipped
     * on Windows, see the class comment).
     *
     * @param dir the directory
     * @throws StoreIOException if the fsync fails
     */
    public static void syncDirectory(Path dir) {
        syncDirectory(DURABLE, dir);
    }

    /** {@link #syncDirectory(Path)} through {@code ops}, for tests. */
    static void syncDirectory(FileOps ops, Path dir) {
        try {
            ops.syncDir(dir);
        } catch (IOException e) {
            throw new StoreIOException(dir, null, "fsyncing the directory failed: " + e, e);
        }
    }

    private static Path directoryOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent != null ? parent : file.toAbsolutePath();
    }
}
