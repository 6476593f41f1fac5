package dev.numpack.reliability.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.numpack.BatchMode;
import dev.numpack.DType;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.WritableBatchMode;
import dev.numpack.checkpoint.CheckpointManager;
import dev.numpack.checkpoint.TrainingState;
import dev.numpack.internal.store.StoreLayout;
import dev.numpack.reliability.Mode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power-loss simulation of issue 12 over every mutating operation of a store (plain and segmented arrays)
 * and over checkpoint save, replace and prune: every crash state built at every recorded instant opens, verifies,
 * shows the content before or after the operation in flight, and keeps every operation that returned. Figures
 * are printed and written to {@code target/power-figures.md}; {@code -Dnumpack.reliability=long} checks many
 * more states per instant over more rounds.
 */
class PowerLossTest {
    private static final Mode MODE = Mode.current();
    /** States drawn per recorded instant. */
    private static final int PER_INSTANT = MODE.pick(8, 40);
    /** Rounds of the store scenario, each with its own data and draws. */
    private static final int ROUNDS = MODE.pick(1, 5);
    private static final Figures STORE = new Figures();
    private static final Figures CHECKPOINT = new Figures();
    private static final Figures APPENDS = new Figures();
    private static long started;

    @TempDir
    Path tmp;

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"),
                "the simulation keys files by inode and keeps them open, which Linux semantics make sound");
        started = System.nanoTime();
    }

    @Test
    void everyStoreOperationSurvivesEveryPowerLossState() throws Exception {
        try (RamDir ram = RamDir.orElse(tmp)) {
            for (int round = 0; round < ROUNDS; round++) {
                runStoreScenario(ram.path(), round);
            }
        }
        System.out.println(STORE.table("stores (" + MODE + ")"));
        assertTrue(STORE.states() > 0, "states were checked");
        assertEquals(0, STORE.failures(), STORE.failureList());
    }

    private static void runStoreScenario(Path tmp, int round) throws Exception {
        Random data = new Random(1000 + round);
        Path store = tmp.resolve("store-" + round);
        try (NumPack np = open(store)) { // the content before recording starts: durable
            np.save("a", floats(data, 40, 8));
            np.save("b", NdArray.of(new long[] {1, 2, 3, 4, 5, 6}));
        }
        PowerLossSimulation sim = new PowerLossSimulation(tmp.resolve("scratch-" + round), 7 + round, PER_INSTANT, STORE,
                Path.of("target", "power-failures"));
        NumPack[] np = new NumPack[1];
        try (PowerLossSimulation.Recording r = sim.record(store, Contents::ofStore, PowerLossSimulation.BEFORE_OR_AFTER)) {
            r.step("open", () -> np[0] = open(store));
            r.step("save new", () -> np[0].save("c", floats(data, 10, 8)));
            r.step("save overwrite", () -> np[0].save("a", floats(data, 30, 6)));
            r.step("save several", () -> np[0].save(Map.of("b", NdArray.of(new long[] {7, 8, 9}), "d", floats(data, 5, 3))));
            r.step("append", () -> np[0].append("a", floats(data, 4, 6)));
            r.step("replace", () -> np[0].replace("a", floats(data, 3, 6), 1, 5, 33));
            r.step("delete", () -> np[0].delete("a", 0, 3, 20));
            r.step("append", () -> np[0].append("a", floats(data, 2, 6)));
            r.step("replace", () -> np[0].replace("a", floats(data, 2, 6), 0, -1));
            r.step("compact", () -> np[0].compact("a"));
            r.step("batch commit", () -> {
                try (BatchMode b = np[0].batchMode()) {
                    b.edit("a").asFloatBuffer().put(7, 42f); // same shape: only the changed row, in place
                    b.edit("c").asFloatBuffer().put(0, -1f);
                    b.save("e", floats(data, 3, 2));
                }
            });
            r.step("batch commit", () -> {
                try (BatchMode b = np[0].batchMode()) {
                    b.append("c", floats(data, 2, 8));
                    b.delete("d", 1);
                    b.drop("e");
                }
            });
            r.step("writable batch commit", () -> {
                try (WritableBatchMode w = np[0].writableBatchMode()) {
                    w.open("a").buffer().order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 3.5f);
                    w.open("b").buffer().order(ByteOrder.LITTLE_ENDIAN).putLong(16, -9L);
                }
            });
            r.step("drop", () -> np[0].drop("c"));
            // segmented arrays: the store's segment target is 4 KiB, so 64 rows of 128 bytes make two segments
            r.step("save new", () -> np[0].save("s", floats(data, 64, 32)));
            r.step("append", () -> np[0].append("s", floats(data, 40, 32)));
            r.step("replace", () -> np[0].replace("s", floats(data, 3, 32), 2, 40, 100));
            r.step("delete", () -> np[0].delete("s", 5, 70));
            r.step("compact", () -> np[0].compact("s"));
            r.step("save overwrite", () -> np[0].save("s", floats(data, 8, 32)));
            r.step("drop", () -> np[0].drop("s", "d"));
            Path npy = tmp.resolve("in-" + round + ".npy");
            dev.numpack.io.NpyWriter.write(npy, floats(data, 50, 16)); // outside the store: not watched
            r.step("import .npy", () -> np[0].importNpy("i", npy));
            r.step("clone", () -> np[0].cloneArray("i", "j"));
            r.step("reset", () -> np[0].reset());
            r.step("save new", () -> np[0].save("z", floats(data, 3, 3)));
            r.step("close", () -> np[0].close());
        } finally {
            if (np[0] != null) {
                np[0].close();
            }
        }
    }

    /**
     * Streams of small durable appends, which commit through the append log ({@code numpack.appends}: a record
     * written into the mapped log and its range synced, the rows past the array's end in the data file, not
     * fsynced), mixed with the commits that apply the log to the metadata first (replace, save, delete, close) and
     * with appends that commit whole (to an array with deleted rows): every state at every instant opens
     * (recovery applies a log it finds), verifies and shows the content before or after the operation in flight,
     * and after an operation returned only the content after it. As each operation's "before" is the content
     * after the one before it, every append that returned is in every state of every later instant.
     */
    @Test
    void streamsOfSmallAppendsThroughTheAppendLogSurviveEveryPowerLossState() throws Exception {
        long logged = 0;
        try (RamDir ram = RamDir.orElse(tmp)) {
            for (int round = 0; round < ROUNDS; round++) {
                logged += runAppendScenario(ram.path(), round);
            }
        }
        System.out.println(APPENDS.table("streams of small appends (" + MODE + ")"));
        assertTrue(logged >= 14 * ROUNDS, "the appends' records were synced through FileOps, where the recorder sees"
                + " them: " + logged + " range syncs of " + StoreLayout.APPEND_LOG);
        assertEquals(0, APPENDS.failures(), APPENDS.failureList());
    }

    /** @return how many range syncs of the append log the recorder saw */
    private static long runAppendScenario(Path tmp, int round) throws Exception {
        Random data = new Random(2000 + round);
        Path store = tmp.resolve("appends-" + round);
        try (NumPack np = open(store)) {
            np.save("a", floats(data, 20, 6));
            np.save("b", floats(data, 10, 3));
        }
        PowerLossSimulation sim = new PowerLossSimulation(tmp.resolve("scratch-appends-" + round), 13 + round,
                PER_INSTANT, APPENDS, Path.of("target", "power-failures-appends"));
        NumPack[] np = new NumPack[1];
        try (PowerLossSimulation.Recording r = sim.record(store, Contents::ofStore, PowerLossSimulation.BEFORE_OR_AFTER)) {
            r.step("open", () -> np[0] = open(store));
            for (int rows = 1; rows <= 3; rows++) {
                int n = rows;
                r.step("append (log)", () -> np[0].append("a", floats(data, n, 6)));
            }
            r.step("append several (log)", () -> np[0].append(Map.of("a", floats(data, 2, 6), "b", floats(data, 1, 3))));
            r.step("append (log)", () -> np[0].append("b", floats(data, 4, 3)));
            r.step("replace", () -> np[0].replace("a", floats(data, 2, 6), 0, 21)); // applies the log first
            r.step("append (log)", () -> np[0].append("a", floats(data, 1, 6)));
            r.step("append (log)", () -> np[0].append("b", floats(data, 2, 3)));
            r.step("save new", () -> np[0].save("c", floats(data, 5, 4)));
            r.step("append (log)", () -> np[0].append("c", floats(data, 3, 4)));
            r.step("append (log)", () -> np[0].append("a", floats(data, 2, 6)));
            r.step("delete", () -> np[0].delete("a", 1, 4));
            r.step("append (whole commit)", () -> np[0].append("a", floats(data, 1, 6))); // deleted rows: not logged
            r.step("append (log)", () -> np[0].append("b", floats(data, 1, 3)));
            r.step("append (log)", () -> np[0].append("c", floats(data, 2, 4)));
            r.step("close", () -> np[0].close()); // applies the log and removes it
            r.step("open", () -> np[0] = open(store));
            r.step("append (log)", () -> np[0].append("b", floats(data, 3, 3)));
            r.step("append several (log)", () -> np[0].append(Map.of("b", floats(data, 1, 3), "c", floats(data, 1, 4))));
            r.step("append (log)", () -> np[0].append("c", floats(data, 2, 4)));
            r.step("close", () -> np[0].close());
            return r.instants("msync " + StoreLayout.APPEND_LOG);
        } finally {
            if (np[0] != null) {
                np[0].close();
            }
        }
    }

    private static NumPack open(Path store) {
        return NumPack.builder().setPath(store).optSegmentTargetBytes(4096).build();
    }

    private static NdArray floats(Random rnd, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(rows * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * cols; i++) {
            b.putFloat(rnd.nextInt(1000) / 8f);
        }
        return NdArray.copyOf(DType.FLOAT32, new long[] {rows, cols}, b.flip());
    }

    @Test
    void checkpointSaveReplaceAndPruneSurviveEveryPowerLossState() throws Exception {
        try (RamDir ram = RamDir.orElse(tmp)) {
            runCheckpointScenario(ram.path());
        }
        System.out.println(CHECKPOINT.table("checkpoints (" + MODE + ")"));
        assertTrue(CHECKPOINT.states() > 0, "states were checked");
        assertEquals(0, CHECKPOINT.failures(), CHECKPOINT.failureList());
    }

    private static void runCheckpointScenario(Path tmp) throws Exception {
        Path dir = tmp.resolve("checkpoints");
        java.nio.file.Files.createDirectories(dir);
        PowerLossSimulation sim = new PowerLossSimulation(tmp.resolve("scratch-ckpt"), 11, PER_INSTANT, CHECKPOINT,
                Path.of("target", "power-failures-checkpoint"));
        CheckpointManager[] m = new CheckpointManager[1];
        try (Model model = Model.newInstance("power");
                Trainer trainer = trainer(model);
                PowerLossSimulation.Recording r = sim.record(dir, Contents::ofCheckpoints, Contents::checkpointPrefix)) {
            r.step("checkpoint open", () -> m[0] = CheckpointManager.builder().setDirectory(dir).optKeepLast(2).build());
            for (long step = 1; step <= MODE.pick(4, 8); step++) {
                fill(model, step);
                long s = step;
                r.step(step <= 2 ? "checkpoint save" : "checkpoint save + prune",
                        () -> m[0].save(model, null, TrainingState.builder().setEpoch(0).setStep(s).build()).join());
            }
            fill(model, -5);
            r.step("checkpoint replace", () -> m[0].save(model, null, TrainingState.builder().setEpoch(1).setStep(MODE.pick(4, 8))
                    .build()).join());
            r.step("checkpoint close", () -> m[0].close());
        } finally {
            if (m[0] != null) {
                m[0].close();
            }
        }
    }

    private static Trainer trainer(Model m) {
        m.setBlock(new SequentialBlock().add(Linear.builder().setUnits(8).build()).add(Linear.builder().setUnits(2).build()));
        Trainer t = m.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()));
        t.initialize(new Shape(1, 4));
        return t;
    }

    private static void fill(Model m, float value) {
        for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
            NDArray a = p.getValue().getArray();
            a.muli(0).addi(value);
        }
    }

    @AfterAll
    static void writeFigures() throws Exception {
        String md = String.format(Locale.ROOT, "## Power-loss simulation, %s mode (%d states drawn per instant, %d store"
                + " round(s), %.0f s)%n%n", MODE.name().toLowerCase(Locale.ROOT), PER_INSTANT, ROUNDS,
                (System.nanoTime() - started) / 1e9)
                + STORE.table("stores: every mutating operation, plain and segmented arrays") + "\n"
                + CHECKPOINT.table("checkpoints: save, save with pruning (keep last 2), replace") + "\n"
                + APPENDS.table("streams of small appends through the append log, with the commits that apply it") + "\n";
        System.out.println(md);
        Figures.write(Path.of("target", "power-figures.md"), md);
    }
}
