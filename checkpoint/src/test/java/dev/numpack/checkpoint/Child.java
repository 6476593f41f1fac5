package dev.numpack.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts test programs as their own JVMs, with the test class path and DJL's offline settings. */
final class Child {
    private Child() {}

    static List<String> command(Class<?> main, String... args) {
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
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs a child to completion; fails the test if it fails. @return its output lines */
    static List<String> run(Class<?> main, Path log, String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(main, args)).redirectError(log.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child finished");
        assertEquals(0, p.exitValue(), () -> "child failed: " + read(log));
        return List.of(new String(out, StandardCharsets.UTF_8).split("\n"));
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
