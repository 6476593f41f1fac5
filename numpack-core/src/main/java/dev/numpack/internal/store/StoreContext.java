package dev.numpack.internal.store;

import dev.numpack.StoreIOException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** What the write path of one open store shares: its files, durability, segment size, temp names. */
public final class StoreContext {
    private static final AtomicLong COUNTER = new AtomicLong();
    private final AtomicLong lastMicros = new AtomicLong();

    public final StoreLayout layout;
    public final FileOps ops;
    public final Journal journal;
    public final long segmentTargetBytes;
    /**
     * The writer's append log, attached after recovery; {@code null} in a read-only store and while a
     * writer recovers (then appends commit whole). Used under the commit lock only.
     */
    AppendLog appendLog;

    public StoreContext(StoreLayout layout, FileOps ops, long segmentTargetBytes) {
        this.layout = layout;
        this.ops = ops;
        this.journal = new Journal(layout, ops);
        this.segmentTargetBytes = segmentTargetBytes;
    }

    public Path root() {
        return layout.root();
    }

    /** @return a token unique in this store across processes and restarts */
    /**
     * @return the time for a commit's records, in microseconds, strictly increasing within this store object
     *     so that two commits never write identical metadata (readers tell commits apart by its bytes)
     */
    public long nextMicros() {
        long t = System.currentTimeMillis() * 1000L;
        return lastMicros.updateAndGet(prev -> Math.max(prev + 1, t));
    }

    /** @return a token no other commit of any process uses, for temporary file names */
    public String uniqueToken() {
        return Long.toString(ProcessHandle.current().pid(), 36) + "-" + Long.toString(System.nanoTime() & 0xFFFFFFFFFFL, 36)
                + "-" + COUNTER.incrementAndGet();
    }

    /**
     * @param array the array concerned, or {@code null}
     * @param what what was being done
     * @param e the failure
     * @return the typed error naming this store and the array
     */
    public StoreIOException io(String array, String what, IOException e) {
        return new StoreIOException(root(), array, what + ": " + e, e);
    }
}
