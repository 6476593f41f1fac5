package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
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

/**
 * Core operations of numpack-java on a {@code rows x 10} float32 array (38 MB at 1M rows) against plain
 * {@code java.nio} baselines that move the same bytes (see {@link Lib} and its implementations).
 *
 * <p>Read benchmarks ({@code fullLoad}, {@code lazyOpen}, {@code gather1000}) run for {@code lib} in
 * {numpack, filechannel, mmap}; write benchmarks ({@code replace100}, {@code append100}, {@code save})
 * also run the durability variants: numpack with {@code Durability.FSYNC} ("numpack", the default) and
 * {@code NO_FSYNC} ("numpack-nofsync"), baselines without ("filechannel", "mmap") and with a force() at
 * the end ("filechannel-fsync", "mmap-fsync"). {@code -p lib=...} on the command line overrides both
 * lists; every lib implements every operation.
 *
 * <p>Row indices are drawn from fixed seeds, identical for every lib; the benchmark cycles through
 * {@value #INDEX_SETS} precomputed sets so the same few rows are not hot in the CPU cache.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
// A fixed heap and direct-memory cap: fullLoad allocates a new 38 MB direct buffer per call (as
// np.load does), which only a GC frees; without a cap the process grows to gigabytes first. Then the
// peers' flags: DJL offline and quiet (npy-djl), and ColumnarPeers.JVM_FLAGS (Arrow, Chronicle Map; each
// explained there), which Base.open checks are present. --enable-native-access lets numpack-core take its FFM
// path on Java 22+ (NativeIo); Java 17 accepts the flag too.
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=1g", "--enable-native-access=ALL-UNNAMED",
        "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
        "-Dchronicle.announcer.disable=true", "-Dorg.slf4j.simpleLogger.log.net.openhft=warn",
        "-Darrow.allocation.manager.type=Unsafe", "-Dorg.slf4j.simpleLogger.log.org.apache.arrow=warn"})
public class CoreOpsBenchmark {
    static final int COLS = 10;
    static final int INDEX_SETS = 256;
    static final int GATHER_ROWS = 1000;
    static final int WRITE_ROWS = 100;
    static final int STREAM_CHUNK = 10_000;

    // ------------------------------------------------------------------ states

    /** What every state holds: the scratch directory, the initial array and the lib under test. */
    abstract static class Base {
        Path dir;
        NdArray initial;
        Lib impl;

        /** Creates the scratch directory and the lib, then {@link #prepare}s; cleans up if that fails. */
        void open(String lib, int rows) throws IOException {
            if (ColumnarPeers.FACTORIES.containsKey(lib)) {
                List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
                for (String flag : ColumnarPeers.JVM_FLAGS) {
                    check(args.contains(flag), "lib '" + lib + "' needs the JVM flag " + flag + " (see ColumnarPeers)");
                }
            }
            dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "numpack-bench-");
            try {
                initial = randomRows(rows, 1L);
                impl = Libs.create(lib, dir, initial);
                prepare(rows);
            } catch (IOException | RuntimeException | Error e) {
                shut(); // JMH runs no @TearDown after a failed @Setup
                throw e;
            }
        }

        /** Builds the inputs of the benchmark and self-checks the lib (untimed). */
        abstract void prepare(int rows) throws IOException;

        void shut() throws IOException {
            try {
                if (impl != null) {
                    impl.close();
                }
            } finally {
                impl = null;
                if (dir != null) {
                    deleteTree(dir);
                }
            }
        }
    }

    // Each state lists in @Param exactly the libs that can do its operation (see Libs and the README's
    // matrix); -p lib=... on the command line overrides a list, and a lib without the operation then
    // fails its trial with an UnsupportedOperationException naming both.

    /** State of fullLoad: the previous load is released before each call (untimed). */
    @State(Scope.Benchmark)
    public static class LoadState extends Base {
        @Param({"1000000", "100000"})
        public int rows;

        @Param({"numpack", "numpack-reuse", "filechannel", "mmap", "npy-jetbrains", "npy-djl", "hdf5-jhdf", "arrow",
                "parquet", "chronicle"})
        public String lib;

        Object last;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(lib, rows);
        }

        @Override
        void prepare(int rows) throws IOException {
            checkLoad(impl, initial);
        }

        @Setup(Level.Invocation)
        public void releaseLast() {
            if (last != null) {
                impl.release(last);
                last = null;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            releaseLast();
            shut();
        }
    }

    /** State of lazyOpen. */
    @State(Scope.Benchmark)
    public static class LazyState extends Base {
        @Param({"1000000", "100000"})
        public int rows;

        @Param({"numpack", "filechannel", "hdf5-jhdf", "arrow", "parquet", "chronicle"})
        public String lib;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(lib, rows);
        }

        @Override
        void prepare(int rows) throws IOException {
            check(impl.lazyOpen() > 0, "lazyOpen saw no data");
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            shut();
        }
    }

    /** State of gather1000. */
    @State(Scope.Benchmark)
    public static class GatherState extends Base {
        @Param({"1000000", "100000"})
        public int rows;

        @Param({"numpack", "filechannel", "mmap", "hdf5-jhdf", "arrow", "chronicle"})
        public String lib;

        long[][] gatherSets;
        ByteBuffer dst;
        int next;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(lib, rows);
        }

        @Override
        void prepare(int rows) throws IOException {
            gatherSets = indexSets(rows, GATHER_ROWS, false, 2L);
            dst = ByteBuffer.allocateDirect(Math.toIntExact(GATHER_ROWS * initial.rowBytes()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            checkGather(impl, initial, gatherSets[0], dst);
        }

        long[] nextGather() {
            return gatherSets[next++ & (INDEX_SETS - 1)];
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            shut();
        }
    }

    /** State of replace100 and save. */
    @State(Scope.Benchmark)
    public static class WriteState extends Base {
        @Param({"1000000", "100000"})
        public int rows;

        @Param({"numpack", "numpack-nofsync", "filechannel", "filechannel-fsync", "mmap", "mmap-fsync",
                "npy-jetbrains", "npy-djl", "hdf5-jhdf", "arrow", "parquet", "chronicle"})
        public String lib;

        long[][] replaceSets;
        NdArray[] replaceRows;
        int next;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(lib, rows);
        }

        @Override
        void prepare(int rows) throws IOException {
            replaceSets = indexSets(rows, WRITE_ROWS, true, 3L);
            replaceRows = new NdArray[INDEX_SETS];
            for (int i = 0; i < INDEX_SETS; i++) {
                replaceRows[i] = randomRows(WRITE_ROWS, 1000L + i);
            }
            impl.prepareSave(initial);
            checkWrites(impl, initial, replaceSets[0], replaceRows[0]);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            shut();
        }
    }

    /** State of append100: back to the initial rows before every iteration. */
    @State(Scope.Benchmark)
    public static class AppendState extends Base {
        @Param({"1000000", "100000"})
        public int rows;

        @Param({"numpack", "numpack-nofsync", "filechannel", "filechannel-fsync", "mmap", "mmap-fsync",
                "npy-jetbrains", "npy-djl", "hdf5-jhdf", "arrow", "parquet", "chronicle"})
        public String lib;

        NdArray appendRows;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(lib, rows);
        }

        @Override
        void prepare(int rows) throws IOException {
            appendRows = randomRows(WRITE_ROWS, 4L);
            impl.prepareSave(initial);
            checkAppend(impl, initial, appendRows);
        }

        @Setup(Level.Iteration)
        public void reset() throws IOException {
            impl.truncateToInitial();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            shut();
        }
    }

    /** State of stream: a full pass in chunks of {@value #STREAM_CHUNK} rows. */
    @State(Scope.Benchmark)
    public static class StreamState extends Base {
        @Param({"1000000", "100000"})
        public int rows;

        @Param({"numpack", "numpack-reuse", "filechannel", "mmap", "hdf5-jhdf", "arrow", "parquet", "chronicle"})
        public String lib;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(lib, rows);
        }

        @Override
        void prepare(int rows) throws IOException {
            double want = Lib.streamChecksum(initial);
            double got = impl.stream(STREAM_CHUNK);
            check(got == want, "stream summed " + got + ", the array sums to " + want);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            shut();
        }
    }

    // ------------------------------------------------------------------ benchmarks

    /** The whole array into memory, in the lib's own form. */
    @Benchmark
    public Object fullLoad(LoadState s) throws IOException {
        s.last = s.impl.fullLoad();
        return s.last;
    }

    /** Open the array for lazy access (no data read), then close it. */
    @Benchmark
    public long lazyOpen(LazyState s) throws IOException {
        return s.impl.lazyOpen();
    }

    /** 1000 random rows into a reusable direct buffer. */
    @Benchmark
    public ByteBuffer gather1000(GatherState s) throws IOException {
        ByteBuffer dst = s.dst.clear();
        s.impl.gather(s.nextGather(), dst);
        return dst;
    }

    /** 100 random distinct rows overwritten. */
    @Benchmark
    public void replace100(WriteState s) throws IOException {
        int i = s.next++ & (INDEX_SETS - 1);
        s.impl.replace(s.replaceSets[i], s.replaceRows[i]);
    }

    /** 100 rows appended at the end. */
    @Benchmark
    public void append100(AppendState s) throws IOException {
        s.impl.append(s.appendRows);
    }

    /** The whole array written over the existing one. */
    @Benchmark
    public void save(WriteState s) throws IOException {
        s.impl.save(s.initial);
    }

    /**
     * A full pass in chunks of {@value #STREAM_CHUNK} rows, every element summed; {@link PassMemory}
     * reports what the pass asked of memory.
     */
    @Benchmark
    public double stream(StreamState s, PassMemory m) throws IOException {
        return s.impl.stream(STREAM_CHUNK);
    }

    // ------------------------------------------------------------------ fixtures

    /** @return {@code rows x 10} float32 of uniform random values from {@code seed} */
    static NdArray randomRows(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.multiplyExact(rows, COLS)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        return NdArray.of(v).reshape(rows, COLS);
    }

    /** @return {@link #INDEX_SETS} sets of {@code n} random row indices (distinct within a set if asked) */
    static long[][] indexSets(int rows, int n, boolean distinct, long seed) {
        if (distinct && n > rows) {
            throw new IllegalArgumentException(n + " distinct rows out of " + rows);
        }
        SplittableRandom r = new SplittableRandom(seed);
        long[][] sets = new long[INDEX_SETS][n];
        for (long[] set : sets) {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < n; i++) {
                long idx;
                do {
                    idx = r.nextInt(rows);
                } while (distinct && !seen.add(idx));
                set[i] = idx;
            }
        }
        return sets;
    }

    // ------------------------------------------------------------------ self-checks (untimed, per trial)

    /** Fails the trial unless fullLoad of this lib returns the right bytes. */
    static void checkLoad(Lib impl, NdArray initial) throws IOException {
        check(loadBytes(impl).equals(initial.buffer()), "fullLoad returned other bytes");
    }

    /** Fails the trial unless gather of this lib returns the right rows. */
    static void checkGather(Lib impl, NdArray initial, long[] indices, ByteBuffer dst) throws IOException {
        dst.clear();
        impl.gather(indices, dst);
        check(dst.position() == dst.capacity(), "gather filled " + dst.position() + " of " + dst.capacity());
        dst.flip();
        int rb = Math.toIntExact(initial.rowBytes());
        ByteBuffer all = initial.buffer();
        for (int i = 0; i < indices.length; i++) {
            check(dst.slice(i * rb, rb).equals(all.slice(Math.toIntExact(indices[i] * rb), rb)),
                    "gather row " + i + " differs");
        }
        dst.clear();
    }

    /** Fails the trial unless replace and save of this lib change the stored bytes as they should. */
    static void checkWrites(Lib impl, NdArray initial, long[] indices, NdArray rows) throws IOException {
        impl.replace(indices, rows);
        ByteBuffer after = loadBytes(impl);
        int rb = Math.toIntExact(initial.rowBytes());
        ByteBuffer src = rows.buffer();
        for (int i = 0; i < indices.length; i++) {
            check(after.slice(Math.toIntExact(indices[i] * rb), rb).equals(src.slice(i * rb, rb)),
                    "replaced row " + indices[i] + " not stored");
        }
        impl.save(initial);
        check(loadBytes(impl).equals(initial.buffer()), "save did not store the array");
    }

    /** Fails the trial unless append and truncateToInitial of this lib work. */
    static void checkAppend(Lib impl, NdArray initial, NdArray rows) throws IOException {
        impl.append(rows);
        ByteBuffer after = loadBytes(impl);
        long n = initial.byteSize();
        check(after.remaining() == n + rows.byteSize(), "append stored " + (after.remaining() - n) + " bytes");
        check(after.slice(Math.toIntExact(n), Math.toIntExact(rows.byteSize())).equals(rows.buffer()),
                "appended rows differ");
        impl.truncateToInitial();
        check(loadBytes(impl).equals(initial.buffer()), "truncateToInitial did not restore the array");
    }

    /** @return a copy of what the lib's full load gives, as bytes (the load is released) */
    static ByteBuffer loadBytes(Lib impl) throws IOException {
        Object loaded = impl.fullLoad();
        ByteBuffer b = impl.bytesOf(loaded);
        ByteBuffer copy = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(0, b, b.position(), b.remaining());
        impl.release(loaded);
        return copy;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("self-check failed: " + what);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
