package dev.numpack.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.io.DatasetManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sharded example end to end with real processes: a Spark child JVM (local mode) writes 6,000 training
 * images as a dataset of 3 shards, then two rank JVMs train on it at once; both see the same number of batches
 * per epoch and, after the per-epoch averaging, end with the same parameters and accuracy.
 */
class ShardedFashionMnistTest {
    private static final Pattern BATCHES = Pattern.compile("rank \\d epoch 2: (\\d+) batches");
    private static final Pattern ACCURACY = Pattern.compile("test accuracy: ([0-9.]+)");
    private static final Pattern DIGEST = Pattern.compile("parameters sha256: ([0-9a-f]{64})");

    @TempDir
    Path tmp;

    @Test
    void sparkWritesTheShardsAndTwoRanksTrainOneModelOnThem() throws Exception {
        Path dataset = tmp.resolve("fashion-sharded");
        String shard = run(spark(), "shard", "--run-dir", tmp.toString(), "--dataset", dataset.toString(),
                "--rows", "6000", "--shards", "3");
        assertTrue(shard.contains("sharded dataset: 6000 rows in 3 shards"), shard);
        DatasetManifest m = DatasetManifest.read(dataset);
        assertEquals(3, m.shards().size());
        assertEquals("image uint8[28, 28]", m.columns().get(m.columns().get(0).name().equals("image") ? 0 : 1)
                .toString());

        List<Process> ranks = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Path log = tmp.resolve("rank-" + r + ".out");
            logs.add(log);
            ranks.add(start(List.of(), log, "train", "--dataset", dataset.toString(), "--test-store",
                    tmp.resolve("data.npk").toString(), "--exchange", tmp.resolve("exchange").toString(),
                    "--rank", Integer.toString(r), "--world-size", "2", "--epochs", "2"));
        }
        String[] out = new String[2];
        for (int r = 0; r < 2; r++) {
            out[r] = finish(ranks.get(r), logs.get(r));
        }
        // 6000 rows, 2 ranks x 64 per step: 47 steps, the last one short and split equally
        assertEquals(match(BATCHES, out[0]), match(BATCHES, out[1]));
        assertEquals("47", match(BATCHES, out[0]));
        assertEquals(match(DIGEST, out[0]), match(DIGEST, out[1]));
        assertEquals(match(ACCURACY, out[0]), match(ACCURACY, out[1]));
        assertTrue(Double.parseDouble(match(ACCURACY, out[0])) > 0.6, out[0]);
    }

    private static List<String> spark() {
        return Arrays.asList(System.getProperty("numpack.sparkJvmFlags", "").trim().split("\\s+"));
    }

    private String run(List<String> jvmFlags, String... args) throws Exception {
        Path log = tmp.resolve(args[0] + ".out");
        return finish(start(jvmFlags, log, args), log);
    }

    private static String finish(Process p, Path log) throws Exception {
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child timed out:\n" + Files.readString(log));
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static Process start(List<String> jvmFlags, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        for (String f : jvmFlags) {
            if (!f.isEmpty()) {
                cmd.add(f);
            }
        }
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ShardedFashionMnist.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " not in:\n" + text);
        return m.group(1);
    }
}
