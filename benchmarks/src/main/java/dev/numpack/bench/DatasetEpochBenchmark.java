package dev.numpack.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import dev.numpack.DType;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.djl.NumPackDataset;
import dev.numpack.io.DatasetManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One shuffled epoch of a {@code rows x 784} float32 feature array "x" with int64 labels "y", in batches
 * of {@code batch} rows, on DJL's PyTorch engine (CPU), through three datasets ({@code @Param lib}):
 *
 * <ul>
 *   <li>{@code numpack}: {@link NumPackDataset} over the store (its own seeded shuffle, whole-batch reads);
 *   <li>{@code numpack-sharded}: {@link NumPackDataset} over the same rows written as a sharded dataset of
 *       {@value #SHARDS} uneven shard stores and a {@link DatasetManifest}: what joining stores costs, since a
 *       shuffled batch then gathers from every shard;
 *   <li>{@code arraydataset}: DJL's {@link ArrayDataset} over two {@code NDArray}s holding the same data in
 *       memory ({@code setSampling(batch, true)}: DJL's {@code RandomSampler}, one index_select per batch);
 *   <li>{@code rowbyrow}: {@link RowByRowDataset} over the same store, one {@code get} per row through
 *       DJL's default {@code DataIterable}.
 * </ul>
 *
 * <p>One benchmark operation is one full epoch: every batch is taken, its first data array handed to the
 * blackhole, and the batch closed. {@code epoch} reads on the calling thread; {@code epochPrefetch} passes a
 * 2-thread executor to {@code getData(manager, executor)}, so DJL reads {@code prefetchNumber} (DJL's
 * default, 2) batches ahead. Each trial writes a fresh store (untimed) and self-checks one epoch of its
 * dataset: every row exactly once, with its own features (the labels are the row numbers).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
// The data takes 188 MB; setup briefly holds it three times (float[], NdArray, ArrayDataset's tensor).
// --enable-native-access is needed on JDK 24+ (libtorch via JNI) and accepted by JDK 17.
// CudaUtils warns on every CPU-only machine that it found no GPU; that line would break JMH's output.
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=1g", "-Dai.djl.offline=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error",
        "--enable-native-access=ALL-UNNAMED"})
public class DatasetEpochBenchmark {
    static final int COLS = 784;
    static final long SEED = 1L;
    /** Shard stores of {@code numpack-sharded}: uneven, the i-th holding a share proportional to i + 1. */
    static final int SHARDS = 8;

    /** The dataset under test, over a fresh store. */
    @State(Scope.Benchmark)
    public static class EpochState {
        @Param({"numpack", "numpack-sharded", "arraydataset", "rowbyrow"})
        public String lib;

        @Param({"60000"})
        public int rows;

        @Param({"128"})
        public int batch;

        Path dir;
        Fixture fixture;
        ExecutorService executor;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "numpack-dataset-bench-");
            try {
                float[] x = "numpack-sharded".equals(lib) ? writeSharded(dir, rows) : writeStore(dir, rows);
                fixture = Fixture.open(lib, dir, batch);
                checkEpoch(fixture, x, batch);
                executor = Executors.newFixedThreadPool(2, r -> {
                    Thread t = new Thread(r, "prefetch");
                    t.setDaemon(true);
                    return t;
                });
            } catch (Exception | Error e) {
                tearDown(); // JMH runs no @TearDown after a failed @Setup
                throw e;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                if (executor != null) {
                    executor.shutdownNow();
                }
                if (fixture != null) {
                    fixture.close();
                }
            } finally {
                executor = null;
                fixture = null;
                if (dir != null) {
                    CoreOpsBenchmark.deleteTree(dir);
                }
            }
        }
    }

    @Benchmark
    public long epoch(EpochState s, Blackhole bh) throws Exception {
        return drain(s.fixture.dataset.getData(s.fixture.manager), s.rows, bh);
    }

    @Benchmark
    public long epochPrefetch(EpochState s, Blackhole bh) throws Exception {
        return drain(s.fixture.dataset.getData(s.fixture.manager, s.executor), s.rows, bh);
    }

    /** Takes every batch of a pass, hands its first data array to {@code bh}, closes it; @return rows seen */
    static long drain(Iterable<Batch> pass, int rows, Blackhole bh) {
        long seen = 0;
        for (Batch b : pass) {
            try {
                bh.consume(b.getData().head());
                seen += b.getSize();
            } finally {
                b.close();
            }
        }
        if (seen != rows) {
            throw new IllegalStateException("an epoch gave " + seen + " rows, expected " + rows);
        }
        return seen;
    }

    // ------------------------------------------------------------------ shared with DatasetMemoryProbe

    /**
     * Writes {@code rows x 784} random floats (fixed seed) as "x" and the row numbers as int64 "y".
     *
     * @return the features, row-major, for checks
     */
    static float[] writeStore(Path dir, int rows) {
        float[] x = features(rows);
        saveRows(dir, x, 0, rows);
        return x;
    }

    /**
     * Writes the rows {@link #writeStore} writes as a sharded dataset: {@value #SHARDS} uneven shard stores
     * holding them in order, then the manifest.
     *
     * @return the features, row-major, for checks
     */
    static float[] writeSharded(Path dir, int rows) throws IOException {
        float[] x = features(rows);
        List<DatasetManifest.Shard> shards = new ArrayList<>();
        long weights = (long) SHARDS * (SHARDS + 1) / 2;
        int from = 0;
        for (int i = 0; i < SHARDS; i++) {
            int to = i == SHARDS - 1 ? rows : from + (int) (rows * (i + 1L) / weights);
            String name = "part-" + i;
            saveRows(dir.resolve(name), x, from, to);
            shards.add(new DatasetManifest.Shard(name, to - from));
            from = to;
        }
        DatasetManifest.of(List.of(new DatasetManifest.Column("x", DType.FLOAT32, new long[] {COLS}),
                new DatasetManifest.Column("y", DType.INT64, new long[0])), shards).write(dir);
        return x;
    }

    /** @return {@code rows x 784} random floats (fixed seed), row-major */
    private static float[] features(int rows) {
        SplittableRandom r = new SplittableRandom(SEED);
        float[] x = new float[Math.multiplyExact(rows, COLS)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    /** Saves rows {@code [from, to)} of {@code x} as "x" and their row numbers as int64 "y" in a new store. */
    private static void saveRows(Path dir, float[] x, int from, int to) {
        long[] y = new long[to - from];
        for (int i = 0; i < y.length; i++) {
            y[i] = from + i;
        }
        try (NumPack np = NumPack.open(dir)) {
            np.save("x", NdArray.of(Arrays.copyOfRange(x, from * COLS, to * COLS)).reshape(to - from, COLS));
            np.save("y", NdArray.of(y));
        }
    }

    /** A dataset under test with what it needs open: its manager, and its store unless it owns it. */
    static final class Fixture implements AutoCloseable {
        final String lib;
        final NDManager manager;
        final RandomAccessDataset dataset;
        private final AutoCloseable[] owned;

        private Fixture(String lib, NDManager manager, RandomAccessDataset dataset, AutoCloseable... owned) {
            this.lib = lib;
            this.manager = manager;
            this.dataset = dataset;
            this.owned = owned;
        }

        /**
         * @param lib numpack, numpack-sharded, arraydataset or rowbyrow
         * @param dir a store written by {@link #writeStore} (by {@link #writeSharded} for numpack-sharded)
         * @param batch rows per batch
         */
        static Fixture open(String lib, Path dir, int batch) {
            NDManager manager = NDManager.newBaseManager();
            try {
                switch (lib) {
                    case "numpack":
                    case "numpack-sharded": { // setStore(dir) reads a sharded dataset's directory as one dataset
                        NumPackDataset ds = NumPackDataset.builder().setStore(dir).setFeatures("x").optLabels("y")
                                .setSampling(batch, true).optSeed(SEED).build();
                        return new Fixture(lib, manager, ds, ds, manager);
                    }
                    case "arraydataset": {
                        NDArray x;
                        NDArray y;
                        try (NumPack np = NumPack.openReadOnly(dir); LazyArray lx = np.lazy("x");
                                LazyArray ly = np.lazy("y")) {
                            x = inMemory(manager, lx, DataType.FLOAT32);
                            y = inMemory(manager, ly, DataType.INT64);
                        }
                        ArrayDataset ds = new ArrayDataset.Builder().setData(x).optLabels(y)
                                .setSampling(batch, true).build();
                        return new Fixture(lib, manager, ds, manager);
                    }
                    case "rowbyrow": {
                        NumPack np = NumPack.openReadOnly(dir);
                        LazyArray lx = np.lazy("x");
                        LazyArray ly = np.lazy("y");
                        RowByRowDataset ds = RowByRowDataset.builder().setArrays(lx, ly).setSampling(batch, true)
                                .build();
                        return new Fixture(lib, manager, ds, lx, ly, np, manager);
                    }
                    default:
                        throw new IllegalArgumentException("unknown lib '" + lib
                                + "': numpack, numpack-sharded, arraydataset or rowbyrow");
                }
            } catch (RuntimeException | Error e) {
                manager.close();
                throw e;
            }
        }

        /** The whole array as one NDArray: read into a direct buffer that the tensor then uses. */
        private static NDArray inMemory(NDManager manager, LazyArray a, DataType type) {
            ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(a.rows() * a.rowBytes()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            a.readRows(0, a.rows(), buf);
            buf.flip();
            return manager.create(buf, new Shape(a.shape()), type);
        }

        @Override
        public void close() {
            RuntimeException first = null;
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = new IllegalStateException("closing " + lib, e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /**
     * Runs one epoch of the fixture's dataset and checks it: every row exactly once, each with its own
     * features, in batches of at most {@code batchSize} rows.
     *
     * @param x the features as written, row-major
     * @param batchSize the dataset's batch size
     */
    static void checkEpoch(Fixture f, float[] x, int batchSize) throws Exception {
        int rows = x.length / COLS;
        boolean[] seen = new boolean[rows];
        int count = 0;
        for (Batch b : f.dataset.getData(f.manager)) {
            try {
                NDList data = b.getData();
                NDList labels = b.getLabels();
                long[] y = labels.head().toLongArray();
                float[] bx = data.head().toFloatArray();
                if (data.size() != 1 || labels.size() != 1 || y.length > batchSize
                        || !data.head().getShape().equals(new Shape(y.length, COLS))
                        || !labels.head().getShape().equals(new Shape(y.length))) {
                    throw new IllegalStateException(f.lib + ": unexpected batch " + data + " / " + labels);
                }
                for (int k = 0; k < y.length; k++) {
                    int row = Math.toIntExact(y[k]);
                    if (seen[row]) {
                        throw new IllegalStateException(f.lib + ": row " + row + " twice in one epoch");
                    }
                    seen[row] = true;
                    if (!Arrays.equals(bx, k * COLS, (k + 1) * COLS, x, row * COLS, (row + 1) * COLS)) {
                        throw new IllegalStateException(f.lib + ": features of row " + row + " differ");
                    }
                }
                count += y.length;
            } finally {
                b.close();
            }
        }
        if (count != rows) {
            throw new IllegalStateException(f.lib + ": one epoch gave " + count + " of " + rows + " rows");
        }
    }
}
