package dev.numpack.reliability.crash;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.numpack.checkpoint.CheckpointManager;
import dev.numpack.checkpoint.TrainingState;
import java.nio.file.Path;

/**
 * Saves checkpoints in a loop until killed, for {@link CheckpointKillTest}: before the save of step s every
 * parameter holds the value s; after the save returns it prints {@code acked s}. Even steps are saved
 * twice, the second save replacing the first. Keeps the last 2: every save prunes the oldest.
 *
 * <p>Arguments: checkpoint directory, {@code sync} or {@code async}.
 */
public final class CheckpointSaveChild {
    private CheckpointSaveChild() {}

    /** The model both sides build. */
    static Model model() {
        Model m = Model.newInstance("loop");
        m.setBlock(new SequentialBlock().add(Linear.builder().setUnits(512).build())
                .add(Linear.builder().setUnits(64).build()));
        return m;
    }

    static Trainer trainer(Model m) {
        Trainer t = m.newTrainer(new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build()));
        t.initialize(new Shape(1, 256));
        return t;
    }

    /** Sets every parameter to {@code value}. */
    static void fill(Model m, float value) {
        for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
            NDArray a = p.getValue().getArray();
            a.muli(0).addi(value);
        }
    }

    /**
     * @param args see the class comment
     */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        boolean async = args[1].equals("async");
        try (Model m = model(); Trainer t = trainer(m);
                CheckpointManager c = CheckpointManager.builder().setDirectory(dir).optKeepLast(2).optAsync(async)
                        .build()) {
            System.out.println("ready");
            System.out.flush();
            for (long step = 1; ; step++) {
                fill(m, step);
                var f = c.save(m, null, TrainingState.builder().setEpoch(0).setStep(step).build());
                if (async) {
                    fill(m, -1); // must never reach the checkpoint of this step
                }
                f.join();
                System.out.println("acked " + step);
                System.out.flush();
                if (step % 2 == 0) { // save the same step again: a replace, through the .old- rename
                    fill(m, step);
                    c.save(m, null, TrainingState.builder().setEpoch(0).setStep(step).build()).join();
                }
            }
        }
    }
}
