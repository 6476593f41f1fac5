package dev.numpack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Python} and {@link NpkLayoutScript} on this machine's python3 (skipped, with the reason, without it). */
class PythonTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsPython() {
        Python.assumeAvailable();
    }

    @Test
    void availableHasNoReason() {
        assertTrue(Python.available());
        assertNull(Python.unavailableReason());
    }

    @Test
    void runPassesTheArgumentsAndReturnsStandardOutput() {
        assertEquals("['a b', 'c']\n", Python.run("import sys; print(sys.argv[1:])", "a b", "c"));
    }

    @Test
    void runInWorksInTheDirectory() throws Exception {
        Python.runIn(dir, "open('made.txt', 'w').write('x')");
        assertEquals("x", Files.readString(dir.resolve("made.txt")));
    }

    @Test
    void aFailureCarriesTheExitCodeAndBothOutputs() {
        AssertionError e = assertThrows(AssertionError.class, () -> Python.run(
                "import sys; print('to stdout'); print('to stderr', file=sys.stderr); sys.exit(3)"));
        assertTrue(e.getMessage().contains("exited with 3"), e.getMessage());
        assertTrue(e.getMessage().contains("to stdout"), e.getMessage());
        assertTrue(e.getMessage().contains("to stderr"), e.getMessage());
    }

    @Test
    void aProgramThatRunsTooLongIsStoppedWithWhatItPrinted() {
        // 10 s: time for python3 to start and print even on a loaded machine, far less than the sleep
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> Python.run(null, Duration.ofSeconds(10),
                "import time; print('started', flush=True); time.sleep(300)"));
        assertTrue(e.getMessage().contains("ran longer than 10000 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("started"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 120_000_000_000L, "stopped, not waited out");
    }

    @Test
    void theLayoutScriptIsOnTheClassPathAndRuns() {
        assertTrue(NpkLayoutScript.source().contains("def main(argv)"));
        AssertionError e = assertThrows(AssertionError.class, () -> NpkLayoutScript.run("no-such-command"));
        assertTrue(e.getMessage().contains("exited with 1") && e.getMessage().contains("usage: npk_layout.py"),
                e.getMessage());
    }
}
