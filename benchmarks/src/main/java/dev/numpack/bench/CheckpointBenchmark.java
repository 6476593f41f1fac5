package dev.numpack.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.numpack.Durability;
import dev.numpack.checkpoint.CheckpointManager;
import dev.numpack.checkpoint.Restored;
import dev.numpack.checkpoint.TrainingState;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Saving and restoring a training checkpoint of a 10,020,874-parameter float32 MLP
 * (784-2048-2048-2048-10, ReLU) trained for a few Adam steps, on DJL's PyTorch engine (CPU).
 *
 * <p>{@code save} ({@code @Param lib}):
 * <ul>
 *   <li>{@code numpack}: {@link CheckpointManager#save} (synchronous, {@code Durability.FSYNC}, keep-last 1):
 *       parameters and Adam's means and variances (120,250,488 bytes of tensors) in one NumPack store, one batch
 *       commit, fsynced, renamed; the previous checkpoint is pruned inside the timed call (renamed away,
 *       directory fsynced); the manager's background thread then unlinks its files, and their blocks are
 *       freed when a GC unmaps them, both waited for untimed (see {@link SaveState#beforeIteration});
 *   <li>{@code numpack-nofsync}: the same with {@code Durability.NO_FSYNC};
 *   <li>{@code numpack-weights}: the same as {@code numpack} with no optimizer ({@code save(model, null, state)}): the
 *       parameters only, 40,083,496 bytes, as DJL's file holds;
 *   <li>{@code djl}: {@code Model.save(dir, "bench")} (DJL's {@code .params} file: the parameters only, 40 MB, no
 *       optimizer state, no fsync);
 *   <li>{@code djl-fsync}: the same, then the new file and the directory fsynced;
 *   <li>{@code raw}: the same 120,250,488 tensor bytes as numpack's checkpoint (parameters, means, variances, read
 *       straight from the tensors' memory) in one gathering {@code FileChannel} write to a new file,
 *       {@code force(true)}, directory fsync.
 * </ul>
 * djl and raw write a new file each time; the one it supersedes is deleted before the next iteration, untimed.
 *
 * <p>{@code restore} ({@code @Param lib}, {@code @Param cache}):
 * <ul>
 *   <li>{@code numpack}: {@link CheckpointManager#restoreLatest} into the model and the optimizer: every array read
 *       into a new direct buffer and its CRC32C checked, then set into the parameters and Adam's state;
 *   <li>{@code numpack-weights}: a weights-only checkpoint ({@code save(model, null, state)}) restored into the
 *       model ({@code restoreLatest(model, null)}): the same bytes as DJL's file;
 *   <li>{@code numpack-weights-of-full}: the full checkpoint of {@code numpack} restored into the model only
 *       ({@code restoreLatest(model, null)});
 *   <li>{@code djl}: {@code Model.load(dir, "bench")} of the saved parameters (no optimizer state);
 *   <li>{@code raw}: the raw file read sequentially into new direct buffers, one per tensor (no checksum, nothing
 *       put into the model).
 * </ul>
 * {@code cache=warm}: the files are in the page cache. {@code cache=cold}: before each iteration (untimed) the
 * page cache of the checkpoint's files, and of no other file, is dropped ({@link #evictFromPageCache}: GNU dd's
 * {@code posix_fadvise(DONTNEED)}; the trial fails without dd).
 *
 * <p>Single shot: one operation per iteration, with an untimed {@code System.gc()} before each, so that
 * direct buffers and tensors of earlier iterations are freed outside the timed calls. The secondary metric
 * {@code bytes} is the tensor bytes the operation saves or restores (per iteration, see {@code rawData}; JMH's
 * score of it is the sum over iterations): 120,250,488 with Adam's state, 40,083,496 for the parameters alone.
 * Each trial self-checks its lib: what is restored (or read back after a save) equals what was saved.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 25)
// The tensors are native (PyTorch) memory; restores allocate 120 MB of direct buffers each.
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:MaxDirectMemorySize=4g", "-Dai.djl.offline=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error",
        "--enable-native-access=ALL-UNNAMED"})
public class CheckpointBenchmark {
    static final int IN = 784;
    static final int HIDDEN = 2048;
    static final int OUT = 10;
    static final int BATCH = 32;
    static final int TRAIN_STEPS = 3;
    /** 784*2048 + 2048 + 2 * (2048*2048 + 2048) + 2048*10 + 10. */
    static final long PARAMS = (long) IN * HIDDEN + HIDDEN + 2L * ((long) HIDDEN * HIDDEN + HIDDEN) + (long) HIDDEN * OUT + OUT;
    static final String NAME = "bench";

    /** The bytes an operation moved, reported as JMH's secondary metric {@code bytes}. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Bytes {
        public long bytes;
    }

    /** A model of {@link #PARAMS} parameters with a trainer whose Adam optimizer has taken a few steps. */
    static final class Fixture implements AutoCloseable {
        final Model model;
        final Trainer trainer;
        final Optimizer optimizer;

        Fixture() {
            Engine.getInstance().setRandomSeed(1);
            model = Model.newInstance(NAME);
            model.setBlock(new SequentialBlock()
                    .add(Linear.builder().setUnits(HIDDEN).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(HIDDEN).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(HIDDEN).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(OUT).build()));
            optimizer = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
            trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer));
            trainer.initialize(new Shape(BATCH, IN));
            long n = 0;
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                n += p.getValue().getArray().size();
            }
            if (n != PARAMS) {
                throw new IllegalStateException("the model has " + n + " parameters, expected " + PARAMS);
            }
            train(TRAIN_STEPS);
        }

        /** Takes {@code steps} Adam steps on random data. */
        void train(int steps) {
            for (int i = 0; i < steps; i++) {
                try (NDManager m = trainer.getManager().newSubManager();
                        GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray x = m.randomNormal(new Shape(BATCH, IN));
                    NDArray y = m.randomInteger(0, OUT, new Shape(BATCH), DataType.INT64);
                    NDList pred = trainer.forward(new NDList(x));
                    gc.backward(trainer.getLoss().evaluate(new NDList(y), pred));
                }
                trainer.step();
            }
        }

        /** @return the parameters' tensors, in the block's order */
        List<NDArray> params() {
            List<NDArray> out = new ArrayList<>();
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                out.add(p.getValue().getArray());
            }
            return out;
        }

        /** @return the parameters, then Adam's means and variances in the same order (what a checkpoint holds) */
        List<NDArray> all() {
            List<NDArray> out = params();
            List<String> ids = new ArrayList<>();
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                ids.add(p.getValue().getId());
            }
            for (String state : List.of("means", "variances")) {
                Map<String, Map<Device, NDArray>> map = adamState(optimizer, state);
                for (String id : ids) {
                    Map<Device, NDArray> perDevice = map.get(id);
                    if (perDevice == null || perDevice.isEmpty()) {
                        throw new IllegalStateException("Adam has no " + state + " for parameter " + id);
                    }
                    out.add(perDevice.values().iterator().next());
                }
            }
            return out;
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<Device, NDArray>> adamState(Optimizer optimizer, String field) {
        try {
            Field f = Adam.class.getDeclaredField(field);
            f.setAccessible(true);
            return (Map<String, Map<Device, NDArray>>) f.get(optimizer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DJL's Adam has no field " + field, e);
        }
    }

    static long byteSize(List<NDArray> arrays) {
        long n = 0;
        for (NDArray a : arrays) {
            n += a.size() * a.getDataType().getNumOfBytes();
        }
        return n;
    }

    /** @return CRC32C of each array's bytes */
    static List<Long> crcs(List<NDArray> arrays) {
        List<Long> out = new ArrayList<>();
        for (NDArray a : arrays) {
            CRC32C c = new CRC32C();
            c.update(a.toByteBuffer(true));
            out.add(c.getValue());
        }
        return out;
    }

    static void checkSame(String what, List<Long> expected, List<Long> actual) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException("self-check failed: " + what + " differ from what was saved");
        }
    }

    static void syncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static Path djlFile(Path dir, long epoch) {
        return dir.resolve(String.format(Locale.ROOT, "%s-%04d.params", NAME, epoch));
    }

    /** Writes the arrays' bytes, in order, with gathering writes to a new file; force + dir fsync if asked. */
    static void writeRaw(Path file, List<NDArray> arrays, boolean fsync) throws IOException {
        ByteBuffer[] bufs = new ByteBuffer[arrays.size()];
        long total = 0;
        for (int i = 0; i < bufs.length; i++) {
            bufs[i] = arrays.get(i).toByteBuffer(true); // a view of the tensor's memory (PyTorch, CPU)
            total += bufs[i].remaining();
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < total) {
                done += ch.write(bufs);
            }
            if (fsync) {
                ch.force(true);
            }
        }
        if (fsync) {
            syncDir(file.getParent());
        }
    }

    /** Reads a raw file sequentially into new direct buffers of the given sizes. */
    static ByteBuffer[] readRaw(Path file, long[] sizes) throws IOException {
        ByteBuffer[] out = new ByteBuffer[sizes.length];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = 0;
            for (int i = 0; i < sizes.length; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(sizes[i])).order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    int n = ch.read(b, pos);
                    if (n < 0) {
                        throw new IOException(file + " ends early");
                    }
                    pos += n;
                }
                out[i] = b.flip();
            }
        }
        return out;
    }

    static Path tempDir(String prefix) throws IOException {
        return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    }

    /** @return the total size of the regular files under {@code dir} */
    static long treeBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).sum();
        }
    }

    // ------------------------------------------------------------------ save

    /** One lib's save into a fresh directory. */
    /** What both states hold, and their common clean-up: the manager, the model, the directory. */
    public abstract static class Trial {
        Path dir;
        Fixture fixture;
        CheckpointManager ckpt;

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                if (ckpt != null) {
                    ckpt.close();
                }
                if (fixture != null) {
                    fixture.close();
                }
            } finally {
                ckpt = null;
                fixture = null;
                if (dir != null) {
                    CoreOpsBenchmark.deleteTree(dir);
                }
            }
        }
    }

    @State(Scope.Benchmark)
    public static class SaveState extends Trial {
        @Param({"numpack", "numpack-nofsync", "numpack-weights", "djl", "djl-fsync", "raw"})
        public String lib;

        long step;
        long bytes;
        Path previous; // djl, raw: the newest file
        Path superseded; // djl, raw: the file before it, deleted before the next iteration

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            try {
                dir = tempDir("numpack-ckpt-save-");
                fixture = new Fixture();
                switch (lib) {
                    case "numpack", "numpack-nofsync", "numpack-weights" -> ckpt = CheckpointManager.builder()
                            .setDirectory(dir).optKeepLast(1).optAsync(false)
                            .optDurability(lib.equals("numpack-nofsync") ? Durability.NO_FSYNC : Durability.FSYNC)
                            .build();
                    case "djl", "djl-fsync", "raw" -> { }
                    default -> throw new IllegalArgumentException("unknown lib " + lib);
                }
                bytes = byteSize(weightsOnly() ? fixture.params() : fixture.all());
                selfCheck();
            } catch (Exception | Error e) {
                tearDown(); // JMH runs no @TearDown after a failed @Setup
                throw e;
            }
        }

        /** Saves once and reads it back into a second model (numpack, djl) or buffers (raw). */
        private void selfCheck() throws Exception {
            List<Long> expected = crcs(weightsOnly() ? fixture.params() : fixture.all());
            save(this);
            System.out.println(lib + ": " + treeBytes(dir) + " bytes on disk after a save, tensors " + bytes);
            try (Fixture other = new Fixture()) {
                other.train(1); // differs from the saved state
                switch (lib) {
                    case "numpack", "numpack-nofsync" -> {
                        ckpt.restoreLatest(other.model, other.optimizer).orElseThrow();
                        checkSame("restored parameters and Adam state", expected, crcs(other.all()));
                    }
                    case "numpack-weights" -> {
                        ckpt.restoreLatest(other.model, null).orElseThrow();
                        checkSame("restored parameters", expected, crcs(other.params()));
                    }
                    case "djl", "djl-fsync" -> {
                        other.model.load(dir, NAME);
                        checkSame("loaded parameters", expected, crcs(other.params()));
                    }
                    default -> {
                        List<NDArray> all = fixture.all();
                        long[] sizes = all.stream().mapToLong(a -> a.size() * a.getDataType().getNumOfBytes()).toArray();
                        List<Long> read = new ArrayList<>();
                        for (ByteBuffer b : readRaw(previous, sizes)) {
                            CRC32C c = new CRC32C();
                            c.update(b);
                            read.add(c.getValue());
                        }
                        checkSame("raw bytes read back", expected, read);
                    }
                }
            }
        }

        /** @return whether this lib saves the parameters only */
        boolean weightsOnly() {
            return lib.startsWith("djl") || lib.equals("numpack-weights");
        }

        /**
         * Untimed: deletes the file the last save superseded (djl, raw); for numpack, waits until the
         * manager's background thread has removed the pruned checkpoint (no {@code .del-} tree left), collects
         * garbage and waits until no deleted file of the directory is still mapped (the stores the manager
         * opened keep them mapped until a GC unmaps them, and only then does the file system free their
         * blocks, about 30 ms for 120 MB here). This keeps the freeing of the old checkpoint out of the next
         * timed save, as the deletes of djl and raw are kept out; in training, saves minutes apart never
         * wait for it.
         */
        @Setup(Level.Iteration)
        public void beforeIteration() throws IOException, InterruptedException {
            if (superseded != null) {
                Files.delete(superseded);
                superseded = null;
            }
            awaitNoDeletedTree(dir);
            System.gc();
            awaitUnmapped(dir);
        }

    }

    @Benchmark
    public Object save(SaveState s, Bytes out) throws IOException {
        out.bytes = s.bytes;
        return save(s);
    }

    static Object save(SaveState s) throws IOException {
        long step = ++s.step;
        switch (s.lib) {
            case "numpack", "numpack-nofsync", "numpack-weights" -> {
                return s.ckpt.save(s.fixture.model, s.lib.equals("numpack-weights") ? null : s.fixture.optimizer,
                        TrainingState.builder().setEpoch(0).setStep(step).build()).join();
            }
            case "djl", "djl-fsync" -> {
                // as DJL's SaveModelTrainingListener does: the epoch property names the file
                s.fixture.model.setProperty("Epoch", Long.toString(step));
                s.fixture.model.save(s.dir, NAME);
                Path file = djlFile(s.dir, step);
                if (s.lib.equals("djl-fsync")) {
                    fsync(file);
                    syncDir(s.dir);
                }
                rotate(s, file);
                return file;
            }
            case "raw" -> {
                Path file = s.dir.resolve("raw-" + step + ".bin");
                writeRaw(file, s.fixture.all(), true);
                rotate(s, file);
                return file;
            }
            default -> throw new IllegalArgumentException(s.lib);
        }
    }

    private static void rotate(SaveState s, Path file) {
        s.superseded = s.previous;
        s.previous = file;
    }

    /** Waits (up to 10 s) until {@code dir} holds no {@code .del-} tree, which the manager removes in the background. */
    static void awaitNoDeletedTree(Path dir) throws IOException, InterruptedException {
        awaitNot("a pruned checkpoint under " + dir + " is still there", () -> {
            try (Stream<Path> s = Files.list(dir)) {
                return s.anyMatch(p -> p.getFileName().toString().startsWith(".del-"));
            }
        });
    }

    /** Waits (up to 10 s) until this process maps no deleted file under {@code dir}. */
    static void awaitUnmapped(Path dir) throws IOException, InterruptedException {
        String prefix = dir.toRealPath() + "/";
        awaitNot("deleted files under " + dir + " are still mapped", () -> {
            try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
                return lines.anyMatch(l -> l.contains(prefix) && l.endsWith("(deleted)"));
            }
        });
    }

    /** A condition that reads files. */
    interface IoCondition {
        boolean holds() throws IOException;
    }

    /** Polls every 2 ms until {@code condition} no longer holds; fails after 10 s, saying {@code what}. */
    static void awaitNot(String what, IoCondition condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + " after 10 s");
            }
            Thread.sleep(2);
        }
    }

    // ------------------------------------------------------------------ restore

    /** One lib's restore of a checkpoint saved at setup. */
    @State(Scope.Benchmark)
    public static class RestoreState extends Trial {
        @Param({"numpack", "numpack-weights", "numpack-weights-of-full", "djl", "raw"})
        public String lib;

        @Param({"warm", "cold"})
        public String cache;

        Path rawFile;
        long[] sizes;
        long bytes;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            try {
                if (!cache.equals("warm") && !cache.equals("cold")) {
                    throw new IllegalArgumentException("cache is warm or cold, not " + cache);
                }
                dir = tempDir("numpack-ckpt-restore-");
                fixture = new Fixture();
                List<NDArray> all = fixture.all();
                sizes = all.stream().mapToLong(a -> a.size() * a.getDataType().getNumOfBytes()).toArray();
                List<Long> expected;
                switch (lib) {
                    case "numpack", "numpack-weights", "numpack-weights-of-full" -> {
                        ckpt = CheckpointManager.builder().setDirectory(dir).optKeepLast(1).build();
                        ckpt.save(fixture.model, lib.equals("numpack-weights") ? null : fixture.optimizer,
                                TrainingState.builder().setEpoch(0).setStep(1).build()).join();
                        List<NDArray> restored = lib.equals("numpack") ? all : fixture.params();
                        expected = crcs(restored);
                        bytes = byteSize(restored);
                    }
                    case "djl" -> {
                        fixture.model.setProperty("Epoch", "1");
                        fixture.model.save(dir, NAME);
                        fsync(djlFile(dir, 1)); // so that cold can drop its pages (dirty pages stay)
                        syncDir(dir);
                        expected = crcs(fixture.params());
                        bytes = byteSize(fixture.params());
                    }
                    case "raw" -> {
                        rawFile = dir.resolve("raw.bin");
                        writeRaw(rawFile, all, true);
                        expected = crcs(all);
                        bytes = byteSize(all);
                    }
                    default -> throw new IllegalArgumentException("unknown lib " + lib);
                }
                System.out.println(lib + ": " + treeBytes(dir) + " bytes on disk, tensors " + bytes);
                fixture.train(1); // the model now differs from what was saved
                checkSame("the state after a first restore", expected, restoredCrcs(restore(this)));
            } catch (Exception | Error e) {
                tearDown();
                throw e;
            }
        }

        private List<Long> restoredCrcs(Object restored) {
            switch (lib) {
                case "numpack" -> {
                    return crcs(fixture.all());
                }
                case "numpack-weights", "numpack-weights-of-full", "djl" -> {
                    return crcs(fixture.params());
                }
                default -> {
                    List<Long> out = new ArrayList<>();
                    for (ByteBuffer b : (ByteBuffer[]) restored) {
                        CRC32C c = new CRC32C();
                        c.update(b);
                        out.add(c.getValue());
                    }
                    return out;
                }
            }
        }

        @Setup(Level.Iteration)
        public void beforeIteration() throws IOException {
            if (lib.equals("djl")) {
                // Parameter.load replaces each parameter's array without closing the old one, which stays
                // attached to the model's manager: free it here, untimed, so memory does not pile up.
                for (Pair<String, Parameter> p : fixture.model.getBlock().getParameters()) {
                    p.getValue().getArray().close();
                }
            }
            System.gc();
            if (cache.equals("cold")) {
                evictFromPageCache(dir);
            }
        }

    }

    /**
     * Drops the page cache of every file under {@code dir}, and only theirs: {@code posix_fadvise(DONTNEED)}
     * through GNU dd ({@code iflag=nocache count=0}), which needs no root and leaves other processes' cache
     * alone. The files must be clean (fsynced): dirty pages stay.
     *
     * @param dir the directory
     * @throws IOException if dd is missing or fails
     */
    static void evictFromPageCache(Path dir) throws IOException {
        List<Path> files;
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            Process p = new ProcessBuilder("dd", "if=" + f, "iflag=nocache", "count=0", "status=none")
                    .redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IOException("cache=cold: dd could not drop the page cache of " + f + ": " + out
                            + " (-p cache=warm to skip)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while dropping the page cache", e);
            }
        }
    }

    @Benchmark
    public Object restore(RestoreState s, Bytes out) throws Exception {
        out.bytes = s.bytes;
        return restore(s);
    }

    static Object restore(RestoreState s) throws Exception {
        switch (s.lib) {
            case "numpack" -> {
                Restored r = s.ckpt.restoreLatest(s.fixture.model, s.fixture.optimizer).orElseThrow();
                return r;
            }
            case "numpack-weights", "numpack-weights-of-full" -> {
                Restored r = s.ckpt.restoreLatest(s.fixture.model, null).orElseThrow();
                return r;
            }
            case "djl" -> {
                s.fixture.model.load(s.dir, NAME);
                return s.fixture.model;
            }
            case "raw" -> {
                return readRaw(s.rawFile, s.sizes);
            }
            default -> throw new IllegalArgumentException(s.lib);
        }
    }
}
