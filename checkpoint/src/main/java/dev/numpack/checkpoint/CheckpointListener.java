package dev.numpack.checkpoint;

import ai.djl.Model;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.optimizer.Optimizer;
import dev.numpack.djl.DatasetPosition;
import dev.numpack.djl.NumPackDataset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code TrainingListener} that checkpoints every N epochs and/or every N steps, and at the end of
 * training, for {@code EasyTrain.fit} or any loop that notifies listeners.
 *
 * <p>It counts epochs and optimizer steps itself, from the state a run resumed from
 * ({@link #resumeFrom(TrainingState)}), so a resumed run continues the numbering: after resuming
 * from epoch 2, step 16, the next epoch checkpoint is epoch 3. DJL's own counters restart at 0.
 *
 * <p>Each checkpoint pairs the model with the data position that continues it exactly:
 * <ul>
 *   <li>at the end of an epoch ({@code onEpoch}), the weights after every step of the epoch and the
 *       dataset's {@link NumPackDataset#position()} (the next epoch's start);
 *   <li>every N steps, in {@code onTrainingBatch}, which {@code EasyTrain} calls after the batch's forward
 *       and backward but before {@code trainer.step()}: the weights after the steps already taken and the
 *       dataset's {@link NumPackDataset#lastBatchPosition()}, so a resumed run reads that batch again.
 * </ul>
 * Epoch checkpoints carry the metrics of {@code trainer.getTrainingResult()}, which DJL's epoch and
 * evaluator listeners ({@code TrainingListener.Defaults.basic()}) compute in their own {@code onEpoch}: where
 * this listener was added before them, it sees last epoch's figures there, so it saves the epoch's
 * checkpoint once they are done (at the next batch, before any step, or at the end of training) and the
 * order of listeners does not matter. Step checkpoints carry no metrics.
 * A run that ends mid-epoch (DJL reports a failed {@code fit} as the end of training too) saves nothing
 * at its end. To resume, one call, {@link #resume(Model)}, restores the newest intact checkpoint, moves the
 * dataset and continues the numbering, after checking all of it. A checkpoint holds seeds, not random-number generator state: a resumed run matches the
 * uninterrupted one bit for bit when the model draws no random numbers while training (no dropout).
 */
public final class CheckpointListener extends TrainingListenerAdapter {
    private final CheckpointManager manager;
    private final Optimizer optimizer;
    private final NumPackDataset dataset;
    private final int everyEpochs;
    private final long everySteps;
    private final Map<String, Long> seeds;
    private long epoch;
    private long step;
    private long lastSaved = -1;
    private boolean midEpoch; // a batch was counted since the last epoch end
    private long epochsThisRun; // epochs DJL's own counters have seen: they restart at 0 in a new trainer
    private boolean pendingSave; // an epoch's checkpoint waits for DJL's evaluators (see the class doc)
    private DatasetPosition pendingEpoch; // ... and this is its data position

    private CheckpointListener(Builder b) {
        this.manager = b.manager;
        this.optimizer = b.optimizer;
        this.dataset = b.dataset;
        this.everyEpochs = b.everyEpochs;
        this.everySteps = b.everySteps;
        this.seeds = Map.copyOf(b.seeds);
        if (b.resumeFrom != null) {
            resumeFrom(b.resumeFrom);
        }
    }

    /**
     * @param manager where checkpoints go
     * @return a builder
     */
    public static Builder builder(CheckpointManager manager) {
        return new Builder(manager);
    }

    /**
     * Resumes a run in one call: restores the newest intact checkpoint into {@code model} and this listener's
     * optimizer, moves this listener's dataset to the checkpoint's data position, and continues the epoch and
     * step numbering from it. Everything is checked before anything changes (checksums; parameter names,
     * shapes and types; the optimizer; that the dataset accepts the position, e.g. the same batch size): if
     * any part does not fit, nothing is restored. Call it after the trainer initialized the model.
     *
     * @param model the trainer's model, initialized
     * @return what was restored, or empty when there is no intact checkpoint (the run starts afresh)
     * @throws CheckpointMismatchException if the newest intact checkpoint does not fit the model, the
     *     optimizer or the dataset (nothing changed)
     */
    public Optional<Restored> resume(Model model) {
        Optional<Restored> r = manager.restoreLatest(model, optimizer, state -> {
            if (dataset != null && state.position() != null) {
                dataset.checkSeek(state.position());
            }
        });
        r.ifPresent(restored -> {
            if (dataset != null && restored.state().position() != null) {
                dataset.seek(restored.state().position());
            }
            resumeFrom(restored.state());
        });
        return r;
    }

    /**
     * Continues the numbering from a restored state. For the usual order of things: the listener goes into
     * the trainer's config, the trainer initializes the model, the manager restores into it, then this.
     *
     * @param state the state {@link CheckpointManager#restoreLatest} returned
     */
    public void resumeFrom(TrainingState state) {
        this.epoch = state.epoch();
        this.step = state.step();
        this.lastSaved = step; // that checkpoint exists
        this.midEpoch = false;
    }

    /** @return epochs completed, counting those before the resume */
    public long epoch() {
        return epoch;
    }

    /** @return optimizer steps taken, counting those before the resume */
    public long step() {
        return step;
    }

    /** Checkpoints every {@code everySteps} steps (before this batch's step is applied), then counts it. */
    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        savePendingEpoch(trainer); // before this batch's step: the weights are still the epoch's
        if (everySteps > 0 && step > 0 && step % everySteps == 0 && step != lastSaved) {
            // no metrics: the evaluators' figures are the last epoch's, not these weights'
            save(trainer, dataset == null ? null : dataset.lastBatchPosition(), false);
        }
        step++;
        midEpoch = true;
    }

    /** Counts the epoch and checkpoints every {@code everyEpochs} epochs, with the epoch's metrics. */
    @Override
    public void onEpoch(Trainer trainer) {
        epoch++;
        epochsThisRun++;
        midEpoch = false;
        if (everyEpochs > 0 && epoch % everyEpochs == 0 && step != lastSaved) {
            pendingEpoch = dataset == null ? null : dataset.position();
            if (trainer.getTrainingResult().getEpoch() >= epochsThisRun) {
                save(trainer, pendingEpoch, true); // DJL's listeners ran first: the metrics are this epoch's
            } else {
                pendingSave = true; // added before them: save once their onEpoch has run
            }
        }
    }

    private void savePendingEpoch(Trainer trainer) {
        if (pendingSave) {
            pendingSave = false;
            save(trainer, pendingEpoch, true);
        }
    }

    /**
     * Checkpoints the final state if it is not saved yet and training ended at an epoch's end. DJL calls
     * this from {@code Trainer.close()} also when training failed mid-epoch (a divergence, an error); the
     * weights and the data position then do not belong together (the batch in flight was counted but
     * maybe not applied), so nothing is saved: the last checkpoint stays the latest.
     */
    @Override
    public void onTrainingEnd(Trainer trainer) {
        savePendingEpoch(trainer);
        if (step != lastSaved && !midEpoch) {
            save(trainer, dataset == null ? null : dataset.position(), true);
        }
    }

    private void save(Trainer trainer, DatasetPosition position, boolean withMetrics) {
        TrainingState.Builder s = TrainingState.builder().setEpoch(epoch).setStep(step).optDatasetPosition(position);
        Map<String, Float> evaluations = withMetrics ? trainer.getTrainingResult().getEvaluations() : null;
        if (evaluations != null) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            evaluations.forEach((k, v) -> metrics.put(k, v.doubleValue()));
            s.optMetrics(metrics);
        }
        seeds.forEach(s::optSeed);
        lastSaved = step; // attempted: a save that failed is not tried again at the end of training
        manager.save(trainer.getModel(), optimizer, s.build());
    }

    /** Builds a {@link CheckpointListener}: the manager is required, the rest optional. */
    public static final class Builder {
        private final CheckpointManager manager;
        private Optimizer optimizer;
        private NumPackDataset dataset;
        private int everyEpochs = 1;
        private long everySteps;
        private TrainingState resumeFrom;
        private final Map<String, Long> seeds = new LinkedHashMap<>();

        Builder(CheckpointManager manager) {
            this.manager = Objects.requireNonNull(manager, "manager");
        }

        /**
         * @param optimizer the trainer's optimizer (the one given to its {@code TrainingConfig}: DJL's trainer
         *     does not hand it out), or none to save weights only
         * @return this builder
         */
        public Builder optOptimizer(Optimizer optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** @param dataset the training dataset, whose position each checkpoint records @return this builder */
        public Builder optDataset(NumPackDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /** @param n checkpoint every n epochs (default 1; 0 for none) @return this builder */
        public Builder optEveryEpochs(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("negative epoch interval " + n);
            }
            this.everyEpochs = n;
            return this;
        }

        /** @param n also checkpoint every n optimizer steps (default 0: none) @return this builder */
        public Builder optEverySteps(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("negative step interval " + n);
            }
            this.everySteps = n;
            return this;
        }

        /** @param state the state a restore returned: numbering continues from it @return this builder */
        public Builder optResumeFrom(TrainingState state) {
            this.resumeFrom = state;
            return this;
        }

        /** @param name what the seed seeds @param seed its value, saved in every checkpoint @return this builder */
        public Builder optSeed(String name, long seed) {
            seeds.put(Objects.requireNonNull(name, "name"), seed);
            return this;
        }

        /** @return the listener */
        public CheckpointListener build() {
            return new CheckpointListener(this);
        }
    }
}
