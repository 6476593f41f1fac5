package dev.numpack.internal.store;

import dev.numpack.AlreadyClosedException;
import dev.numpack.DType;
import dev.numpack.NumPackException;
import dev.numpack.ReadOnlyStoreException;
import dev.numpack.StoreStateException;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Runs an open store's commits, one at a time, in the order stage, validate, journal, apply, and then
 * publishes the new committed state to the {@link MappedArrays}.
 *
 * <p>Of the durability contract this keeps "atomic operations" for this store object: a commit that fails
 * while staging is rolled back and leaves the published state as it was; one that fails after its journal
 * became durable (its files may already be the new commit's while the published records are the old
 * one's) makes every later read and write of this store object fail with {@link StoreStateException}
 * until the store is reopened, whose recovery completes the commit. It also keeps "writes are serialized":
 * one write lock orders commits, and while a batch is open only that batch may commit.
 *
 * <p>Two locks: the write lock is held for a whole commit, staging included; the apply lock is held for
 * writing only while a commit applies and publishes (files change under the published records), and for
 * reading while a writable store maps an array, so that a mapping always pairs an entry with its own
 * files. Reads therefore wait for an apply at most, never for a whole write.
 */
public final class CommitRunner {
    /** What one commit stages. */
    @FunctionalInterface
    public interface Staging {
        /**
         * @param c the commit to stage into
         * @throws IOException if staging fails (the commit is rolled back)
         */
        void stage(Commit c) throws IOException;
    }

    private final StoreContext ctx;
    private final MappedArrays arrays;
    private final boolean writable;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantReadWriteLock applyLock = new ReentrantReadWriteLock();
    private volatile Object openBatch;
    private volatile String needsRecovery;
    private boolean closed; // guarded by writeLock

    /**
     * @param ctx the store
     * @param arrays where commits publish
     * @param writable whether the store holds the writer lock (a read-only store's runner refuses commits)
     */
    CommitRunner(StoreContext ctx, MappedArrays arrays, boolean writable) {
        this.ctx = ctx;
        this.arrays = arrays;
        this.writable = writable;
    }

    /**
     * Runs one commit under the write lock.
     *
     * @param batch the batch committing, or {@code null} for a plain write (refused while a batch is open)
     * @param s what to stage
     * @throws StoreStateException if another batch is open, or an earlier commit was not completely applied
     * @throws AlreadyClosedException if the store was closed
     */
    public void run(Object batch, Staging s) {
        if (!writable) {
            throw new ReadOnlyStoreException(ctx.root(), null);
        }
        writeLock.lock();
        try {
            if (closed) {
                throw new AlreadyClosedException(ctx.root(), null, "store");
            }
            if (openBatch != batch) {
                throw new StoreStateException(ctx.root(), null, "a batch is open on this store: write through it"
                        + " or close it");
            }
            requireApplied();
            Commit c = new Commit(ctx, arrays.snapshot());
            try {
                s.stage(c);
            } catch (IOException e) {
                c.rollback();
                throw ctx.io(null, "write failed, nothing changed", e);
            } catch (RuntimeException | Error e) {
                c.rollback();
                throw e;
            }
            applyAndPublish(c);
        } finally {
            writeLock.unlock();
        }
    }

    private void applyAndPublish(Commit c) {
        applyLock.writeLock().lock();
        try {
            arrays.publish(c.run());
        } catch (NumPackException e) {
            if (e.getCause() instanceof Journal.CommitException && ((Journal.CommitException) e.getCause()).committed()) {
                // the journal is durable but not applied: only recovery at the next open may write now
                needsRecovery = String.valueOf(e.getCause().getCause());
            }
            throw e;
        } catch (RuntimeException | Error e) {
            needsRecovery = "unexpected failure while committing: " + e; // the files' state is unknown
            throw e;
        } finally {
            applyLock.writeLock().unlock();
        }
    }

    /**
     * Applies the append log (its appends go into the metadata), if it holds any: at close, so that
     * programs reading only the metadata see every append. Runs under the write lock (close holds it).
     */
    void applyAppendLog() {
        writeLock.lock();
        try {
            AppendLog log = ctx.appendLog;
            if (log != null && log.pending()) {
                applyAndPublish(new Commit(ctx, arrays.snapshot()));
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Stages an array that a batch commits whole. When its dtype and shape are unchanged and few of its rows
     * changed ({@link ChangedRows}), only those rows are rewritten, in place and redo-logged as a replace of
     * rows is; otherwise the whole array goes to a new file.
     *
     * @param c the batch's commit
     * @param name array
     * @param dtype its dtype in the batch
     * @param shape its shape in the batch
     * @param rows its rows in the batch
     * @throws IOException if writing fails
     */
    public void stageBatchSave(Commit c, String name, DType dtype, long[] shape, RowSource rows) throws IOException {
        ArrayEntry cur = c.untouched(name);
        if (cur != null && cur.problem() == null && cur.bitmap() == null && shape.length > 0
                && cur.record().dtype() == dtype && Arrays.equals(cur.record().shape(), shape)) {
            long[] changed = ChangedRows.find(arrays.mapped(cur), rows, c.inPlaceLeft());
            if (changed != null) {
                if (changed.length > 0) {
                    c.chargeInPlace(changed.length * (rows.rowBytes() + ChangedRows.ROW_OVERHEAD));
                    c.replace(name, changed, ChangedRows.picked(rows, changed));
                }
                return;
            }
        }
        c.save(name, dtype, shape, rows);
    }

    /**
     * Opens a batch: from now on only {@code batch} commits, until {@link #endBatch}.
     *
     * @param batch the batch
     * @throws StoreStateException if a batch is already open
     */
    public void beginBatch(Object batch) {
        writeLock.lock();
        try {
            if (openBatch != null) {
                throw new StoreStateException(ctx.root(), null, "a batch is already open on this store");
            }
            openBatch = batch;
        } finally {
            writeLock.unlock();
        }
    }

    /** @param batch the batch that ends (nothing happens if it is not the open one) */
    public void endBatch(Object batch) {
        if (openBatch == batch) {
            openBatch = null;
        }
    }

    /** @throws StoreStateException if an earlier commit was made durable but not completely applied */
    public void requireApplied() {
        String why = needsRecovery;
        if (why != null) {
            throw new StoreStateException(ctx.root(), null, "an earlier commit was not completely applied (" + why
                    + "): close and reopen the store to complete it");
        }
    }

    /**
     * Runs a read that pairs published records with files (a writable store mapping an array): not while a
     * commit applies, and not after one failed half-way.
     *
     * @param read the read
     * @param <T> what it returns
     * @return what {@code read} returned
     * @throws StoreStateException if an earlier commit was not completely applied
     */
    public <T> T readPublished(Supplier<T> read) {
        return betweenApplies(() -> {
            requireApplied();
            return read.get();
        });
    }

    /**
     * @param read a read of the files, such as a check of every array's files
     * @param <T> what it returns
     * @return what {@code read} returned, read while no commit of this store applied
     */
    public <T> T betweenApplies(Supplier<T> read) {
        applyLock.readLock().lock();
        try {
            return read.get();
        } finally {
            applyLock.readLock().unlock();
        }
    }

    /** @return whether every commit made durable was also applied (none failed half-way) */
    boolean applied() {
        return needsRecovery == null;
    }

    /**
     * Ends commits: waits for the one in flight, runs {@code last} under the write lock, and refuses every
     * commit after it. If {@code last} throws, commits stay possible and a later call runs it again.
     *
     * @param last the closing work
     */
    void close(Runnable last) {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            last.run();
            closed = true;
        } finally {
            writeLock.unlock();
        }
    }
}
