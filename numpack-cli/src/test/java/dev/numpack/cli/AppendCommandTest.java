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

class AppendCommandTest {
    @TempDir
    Path dir;
    Path store;

    @BeforeEach
    void setUp() {
        store = dir.resolve("store");
        Path in = dir.resolve("base.npy");
        Cli.writeNpy(in, Cli.floats(5, 3, 0));
        run("import", s(store), "x", s(in)).assertOk();
    }

    @Test
    void appendAddsRowsAtTheEnd() {
        Path more = dir.resolve("more.npy");
        Cli.writeNpy(more, Cli.floats(4, 3, 100));
        Cli.Result r = run("append", s(store), "x", s(more)).assertOk();
        assertEquals("appended 4 rows to 'x': now (9, 3)", r.out().strip());

        float[][] got = Cli.load(store, "x").toFloatMatrix();
        assertEquals(9, got.length);
        assertArrayEquals(Cli.floats(5, 3, 0).toFloatMatrix()[4], got[4]);
        assertArrayEquals(Cli.floats(4, 3, 100).toFloatMatrix()[0], got[5]);
        assertArrayEquals(Cli.floats(4, 3, 100).toFloatMatrix()[3], got[8]);
    }

    @Test
    void appendWithMismatchedDtypeFailsClearlyAndChangesNothing() {
        Path wrong = dir.resolve("wrong.npy");
        double[][] d = {{1, 2, 3}, {4, 5, 6}};
        Cli.writeNpy(wrong, NdArray.of(d));
        String line = run("append", s(store), "x", s(wrong)).assertOneLineError(1);
        assertTrue(line.contains("array 'x'"), line);
        assertTrue(line.contains("float32") && line.contains("float64"), line);
        assertEquals(Cli.floats(5, 3, 0), Cli.load(store, "x"));
    }

    @Test
    void appendWithMismatchedRowShapeFails() {
        Path wrong = dir.resolve("wrong.npy");
        Cli.writeNpy(wrong, Cli.floats(2, 4, 0));
        String line = run("append", s(store), "x", s(wrong)).assertOneLineError(1);
        assertTrue(line.contains("shape (n, 3)"), line);
        try (NumPack np = NumPack.openReadOnly(store)) {
            assertArrayEquals(new long[] {5, 3}, np.shape("x"));
        }
    }

    @Test
    void appendToMissingArrayOrStoreFails() {
        Path more = dir.resolve("more.npy");
        Cli.writeNpy(more, Cli.floats(1, 3, 0));
        String line = run("append", s(store), "y", s(more)).assertOneLineError(1);
        assertTrue(line.contains("no such array"), line);

        Path missing = dir.resolve("missing");
        line = run("append", s(missing), "x", s(more)).assertOneLineError(1);
        assertTrue(line.contains("no store directory"), line);
        assertFalse(Files.exists(missing), "append must not create a store");
    }
}
