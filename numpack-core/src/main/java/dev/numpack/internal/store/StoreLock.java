package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.StoreIOException;
import dev.numpack.StoreLockedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The one-writer-at-a-time lock of a store: an OS file lock on {@code .numpack.lock}, held for as long
 * as a writable store is open. The OS releases it when the process dies, so a {@code kill -9} never
 * leaves a stale lock. A second writer in this JVM or another process gets {@link StoreLockedException}
 * at once, or after waiting up to a timeout. Readers take no lock.
 */
public final class StoreLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
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
        try {
            ch = FileChannel.open(store.resolve(StoreLayout.LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // held by another store object in this JVM
            }
            if (l == null) {
                ch.close();
                return null;
            }
            return new StoreLock(ch, l);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StoreIOException(store, null, "cannot open the lock file: " + e.getMessage(), e);
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
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel close below releases it too
        }
        closeQuietly(channel);
    }
}
