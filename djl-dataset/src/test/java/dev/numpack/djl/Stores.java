package dev.numpack.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.dataset.Batch;
import dev.numpack.DType;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.io.DatasetManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test stores whose rows say which row they are, and helpers to read batches back as plain Java values. */
final class Stores {
    private Stores() {}

    /**
     * Saves {@code x} (rows x cols float32, row i holds i*cols .. i*cols+cols-1) and {@code y} (int64, row
     * i holds i) into a new store at {@code dir}.
     */
    static Path rowNumbered(Path dir, int rows, int cols) {
        return rowNumbered(dir, 0, rows, cols);
    }

    /** {@link #rowNumbered(Path, int, int)} for rows {@code first .. first + rows - 1} of a larger dataset. */
    static Path rowNumbered(Path dir, int first, int rows, int cols) {
        float[] x = new float[rows * cols];
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[i * cols + j] = (first + i) * cols + j;
            }
            y[i] = first + i;
        }
        try (NumPack np = NumPack.open(dir)) {
            np.save("x", NdArray.of(x).reshape(rows, cols));
            np.save("y", NdArray.of(y));
        }
        return dir;
    }

    /**
     * Writes a sharded dataset at {@code dir}: one row-numbered store per entry of {@code shardRows} (rows
     * numbered across the shards, so the dataset's row i holds i), then its manifest.
     *
     * @return {@code dir}
     */
    static Path sharded(Path dir, int cols, int... shardRows) {
        List<DatasetManifest.Shard> shards = new ArrayList<>();
        int first = 0;
        for (int i = 0; i < shardRows.length; i++) {
            String name = String.format("part-%05d-test", i);
            rowNumbered(dir.resolve(name), first, shardRows[i], cols);
            shards.add(new DatasetManifest.Shard(name, shardRows[i]));
            first += shardRows[i];
        }
        try {
            DatasetManifest.of(List.of(new DatasetManifest.Column("x", DType.FLOAT32, new long[] {cols}),
                    new DatasetManifest.Column("y", DType.INT64, new long[0])), shards).write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** @return the label values (int64) of a batch's first label array */
    static long[] labels(Batch batch) {
        return batch.getLabels().get(0).toLongArray();
    }

    /** @return each batch's first label array, as long[], in order */
    static List<long[]> labelsOf(Iterable<Batch> pass) {
        List<long[]> out = new ArrayList<>();
        for (Batch b : pass) {
            try (b) {
                out.add(labels(b));
            }
        }
        return out;
    }

    /** @return every array of a batch flattened to float, data then labels */
    static List<float[]> contents(Batch batch) {
        List<float[]> out = new ArrayList<>();
        for (NDList l : new NDList[] {batch.getData(), batch.getLabels()}) {
            for (NDArray a : l) {
                out.add(a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray());
            }
        }
        return out;
    }

    /** @return every batch of {@code pass} up to {@code maxBatches} (-1: all): its arrays' contents as floats */
    static List<List<float[]>> passContents(Iterable<Batch> pass, int maxBatches) {
        List<List<float[]>> out = new ArrayList<>();
        for (Batch b : pass) {
            try (b) {
                out.add(contents(b));
            }
            if (out.size() == maxBatches) {
                break;
            }
        }
        return out;
    }

    /** Asserts two passes delivered the same batches with the same contents. */
    static void assertSameBatches(List<List<float[]>> expected, List<List<float[]>> actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.size(), actual.size(), "batch count");
        for (int i = 0; i < expected.size(); i++) {
            for (int a = 0; a < expected.get(i).size(); a++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(i).get(a), actual.get(i).get(a),
                        "batch " + i + ", array " + a);
            }
        }
    }
}
