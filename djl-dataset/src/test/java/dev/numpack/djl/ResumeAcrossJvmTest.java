package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume across processes: a run that stops, saves its position and is continued by a new JVM sees
 * the same batches, byte for byte, as a run that never stopped.
 */
class ResumeAcrossJvmTest {
    @TempDir
    Path dir;

    private static List<String> child(Path store, DatasetPosition from, long max, long epochs, Path log)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        if (Runtime.version().feature() >= 24) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        String cp = System.getProperty("surefire.test.class.path");
        cmd.add("-cp");
        cmd.add(cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp);
        cmd.add(ResumeChild.class.getName());
        cmd.addAll(List.of(store.toString(), Long.toString(from.epoch()), Long.toString(from.batch()),
                from.sampling() == null ? "-" : from.sampling(), Long.toString(max), Long.toString(epochs)));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
        assertEquals(0, p.exitValue(), () -> "child failed: " + read(log));
        return new ArrayList<>(List.of(new String(out, StandardCharsets.UTF_8).split("\n")));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void aNewJvmResumesWhereTheOldOneStopped() throws Exception {
        Path store = Stores.rowNumbered(dir.resolve("store"), 500, 7);
        List<String> straight;
        try (NDManager manager = NDManager.newBaseManager();
                NumPackDataset ds = ResumeChild.dataset(store).build()) {
            straight = ResumeChild.read(ds, manager, -1, 3);
        }
        assertEquals(3 * 32, straight.size());
        for (long stopAfter : new long[] {10, 32, 45}) {
            List<String> first = child(store, DatasetPosition.START, stopAfter, 3, dir.resolve("first.log"));
            String[] pos = first.remove(first.size() - 1).split(" ", 4);
            assertEquals("position", pos[0]);
            DatasetPosition saved = new DatasetPosition(Long.parseLong(pos[1]), Long.parseLong(pos[2]), pos[3]);
            List<String> second = child(store, saved, -1, 3, dir.resolve("second.log"));
            assertEquals("position 3 0 " + saved.sampling(), second.remove(second.size() - 1));
            List<String> resumed = new ArrayList<>(first);
            resumed.addAll(second);
            assertEquals(straight, resumed, "stopped after " + stopAfter);
        }
    }
}
