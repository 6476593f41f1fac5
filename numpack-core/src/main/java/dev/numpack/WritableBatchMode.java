package dev.numpack;

import dev.numpack.internal.store.ArrayEntry;
import dev.numpack.internal.store.CommitRunner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writable batch mode: arrays are mapped copy-on-write ({@code MAP_PRIVATE}) and changed in place through
 * {@link WritableArray} buffers, with no load and no copy. Nothing reaches the files until the batch
 * closes; then all opened arrays are committed at once, atomically: each array's changed rows are found
 * by comparing the mapping with the file, and written in place through the redo journal (as
 * {@link NumPack#replace} does) when they are at most a quarter of the array and fit the commit's 64 MiB
 * budget for such rows; otherwise the array is written to a new file. A crash before that leaves the store as
 * it was. {@link #abort()} discards the changes.
 *
 * <pre>{@code
 * try (WritableBatchMode wb = np.writableBatchMode()) {
 *     FloatBuffer x = wb.open("x").buffer().asFloatBuffer();
 *     for (int i = 0; i < x.limit(); i++) x.put(i, x.get(i) * 1.1f);
 * }
 * }</pre>
 */
public final class WritableBatchMode implements AutoCloseable {
    private final NumPack store;
    private final CommitRunner commits;
    private final Map<String, WritableArray> open = new LinkedHashMap<>();
    private boolean aborted;
    private boolean closed;

    WritableBatchMode(NumPack store) {
        this.store = store;
        this.commits = store.writer();
        commits.beginBatch(this);
    }

    /**
     * @param name array (without deleted rows: compact it first)
     * @return its writable mapping (the same object when opened twice)
     */
    public WritableArray open(String name) {
        ensureOpen();
        WritableArray w = open.get(name);
        if (w == null) {
            ArrayEntry e = store.entry(name);
            if (e.bitmap() != null) {
                throw new InvalidArgumentException(store.path(), name, "has " + (e.physicalRows() - e.logicalRows())
                        + " deleted rows; compact it before opening it writable");
            }
            w = new WritableArray(this, e, store.arrays().mapPrivate(e));
            open.put(name, w);
        }
        return w;
    }

    /** Discards every change; close then commits nothing. */
    public void abort() {
        aborted = true;
    }

    /** Commits every opened array in one atomic commit (unless aborted) and ends the batch. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!aborted && !open.isEmpty()) {
                commits.run(this, c -> {
                    for (WritableArray w : open.values()) {
                        ArrayEntry e = w.entry();
                        commits.stageBatchSave(c, e.name(), e.record().dtype(), e.record().shape(), w.source());
                    }
                });
            }
        } finally {
            open.clear();
            commits.endBatch(this);
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new AlreadyClosedException(store.path(), null, "writable batch");
        }
        store.ensureOpen();
    }

    Path storePath() {
        return store.path();
    }
}
