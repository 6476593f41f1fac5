package dev.numpack.cli;

import static dev.numpack.cli.Cli.run;
import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplaceCommandTest {
    @TempDir
    Path dir;
    Path store;

    @BeforeEach
    void setUp() {
        store = dir.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("x", Cli.floats(10, 3, 0));
        }
    }

    private Path npy(NdArray a) {
        Path p = dir.resolve("in-" + System.nanoTime() + ".npy");
        Cli.writeNpy(p, a);
        return p;
    }

    private void assertUnchanged() {
        assertEquals(Cli.floats(10, 3, 0), Cli.load(store, "x"));
    }

    @Test
    void rowsOfTheFileGoToTheListedRowsInTheirOrder() {
        NdArray rows = Cli.floats(5, 3, 100);
        Cli.Result r = run("replace", s(store), "x", s(npy(rows)), "--rows", "7,0,-1,2-3").assertOk();
        assertEquals("replaced 5 rows of 'x' (10, 3)", r.out().strip());
        float[][] got = Cli.load(store, "x").toFloatMatrix();
        float[][] want = Cli.floats(10, 3, 0).toFloatMatrix();
        float[][] in = rows.toFloatMatrix();
        want[7] = in[0];
        want[0] = in[1];
        want[9] = in[2];
        want[2] = in[3];
        want[3] = in[4];
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(want[i], got[i], "row " + i);
        }
    }

    @Test
    void logicalRowsSkipDeletedOnes() {
        try (NumPack np = NumPack.open(store)) {
            np.delete("x", 0);
        }
        run("replace", s(store), "x", s(npy(Cli.floats(1, 3, 500))), "--rows", "0").assertOk();
        assertArrayEquals(Cli.floats(1, 3, 500).toFloatMatrix()[0], Cli.load(store, "x").toFloatMatrix()[0],
                "logical row 0 is physical row 1");
    }

    @Test
    void aRowCountOtherThanTheListedOneIsRefusedAndNothingChanges() {
        String line = run("replace", s(store), "x", s(npy(Cli.floats(2, 3, 100))), "--rows", "0-2").assertOneLineError(1);
        assertTrue(line.contains("array 'x'") && line.contains("holds 2 rows for 3 listed rows"), line);
        assertUnchanged();
    }

    @Test
    void aWrongDtypeOrRowShapeIsRefusedNamingTheArrayAndNothingChanges() {
        String line = run("replace", s(store), "x", s(npy(NdArray.of(new double[][] {{1, 2, 3}}))), "--rows", "1")
                .assertOneLineError(1);
        assertTrue(line.contains("array 'x'") && line.contains("float32") && line.contains("float64"), line);
        assertUnchanged();
        line = run("replace", s(store), "x", s(npy(Cli.floats(1, 4, 0))), "--rows", "1").assertOneLineError(1);
        assertTrue(line.contains("array 'x'") && line.contains("(n, 3)"), line);
        assertUnchanged();
    }

    @Test
    void outOfRangeRowsAMissingArrayOrFileAndABadListAreRefused() {
        Path in = npy(Cli.floats(1, 3, 100));
        String line = run("replace", s(store), "x", s(in), "--rows", "10").assertOneLineError(1);
        assertTrue(line.contains("array 'x'") && line.contains("row 10 out of range for 10 rows"), line);
        line = run("replace", s(store), "y", s(in), "--rows", "0").assertOneLineError(1);
        assertTrue(line.contains("no such array"), line);
        line = run("replace", s(store), "x", s(dir.resolve("none.npy")), "--rows", "0").assertOneLineError(1);
        assertTrue(line.contains("no such file"), line);
        Path junk = dir.resolve("junk.npy");
        Cli.Result r = run("replace", s(store), "x", s(in), "--rows", "a");
        assertEquals(2, r.code(), "a bad list is a usage error");
        r = run("replace", s(store), "x", s(in));
        assertEquals(2, r.code(), "--rows is required");
        try {
            Files.writeString(junk, "not an npy file");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        line = run("replace", s(store), "x", s(junk), "--rows", "0").assertOneLineError(1);
        assertTrue(line.contains("array 'x'") && line.contains("junk.npy"), line);
        assertUnchanged();
        assertFalse(Files.exists(store.resolve("numpack.journal")), "the store was closed cleanly");
    }
}
