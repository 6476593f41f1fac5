package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor that DJL's PyTorch engine makes from a loaded array's direct buffer shares its memory (no copy);
 * numpack-core backs that buffer with native memory that a Cleaner gives to the next large array once the
 * buffer is unreachable (large arrays, unless {@code dev.numpack.reuseMemory=false}), so the tensor must keep
 * the memory alive after the {@link NdArray} itself is gone: DJL holds the buffer. The test makes sure that
 * memory is on for its load.
 */
class LoadedTensorLifetimeTest {
    @TempDir
    Path dir;

    @Test
    void aTensorMadeWithoutACopyOutlivesTheLoadedArray() {
        int n = 3 << 20; // 12 MiB of float32: large enough for huge-page memory
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i % 1000 - 0.5f;
        }
        String before = System.getProperty("dev.numpack.reuseMemory");
        System.setProperty("dev.numpack.reuseMemory", "true"); // the native memory a Cleaner reuses, where there is one
        try (NumPack np = NumPack.open(dir.resolve("store")); NDManager manager = NDManager.newBaseManager()) {
            np.save("x", NdArray.of(values));
            NDArray tensor;
            try {
                tensor = manager.create(np.load("x").buffer(), new Shape(n), DataType.FLOAT32);
            } finally {
                System.setProperty("dev.numpack.reuseMemory", before == null ? "true" : before);
            }
            float[] other = new float[n];
            java.util.Arrays.fill(other, -7f);
            List<NdArray> churn = new ArrayList<>();
            for (int round = 0; round < 20; round++) { // memory freed too early would be reused and overwritten here
                System.gc();
                churn.add(NdArray.of(other));
                if (churn.size() > 3) {
                    churn.remove(0);
                }
            }
            float[] got = tensor.toFloatArray();
            for (int i = 0; i < n; i += 4099) {
                assertEquals(values[i], got[i], "element " + i);
            }
            assertEquals(values[n - 1], got[n - 1]);
        }
    }
}
