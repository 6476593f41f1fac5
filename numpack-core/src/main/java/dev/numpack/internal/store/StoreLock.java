package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.StoreIOException;
import dev.numpack.StoreLockedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The one-writer-at-a-time lock of a store: an OS file lock on {@code .numpack.lock}, held for as long
 * as a writable store is open. The OS releases it when the process dies, so a {@code kill -9} never
 * leaves a stale lock. A second writer in this JVM or another process gets {@link StoreLockedException}
 * at once, or after waiting up to a timeout. Readers take no lock. An acquire refused in the holder's own
 * JVM never opens the lock file, since closing that descriptor would drop the holder's lock (OS locks
 * belong to the process).
 */
public final class StoreLock implements AutoCloseable {
    /**
     * The lock files this JVM holds, by file identity. An OS lock belongs to the process, and closing any
     * descriptor of the file drops it: an acquire must therefore never open (and close) a channel of its own
     * on a lock file this JVM holds, or the holder would silently lose its lock to other processes (a
     * read-only store that meets a commit in flight tries the lock to learn whether the writer died).
     * Guarded by itself, as is every open, lock and close of a lock file's channel.
     */
    private static final Set<Object> HELD = new HashSet<>();

    private final FileChannel channel;
    private final FileLock lock;
    private final Object identity;
    private boolean closed; // guarded by HELD

    private StoreLock(FileChannel channel, FileLock lock, Object identity) {
        this.channel = channel;
        this.lock = lock;
        this.identity = identity;
    }

    /**
     * @param store the store directory
     * @param timeout how long to wait for another writer to finish; zero fails at once; one longer than
     *     {@link Long#MAX_VALUE} nanoseconds (about 292 years) waits as long as that, which is for ever
     * @return the held lock
     * @throws StoreLockedException if another writer holds it past the timeout
     */
    public static StoreLock acquire(Path store, Duration timeout) {
        long start = System.nanoTime();
        // Duration.toNanos overflows past 292 years: such a wait is clamped, not an ArithmeticException
        long patience = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
        while (true) {
            StoreLock l = tryAcquire(store);
            if (l != null) {
                return l;
            }
            if (System.nanoTime() - start >= patience) {
                throw new StoreLockedException(store, "another writer holds " + StoreLayout.LOCK
                        + (timeout.isZero() ? "" : " (waited " + patience / 1_000_000 + " ms)")
                        + "; open the store read-only, or close the other writer");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreLockedException(store, "interrupted while waiting for the writer lock");
            }
        }
    }

    /**
     * @param store the store directory
     * @return the lock, or {@code null} if another writer holds it
     */
    public static StoreLock tryAcquire(Path store) {
        FileChannel ch = null;
        String bad = new StoreLayout(store).fileProblem(store.resolve(StoreLayout.LOCK));
        if (bad != null) {
            throw new CorruptStoreException(store, null, StoreLayout.LOCK + " " + bad + ": remove it");
        }
        Path file = store.resolve(StoreLayout.LOCK);
        synchronized (HELD) {
            try {
                Object known = identity(file);
                if (known != null && HELD.contains(known)) {
                    return null; // held by another store object in this JVM: no channel of ours may touch it
                }
                ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null; // held in this JVM, not through this class
                }
                if (l == null) {
                    ch.close();
                    return null;
                }
                Object id = identity(file);
                HELD.add(id);
                return new StoreLock(ch, l, id);
            } catch (IOException e) {
                closeQuietly(ch);
                throw new StoreIOException(store, null, "cannot open the lock file: " + e.getMessage(), e);
            }
        }
    }

    /** @return what identifies the file (device and inode where the OS tells), or {@code null} if it is absent */
    private static Object identity(Path file) throws IOException {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return key != null ? key : file.toRealPath();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }

    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                lock.release();
            } catch (IOException ignored) {
                // the channel close below releases it too
            }
            closeQuietly(channel);
            HELD.remove(identity);
        }
    }
}
