package dev.numpack;

import dev.numpack.storage.FileOps;
import dev.numpack.storage.Journal;
import dev.numpack.storage.StoreLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** What the write path of one open store shares: its files, durability, segment size, temp names. */
final class StoreContext {
    private static final AtomicLong COUNTER = new AtomicLong();
    private final AtomicLong lastMicros = new AtomicLong();

    final StoreLayout layout;
    final FileOps ops;
    final Journal journal;
    final long segmentTargetBytes;

    StoreContext(StoreLayout layout, FileOps ops, long segmentTargetBytes) {
        this.layout = layout;
        this.ops = ops;
        this.journal = new Journal(layout, ops);
        this.segmentTargetBytes = segmentTargetBytes;
    }

    Path root() {
        return layout.root();
    }

    /** @return a token unique in this store across processes and restarts */
    /**
     * @return the time for a commit's records, in microseconds, strictly increasing within this store object
     *     so that two commits never write identical metadata (readers tell commits apart by its bytes)
     */
    long nextMicros() {
        long t = System.currentTimeMillis() * 1000L;
        return lastMicros.updateAndGet(prev -> Math.max(prev + 1, t));
    }

    String uniqueToken() {
        return Long.toString(ProcessHandle.current().pid(), 36) + "-" + Long.toString(System.nanoTime() & 0xFFFFFFFFFFL, 36)
                + "-" + COUNTER.incrementAndGet();
    }

    NumPackException io(String array, String what, IOException e) {
        return new NumPackException(root(), array, what + ": " + e, e);
    }
}
