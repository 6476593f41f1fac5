package dev.numpack.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NumPack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the example on a slice of Fashion-MNIST: it learns (well above the 0.10 of chance), leaves the files it
 * promises, and a run killed with {@code kill -9} in mid-epoch then resumed ends with the very parameters of
 * an uninterrupted run.
 */
class FashionMnistTrainingTest {
    private static final Pattern ACCURACY = Pattern.compile("(?m)^test accuracy: (0\\.\\d{4})$");
    private static final Pattern DIGEST = Pattern.compile("(?m)^parameters sha256: ([0-9a-f]{64})$");
    /** One PyTorch thread: the same arithmetic order in every run, so digests can be compared. */
    private static final List<String> SLICE = List.of("--threads", "1", "--batch", "32", "--seed", "7");

    @TempDir
    Path tmp;

    @Test
    void learnsAndLeavesStoreCheckpointsCurvesAndLog() throws IOException {
        Path run = tmp.resolve("run");
        String out = runInProcess(run, "--epochs", "2", "--limit", "900");
        double accuracy = Double.parseDouble(match(ACCURACY, out));
        assertTrue(accuracy > 0.4, "test accuracy " + accuracy + " after 2 epochs of 810 rows; chance is 0.10\n" + out);
        List<String> lines = out.lines().collect(Collectors.toList());
        assertTrue(lines.get(lines.size() - 2).startsWith("test accuracy: "), "second-to-last line:\n" + out);
        assertTrue(lines.get(lines.size() - 1).startsWith("parameters sha256: "), "last line:\n" + out);
        assertEquals(2, lines.stream().filter(l -> l.matches("epoch [12]/2: train loss .*rows/s.*s")).count(), out);

        try (NumPack np = NumPack.openReadOnly(run.resolve("data.npk"))) {
            assertEquals(Set.of("train_images", "train_labels", "test_images", "test_labels"), np.names());
            long[] images = np.shape("train_images");
            assertArrayEquals(new long[] {28, 28}, Arrays.copyOfRange(images, 1, 3));
            assertEquals(images[0], np.shape("train_labels")[0]);
        }
        assertEquals(2, checkpoints(run).size(), "one checkpoint per epoch (2 epochs, keep last 3 + best 1)");
        List<String> csv = Files.readAllLines(run.resolve("curves.csv"));
        assertEquals(3, csv.size(), "header and one row per epoch: " + csv);
        byte[] png = Files.readAllBytes(run.resolve("curves.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), "curves.png is a PNG");
        String log = Files.readString(run.resolve("train.log"));
        assertTrue(log.contains(match(DIGEST, out)), "train.log holds the report");
    }

    @Test
    void refusesARunDirectoryWithCheckpointsUnlessResuming() {
        Path run = tmp.resolve("run");
        runInProcess(run, "--epochs", "1", "--limit", "300");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FashionMnistTraining.run(args(run, "--epochs", "1", "--limit", "300"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code, "a second run without --resume would overwrite the first one's checkpoints");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--resume"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRunKilledInMidEpochAndResumedEndsAsAnUninterruptedOne() throws Exception {
        List<String> common = List.of("--epochs", "3", "--limit", "6000");
        String straightOut = child(tmp.resolve("straight"), common);

        Path killed = tmp.resolve("killed");
        Path log = tmp.resolve("killed.out");
        Process p = start(killed, common, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!Files.readString(log).contains("epoch 1/3") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the run ended before it could be killed:\n" + Files.readString(log));
        Thread.sleep(300); // into epoch 2, which takes over a second here
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
        assertFalse(Files.readString(log).contains("epoch 2/3"), "the kill must land in epoch 2:\n" + Files.readString(log));
        assertEquals(1, checkpoints(killed).size(), "killed in epoch 2, after epoch 1's checkpoint only");

        List<String> resume = new ArrayList<>(common);
        resume.add("--resume");
        String resumedOut = child(killed, resume);
        assertTrue(resumedOut.contains("resumed from checkpoint-"), resumedOut);
        assertEquals(match(DIGEST, straightOut), match(DIGEST, resumedOut),
                "parameters after kill -9 + --resume differ from the uninterrupted run's");
        assertEquals(match(ACCURACY, straightOut), match(ACCURACY, resumedOut));
    }

    private static List<String> checkpoints(Path run) throws IOException {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted()
                    .collect(Collectors.toList());
        }
    }

    private String runInProcess(Path run, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FashionMnistTraining.run(args(run, more), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text + err.toString(StandardCharsets.UTF_8));
        return text;
    }

    private static String[] args(Path run, String... more) {
        List<String> a = new ArrayList<>(SLICE);
        a.add("--run-dir");
        a.add(run.toString());
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private String child(Path run, List<String> more) throws Exception {
        Path log = tmp.resolve(run.getFileName() + "-" + System.nanoTime() + ".out");
        Process p = start(run, more, log);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child timed out:\n" + Files.readString(log));
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static Process start(Path run, List<String> more, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(FashionMnistTraining.class.getName());
        cmd.addAll(List.of(args(run, more.toArray(new String[0]))));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " not in:\n" + text);
        return m.group(1);
    }
}
