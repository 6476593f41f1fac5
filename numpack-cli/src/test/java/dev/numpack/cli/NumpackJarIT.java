package dev.numpack.cli;

import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NumPack;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as users run it: {@code java -jar numpack-cli/target/numpack.jar}. Run by failsafe in the
 * {@code integration-test} phase, after {@code package} has built the jar.
 */
class NumpackJarIT {
    @TempDir
    Path dir;

    private static ChildResult jar(String... args) throws Exception {
        Path jar = Path.of("target", "numpack.jar");
        assertTrue(Files.isRegularFile(jar), "the package phase must have built " + jar.toAbsolutePath());
        return ChildJvm.jar(jar, args).noInput().run(Duration.ofSeconds(120));
    }

    @Test
    void shadedJarImportsExportsAndFailsCleanly() throws Exception {
        ChildResult help = jar("--help");
        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().startsWith("Usage: numpack"), help.out());

        Path store = dir.resolve("store");
        Path in = dir.resolve("in.npy");
        Path out = dir.resolve("out.npy");
        Cli.writeNpy(in, Cli.longs(0, 50));
        assertEquals(0, jar("import", s(store), "x", s(in)).exitCode());
        assertEquals(0, jar("export", s(store), "x", s(out)).exitCode());
        assertEquals(-1L, Files.mismatch(in, out));
        ChildResult bad = jar("info", s(dir.resolve("nope")));
        assertEquals(1, bad.exitCode());
        assertFalse(bad.err().contains("\tat "), bad.err());
    }

    @Test
    void demoBuildsAConsistentStore() throws Exception {
        Path store = dir.resolve("demo");
        ChildResult demo = jar("demo", s(store));
        assertEquals(0, demo.exitCode(), demo.err());
        assertTrue(demo.out().contains("OK: 2 arrays"), demo.out());
        try (NumPack np = NumPack.openReadOnly(store)) {
            assertEquals(np.shape("features")[0], np.shape("labels")[0]);
        }
    }
}
