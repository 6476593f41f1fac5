package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.NumPackException;
import dev.numpack.StoreIOException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * A file that appears whole or not at all, for the streaming writers of this package ({@link NpyWriter},
 * {@link NpzWriter}): written under a temporary name beside its target, then put in place by
 * {@link AtomicFiles#commit} (fsync, rename, directory fsync: that protocol's one owner). This class owns
 * the writers' open / committed / closed life around it.
 */
final class AtomicFile {
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
        Path temp = AtomicFiles.tempBeside(target);
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
     * Puts the file in place with {@link AtomicFiles#commit}: fsynced, renamed atomically onto the target
     * (replacing any file there), the directory fsynced.
     *
     * @throws StoreIOException if syncing or renaming fails (the temporary file is then deleted, the target
     *     untouched), or only the directory sync failed after the rename; the file is closed either way
     */
    void commit() {
        try {
            AtomicFiles.commit(channel, temp, target);
        } catch (RuntimeException e) {
            state = State.CLOSED; // the channel is closed; the temporary file is deleted or is the target now
            throw e;
        }
        state = State.COMMITTED;
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
