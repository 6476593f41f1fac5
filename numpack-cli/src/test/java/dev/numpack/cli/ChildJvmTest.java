package dev.numpack.cli;

import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the command as a real process: System.exit codes, stdout/stderr, no terminal. */
class ChildJvmTest {
    @TempDir
    Path dir;

    record Proc(int code, String out, String err) {}

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Proc exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        return new Proc(p.exitValue(), out, err.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Proc numpack(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"),
                "dev.numpack.cli.Main"));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    @Test
    void childProcessExitCodesAndStreams() throws Exception {
        Path store = dir.resolve("store");
        Path in = dir.resolve("in.npy");
        Cli.writeNpy(in, Cli.floats(10, 3, 0));

        Proc imp = numpack("import", s(store), "x", s(in));
        assertEquals(0, imp.code(), imp.err());
        assertEquals("", imp.err(), "no progress bar without a terminal");

        Proc ok = numpack("verify", s(store));
        assertEquals(0, ok.code(), ok.err());
        assertEquals("OK: 1 arrays", ok.out().strip());

        Proc missing = numpack("info", s(dir.resolve("nope")));
        assertEquals(1, missing.code());
        assertEquals("", missing.out());
        List<String> lines = missing.err().lines().toList();
        assertEquals(1, lines.size(), missing.err());
        assertTrue(lines.get(0).startsWith("numpack: error: store "), lines.get(0));

        Proc usage = numpack("drop", s(store), "x", "--rows", "1-");
        assertEquals(2, usage.code(), usage.err());
        assertEquals(1, usage.err().lines().count(), usage.err());
        assertTrue(usage.err().contains("--rows"), usage.err());
    }
}
