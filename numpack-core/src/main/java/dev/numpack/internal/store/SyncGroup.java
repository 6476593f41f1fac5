package dev.numpack.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The fsyncs of one commit's new files, each started as soon as its file is written, and awaited together
 * before the commit point.
 *
 * <p>Why: a commit that writes many files (a checkpoint writes one per tensor) and then fsyncs them one
 * after another waits for each device flush in turn; fsyncing all of them at the end still leaves the
 * device idle while the files are written. Here the device flushes file {@code i} while file {@code i+1}
 * is copied into the page cache, so a commit's writes and flushes overlap (26 files, 120 MB: about 0.75x
 * the time of one gathering write and one fsync of the same bytes, on the 2-vCPU VM this was built on).
 *
 * <p>At most {@link #MAX_OPEN} files of a group are open at once: {@link #add} waits for earlier fsyncs
 * past that, so a commit of thousands of small arrays does not run out of file descriptors.
 *
 * <p>Contract: when {@link #await()} returns normally, every file added is durable (its data and size
 * fsynced) and its channel closed. On any failure, {@link #await()} still waits for every fsync to end
 * before it throws, so that no fsync of a commit that is being rolled back runs on behind the caller. Not
 * durable ({@code FileOps.durable() == false}): channels are closed at once and nothing is fsynced.
 *
 * <p>Not thread safe: one committing thread adds and awaits; the fsyncs themselves run on a shared pool of
 * daemon threads.
 */
public final class SyncGroup {
    /** Most fsyncs run at once, over all stores: enough to keep a device's queue busy. */
    static final int THREADS = 8;

    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "numpack-fsync");
        t.setDaemon(true);
        t.setContextClassLoader(null); // hold no application's class loader
        return t;
    });

    /** Most files of one group open at once (written, fsync not yet ended): a bound on its descriptors. */
    static final int MAX_OPEN = 64;

    private final FileOps ops;
    private final boolean durable;
    private final List<Future<?>> pending = new ArrayList<>();
    private final Semaphore open = new Semaphore(MAX_OPEN);

    /** @param ops whether to fsync ({@link FileOps#durable()}) */
    public SyncGroup(FileOps ops) {
        this.ops = ops;
        this.durable = ops.durable();
    }

    /**
     * Takes over a written file's channel: fsyncs it in the background, then closes it. Closed at once
     * when not durable.
     *
     * @param ch the file's channel, open for writing, with everything written
     * @param file its path, for messages
     * @throws IOException if closing fails (not durable: closed here)
     */
    public void add(FileChannel ch, Path file) throws IOException {
        if (!durable) {
            ch.close();
            return;
        }
        if (ops.observed()) { // a power-loss test records events one at a time, in program order
            try (FileChannel c = ch) {
                ops.syncFile(c, file);
            }
            return;
        }
        open.acquireUninterruptibly(); // past MAX_OPEN, the writer waits for the oldest fsyncs to end
        try {
            pending.add(POOL.submit(() -> {
                try (FileChannel c = ch) {
                    ops.syncFile(c, file);
                } catch (IOException e) {
                    throw new IOException("fsync of " + file + " failed: " + e.getMessage(), e);
                } finally {
                    open.release();
                }
                return null;
            }));
        } catch (RuntimeException e) { // rejected: the pool cannot be shut down, but never leak the channel
            open.release();
            closeQuietly(ch);
            throw e;
        }
    }

    /**
     * Waits for every fsync added so far. Interrupts are deferred: an fsync cannot be abandoned halfway.
     *
     * @throws IOException the first failure, with the others suppressed, once every fsync has ended
     */
    public void await() throws IOException {
        IOException failed = null;
        boolean interrupted = false;
        for (Future<?> p : pending) {
            while (true) {
                try {
                    p.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    IOException io = e.getCause() instanceof IOException ? (IOException) e.getCause()
                            : new IOException("fsync failed: " + e.getCause(), e.getCause());
                    if (failed == null) {
                        failed = io;
                    } else {
                        failed.addSuppressed(io);
                    }
                    break;
                }
            }
        }
        pending.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed != null) {
            throw failed;
        }
    }

    /** Waits for every fsync to end and drops their failures: the commit is being rolled back. */
    public void abandon() {
        try {
            await();
        } catch (IOException ignored) {
            // the files are deleted next; their fsync no longer matters
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // written through already; closing a written channel has nothing left to report
        }
    }
}
