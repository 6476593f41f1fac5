package dev.numpack.cli;

import static dev.numpack.cli.Cli.run;
import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    @Test
    void helpListsEveryCommand() {
        Cli.Result r = run("--help").assertOk();
        assertTrue(r.out().startsWith("Usage: numpack "), r.out());
        for (String c : new String[] {"info", "verify", "import", "export", "append", "drop", "compact"}) {
            assertTrue(r.out().contains("\n  " + c + " "), c + " missing from: " + r.out());
        }
        assertTrue(r.out().contains("--debug") && r.out().contains("--no-progress"), r.out());
    }

    @Test
    void subcommandHelpShowsSyntax() {
        Cli.Result r = run("drop", "--help").assertOk();
        assertTrue(r.out().startsWith("Usage: numpack drop "), r.out());
        assertTrue(r.out().contains("--rows=LIST") && r.out().contains("STORE NAME"), r.out());
    }

    @Test
    void versionNamesTheTool() {
        Cli.Result r = run("--version").assertOk();
        assertTrue(r.out().startsWith("numpack "), r.out());
        assertTrue(r.out().contains("NumPack 0.7"), r.out());
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        assertTrue(run().assertOneLineError(2).contains("missing command"));
        assertTrue(run("frobnicate").assertOneLineError(2).contains("'frobnicate'"));
        assertTrue(run("info").assertOneLineError(2).contains("STORE"));
        assertTrue(run("info", "--bogus", s(dir)).assertOneLineError(2).contains("--bogus"));
        assertTrue(run("export", s(dir), "x").assertOneLineError(2).contains("OUT.npy"));
    }

    @Test
    void debugWorksBeforeOrAfterTheCommand() {
        for (String[] args : new String[][] {
            {"--debug", "info", s(dir.resolve("nope"))},
            {"info", s(dir.resolve("nope")), "--debug"},
        }) {
            Cli.Result r = run(args);
            assertEquals(1, r.code());
            assertTrue(r.errLines().get(0).startsWith("numpack: error: store "), r.err());
            assertTrue(r.err().contains("\tat dev.numpack.NumPack"), r.err());
        }
    }

    @Test
    void progressCanBeForcedOnOrOff() {
        Path store = dir.resolve("store");
        Path in = dir.resolve("in.npy");
        Cli.writeNpy(in, Cli.floats(64, 2, 0));

        Cli.Result on = run("import", "--progress", s(store), "x", s(in));
        assertEquals(0, on.code(), on.err());
        assertTrue(on.err().startsWith("\rimport x ["), on.err());
        assertTrue(on.err().endsWith("] 100%  64/64 rows\n"), on.err());

        Cli.Result exp = run("--progress", "export", s(store), "x", s(dir.resolve("out.npy")));
        assertTrue(exp.err().startsWith("\rexport x [") && exp.err().endsWith("64/64 rows\n"), exp.err());

        Cli.Result ver = run("--progress", "verify", s(store));
        assertEquals("OK: 1 arrays", ver.out().strip());
        assertTrue(ver.err().contains("verify [") && ver.err().endsWith("\n"), ver.err());

        Cli.Result off = run("--no-progress", "append", s(store), "x", s(in)).assertOk();
        assertEquals("", off.err());
        assertFalse(off.out().contains("\r"));
    }
}
