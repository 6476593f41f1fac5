package dev.numpack.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.numpack.djl.DatasetPosition;
import dev.numpack.djl.NumPackDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The traps a new user fell into when resuming, each closed: one call, checked first, order-free listeners. */
class ResumeMisuseTest {
    @TempDir
    static Path shared;
    static Path store;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        store = TinyTraining.writeStore(shared.resolve("data"));
    }

    private static Trainer trainer(Model m, Optimizer o, boolean listenersFirst, TrainingListener... listeners) {
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(o);
        if (listenersFirst) {
            config.addTrainingListeners(listeners).addTrainingListeners(TrainingListener.Defaults.basic());
        } else {
            config.addTrainingListeners(TrainingListener.Defaults.basic()).addTrainingListeners(listeners);
        }
        Trainer t = m.newTrainer(config);
        t.initialize(new Shape(1, TinyTraining.FEATURES));
        return t;
    }

    /** Trains {@code epochs} epochs with checkpoints into {@code ckpt}; returns the checkpoints' metrics. */
    private static List<Map<String, Double>> run(Path ckpt, int epochs, boolean listenerFirst) throws Exception {
        try (Model m = TinyTraining.model(1); NumPackDataset data = TinyTraining.dataset(store);
                CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).optKeepLast(10).build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            CheckpointListener l = CheckpointListener.builder(c).optOptimizer(o).optDataset(data).build();
            try (Trainer t = trainer(m, o, listenerFirst, l)) {
                EasyTrain.fit(t, epochs, data, data);
            }
            return c.list().stream().map(CheckpointInfo::metrics).toList();
        }
    }

    @Test
    void oneCallResumesWeightsOptimizerDataPositionAndNumbering() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        run(ckpt, 2, false);
        List<String> straight;
        try (Model m = TinyTraining.model(1); NumPackDataset data = TinyTraining.dataset(store)) {
            Optimizer o = TinyTraining.optimizer("adam");
            try (Trainer t = trainer(m, o, false)) {
                EasyTrain.fit(t, 3, data, data);
            }
            straight = TinyTraining.fingerprint(m);
        }
        try (Model m = TinyTraining.model(99); NumPackDataset data = TinyTraining.dataset(store);
                CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).optKeepLast(10).build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            CheckpointListener l = CheckpointListener.builder(c).optOptimizer(o).optDataset(data).build();
            try (Trainer t = trainer(m, o, false, l)) {
                Restored r = l.resume(m).orElseThrow();
                assertEquals(2, r.state().epoch());
                assertEquals(2, l.epoch(), "numbering continues");
                assertEquals(r.state().position().epoch(), data.position().epoch(), "the dataset moved");
                EasyTrain.fit(t, 1, data, data);
            }
            assertEquals(3, c.list().get(c.list().size() - 1).epoch());
            assertEquals(straight, TinyTraining.fingerprint(m), "resumed run ends as the uninterrupted one");
        }
    }

    @Test
    void aPositionTheDatasetRefusesChangesNothing() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        run(ckpt, 1, false);
        try (Model m = TinyTraining.model(99);
                NumPackDataset other = NumPackDataset.builder().setStore(store).setFeatures("x").optLabels("y")
                        .setSampling(TinyTraining.BATCH * 2, true).optSeed(11).build();
                CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).optKeepLast(10).build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            CheckpointListener l = CheckpointListener.builder(c).optOptimizer(o).optDataset(other).build();
            try (Trainer t = trainer(m, o, false, l)) {
                List<String> before = TinyTraining.fingerprint(m);
                DatasetPosition where = other.position();
                CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> l.resume(m));
                assertTrue(e.getMessage().contains("sampling"), e.getMessage());
                assertEquals(before, TinyTraining.fingerprint(m), "the model must not change");
                assertEquals(where, other.position(), "the dataset must not move");
                assertEquals(0, l.epoch(), "the numbering must not move");
            }
        }
    }

    @Test
    void aRunThatDidNotResumeCannotReplaceTheCheckpointsOfTheRunBefore() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        run(ckpt, 2, false);
        byte[] metaBefore = Files.readAllBytes(ckpt.resolve("checkpoint-000000000008").resolve("metadata.npkm"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> run(ckpt, 1, false));
        assertTrue(String.valueOf(e.getMessage()).contains("did not resume"), e.getMessage());
        assertEquals(java.util.Arrays.toString(metaBefore), java.util.Arrays.toString(
                Files.readAllBytes(ckpt.resolve("checkpoint-000000000008").resolve("metadata.npkm"))),
                "the first run's checkpoint of step 8 is untouched");
    }

    @Test
    void listenerOrderDoesNotChangeTheMetricsACheckpointRecords() throws Exception {
        List<Map<String, Double>> after = run(dir.resolve("after"), 2, false);
        List<Map<String, Double>> before = run(dir.resolve("before"), 2, true);
        assertTrue(after.get(0).containsKey("validate_loss"), after.toString());
        assertEquals(after, before, "a listener added before DJL's evaluators records the same epoch metrics");
    }

    @Test
    void aKeepBestMetricTrainingNeverReportsIsRefusedNamingThoseItReports() throws Exception {
        try (Model m = TinyTraining.model(1); NumPackDataset data = TinyTraining.dataset(store);
                CheckpointManager c = CheckpointManager.builder().setDirectory(dir.resolve("ckpt"))
                        .optKeepBest(1, "val_loss", Goal.MIN).build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            CheckpointListener l = CheckpointListener.builder(c).optOptimizer(o).optDataset(data).build();
            try (Trainer t = trainer(m, o, false, l)) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> EasyTrain.fit(t, 1, data, data));
                assertTrue(e.getMessage().contains("'val_loss'") && e.getMessage().contains("validate_loss"),
                        e.getMessage());
            }
        }
    }
}
