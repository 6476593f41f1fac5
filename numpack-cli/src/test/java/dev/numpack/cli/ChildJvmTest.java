package dev.numpack.cli;

import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the command as a real process: System.exit codes, stdout/stderr, no terminal. */
class ChildJvmTest {
    @TempDir
    Path dir;

    /** Runs {@code numpack args...} as a command run from a script: its own JVM, no terminal, no input. */
    private static ChildResult numpack(String... args) throws IOException, InterruptedException {
        return ChildJvm.main(Main.class, args).noInput().run(Duration.ofSeconds(120));
    }

    @Test
    void childProcessExitCodesAndStreams() throws Exception {
        Path store = dir.resolve("store");
        Path in = dir.resolve("in.npy");
        Cli.writeNpy(in, Cli.floats(10, 3, 0));

        ChildResult imp = numpack("import", s(store), "x", s(in));
        assertEquals(0, imp.exitCode(), imp.err());
        assertEquals("", imp.err(), "no progress bar without a terminal");

        ChildResult ok = numpack("verify", s(store));
        assertEquals(0, ok.exitCode(), ok.err());
        assertEquals("OK: 1 arrays", ok.out().strip());

        ChildResult missing = numpack("info", s(dir.resolve("nope")));
        assertEquals(1, missing.exitCode());
        assertEquals("", missing.out());
        List<String> lines = missing.err().lines().toList();
        assertEquals(1, lines.size(), missing.err());
        assertTrue(lines.get(0).startsWith("numpack: error: store "), lines.get(0));

        ChildResult usage = numpack("drop", s(store), "x", "--rows", "1-");
        assertEquals(2, usage.exitCode(), usage.err());
        assertEquals(1, usage.err().lines().count(), usage.err());
        assertTrue(usage.err().contains("--rows"), usage.err());
    }
}
