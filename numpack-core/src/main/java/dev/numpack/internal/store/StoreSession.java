package dev.numpack.internal.store;

import dev.numpack.AlreadyClosedException;
import dev.numpack.StoreIOException;
import dev.numpack.StoreLockedException;
import dev.numpack.StoreStateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * An open store from open to close: it creates the directory, takes the writer lock, completes or discards
 * an interrupted commit, sweeps what interrupted writes left, and at close releases all of it. It holds
 * the store's {@link MappedArrays} (what reads see), its {@link CommitRunner} (how writes commit) and, when
 * read-only, its {@link SnapshotReader} (how it refreshes).
 *
 * <p>Of the durability contract this keeps: "opening the store completes a committed journal and discards
 * an uncommitted one" (recovery before anything is read, under the lock); "one writer" (a writable session
 * holds the {@link StoreLock} from open to close, so a second writer gets {@link StoreLockedException});
 * the durable names of a new store's directories (their parents are fsynced, or the first commit could
 * vanish with them); and the clean close of a store without fsync (every file of the committed state is
 * fsynced once, so a clean close is durable too).
 */
public final class StoreSession implements AutoCloseable {
    private final StoreContext ctx;
    private final boolean readOnly;
    private final StoreLock lock;
    private final SnapshotReader reader;
    private final MappedArrays arrays;
    private final CommitRunner commits;
    private final Object refreshing = new Object(); // one refresh at a time, so none installs an older snapshot
    private volatile boolean closed;

    private StoreSession(StoreContext ctx, StoreLock lock, SnapshotReader reader, MappedSnapshot first) {
        this.ctx = ctx;
        this.readOnly = lock == null;
        this.lock = lock;
        this.reader = reader;
        this.arrays = new MappedArrays(ctx.layout, readOnly, first);
        this.commits = new CommitRunner(ctx, arrays, !readOnly);
    }

    /**
     * Opens a store.
     *
     * @param o how
     * @return the open session
     * @throws StoreIOException if the directory is missing (and not to be created), is not a directory,
     *     cannot be created, or the store cannot be read
     * @throws StoreLockedException if another writer holds the store
     */
    public static StoreSession open(StoreOptions o) {
        StoreContext ctx = new StoreContext(new StoreLayout(o.root()), new FileOps(o.durable()), o.segmentTargetBytes());
        return o.readOnly() ? openReadOnly(ctx, new SnapshotReader(ctx)) : openWritable(ctx, o);
    }

    /**
     * @param ctx the store
     * @param reader how its snapshots are read
     * @return a read-only session over the snapshot {@code reader} reads now
     */
    static StoreSession openReadOnly(StoreContext ctx, SnapshotReader reader) {
        if (!Files.isDirectory(ctx.root())) {
            throw new StoreIOException(ctx.root(), null, "no store directory here",
                    new NoSuchFileException(ctx.root().toString()));
        }
        return new StoreSession(ctx, null, reader, reader.read());
    }

    private static StoreSession openWritable(StoreContext ctx, StoreOptions o) {
        createDirectory(ctx, o.create());
        StoreLock lock = StoreLock.acquire(ctx.root(), o.lockTimeout());
        try {
            recover(ctx);
            StoreSnapshot snap = StoreSnapshot.read(ctx.layout);
            new Sweeper(ctx).sweep(snap);
            ctx.appendLog = new AppendLog(ctx);
            StoreSession s = new StoreSession(ctx, lock, null, new MappedSnapshot(snap));
            if (o.dropIfExists() && !snap.arrays().isEmpty()) {
                s.commits.run(null, Commit::dropAll);
            }
            return s;
        } catch (IOException e) {
            lock.close();
            throw ctx.io(null, "cannot open", e);
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Completes what a writer that died left, under the writer lock: a committed journal first (it may
     * carry the commit that applied the append log), then the append log.
     *
     * @param ctx the store, with no append log attached
     * @throws IOException if applying fails
     */
    static void recover(StoreContext ctx) throws IOException {
        ctx.journal.recover();
        AppendLog.recover(ctx);
    }

    private static void createDirectory(StoreContext ctx, boolean create) {
        Path root = ctx.root();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new StoreIOException(root, null, "exists and is not a directory",
                    new NotDirectoryException(root.toString()));
        }
        if (Files.exists(root)) {
            return;
        }
        if (!create) {
            throw new StoreIOException(root, null, "no store directory here", new NoSuchFileException(root.toString()));
        }
        Path existing = root.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw ctx.io(null, "cannot create the store directory", e);
        }
        // the new directories' names must be durable too, or the first commit could vanish with them
        for (Path p = root; p != null && !p.equals(existing); p = p.getParent()) {
            if (p.getParent() != null) {
                try {
                    ctx.ops.syncDir(p.getParent());
                } catch (IOException e) {
                    // best effort: a parent we may not read; the store itself is created
                }
            }
        }
    }

    /** @return the store directory */
    public Path root() {
        return ctx.root();
    }

    /** @return what reads see: the published snapshot and its mappings */
    public MappedArrays arrays() {
        return arrays;
    }

    /** @return how writes commit (a read-only session's runner refuses them) */
    public CommitRunner commits() {
        return commits;
    }

    /** @throws AlreadyClosedException if the store was closed */
    public void ensureOpen() {
        if (closed) {
            throw new AlreadyClosedException(ctx.root(), null, "store");
        }
    }

    /**
     * @return the committed state reads see (read-only stores: a snapshot, see {@link #refresh()})
     * @throws StoreStateException if an earlier commit was not completely applied (the files may already
     *     be the new commit's while the records are the old one's)
     */
    public StoreSnapshot current() {
        ensureOpen();
        commits.requireApplied();
        return arrays.snapshot();
    }

    /**
     * @param name array
     * @return its published entry with its mapping, as one consistent pair
     * @throws dev.numpack.ArrayNotFoundException if there is no such array
     * @throws dev.numpack.CorruptStoreException naming the store and the array, if its files are damaged
     */
    public MappedArray mapped(String name) {
        ensureOpen();
        return readOnly ? arrays.mapped(name) : commits.readPublished(() -> arrays.mapped(name));
    }

    /** Checks every array's files against the metadata by reading the store afresh (between commits). */
    public void verify() {
        ensureOpen();
        commits.betweenApplies(() -> {
            SnapshotReader.verify(ctx.layout);
            return null;
        });
    }

    /**
     * Re-reads a read-only store's committed state, if a commit changed it since it was read. Views opened
     * before keep their snapshot's mappings. A writable store always sees its own state.
     *
     * @return whether the committed state changed
     */
    public boolean refresh() {
        ensureOpen();
        if (readOnly && reader.changed()) {
            synchronized (refreshing) {
                if (!arrays.install(reader.read())) { // closed meanwhile: close closed the old snapshot
                    throw new AlreadyClosedException(ctx.root(), null, "store");
                }
            }
            return true;
        }
        return false;
    }

    /**
     * Closes the store once: after the commit in flight, applies and removes the append log, removes a cleared journal, fsyncs the committed
     * state when commits did not (a clean close is durable), closes a read-only snapshot's channels and
     * releases the writer lock.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        commits.close(() -> {
            if (!readOnly && commits.applied()) {
                commits.applyAppendLog(); // NumPack 0.7 reads the metadata only: it must hold every append
                try {
                    ctx.appendLog.remove();
                } catch (IOException e) {
                    // harmless: its header names the metadata just written and it holds no record of it
                }
                try {
                    ctx.journal.removeIfCleared();
                } catch (IOException e) {
                    // harmless: a cleared journal is ignored by every reader
                }
            } else if (!readOnly) {
                ctx.appendLog.abandon(); // the next open recovers the journal, then the log
            }
            try {
                if (!readOnly && !ctx.ops.durable()) {
                    new Sweeper(ctx).syncAll(arrays.snapshot()); // after the journal is gone, so that is durable too
                }
            } finally {
                closed = true; // a failed fsync is reported, and the store is closed and its lock released all the same
                if (readOnly) {
                    arrays.release(); // a refresh installing after this finds it released and closes its own
                }
                if (lock != null) {
                    lock.close();
                }
            }
        });
    }
}
