package dev.numpack.examples;

import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.listener.TrainingListenerAdapter;
import dev.numpack.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints one line per epoch (train loss and accuracy, validation accuracy, rows per second, seconds) and
 * keeps the curves in {@code curves.csv} in the run directory, one row per epoch, so that a resumed run
 * draws the whole history. Added after DJL's evaluator listeners, whose {@code onEpoch} computes the
 * metrics this one reads.
 */
public final class EpochReport extends TrainingListenerAdapter {
    /**
     * One epoch's figures.
     *
     * @param epoch the epoch, from 1, counting those before a resume
     * @param trainLoss the mean training loss
     * @param trainAccuracy the training accuracy
     * @param validationAccuracy the validation accuracy ({@code NaN} without a validation set)
     */
    public record Point(long epoch, double trainLoss, double trainAccuracy, double validationAccuracy) {}

    private final PrintStream out;
    private final Path csv;
    private final long totalEpochs;
    private final List<Point> points = new ArrayList<>();
    private long epoch;
    private long rows;
    private long started;

    /**
     * @param out where the lines go
     * @param csv the curves file
     * @param totalEpochs the epochs the run asks for
     */
    public EpochReport(PrintStream out, Path csv, long totalEpochs) {
        this.out = out;
        this.csv = csv;
        this.totalEpochs = totalEpochs;
    }

    /**
     * Starts counting after the epochs a restored checkpoint had completed: the curves file keeps those
     * epochs' rows and loses later ones, which the resumed run trains again.
     *
     * @param resumedEpoch the epochs completed before this run (0 for a new run)
     * @throws IOException if the curves file cannot be read or rewritten
     */
    public void startAfter(long resumedEpoch) throws IOException {
        this.epoch = resumedEpoch;
        points.clear();
        if (Files.exists(csv)) {
            for (String line : Files.readAllLines(csv)) {
                String[] f = line.split(",");
                if (f.length == 4 && !f[0].equals("epoch") && Long.parseLong(f[0]) <= resumedEpoch) {
                    points.add(new Point(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                            Double.parseDouble(f[3])));
                }
            }
        }
        rewriteCsv(); // epochs after the checkpoint are trained again: their old figures go
    }

    /** Starts the epoch's clock at its first batch and counts the rows trained. */
    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        if (rows == 0) {
            started = System.nanoTime();
        }
        rows += batchData.getBatch().getSize();
    }

    /** Prints the epoch's line and rewrites the curves file with it. */
    @Override
    public void onEpoch(Trainer trainer) {
        epoch++;
        double seconds = (System.nanoTime() - started) / 1e9;
        TrainingResult result = trainer.getTrainingResult();
        Map<String, Float> m = result.getEvaluations();
        Point p = new Point(epoch, value(m, "train_loss"), value(m, "train_Accuracy"), value(m, "validate_Accuracy"));
        points.add(p);
        out.println(String.format(Locale.ROOT,
                "epoch %d/%d: train loss %.4f, train accuracy %.4f, validation accuracy %.4f, %.0f rows/s, %.1f s",
                epoch, totalEpochs, p.trainLoss(), p.trainAccuracy(), p.validationAccuracy(), rows / seconds, seconds));
        rows = 0;
        rewriteCsv();
    }

    /** @return the curves so far, in epoch order */
    public List<Point> points() {
        return List.copyOf(points);
    }

    private static double value(Map<String, Float> m, String name) {
        Float v = m.get(name);
        return v == null ? Double.NaN : v;
    }

    private void rewriteCsv() {
        StringBuilder sb = new StringBuilder("epoch,train_loss,train_accuracy,validation_accuracy\n");
        for (Point p : points) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f%n", p.epoch(), p.trainLoss(), p.trainAccuracy(),
                    p.validationAccuracy()));
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(csv, out -> out.write(bytes)); // the project's one temp-fsync-rename helper
    }
}
