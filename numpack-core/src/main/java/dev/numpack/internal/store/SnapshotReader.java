package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.StoreIOException;
import dev.numpack.StoreStateException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a read-only store's committed state as one consistent snapshot: it waits out a commit in flight,
 * maps every array's files, and starts over if a commit landed while it read (the metadata file was
 * replaced or a journal appeared). Mapping at this point is what keeps a later view from pairing this
 * snapshot's shape with a data file that a newer commit renamed into place.
 *
 * <p>Of the durability contract this keeps "read-only stores take no lock (except, briefly, to complete
 * the commit of a writer that died mid-commit) and keep working while a writer commits: each holds one
 * consistent snapshot (every array mapped at the same commit)". A journal on disk with no writer holding
 * the lock is a writer that died mid-commit: the reader takes the lock and completes it, as a writer's
 * open would.
 */
public final class SnapshotReader {
    /**
     * Most data files a read-only store keeps open for positional reads of large ranges (see
     * {@link MappedFile}): a bound on the descriptors a store holds.
     */
    public static final int MAX_READERS = 64;
    /** How long a reader tries for a snapshot that no commit changed while it was read. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private final StoreContext ctx;
    private final Duration patience;
    private final Runnable afterMapping;
    private volatile Object stamp; // the metadata bytes of the snapshot read last
    private volatile long[] logMark; // the append log's generation and end read with it, or null: none

    /** @param ctx the store */
    public SnapshotReader(StoreContext ctx) {
        this(ctx, PATIENCE, () -> { });
    }

    /**
     * @param ctx the store
     * @param patience how long to try for a stable snapshot
     * @param afterMapping run after each attempt mapped the arrays, before it checks that nothing changed:
     *     where a test commits, as a writer in another process may
     */
    SnapshotReader(StoreContext ctx, Duration patience, Runnable afterMapping) {
        this.ctx = ctx;
        this.patience = patience;
        this.afterMapping = afterMapping;
    }

    /**
     * @return whether the metadata on disk differs from that of the snapshot read last, or the append log
     *     holds appends that snapshot has not
     */
    public boolean changed() {
        if (!Objects.equals(stamp, metadataStamp())) {
            return true;
        }
        long[] mark = logMark;
        return mark == null ? AppendLog.exists(ctx.layout) : AppendLog.movedOn(ctx.layout, mark[0], mark[1]);
    }

    /**
     * @return the committed state with every readable array mapped; an array whose files cannot be mapped
     *     is a broken entry
     * @throws StoreStateException if commits kept changing the store for the whole patience
     * @throws CorruptStoreException if the metadata is damaged and no commit changed it meanwhile
     * @throws StoreIOException if a file cannot be read, or an interrupted commit cannot be completed
     */
    MappedSnapshot read() {
        Path root = ctx.root();
        long deadline = System.nanoTime() + patience.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() - deadline < 0) {
            try {
                if (ctx.journal.present() && !completeInterruptedCommit()) {
                    Thread.sleep(2); // a live writer is applying a commit
                    continue;
                }
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            Object before = metadataStamp();
            StoreSnapshot s;
            Map<String, MappedArray> maps = new ConcurrentHashMap<>();
            AppendLog.Contents log;
            try {
                if (AppendLog.exists(ctx.layout) && completeLeftAppends()) {
                    continue; // a writer died and left its append log: applied now, read again
                }
                log = AppendLog.read(ctx.layout);
            } catch (IOException e) {
                throw new StoreIOException(root, null, "cannot read " + StoreLayout.APPEND_LOG + ": " + e, e);
            }
            try {
                StoreSnapshot committed = StoreSnapshot.read(ctx.layout);
                if (log != null) {
                    committed = withAppends(committed, log, before);
                    if (committed == null) {
                        sleep(); // the writer is applying its log to the metadata
                        continue;
                    }
                }
                s = mapAll(committed, maps);
            } catch (CorruptStoreException | IOException e) {
                last = e instanceof IOException ? new StoreIOException(root, null, "cannot read: " + e, e)
                        : (CorruptStoreException) e;
                s = null;
            } catch (RuntimeException | Error e) {
                MappedSnapshot.closeReaders(maps); // the files kept open so far
                throw e;
            }
            afterMapping.run();
            boolean stable = !ctx.journal.present() && Objects.equals(before, metadataStamp());
            if (!stable || s == null) {
                MappedSnapshot.closeReaders(maps); // thrown away
            }
            if (stable && s == null) {
                throw last; // nothing moved while we read: the damage is real
            }
            if (stable) {
                stamp = before;
                logMark = log == null ? null : new long[] {log.header.generation(), log.end};
                return new MappedSnapshot(s, maps);
            }
        }
        throw new StoreStateException(root, null, "the store kept changing for " + patience.toSeconds()
                + " s: no consistent snapshot" + (last == null ? "" : " (last error: " + last.getMessage() + ")"),
                last);
    }

    private StoreStateException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new StoreStateException(ctx.root(), null, "interrupted while waiting for a commit", e);
    }

    private void sleep() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /**
     * @param committed the snapshot of the metadata read
     * @param log the append log read with it
     * @param stamp the metadata's digest
     * @return the snapshot with the log's appends; {@code null} when the log does not extend this metadata
     *     (the live writer is between committing new metadata and renewing its log: read again)
     */
    private static StoreSnapshot withAppends(StoreSnapshot committed, AppendLog.Contents log, Object stamp) {
        byte[] digest = stamp instanceof ByteBuffer ? ((ByteBuffer) stamp).array() : null;
        return log.extendsMetadata(digest) ? AppendLog.overlay(committed, log.records) : null;
    }

    /**
     * @return whether the append log a dead writer left was applied; {@code false} when a live writer holds
     *     the lock, or this reader may not take it (no write permission): then the log is read with the
     *     metadata
     */
    private boolean completeLeftAppends() {
        try {
            return completeInterruptedCommit();
        } catch (StoreIOException e) {
            return false;
        }
    }

    /** @return whether the journal's commit was completed; {@code false} when a live writer holds the lock */
    private boolean completeInterruptedCommit() {
        StoreLock l = StoreLock.tryAcquire(ctx.root());
        if (l == null) {
            return false;
        }
        try (l) {
            StoreSession.recover(ctx); // the writer died mid-commit, or left appends in its log: complete them
            return true;
        } catch (IOException e) {
            throw new StoreIOException(ctx.root(), null, "cannot complete an interrupted commit (open the store"
                    + " writable once): " + e, e);
        }
    }

    /** Maps every readable array; an array whose files cannot be mapped becomes a broken entry. */
    private StoreSnapshot mapAll(StoreSnapshot s, Map<String, MappedArray> maps) {
        Map<String, ArrayEntry> out = new TreeMap<>();
        int readers = MAX_READERS;
        for (ArrayEntry e : s.arrays().values()) {
            ArrayEntry kept = e;
            if (e.problem() == null) {
                try {
                    ArrayData d = ArrayData.map(ctx.layout, e, FileChannel.MapMode.READ_ONLY, readers);
                    readers -= d.readers();
                    maps.put(e.name(), new MappedArray(e, d));
                } catch (IOException | CorruptStoreException ex) {
                    kept = ArrayEntry.broken(e.record(), new CorruptStoreException(ctx.root(), e.name(),
                            "cannot map data: " + ex.getMessage(), ex));
                }
            }
            out.put(e.name(), kept);
        }
        return new StoreSnapshot(out);
    }

    /**
     * What identifies a committed state: the metadata file's bytes (each record carries a microsecond
     * time), not its inode or mtime, which a quick succession of commits can repeat: their
     * {@link MetadataDigest} (bounded, so a huge damaged or sparse file costs neither memory nor minutes).
     */
    private Object metadataStamp() {
        Path meta = ctx.layout.path(StoreLayout.METADATA);
        String bad = ctx.layout.fileProblem(meta);
        if (bad != null) {
            return bad; // not a plain file (a pipe, a link): never read it; StoreSnapshot.read refuses it
        }
        try {
            return ByteBuffer.wrap(MetadataDigest.ofFile(meta));
        } catch (IOException e) {
            return null; // no metadata yet: an empty store
        }
    }

    /**
     * Checks every array's files against the metadata (sizes, manifests, bitmaps) by reading the store
     * afresh and mapping each array.
     *
     * @param layout the store
     * @throws CorruptStoreException naming the first inconsistency (and the array, where one is concerned)
     */
    static void verify(StoreLayout layout) {
        try {
            StoreSnapshot s = StoreSnapshot.read(layout);
            for (ArrayEntry e : s.arrays().values()) {
                ArrayEntry.requireReadable(layout.root(), e.name(), e);
                ArrayData.map(layout, e, FileChannel.MapMode.READ_ONLY);
            }
        } catch (IOException e) {
            throw new CorruptStoreException(layout.root(), null, "unreadable: " + e, e);
        }
    }
}
