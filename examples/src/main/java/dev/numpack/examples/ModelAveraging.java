package dev.numpack.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.io.AtomicFiles;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Averages the parameters of the ranks' model replicas through a shared directory, once per epoch (local SGD
 * with model averaging: DJL has no all-reduce across processes). Each rank saves its parameters as a NumPack
 * store, built beside and renamed into place so that the others never see a partial one, waits for every
 * rank's store of that epoch and sets its parameters to the mean, the same on every rank.
 */
final class ModelAveraging {
    private final Path exchange;
    private final int rank;
    private final int worldSize;
    private final Duration patience;

    ModelAveraging(Path exchange, int rank, int worldSize, Duration patience) {
        this.exchange = exchange;
        this.rank = rank;
        this.worldSize = worldSize;
        this.patience = patience;
    }

    /**
     * @param block the model replica of this rank
     * @param epoch the epoch just trained (names the exchange's stores)
     * @throws IOException if a store cannot be moved into place or a rank's never appears in time
     * @throws InterruptedException if interrupted while waiting for the other ranks
     */
    void average(Block block, int epoch) throws IOException, InterruptedException {
        Files.createDirectories(exchange);
        Path mine = store(epoch, rank);
        Path partial = exchange.resolve(".partial-" + mine.getFileName());
        try (NumPack np = NumPack.builder().setPath(partial).optDropIfExists(true).build()) {
            Map<String, NdArray> params = new HashMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                params.put(p.getKey(), NdArray.of(p.getValue().getArray().toFloatArray()));
            }
            np.save(params);
        }
        Files.move(partial, mine, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(exchange);

        Map<String, float[]> sum = new HashMap<>();
        for (int r = 0; r < worldSize; r++) {
            Path theirs = store(epoch, r);
            long deadline = System.nanoTime() + patience.toNanos();
            while (!Files.isDirectory(theirs)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("rank " + r + " did not save epoch " + epoch + " within " + patience);
                }
                Thread.sleep(50);
            }
            try (NumPack np = NumPack.openReadOnly(theirs)) {
                for (String name : np.names()) {
                    float[] v = np.load(name).toFloatArray();
                    float[] acc = sum.computeIfAbsent(name, k -> new float[v.length]);
                    for (int i = 0; i < v.length; i++) {
                        acc[i] += v[i];
                    }
                }
            }
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            float[] mean = sum.get(p.getKey());
            for (int i = 0; i < mean.length; i++) {
                mean[i] /= worldSize;
            }
            NDArray a = p.getValue().getArray();
            a.set(FloatBuffer.wrap(mean));
        }
    }

    private Path store(int epoch, int r) {
        return exchange.resolve("epoch-" + epoch + "-rank-" + r + ".npk");
    }
}
