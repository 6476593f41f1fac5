package dev.numpack.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import dev.numpack.AlreadyClosedException;
import dev.numpack.Durability;
import dev.numpack.NumPack;
import dev.numpack.djl.DatasetPosition;
import dev.numpack.djl.NumPackDataset;
import dev.numpack.testkit.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    static Path shared;
    static Path store;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        store = TinyTraining.writeStore(shared.resolve("data"));
    }

    private CheckpointManager.Builder manager() {
        return CheckpointManager.builder().setDirectory(dir.resolve("ckpt"));
    }

    private static TrainingState state(long epoch, long step, double loss) {
        return TrainingState.builder().setEpoch(epoch).setStep(step).optMetric("loss", loss).build();
    }

    /** @return each parameter's values by name */
    private static Map<String, float[]> values(Model m) {
        Map<String, float[]> out = new HashMap<>();
        for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static void assertSameValues(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    private static Map<String, float[]> optimizerValues(Model m, Optimizer o) {
        Map<String, String> nameOf = new HashMap<>();
        m.getBlock().getParameters().forEach(p -> nameOf.put(p.getValue().getId(), p.getKey()));
        Map<String, float[]> out = new HashMap<>();
        for (String s : OptimizerState.stateNames(o)) {
            OptimizerState.read(o, s).forEach((id, a) -> out.put(s + "." + nameOf.get(id), a.toFloatArray()));
        }
        OptimizerState.updateCounts(o).forEach((id, n) -> out.put("count." + nameOf.get(id), new float[] {n}));
        out.put("numUpdate", new float[] {OptimizerState.numUpdate(o)});
        return out;
    }

    @Test
    void restoreBringsBackWeightsOptimizerStateAndTrainingState() {
        for (String opt : TinyTraining.OPTIMIZERS) {
            Path ckpt = dir.resolve(opt);
            Map<String, float[]> weights;
            Map<String, float[]> moments;
            DatasetPosition position;
            try (Model m = TinyTraining.model(1); NumPackDataset data = TinyTraining.dataset(store)) {
                Optimizer o = TinyTraining.optimizer(opt);
                try (Trainer t = TinyTraining.trainer(m, o);
                        CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).build()) {
                    if (TinyTraining.TRAINABLE.contains(opt)) {
                        TinyTraining.train(t, data, 1);
                    } else {
                        TinyTraining.fakeSteps(m, o, 3);
                    }
                    position = data.position();
                    weights = values(m);
                    moments = optimizerValues(m, o);
                    assertFalse(moments.isEmpty());
                    c.save(m, o, TrainingState.builder().setEpoch(1).setStep(8).optMetric("loss", 0.5)
                            .optDatasetPosition(position).optSeed("engine", 1).build()).join();
                }
            }
            try (Model m = TinyTraining.model(2)) {
                Optimizer o = TinyTraining.optimizer(opt);
                try (Trainer t = TinyTraining.trainer(m, o);
                        CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).build()) {
                    Map<String, float[]> fresh = values(m);
                    assertTrue(weights.keySet().stream().anyMatch(k -> !java.util.Arrays.equals(weights.get(k),
                            fresh.get(k))), "another seed, other weights");
                    Restored r = c.restoreLatest(m, o).orElseThrow();
                    assertSameValues(weights, values(m));
                    assertSameValues(moments, optimizerValues(m, o));
                    assertEquals(8, r.state().step());
                    assertEquals(1, r.state().epoch());
                    assertEquals(0.5, r.state().metric("loss"));
                    assertEquals(position, r.state().position());
                    assertEquals(Map.of("engine", 1L), r.state().seeds());
                    assertEquals("checkpoint-000000000008", r.checkpoint().name());
                }
            }
        }
    }

    @Test
    void aDamagedArrayReadLastChangesNeitherModelNorOptimizer() throws IOException {
        Path ckpt = dir.resolve("ckpt");
        try (Model m = TinyTraining.model(1)) {
            Optimizer o = TinyTraining.optimizer("adam");
            try (Trainer t = TinyTraining.trainer(m, o); CheckpointManager c = manager().build()) {
                TinyTraining.fakeSteps(m, o, 3);
                c.save(m, o, state(0, 1, 1)).join();
            }
        }
        // the optimizer's arrays are read after every parameter: damage one of them
        Path victim;
        try (Stream<Path> s = Files.list(ckpt.resolve("checkpoint-000000000001"))) {
            victim = s.filter(p -> p.getFileName().toString().startsWith("data_optim.")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length - 1] ^= 0x10;
        Files.write(victim, bytes);
        try (Model m = TinyTraining.model(2)) {
            Optimizer o = TinyTraining.optimizer("adam");
            try (Trainer t = TinyTraining.trainer(m, o); CheckpointManager c = manager().build()) {
                TinyTraining.fakeSteps(m, o, 5);
                Map<String, float[]> weights = values(m);
                Map<String, float[]> moments = optimizerValues(m, o);
                CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                        () -> c.restore("checkpoint-000000000001", m, o));
                assertTrue(e.getMessage().contains("checksum"), e.getMessage());
                assertSameValues(weights, values(m));
                assertSameValues(moments, optimizerValues(m, o));
                // and the intact parameters still restore, weights only
                c.restore("checkpoint-000000000001", m, null);
                assertTrue(weights.keySet().stream().anyMatch(k -> !java.util.Arrays.equals(weights.get(k),
                        values(m).get(k))), "the checkpoint's weights are in");
            }
        }
    }

    @Test
    void aDamagedNewestCheckpointFallsBackToTheNewestIntactOne() throws IOException {
        Map<String, float[]> second;
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build()) {
            c.save(m, null, state(0, 1, 1)).join();
            scale(m, 2);
            second = values(m);
            c.save(m, null, state(0, 2, 1)).join();
            scale(m, 2);
            c.save(m, null, state(0, 3, 1)).join();
        }
        Path ckpt = dir.resolve("ckpt");
        flipAByteOfTheLargestDataFile(ckpt.resolve("checkpoint-000000000003"));
        try (Model m = TinyTraining.model(5); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build()) {
            Map<String, float[]> before = values(m);
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                    () -> c.restore("checkpoint-000000000003", m, null));
            assertTrue(e.getMessage().contains("checksum") && e.getMessage().contains("checkpoint-000000000003"),
                    e.getMessage());
            assertSameValues(before, values(m), "a refused restore changes nothing");
            Restored r = c.restoreLatest(m, null).orElseThrow();
            assertEquals(2, r.state().step());
            assertSameValues(second, values(m));
            assertEquals(List.of(1L, 2L), c.list().stream().map(CheckpointInfo::step).toList(),
                    "the damaged one no longer counts");
        }
        try (Stream<Path> s = Files.list(ckpt)) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("damaged-checkpoint-000000000003-"))
                    .count(), "moved aside, kept for inspection");
        }
        // a damaged description is skipped too
        corruptMeta(ckpt.resolve("checkpoint-000000000002"));
        try (Model m = TinyTraining.model(5); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build()) {
            assertEquals(1, c.restoreLatest(m, null).orElseThrow().state().step());
            assertEquals(List.of(1L), c.list().stream().map(CheckpointInfo::step).filter(s -> s < 3).toList(),
                    "an unreadable description is not listed");
        }
    }

    private static void assertSameValues(Map<String, float[]> expected, Map<String, float[]> actual, String why) {
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), why + ": " + k));
    }

    private static void scale(Model m, float f) {
        for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
            p.getValue().getArray().muli(f);
        }
    }

    private static void flipAByteOfTheLargestDataFile(Path checkpoint) throws IOException {
        Path largest;
        try (Stream<Path> s = Files.list(checkpoint)) {
            largest = s.filter(p -> p.getFileName().toString().startsWith("data_param."))
                    .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(largest);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(largest, bytes);
    }

    private static void corruptMeta(Path checkpoint) throws IOException {
        Path meta = checkpoint.resolve("data_meta.npkd");
        byte[] bytes = Files.readAllBytes(meta);
        bytes[10] ^= 0x01;
        Files.write(meta, bytes);
    }

    @Test
    void aCheckpointThatDoesNotFitTheModelIsRefusedAndChangesNothing() {
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("adam"));
                CheckpointManager c = manager().build()) {
            c.save(m, null, state(0, 1, 1)).join();
        }
        try (Model other = Model.newInstance("other")) {
            other.setBlock(new SequentialBlock().add(Linear.builder().setUnits(17).build())
                    .add(Linear.builder().setUnits(TinyTraining.CLASSES).build()));
            try (Trainer t = TinyTraining.trainer(other, TinyTraining.optimizer("adam"));
                    CheckpointManager c = manager().build()) {
                Map<String, float[]> before = values(other);
                CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                        () -> c.restoreLatest(other, null));
                assertTrue(e.getMessage().contains("[16, 8]") && e.getMessage().contains("[17, 8]"), e.getMessage());
                assertSameValues(before, values(other), "nothing changed");
            }
        }
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("adam"));
                CheckpointManager c = manager().build()) {
            CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                    () -> c.restoreLatest(m, TinyTraining.optimizer("adam")));
            assertTrue(e.getMessage().contains("no optimizer state"), e.getMessage());
        }
    }

    @Test
    void pruningKeepsLastBestAndEveryNthAndNothingItDidNotWrite() throws IOException {
        Path ckpt = dir.resolve("ckpt");
        Files.createDirectories(ckpt.resolve("checkpoint-000000000099"));
        Files.writeString(ckpt.resolve("checkpoint-000000000099").resolve("mine.txt"), "not a checkpoint");
        Files.writeString(ckpt.resolve("notes.txt"), "keep me");
        double[] losses = {0.9, 0.5, 0.1, 0.7, 0.8, 0.6, 0.95, 0.4, 0.99, 0.98, 0.97};
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().optKeepLast(2).optKeepBest(2, "loss", Goal.MIN).optKeepEvery(5)
                        .build()) {
            for (int step = 1; step <= 11; step++) {
                c.save(m, null, state(0, step, losses[step - 1])).join();
            }
            // last 2: 10, 11; best 2 by loss: 3 (0.1), 8 (0.4); every 5: 5, 10
            assertEquals(List.of(3L, 5L, 8L, 10L, 11L), c.list().stream().map(CheckpointInfo::step).toList());
            Set<String> finals; // pruned ones are renamed away inside save; only their files go in the background
            try (Stream<Path> s = Files.list(ckpt)) {
                finals = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-"))
                        .collect(Collectors.toCollection(TreeSet::new));
            }
            assertEquals(Set.of("checkpoint-000000000003", "checkpoint-000000000005", "checkpoint-000000000008",
                    "checkpoint-000000000010", "checkpoint-000000000011", "checkpoint-000000000099"), finals);
        }
        Set<String> left; // after close, which waits for the background removals
        try (Stream<Path> s = Files.list(ckpt)) {
            left = s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertTrue(left.containsAll(Set.of("checkpoint-000000000099", "notes.txt")), left.toString());
        assertTrue(Files.exists(ckpt.resolve("checkpoint-000000000099").resolve("mine.txt")));
        assertTrue(left.stream().noneMatch(n -> n.startsWith(".tmp") || n.startsWith(".del")), left.toString());
        try (Model m = TinyTraining.model(3); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().optKeepBest(2, "loss", Goal.MIN).build()) {
            assertEquals(3, c.restoreBest(m, null).orElseThrow().state().step());
        }
    }

    @Test
    void anAsyncSaveHoldsTheValuesOfItsCallEvenWhenTrainingGoesOn() {
        Map<String, float[]> atSave;
        Map<String, float[]> momentsAtSave;
        try (Model m = TinyTraining.model(1); NumPackDataset data = TinyTraining.dataset(store)) {
            Optimizer o = TinyTraining.optimizer("adam");
            try (Trainer t = TinyTraining.trainer(m, o);
                    CheckpointManager c = manager().optAsync(true).build()) {
                TinyTraining.train(t, data, 1);
                atSave = values(m);
                momentsAtSave = optimizerValues(m, o);
                CompletableFuture<CheckpointInfo> f = c.save(m, o, state(1, 8, 1));
                TinyTraining.train(t, data, 2); // steps change weights and moments in place meanwhile
                Map<String, float[]> now = optimizerValues(m, o);
                assertTrue(momentsAtSave.keySet().stream().anyMatch(k -> !java.util.Arrays.equals(
                        momentsAtSave.get(k), now.get(k))), "training went on");
                assertEquals(8, f.join().step());
                c.save(m, o, state(2, 16, 1)); // close waits for this one
            }
        }
        try (Model m = TinyTraining.model(4)) {
            Optimizer o = TinyTraining.optimizer("adam");
            try (Trainer t = TinyTraining.trainer(m, o); CheckpointManager c = manager().build()) {
                assertEquals(16, c.restoreLatest(m, o).orElseThrow().state().step(), "close waited for step 16");
                c.restore("checkpoint-000000000008", m, o);
                assertSameValues(atSave, values(m));
                assertSameValues(momentsAtSave, optimizerValues(m, o));
            }
        }
    }

    @Test
    void aRunResumedFromAnOlderCheckpointKeepsItsNewCheckpoints() {
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().optKeepLast(3).build()) {
            c.save(m, null, state(1, 10, 1)).join();
            c.save(m, null, state(2, 20, 1)).join();
            c.save(m, null, state(3, 30, 1)).join();
            c.restore("checkpoint-000000000010", m, null); // back to step 10, say after a divergence
            scale(m, 2);
            Map<String, float[]> eleven = values(m);
            c.save(m, null, state(1, 11, 1)).join();
            assertEquals(List.of(20L, 30L, 11L), c.list().stream().map(CheckpointInfo::step).toList(),
                    "write order: the new checkpoint is the last one, whatever its step");
            c.save(m, null, state(1, 12, 1)).join();
            assertEquals(List.of(30L, 11L, 12L), c.list().stream().map(CheckpointInfo::step).toList());
            c.restore("checkpoint-000000000011", m, null);
            assertSameValues(eleven, values(m));
            assertEquals(12, c.restoreLatest(m, null).orElseThrow().state().step(), "latest is the last written");
        }
    }

    @Test
    void aDirectoryInTheWayThatIsNoCheckpointIsNotReplaced() throws IOException {
        Path ckpt = dir.resolve("ckpt");
        Path mine = ckpt.resolve("checkpoint-000000000005");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("mine.txt"), "not a checkpoint");
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> c.save(m, null, state(0, 5, 1)));
            assertTrue(e.getMessage().contains("in the way"), e.getMessage());
            c.save(m, null, state(0, 6, 1)).join();
        }
        assertEquals("not a checkpoint", Files.readString(mine.resolve("mine.txt")));
    }

    @Test
    void theLockHoldsAgainstOtherProcessesAfterAFailedSecondOpenHere() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        try (CheckpointManager c = manager().build()) {
            assertThrows(CheckpointException.class, () -> manager().build());
            List<String> probe = lockProbe(ckpt, dir.resolve("probe.log"));
            assertEquals(List.of("refused"), probe, "another process still cannot take the directory");
        }
        assertEquals(List.of("acquired"), lockProbe(ckpt, dir.resolve("probe2.log")));
    }

    /** Runs {@link LockProbeChild} on {@code ckpt} in its own JVM; fails if it fails. @return what it printed */
    private static List<String> lockProbe(Path ckpt, Path log) throws IOException, InterruptedException {
        return ChildJvm.main(LockProbeChild.class, ckpt.toString()).heap("512m").quietLogs().stderrTo(log)
                .run(Duration.ofSeconds(300)).assertSuccess().lines();
    }

    @Test
    void aLockFileThatIsNotARegularFileIsRefusedNamingItAndTheDirectoryStaysUsable() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        Path lock = ckpt.resolve(".numpack-checkpoints.lock");
        Files.createDirectories(lock); // a directory where the lock file goes
        CheckpointException e = assertThrows(CheckpointException.class, () -> manager().build());
        assertEquals(lock, e.store(), e.getMessage());
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        Files.delete(lock);
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", lock.toString()).start().waitFor() == 0,
                "mkfifo is needed to make a pipe");
        // a pipe: opening it for writing would block until a reader came; it must be refused at once
        e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(CheckpointException.class, () -> manager().build()));
        assertTrue(e.getMessage().contains(lock.toString()) && e.getMessage().contains("not a regular file"), e.getMessage());
        Files.delete(lock);
        try (CheckpointManager c = manager().build()) { // the failed opens left the directory free
            assertTrue(c.list().isEmpty());
        }
    }

    @Test
    void oneManagerPerDirectory() {
        try (CheckpointManager c = manager().build()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> manager().build());
            assertTrue(e.getMessage().contains("another CheckpointManager"), e.getMessage());
            c.close();
            assertThrows(AlreadyClosedException.class, c::list);
        }
        try (CheckpointManager again = manager().build()) {
            assertEquals(List.of(), again.list());
        }
    }

    @Test
    void leftoversOfAnInterruptedSaveAreRemovedOnOpenAndAnInterruptedReplaceIsUndone() throws IOException {
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().optDurability(Durability.NO_FSYNC).build()) {
            c.save(m, null, state(0, 4, 1)).join();
        }
        Path ckpt = dir.resolve("ckpt");
        Files.createDirectories(ckpt.resolve(".tmp-checkpoint-000000000005-0123456789abcdef").resolve("x"));
        // a replace of step 4 that renamed the old one away and died before the new one arrived
        Files.move(ckpt.resolve("checkpoint-000000000004"), ckpt.resolve(".old-checkpoint-000000000004-00000000000000ff"));
        try (Model m = TinyTraining.model(2); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build()) {
            assertEquals(List.of(4L), c.list().stream().map(CheckpointInfo::step).toList());
            assertEquals(4, c.restoreLatest(m, null).orElseThrow().state().step());
        }
        try (Stream<Path> s = Files.list(ckpt)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp")
                    || p.getFileName().toString().startsWith(".old")));
        }
    }

    @Test
    void savingTheSameStepAgainReplacesIt() throws IOException {
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build()) {
            c.save(m, null, state(0, 7, 1)).join();
            scale(m, 3);
            Map<String, float[]> later = values(m);
            c.save(m, null, state(1, 7, 0.5)).join();
            assertEquals(1, c.list().size());
            try (Stream<Path> s = Files.list(dir.resolve("ckpt"))) {
                // the replaced one is already a .del- tree (removed in the background): were it left as .old-,
                // a crash after its step was pruned would let recovery put it back
                assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".old-")));
            }
            scale(m, 0);
            Restored r = c.restoreLatest(m, null).orElseThrow();
            assertEquals(1, r.state().epoch());
            assertSameValues(later, values(m));
        }
    }

    @Test
    void weightsExportToNpzAndSafetensors() throws IOException {
        Map<String, float[]> weights;
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build(); NDManager nd = NDManager.newBaseManager()) {
            weights = values(m);
            c.save(m, null, state(0, 1, 1)).join();
            for (NDList.Encoding enc : NDList.Encoding.values()) {
                Path out = dir.resolve("weights." + enc.name().toLowerCase());
                c.exportWeights("checkpoint-000000000001", out, enc, nd);
                try (InputStream in = Files.newInputStream(out)) {
                    NDList back = NDList.decode(nd, in.readAllBytes());
                    assertEquals(weights.size(), back.size(), enc.toString());
                    for (NDArray a : back) {
                        assertArrayEquals(weights.get(a.getName()), a.toFloatArray(), enc + " " + a.getName());
                    }
                }
            }
        }
    }

    @Test
    void weightsExportFsyncsTheFileThenRenamesItThenFsyncsTheDirectory() throws IOException {
        RecordingFileSystem fs = new RecordingFileSystem();
        Path exports = Files.createDirectories(dir.resolve("exports"));
        Path out = exports.resolve("w.npz");
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build(); NDManager nd = NDManager.newBaseManager()) {
            c.save(m, null, state(0, 1, 1)).join();
            c.exportWeights("checkpoint-000000000001", fs.wrap(out), NDList.Encoding.NPZ, nd);
            try (InputStream in = Files.newInputStream(out)) {
                assertEquals(values(m).size(), NDList.decode(nd, in.readAllBytes()).size());
            }
        }
        List<String> events = fs.events();
        assertEquals(3, events.size(), events.toString());
        assertTrue(events.get(0).matches("fsync w\\.npz\\.tmp-[0-9a-f]+"), events.toString());
        assertTrue(events.get(1).matches("rename w\\.npz\\.tmp-[0-9a-f]+ w\\.npz"), events.toString());
        assertEquals("fsync dir exports", events.get(2), "the rename is made durable by its directory's fsync");
        try (Stream<Path> s = Files.list(exports)) {
            assertEquals(List.of(out), s.collect(Collectors.toList()));
        }
    }

    @Test
    void aCheckpointIsAPlainNumPackStore() {
        Map<String, float[]> weights;
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("adam"));
                CheckpointManager c = manager().build()) {
            weights = values(m);
            c.save(m, TinyTraining.optimizer("adam"), state(0, 1, 1)).join();
        }
        try (NumPack np = NumPack.openReadOnly(dir.resolve("ckpt").resolve("checkpoint-000000000001"))) {
            np.verify();
            weights.forEach((name, v) -> assertArrayEquals(v, np.load("param." + name).toFloatArray(), name));
            assertTrue(np.contains("meta"));
        }
    }

    @Test
    void unsupportedOptimizersAndMissingSettingsAreRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> CheckpointManager.builder().build());
        assertThrows(IllegalArgumentException.class, () -> manager().optKeepLast(0));
        assertThrows(IllegalArgumentException.class, () -> TrainingState.builder().setEpoch(1).build());
        Optimizer custom = new Optimizer(Optimizer.adam()) {
            @Override
            public void update(String parameterId, NDArray weight, NDArray grad) {
                weight.subi(grad);
            }
        };
        try (Model m = TinyTraining.model(1); Trainer t = TinyTraining.trainer(m, TinyTraining.optimizer("sgd"));
                CheckpointManager c = manager().build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.save(m, custom, state(0, 1, 1)));
            assertTrue(e.getMessage().contains("cannot be saved"), e.getMessage());
            assertEquals(List.of(), c.list());
            assertEquals(Optional.empty(), c.restoreLatest(m, null));
        }
    }

    static void sync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static Shape shape(long... dims) {
        return new Shape(dims);
    }
}
