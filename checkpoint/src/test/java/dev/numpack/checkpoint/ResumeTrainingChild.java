package dev.numpack.checkpoint;

import ai.djl.Model;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import dev.numpack.djl.NumPackDataset;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Trains {@link TinyTraining}'s model with every supported optimizer, as its own JVM, for
 * {@link ResumeBitForBitTest}. Prints, per optimizer, one line of exact losses and one of parameter
 * checksums.
 *
 * <p>Arguments: mode ({@code straight}, {@code first} or {@code resume}), data store, checkpoint root,
 * total epochs, epochs of the first part.
 */
public final class ResumeTrainingChild {
    private ResumeTrainingChild() {}

    /**
     * @param args see the class comment
     */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path store = Path.of(args[1]);
        Path root = Path.of(args[2]);
        long total = Long.parseLong(args[3]);
        long first = Long.parseLong(args[4]);
        for (String name : TinyTraining.TRAINABLE) {
            // a resumed run starts from other initial weights: everything must come from the checkpoint
            try (Model model = TinyTraining.model(mode.equals("resume") ? 99 : 1);
                    NumPackDataset data = TinyTraining.dataset(store)) {
                Optimizer optimizer = TinyTraining.optimizer(name);
                try (Trainer trainer = TinyTraining.trainer(model, optimizer);
                        CheckpointManager ckpt = CheckpointManager.builder().setDirectory(root.resolve(name)).build()) {
                    long until = total;
                    long step = 0;
                    if (mode.equals("first")) {
                        until = first;
                    } else if (mode.equals("resume")) {
                        Restored r = ckpt.restoreLatest(model, optimizer).orElseThrow();
                        data.seek(r.state().position());
                        step = r.state().step();
                    }
                    List<Float> losses = TinyTraining.train(trainer, data, until);
                    step += losses.size();
                    if (mode.equals("first")) {
                        ckpt.save(model, optimizer, TrainingState.builder().setEpoch(until).setStep(step)
                                .optDatasetPosition(data.position()).optSeed("engine", 1).build()).join();
                    }
                    System.out.println(name + " losses " + losses.stream()
                            .map(f -> Integer.toHexString(Float.floatToRawIntBits(f))).collect(Collectors.joining(",")));
                    System.out.println(name + " params " + String.join(",", TinyTraining.fingerprint(model)));
                }
            }
        }
        System.out.flush();
    }
}
