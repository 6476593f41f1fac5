package dev.numpack.examples;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.Pipeline;
import ai.djl.translate.TranslateException;
import dev.numpack.NumPack;
import dev.numpack.checkpoint.CheckpointListener;
import dev.numpack.checkpoint.CheckpointManager;
import dev.numpack.checkpoint.Goal;
import dev.numpack.checkpoint.Restored;
import dev.numpack.djl.NumPackDataset;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains a classifier on Fashion-MNIST the way a DJL user would with this project: the IDX files imported
 * once into a NumPack store, a shuffled, seeded, prefetching {@link NumPackDataset}, DJL's {@code EasyTrain},
 * and a {@link CheckpointManager} that checkpoints every epoch (the last 3 and the best by validation
 * accuracy). {@code --resume} continues from the newest intact checkpoint and ends exactly where an
 * uninterrupted run of the same {@code --epochs} ends, even after a {@code kill -9} in mid-epoch.
 *
 * <p>The last two lines printed are, for scripts that compare runs, {@code test accuracy: 0.XXXX} and
 * {@code parameters sha256: <64 hex digits>}.
 */
@Command(name = "fashion-mnist", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains an MLP or a CNN on Fashion-MNIST from a NumPack store, with checkpoints and exact resume.")
public final class FashionMnistTraining implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "2", description = "epochs in all, counting those before a resume (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--run-dir", defaultValue = "runs/fashion-mnist",
            description = "where the store, checkpoints, curves and log go (default ${DEFAULT-VALUE})")
    Path runDir;

    @Option(names = "--resume", description = "continue from the newest intact checkpoint in the run directory")
    boolean resume;

    @Option(names = "--model", defaultValue = "mlp", description = "mlp or cnn (default ${DEFAULT-VALUE})")
    Models model;

    @Option(names = "--data", description = "a directory of IDX files (train-*-ubyte[.gz], t10k-*-ubyte[.gz]); "
            + "default: " + FashionMnistData.DEBIAN + " when present, else the test split bundled in the jar")
    Path data;

    @Option(names = "--batch", defaultValue = "128", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the initial weights, the split and the shuffle (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", defaultValue = "0", description = "PyTorch threads (default: PyTorch's own choice)")
    int threads;

    @Option(names = "--limit", defaultValue = "0", description = "train and validate on the first N training rows only (0: all)")
    int limit;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintStream out = System.out;

    /**
     * Runs the example and exits with its status (0 success, 1 failure, 2 usage error).
     *
     * @param args the command line, see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the example in this JVM.
     *
     * @param args the command line
     * @param out where the report goes
     * @param err where errors go
     * @return the exit status
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        defaultProperty("ai.djl.offline", "true"); // everything DJL needs is in lib/: never probe the network
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // the report, not the engine's chatter
        defaultProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda", "error"); // "no GPU" on a CPU machine
        FashionMnistTraining app = new FashionMnistTraining();
        app.out = out;
        return new CommandLine(app).setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true)).execute(args);
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    @Override
    public Integer call() throws IOException, TranslateException {
        if (epochs < 1 || batch < 1 || limit < 0 || threads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--epochs and --batch must be positive, --limit and --threads not negative");
        }
        if (threads > 0) { // read once, when the engine starts
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        Files.createDirectories(runDir);
        PrintStream log = tee(out, runDir.resolve("train.log"));
        log.println(FashionMnistData.prepare(runDir.resolve("data.npk"), data, log));

        ExecutorService prefetch = Executors.newFixedThreadPool(2);
        try (NumPack store = NumPack.openReadOnly(runDir.resolve("data.npk"));
                Model net = Model.newInstance("fashion-mnist-" + model.name().toLowerCase(Locale.ROOT));
                CheckpointManager checkpoints = CheckpointManager.builder()
                        .setDirectory(runDir.resolve("checkpoints"))
                        .optKeepLast(3)
                        .optKeepBest(1, "validate_Accuracy", Goal.MAX)
                        .build()) {
            if (!resume && !checkpoints.list().isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), runDir + " already holds checkpoints: "
                        + "add --resume to continue that run, or give a new --run-dir");
            }
            Engine.getInstance().setRandomSeed((int) seed);
            net.setBlock(model.build());

            NumPackDataset all = dataset(store, "train", true);
            NumPackDataset trainAndValidation = limit > 0 && limit < all.size() ? all.subDataset(0, limit) : all;
            NumPackDataset[] parts = trainAndValidation.randomSplit(9, 1);
            NumPackDataset train = parts[0];
            NumPackDataset validation = parts[1];

            Optimizer adam = Optimizer.adam().build();
            EpochReport report = new EpochReport(log, runDir.resolve("curves.csv"), epochs);
            CheckpointListener every = CheckpointListener.builder(checkpoints)
                    .optOptimizer(adam).optDataset(train).optSeed("seed", seed).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .addEvaluator(new Accuracy())
                    .optOptimizer(adam)
                    .optExecutorService(prefetch)
                    .addTrainingListeners(TrainingListener.Defaults.basic())
                    .addTrainingListeners(every, report); // after DJL's evaluators, whose onEpoch computes the metrics; an epoch's
                    // line is printed once its checkpoint is saved
            try (Trainer trainer = net.newTrainer(config)) {
                trainer.initialize(model.inputShape());
                long done = 0;
                if (resume) {
                    // one call: checks everything first, then weights, optimizer state, data position, numbering
                    Optional<Restored> restored = every.resume(net);
                    if (restored.isPresent()) {
                        done = restored.get().state().epoch();
                        log.println("resumed from " + restored.get().checkpoint().name() + " (epoch " + done + ")");
                    } else {
                        log.println("no checkpoint to resume from: starting at epoch 1");
                    }
                }
                report.startAfter(done);
                EasyTrain.fit(trainer, (int) Math.max(0, epochs - done), train, validation);
                checkpoints.waitForPending();
                if (!report.points().isEmpty()) {
                    Curves.write(report.points(), runDir.resolve("curves.png"));
                }
                double accuracy = testAccuracy(trainer, dataset(store, "test", false));
                log.println(String.format(Locale.ROOT, "test accuracy: %.4f", accuracy));
                log.println("parameters sha256: " + ParameterDigest.of(net.getBlock()));
            }
        } finally {
            prefetch.shutdownNow();
        }
        return 0;
    }

    private NumPackDataset dataset(NumPack store, String split, boolean shuffle) {
        return NumPackDataset.builder()
                .setStore(store)
                .setFeatures(split + "_images")
                .optLabels(split + "_labels")
                .setSampling(batch, shuffle)
                .optSeed(seed)
                .optPipeline(new Pipeline(a -> a.toType(DataType.FLOAT32, false).div(255f)))
                .optTargetPipeline(new Pipeline(a -> a.toType(DataType.INT64, false)))
                .build();
    }

    /**
     * The share of a dataset's images the trainer's model classifies right (the arg-max of its 10 outputs
     * equals the label), batch by batch, without training.
     *
     * @param trainer the trainer of the model to evaluate
     * @param test the images and labels (closed when done)
     * @return the accuracy, from 0 to 1 ({@code NaN} for an empty dataset)
     * @throws IOException if the store cannot be read
     * @throws TranslateException if a batch cannot be made
     */
    public static double testAccuracy(Trainer trainer, NumPackDataset test) throws IOException, TranslateException {
        long right = 0;
        long all = 0;
        try (test) {
            for (Batch b : trainer.iterateDataset(test)) {
                try (b) {
                    NDList predicted = trainer.evaluate(b.getData());
                    NDArray guess = predicted.singletonOrThrow().argMax(1).toType(DataType.INT64, false);
                    NDArray truth = b.getLabels().singletonOrThrow();
                    right += guess.eq(truth).sum().getLong();
                    all += truth.size();
                }
            }
        }
        return all == 0 ? Double.NaN : (double) right / all;
    }

    /** @return a stream that prints to {@code out} and appends to {@code file} */
    private static PrintStream tee(PrintStream out, Path file) throws IOException {
        OutputStream f = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                f.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                f.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
                f.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
