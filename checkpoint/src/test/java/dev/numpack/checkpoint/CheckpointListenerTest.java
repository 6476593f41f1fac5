package dev.numpack.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.numpack.djl.NumPackDataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointListenerTest {
    @TempDir
    static Path shared;
    static Path store;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        store = TinyTraining.writeStore(shared.resolve("data"));
    }

    private static Trainer trainer(Model m, Optimizer o, TrainingListener... listeners) {
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(o)
                .addTrainingListeners(TrainingListener.Defaults.basic());
        config.addTrainingListeners(listeners);
        Trainer t = m.newTrainer(config);
        t.initialize(new Shape(1, TinyTraining.FEATURES));
        return t;
    }

    /** @return the parameters after {@code epochs} epochs of EasyTrain.fit without any checkpoint */
    private static List<String> straight(int epochs) throws Exception {
        try (Model m = TinyTraining.model(1); NumPackDataset data = TinyTraining.dataset(store)) {
            Optimizer o = TinyTraining.optimizer("adam");
            try (Trainer t = trainer(m, o)) {
                EasyTrain.fit(t, epochs, data, null);
            }
            return TinyTraining.fingerprint(m);
        }
    }

    @Test
    void epochNumberingContinuesAfterAResumeAndTheRunEndsAsIfNeverStopped() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        try (Model m = TinyTraining.model(1); NumPackDataset data = TinyTraining.dataset(store);
                CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).optKeepLast(10).build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            CheckpointListener l = CheckpointListener.builder(c).optOptimizer(o).optDataset(data).optSeed("engine", 1)
                    .build();
            try (Trainer t = trainer(m, o, l)) {
                EasyTrain.fit(t, 2, data, null);
            }
            List<CheckpointInfo> all = c.list();
            assertEquals(List.of(8L, 16L), all.stream().map(CheckpointInfo::step).toList());
            assertEquals(List.of(1L, 2L), all.stream().map(CheckpointInfo::epoch).toList());
            assertTrue(all.get(1).metrics().containsKey("train_loss"), all.get(1).metrics().toString());
        }
        List<String> resumed;
        try (Model m = TinyTraining.model(99); NumPackDataset data = TinyTraining.dataset(store);
                CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).optKeepLast(10).build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            CheckpointListener l = CheckpointListener.builder(c).optOptimizer(o).optDataset(data).build();
            try (Trainer t = trainer(m, o, l)) {
                Restored r = c.restoreLatest(m, o).orElseThrow();
                assertEquals(2, r.state().epoch());
                data.seek(r.state().position());
                l.resumeFrom(r.state());
                EasyTrain.fit(t, 1, data, null);
                assertEquals(3, l.epoch());
                assertEquals(24, l.step());
            }
            CheckpointInfo last = c.list().get(c.list().size() - 1);
            assertEquals(24, last.step());
            assertEquals(3, last.epoch(), "epoch 3, not a restarted epoch 1");
            resumed = TinyTraining.fingerprint(m);
        }
        assertEquals(straight(3), resumed);
    }

    @Test
    void trainingThatEndsMidEpochSavesNothingAtTheEnd() {
        Path ckpt = dir.resolve("ckpt");
        try (Model m = TinyTraining.model(1); CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt)
                .build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            CheckpointListener l = CheckpointListener.builder(c).optOptimizer(o).build();
            Trainer t = trainer(m, o, l);
            l.onTrainingBatch(t, null);
            l.onTrainingBatch(t, null);
            t.close(); // as after a failed fit: DJL calls onTrainingEnd
            assertEquals(List.of(), c.list(), "weights and position of a broken epoch are not saved");
            assertEquals(2, l.step());
        }
    }

    @Test
    void aStepCheckpointResumesAtTheBatchInFlight() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        try (Model m = TinyTraining.model(1); NumPackDataset data = TinyTraining.dataset(store);
                CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).optKeepLast(10).build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            CheckpointListener l = CheckpointListener.builder(c).optOptimizer(o).optDataset(data).optEveryEpochs(0)
                    .optEverySteps(5).build();
            try (Trainer t = trainer(m, o, l)) {
                EasyTrain.fit(t, 2, data, null);
            }
            List<CheckpointInfo> all = c.list();
            assertEquals(List.of(5L, 10L, 15L, 16L), all.stream().map(CheckpointInfo::step).toList());
            assertEquals(Map.of(), all.get(0).metrics(), "a step checkpoint has no epoch metrics to claim");
            assertTrue(all.get(3).metrics().containsKey("train_loss"), "the end of training is an epoch's end");
        }
        try (Model m = TinyTraining.model(99); NumPackDataset data = TinyTraining.dataset(store);
                CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).optKeepLast(10).build()) {
            Optimizer o = TinyTraining.optimizer("adam");
            try (Trainer t = trainer(m, o)) {
                Restored r = c.restore("checkpoint-000000000005", m, o);
                assertEquals(0, r.state().position().epoch());
                assertEquals(5, r.state().position().batch(), "the sixth batch was in flight, not yet applied");
                data.seek(r.state().position());
                EasyTrain.fit(t, 2, data, null); // the rest of epoch 0, then epoch 1
            }
            assertEquals(straight(2), TinyTraining.fingerprint(m));
        }
    }
}
