package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers in other threads of the writing store while it saves the same array over and over with other
 * shapes: every read must see one whole committed version (its shape and its own bytes), never an old
 * shape over a new file.
 */
class ConcurrentReadWriteTest {
    @TempDir
    Path dir;

    /** Version n: n rows of 3 floats, every value n. */
    private static NdArray version(int n) {
        float[][] r = new float[n][3];
        for (float[] row : r) {
            java.util.Arrays.fill(row, n);
        }
        return NdArray.of(r);
    }

    @Test
    void readersSeeWholeVersionsWhileTheWriterSaves() throws Exception {
        try (NumPack np = NumPack.builder().setPath(dir).optDurability(Durability.NO_FSYNC).build()) {
            np.save("x", version(1));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger reads = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread r = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            NdArray a = np.load("x");
                            int n = (int) a.rows();
                            for (float v : a.toFloatArray()) {
                                if (v != n) {
                                    throw new AssertionError("a version of " + n + " rows holds " + v);
                                }
                            }
                            NdArray last = np.gather("x", -1);
                            assertEquals(1, last.rows());
                            reads.incrementAndGet();
                        } catch (Throwable e) {
                            errors.add(e);
                            return;
                        }
                    }
                });
                r.start();
                readers.add(r);
            }
            for (int i = 0; i < 400 && errors.isEmpty(); i++) {
                np.save("x", version(1 + (i * 7) % 50));
            }
            stop.set(true);
            for (Thread r : readers) {
                r.join();
            }
            assertTrue(errors.isEmpty(), () -> "a reader failed: " + errors.peek());
            assertTrue(reads.get() > 0);
        }
    }
}
