package dev.numpack.bench;

import dev.numpack.BatchMode;
import dev.numpack.Durability;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.WritableArray;
import dev.numpack.WritableBatchMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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

/**
 * NumPack's batch modes, as the Python NumPack publishes them: {@value #OPS} times (load the array,
 * multiply its first {@value #TOUCHED_ROWS} rows by 1.1, save it), on a {@code rows x 10} float32 array,
 * durable ({@code Durability.FSYNC}, the default) in every mode:
 * <ul>
 *   <li>{@code normal}: {@code np.load}, multiply (in a copy: an {@code NdArray} is immutable),
 *       {@code np.save} of the whole array, each time;</li>
 *   <li>{@code normalReplace}: {@code np.load}, multiply, {@code np.replace} of the touched rows (the
 *       upstream benchmark's normal mode);</li>
 *   <li>{@code batch}: a {@link BatchMode}: {@code edit} gives the batch's own copy of the array (made once),
 *       changed in place; one atomic commit at the end, which writes only the changed rows;</li>
 *   <li>{@code writable}: a {@link WritableBatchMode}: the rows are multiplied in the mapping, one atomic
 *       commit at the end.</li>
 * </ul>
 * Every mode is checked once per trial (untimed): the stored rows must be the initial ones times 1.1^100
 * in float32 arithmetic, the other rows unchanged.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=1g", "--enable-native-access=ALL-UNNAMED"})
public class BatchModeBenchmark {
    static final int OPS = 100;
    static final int TOUCHED_ROWS = 10;
    static final String NAME = "x";

    /** A store holding the benchmark array; reset to the initial array before every call (untimed). */
    @State(Scope.Benchmark)
    public static class Store {
        @Param({"1000000", "100000"})
        public int rows;

        Path dir;
        NdArray initial;
        NumPack np;
        long[] touched;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "numpack-batch-");
            initial = CoreOpsBenchmark.randomRows(rows, 1L);
            np = NumPack.builder().setPath(dir.resolve("store")).optDurability(Durability.FSYNC).build();
            touched = new long[TOUCHED_ROWS];
            for (int i = 0; i < TOUCHED_ROWS; i++) {
                touched[i] = i;
            }
            BatchModeBenchmark b = new BatchModeBenchmark();
            for (Consumer<Store> mode : List.<Consumer<Store>>of(b::normal, b::normalReplace, b::batch, b::writable)) {
                reset();
                mode.accept(this);
                check();
            }
        }

        @Setup(Level.Invocation)
        public void reset() {
            np.save(NAME, initial);
        }

        /** Fails the trial unless the touched rows were multiplied {@value #OPS} times and nothing else changed. */
        void check() {
            ByteBuffer got = np.load(NAME).buffer();
            ByteBuffer want = initial.buffer();
            int touchedFloats = Math.toIntExact(TOUCHED_ROWS * initial.rowBytes() / Float.BYTES);
            for (int i = 0; i < touchedFloats; i++) {
                float v = want.getFloat(i * Float.BYTES);
                for (int k = 0; k < OPS; k++) {
                    v *= 1.1f;
                }
                if (got.getFloat(i * Float.BYTES) != v) {
                    throw new IllegalStateException("self-check failed: element " + i + " is "
                            + got.getFloat(i * Float.BYTES) + ", expected " + v);
                }
            }
            int from = touchedFloats * Float.BYTES;
            if (!got.slice(from, got.capacity() - from).equals(want.slice(from, want.capacity() - from))) {
                throw new IllegalStateException("self-check failed: untouched rows changed");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                if (np != null) {
                    np.close();
                }
            } finally {
                CoreOpsBenchmark.deleteTree(dir);
            }
        }
    }

    /** Multiplies the first {@value #TOUCHED_ROWS} rows' floats by 1.1 in place. */
    static void scaleTouched(ByteBuffer b, long rowBytes) {
        int end = Math.toIntExact(TOUCHED_ROWS * rowBytes);
        for (int i = 0; i < end; i += Float.BYTES) {
            b.putFloat(i, b.getFloat(i) * 1.1f);
        }
    }

    /** Load, change a copy (an {@code NdArray} is immutable), save the whole array: each time. */
    @Benchmark
    public void normal(Store s) {
        for (int k = 0; k < OPS; k++) {
            NdArray a = s.np.load(NAME);
            ByteBuffer w = ByteBuffer.allocateDirect(Math.toIntExact(a.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
            w.put(a.buffer()).clear();
            scaleTouched(w, a.rowBytes());
            s.np.save(NAME, NdArray.wrap(a.dtype(), a.shape(), w));
        }
    }

    /** Load, change the touched rows, replace them: each time (the upstream benchmark's normal mode). */
    @Benchmark
    public void normalReplace(Store s) {
        for (int k = 0; k < OPS; k++) {
            NdArray a = s.np.load(NAME);
            ByteBuffer w = ByteBuffer.allocateDirect(Math.toIntExact(TOUCHED_ROWS * a.rowBytes()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            w.put(a.readRows(0, TOUCHED_ROWS).buffer()).clear();
            scaleTouched(w, a.rowBytes());
            s.np.replace(NAME, NdArray.wrap(a.dtype(), new long[] {TOUCHED_ROWS, a.shape()[1]}, w), s.touched);
        }
    }

    /** A batch: {@code edit} hands out the batch's own copy; one commit at the end. */
    @Benchmark
    public void batch(Store s) {
        try (BatchMode b = s.np.batchMode()) {
            for (int k = 0; k < OPS; k++) {
                scaleTouched(b.edit(NAME), s.initial.rowBytes());
            }
        }
    }

    /** A writable batch: the mapping is changed in place; one commit at the end. */
    @Benchmark
    public void writable(Store s) {
        try (WritableBatchMode wb = s.np.writableBatchMode()) {
            for (int k = 0; k < OPS; k++) {
                WritableArray w = wb.open(NAME);
                scaleTouched(w.chunk(0), w.rowBytes());
            }
        }
    }
}
