package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.NumPackException;
import dev.numpack.StoreIOException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A file that appears whole or not at all: written under a temporary name beside its target, then synced,
 * renamed onto the target and the directory synced, so that neither a crash nor a failed write leaves a
 * partial file under the target's name. The one owner of that protocol, and of the open / committed /
 * closed life of the writers of this package.
 */
final class AtomicFile {
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { OPEN, COMMITTED, CLOSED }

    private final Path target;
    private final Path temp;
    private final String what;
    private final FileChannel channel;
    private State state = State.OPEN;

    private AtomicFile(Path target, Path temp, String what, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.what = what;
        this.channel = channel;
    }

    /**
     * Creates {@code <target>.tmp-<random>} beside the target.
     *
     * @param target the file to create or replace on {@link #commit()}
     * @param what the kind of file, for messages (".npy")
     * @return the temporary file, open for writing
     * @throws dev.numpack.InvalidArgumentException if the target has no file name
     * @throws StoreIOException if the temporary file cannot be created
     */
    static AtomicFile create(Path target, String what) {
        Path name = target.getFileName();
        if (name == null) {
            throw new dev.numpack.InvalidArgumentException(target, null, "target has no file name");
        }
        Path temp = target.resolveSibling(name + ".tmp-" + Long.toHexString(RANDOM.nextLong() >>> 1));
        try {
            return new AtomicFile(target, temp, what, FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new StoreIOException(target, null, "cannot create temporary file " + temp + ": " + e, e);
        }
    }

    /** @return the file to create or replace */
    Path target() {
        return target;
    }

    /** @return the temporary file's channel, for writing */
    FileChannel channel() {
        return channel;
    }

    /**
     * Checks that the file can still be written.
     *
     * @param writer the writer, for the message ("npy writer")
     * @param whenCommitted makes the exception for a file already committed
     * @throws AlreadyClosedException if the file was closed or abandoned
     */
    void ensureOpen(String writer, Supplier<RuntimeException> whenCommitted) {
        if (state == State.COMMITTED) {
            throw whenCommitted.get();
        }
        if (state == State.CLOSED) {
            throw new AlreadyClosedException(target, null, writer);
        }
    }

    /** Writes all of {@code data} at the channel's position. */
    void write(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    /**
     * Syncs the temporary file, renames it atomically onto the target (replacing any file there) and syncs
     * the directory so that the rename survives a crash.
     *
     * @throws StoreIOException if syncing or renaming fails (the temporary file is then deleted), or only
     *     the directory sync failed after the rename
     */
    void commit() {
        try {
            channel.force(true);
            channel.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            state = State.COMMITTED; // even if the directory sync fails: the file is in place
        } catch (IOException e) {
            throw abandon("cannot commit " + what + " file", e);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    private void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Windows refuses to open a directory as a channel; NTFS journals the rename itself.
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
                throw new StoreIOException(target, null, "renamed onto the target, but syncing directory "
                        + dir + " failed, so the rename may not survive a crash: " + e, e);
            }
        }
    }

    /**
     * Deletes the temporary file after a failure.
     *
     * @param what what failed
     * @param cause why
     * @return the exception to throw
     */
    NumPackException abandon(String what, IOException cause) {
        state = State.CLOSED;
        NumPackException e = new StoreIOException(target, null, what + ": " + cause, cause);
        try {
            discard();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
        return e;
    }

    private void discard() throws IOException {
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Closes the file. Without a {@link #commit()}, deletes the temporary file and leaves the target as it
     * was. Closing twice, or after a commit, has no effect.
     *
     * @throws StoreIOException if the temporary file cannot be deleted
     */
    void close() {
        if (state != State.OPEN) {
            state = State.CLOSED;
            return;
        }
        state = State.CLOSED;
        try {
            discard();
        } catch (IOException e) {
            throw new StoreIOException(target, null, "cannot delete temporary file " + temp + ": " + e, e);
        }
    }
}
