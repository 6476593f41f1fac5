package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void shuffledBatchesHoldTheirRows() {
        Stores.rowNumbered(dir, 10, 3);
        try (NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("x").optLabels("y")
                .setSampling(4, true).optSeed(7).build();
                NDManager m = NDManager.newBaseManager()) {
            long[] seen = new long[0];
            for (Batch b : ds.getData(m)) {
                try (b) {
                    long[] y = Stores.labels(b);
                    float[] x = b.getData().get(0).toFloatArray();
                    for (int k = 0; k < y.length; k++) {
                        assertArrayEquals(new float[] {y[k] * 3, y[k] * 3 + 1, y[k] * 3 + 2},
                                Arrays.copyOfRange(x, k * 3, k * 3 + 3));
                    }
                    seen = concat(seen, y);
                }
            }
            Arrays.sort(seen);
            assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, seen);
            assertEquals(DatasetPosition.of(1, 0).epoch(), ds.position().epoch());
        }
    }

    private static long[] concat(long[] a, long[] b) {
        long[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
