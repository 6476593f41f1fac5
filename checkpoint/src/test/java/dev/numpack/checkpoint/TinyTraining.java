package dev.numpack.checkpoint;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.djl.NumPackDataset;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

/** A small, fully seeded training setup: a store of random data, an MLP, each optimizer checkpoint supports. */
final class TinyTraining {
    static final int ROWS = 240;
    static final int FEATURES = 8;
    static final int CLASSES = 3;
    static final int BATCH = 32;
    /** Every optimizer whose state checkpoints save. */
    static final List<String> OPTIMIZERS = List.of("adam", "adamw", "sgd", "nag", "rmsprop", "adagrad", "adadelta");
    /**
     * Those DJL 0.36's PyTorch engine can step: its {@code PtNDArrayEx} throws "Not implemented" for the
     * Nag, RmsProp, Adagrad and Adadelta updates, so their state is tested with made-up values instead.
     */
    static final List<String> TRAINABLE = List.of("adam", "adamw", "sgd");

    /**
     * Gives an optimizer the state a few steps would have given it, for optimizers the engine cannot step:
     * every state array of every parameter filled with values derived from {@code seed}, and update counts.
     */
    static void fakeSteps(Model model, Optimizer optimizer, int seed) {
        int k = 0;
        java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (String state : OptimizerState.stateNames(optimizer)) {
            java.util.Map<String, NDArray> arrays = new java.util.LinkedHashMap<>();
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                NDArray w = p.getValue().getArray();
                NDArray a = w.getManager().randomNormal(w.getShape()).mul(seed + k++);
                a.detach();
                arrays.put(p.getValue().getId(), a);
                counts.put(p.getValue().getId(), seed + k);
            }
            OptimizerState.write(optimizer, state, arrays);
        }
        OptimizerState.setUpdateCounts(optimizer, counts);
        OptimizerState.setNumUpdate(optimizer, seed + k);
    }

    private TinyTraining() {}

    /** Writes the training store: features float32 (ROWS, FEATURES), labels int64 (ROWS). */
    static Path writeStore(Path dir) {
        Random r = new Random(7);
        float[] x = new float[ROWS * FEATURES];
        long[] y = new long[ROWS];
        for (int i = 0; i < ROWS; i++) {
            y[i] = r.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) {
                x[i * FEATURES + j] = (float) r.nextGaussian() + (j % CLASSES == y[i] ? 1.5f : 0f);
            }
        }
        try (NumPack np = NumPack.open(dir)) {
            np.save("x", NdArray.of(x).reshape(ROWS, FEATURES));
            np.save("y", NdArray.of(y));
        }
        return dir;
    }

    static NumPackDataset dataset(Path store) {
        return NumPackDataset.builder().setStore(store).setFeatures("x").optLabels("y").setSampling(BATCH, true)
                .optSeed(11).build();
    }

    static Optimizer optimizer(String name) {
        switch (name) {
            case "adam":
                return Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build();
            case "adamw":
                return Optimizer.adamW().optLearningRateTracker(Tracker.fixed(0.01f)).build();
            case "sgd":
                return Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).build();
            case "nag":
                return Optimizer.nag().setLearningRateTracker(Tracker.fixed(0.05f)).setMomentum(0.9f).build();
            case "rmsprop":
                return Optimizer.rmsprop().optLearningRateTracker(Tracker.fixed(0.005f)).optCentered(true).build();
            case "adagrad":
                return Optimizer.adagrad().optLearningRateTracker(Tracker.fixed(0.05f)).build();
            case "adadelta":
                return Optimizer.adadelta().build();
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** A model whose initial weights come from {@code seed}. */
    static Model model(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Model m = Model.newInstance("tiny");
        m.setBlock(new SequentialBlock().add(Linear.builder().setUnits(16).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(CLASSES).build()));
        return m;
    }

    static Trainer trainer(Model model, Optimizer optimizer) {
        Trainer t = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(optimizer));
        t.initialize(new Shape(1, FEATURES));
        return t;
    }

    /** Trains until the dataset's position reaches {@code untilEpoch}; returns each batch's loss. */
    static List<Float> train(Trainer trainer, NumPackDataset data, long untilEpoch) {
        List<Float> losses = new ArrayList<>();
        while (data.position().epoch() < untilEpoch) {
            for (Batch b : data.getData(trainer.getManager())) {
                try (b; GradientCollector gc = trainer.newGradientCollector()) {
                    NDList predictions = trainer.forward(b.getData());
                    NDArray loss = trainer.getLoss().evaluate(b.getLabels(), predictions);
                    gc.backward(loss);
                    losses.add(loss.getFloat());
                }
                trainer.step();
            }
        }
        return losses;
    }

    /** @return name=crc lines of every parameter's bytes, and the exact values of the first one */
    static List<String> fingerprint(Model model) {
        List<String> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            NDArray a = p.getValue().getArray();
            CRC32 crc = new CRC32();
            ByteBuffer b = a.toByteBuffer();
            crc.update(b);
            out.add(p.getKey() + "=" + Long.toHexString(crc.getValue()));
        }
        return out;
    }
}
