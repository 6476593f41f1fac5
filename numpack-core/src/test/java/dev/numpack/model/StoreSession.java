package dev.numpack.model;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.numpack.AlreadyClosedException;
import dev.numpack.Durability;
import dev.numpack.LazyArray;
import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** An open writable store plus what a sequence needs across reopenings: options and open lazy views. */
public final class StoreSession implements AutoCloseable {
    /** A lazy view and what it must show: the rows of its generation that were live when it opened. */
    public static final class View {
        final LazyArray lazy;
        final ArrayModel.Generation gen;
        final int[] livePhysical;
        final ArrayModel shapeOf;

        View(LazyArray lazy, ArrayModel a) {
            this.lazy = lazy;
            this.gen = a.generation();
            this.livePhysical = a.livePhysical();
            this.shapeOf = a;
        }
    }

    final Path dir;
    final Durability durability;
    long segmentTarget;
    NumPack np;
    final List<View> views = new ArrayList<>();

    /**
     * Opens (creating) a writable store.
     *
     * @param dir store directory
     * @param durability durability
     * @param segmentTarget segment target bytes, or 0 for the default
     */
    public StoreSession(Path dir, Durability durability, long segmentTarget) {
        this.dir = dir;
        this.durability = durability;
        this.segmentTarget = segmentTarget;
        this.np = open();
    }

    /** @return a new writable store on the same directory with the session's options */
    public NumPack open() {
        NumPack.Builder b = NumPack.builder().setPath(dir).optDurability(durability);
        if (segmentTarget > 0) {
            b.optSegmentTargetBytes(segmentTarget);
        }
        return b.build();
    }

    /** @return the open store */
    public NumPack store() {
        return np;
    }

    /** @return the store directory */
    public Path dir() {
        return dir;
    }

    /**
     * Closes and reopens the writer; views of the closed store must stop working.
     *
     * @param newSegmentTarget the segment target for the new instance (0: default)
     */
    public void reopen(long newSegmentTarget) {
        np.close();
        for (View v : views) {
            assertThrows(AlreadyClosedException.class, () -> v.lazy.gather(new long[0], java.nio.ByteBuffer.allocate(0)),
                    "a view of a closed store must stop working");
        }
        views.clear();
        segmentTarget = newSegmentTarget;
        np = open();
    }

    @Override
    public void close() {
        views.clear();
        np.close();
    }
}
