package dev.numpack.examples;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.Pipeline;
import ai.djl.translate.TranslateException;
import dev.numpack.NumPack;
import dev.numpack.djl.NumPackDataset;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fashion-MNIST prepared by Spark and trained data-parallel: {@code shard} turns the IDX files into a sharded
 * NumPack dataset with the {@code numpack} Spark source ({@link SparkShards}, local mode); {@code train}, run
 * once per rank, trains a replica on the rank's share of every epoch ({@code NumPackDataset.optShard}: equal,
 * disjoint, together the whole epoch) and averages the replicas' parameters after each epoch
 * ({@link ModelAveraging}), so every rank ends with the same model. Commands: see the README.
 */
@Command(name = "sharded-fashion-mnist", mixinStandardHelpOptions = true,
        subcommands = {ShardedFashionMnist.Shard.class, ShardedFashionMnist.Train.class},
        description = "Spark writes a sharded Fashion-MNIST dataset; rank processes train on it.")
public final class ShardedFashionMnist {
    private ShardedFashionMnist() {}

    /**
     * @param args {@code shard ...} or {@code train ...}
     */
    public static void main(String[] args) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        System.exit(new CommandLine(new ShardedFashionMnist()).execute(args));
    }

    /** The Spark job. */
    @Command(name = "shard", description = "Write Fashion-MNIST's training split as a sharded dataset (Spark).")
    static final class Shard implements Callable<Integer> {
        @Option(names = "--run-dir", defaultValue = "runs/sharded", description = "imported IDX, Spark's input")
        Path runDir;
        @Option(names = "--dataset", defaultValue = "runs/sharded/fashion-sharded", description = "dataset to write")
        Path dataset;
        @Option(names = "--data", description = "IDX directory (default: Debian's, else the bundled split)")
        Path data;
        @Option(names = "--rows", defaultValue = "0", description = "training rows to take (0: all)")
        long rows;
        @Option(names = "--shards", defaultValue = "4", description = "shards (Spark partitions)")
        int shards;

        @Override
        public Integer call() throws IOException {
            SparkShards.write(runDir, data, dataset, rows, shards, System.out);
            return 0;
        }
    }

    /** One rank. */
    @Command(name = "train", description = "Train one rank's replica on its share of the sharded dataset.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--dataset", defaultValue = "runs/sharded/fashion-sharded", description = "sharded dataset")
        Path dataset;
        @Option(names = "--test-store", defaultValue = "runs/sharded/data.npk", description = "store with test_*")
        Path testStore;
        @Option(names = "--exchange", defaultValue = "runs/sharded/exchange", description = "shared directory")
        Path exchange;
        @Option(names = "--rank", required = true, description = "this process's rank, 0..world-size-1")
        int rank;
        @Option(names = "--world-size", required = true, description = "the number of ranks")
        int worldSize;
        @Option(names = "--epochs", defaultValue = "2", description = "epochs")
        int epochs;
        @Option(names = "--batch", defaultValue = "64", description = "batch per rank")
        int batch;
        @Option(names = "--seed", defaultValue = "42", description = "the same on every rank")
        long seed;

        @Override
        public Integer call() throws IOException, TranslateException, InterruptedException {
            PrintStream out = System.out;
            Engine.getInstance().setRandomSeed((int) seed); // the same initial parameters on every rank
            ModelAveraging averaging = new ModelAveraging(exchange, rank, worldSize, Duration.ofMinutes(10));
            try (Model net = Model.newInstance("fashion-mnist-rank-" + rank);
                    NumPackDataset train = NumPackDataset.builder()
                            .setStore(dataset)
                            .setFeatures("image").optLabels("label")
                            .setSampling(batch, true)
                            .optSeed(seed)
                            .optShard(rank, worldSize)
                            .optPipeline(pixels()).optTargetPipeline(labels())
                            .build()) {
                net.setBlock(Models.MLP.build());
                DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(Optimizer.adam().build());
                try (Trainer trainer = net.newTrainer(config)) {
                    trainer.initialize(Models.MLP.inputShape());
                    for (int epoch = 1; epoch <= epochs; epoch++) {
                        long batches = 0;
                        for (Batch b : trainer.iterateDataset(train)) {
                            try (b) {
                                EasyTrain.trainBatch(trainer, b);
                                trainer.step();
                                batches++;
                            }
                        }
                        averaging.average(net.getBlock(), epoch);
                        out.printf(Locale.ROOT, "rank %d epoch %d: %d batches, parameters averaged over %d ranks%n",
                                rank, epoch, batches, worldSize);
                    }
                    try (NumPack test = NumPack.openReadOnly(testStore)) {
                        double accuracy = FashionMnistTraining.testAccuracy(trainer, NumPackDataset.builder()
                                .setStore(test).setFeatures("test_images").optLabels("test_labels")
                                .setSampling(256, false)
                                .optPipeline(pixels()).optTargetPipeline(labels())
                                .build());
                        out.printf(Locale.ROOT, "rank %d test accuracy: %.4f%n", rank, accuracy);
                    }
                    out.println("rank " + rank + " parameters sha256: " + ParameterDigest.of(net.getBlock()));
                }
            }
            return 0;
        }

        /** @return uint8 pixels to float32 in [0, 1], for the model */
        private static Pipeline pixels() {
            return new Pipeline(a -> a.toType(DataType.FLOAT32, false).div(255f));
        }

        /** @return uint8 labels to int64, for the loss */
        private static Pipeline labels() {
            return new Pipeline(a -> a.toType(DataType.INT64, false));
        }
    }
}
