package dev.numpack.cli;

import static dev.numpack.cli.Cli.run;
import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.DType;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ImportExportCommandTest {
    @TempDir
    Path dir;

    private NdArray random(DType dtype, long... shape) {
        long n = dtype.itemSize();
        for (long d : shape) {
            n *= d;
        }
        byte[] bytes = new byte[(int) n];
        new Random(dtype.ordinal() * 31L + n).nextBytes(bytes);
        if (dtype == DType.BOOL) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] &= 1;
            }
        }
        return NdArray.copyOf(dtype, shape, ByteBuffer.wrap(bytes));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void importThenExportIsByteForByteIdentical(DType dtype) throws IOException {
        Path in = dir.resolve("in.npy");
        Path out = dir.resolve("out.npy");
        Path store = dir.resolve("store");
        NdArray a = random(dtype, 37, 3, 2);
        Cli.writeNpy(in, a);

        Cli.Result imp = run("import", s(store), "x", s(in)).assertOk();
        assertEquals("imported 'x': " + dtype.numpyName() + " (37, 3, 2) from " + in, imp.out().strip());
        Cli.Result exp = run("export", s(store), "x", s(out)).assertOk();
        assertEquals("exported 'x': " + dtype.numpyName() + " (37, 3, 2) to " + out, exp.out().strip());

        assertEquals(-1L, Files.mismatch(in, out), "exported file differs from the imported one");
        assertEquals(a, Cli.readNpy(out));
        assertEquals(a, Cli.load(store, "x"));
    }

    @Test
    void roundTripsZeroDimensionalAndEmptyArrays() throws IOException {
        Path store = dir.resolve("store");
        NdArray scalar = NdArray.copyOf(DType.FLOAT64, new long[0], ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        NdArray empty = NdArray.zeros(DType.INT32, 0, 4);
        for (var c : new Object[][] {{"scalar", scalar}, {"empty", empty}}) {
            Path in = dir.resolve(c[0] + ".npy");
            Path out = dir.resolve(c[0] + "-out.npy");
            Cli.writeNpy(in, (NdArray) c[1]);
            run("import", s(store), (String) c[0], s(in)).assertOk();
            run("export", s(store), (String) c[0], s(out)).assertOk();
            assertEquals(-1L, Files.mismatch(in, out), (String) c[0]);
        }
    }

    @Test
    void numpyFortranBigEndianFileImportsAndExportsAsEqualArray() throws IOException {
        Python.assumeAvailable();
        Python.runIn(dir, String.join("\n",
                "import numpy as np",
                "a = np.asfortranarray(np.arange(60, dtype='>f8').reshape(4, 5, 3) * 1.5)",
                "np.save('f.npy', a)",
                "np.save('h.npy', np.linspace(-2, 2, 9, dtype=np.float16))"));
        Path store = dir.resolve("store");
        run("import", s(store), "f", s(dir.resolve("f.npy"))).assertOk();
        run("import", s(store), "h", s(dir.resolve("h.npy"))).assertOk();
        run("export", s(store), "f", s(dir.resolve("f-out.npy"))).assertOk();
        run("export", s(store), "h", s(dir.resolve("h-out.npy"))).assertOk();

        String check = Python.runIn(dir, String.join("\n",
                "import numpy as np",
                "a, b = np.load('f.npy'), np.load('f-out.npy')",
                "assert b.dtype == np.dtype('<f8') and b.shape == (4, 5, 3), (b.dtype, b.shape)",
                "assert np.array_equal(a, b)",
                "assert np.array_equal(np.load('h.npy'), np.load('h-out.npy'))",
                "print('same')"));
        assertEquals("same", check.strip());
    }

    @Test
    void importCreatesTheStoreAndReplacesAnExistingArray() {
        Path store = dir.resolve("new/store");
        Path first = dir.resolve("first.npy");
        Path second = dir.resolve("second.npy");
        Cli.writeNpy(first, Cli.floats(10, 3, 0));
        Cli.writeNpy(second, Cli.longs(100, 107));
        assertFalse(Files.exists(store));

        run("import", s(store), "x", s(first)).assertOk();
        assertTrue(Files.isDirectory(store));
        run("import", s(store), "x", s(second)).assertOk();

        try (NumPack np = NumPack.openReadOnly(store)) {
            assertEquals(java.util.Set.of("x"), np.names());
            assertEquals(DType.INT64, np.dtype("x"));
            assertArrayEquals(new long[] {7}, np.shape("x"));
        }
        assertEquals(Cli.longs(100, 107), Cli.load(store, "x"));
    }

    @Test
    void importOfMissingFileFailsWithoutCreatingTheStore() {
        Path store = dir.resolve("store");
        String line = run("import", s(store), "x", s(dir.resolve("nope.npy"))).assertOneLineError(1);
        assertTrue(line.contains("nope.npy") && line.contains("no such file"), line);
        assertTrue(line.contains("store " + store) && line.contains("array 'x'"), line);
        assertFalse(Files.exists(store));
    }

    @Test
    void importOfCorruptNpyFailsCleanlyAndLeavesArraysAlone() throws IOException {
        Path store = dir.resolve("store");
        Path good = dir.resolve("good.npy");
        Cli.writeNpy(good, Cli.longs(0, 5));
        run("import", s(store), "x", s(good)).assertOk();
        Path bad = dir.resolve("bad.npy");
        Files.write(bad, "this is not a numpy file at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        String line = run("import", s(store), "x", s(bad)).assertOneLineError(1);
        assertTrue(line.contains("bad.npy"), line);
        assertTrue(line.contains("array 'x'"), line);
        assertEquals(Cli.longs(0, 5), Cli.load(store, "x"));
    }

    @Test
    void importWithHostileNameIsRefused() {
        Path in = dir.resolve("in.npy");
        Cli.writeNpy(in, Cli.longs(0, 3));
        String line = run("import", s(dir.resolve("store")), "../evil", s(in)).assertOneLineError(1);
        assertTrue(line.contains("../evil"), line);
        assertFalse(Files.exists(dir.resolve("data_evil.npkd")));
    }

    @Test
    void exportOfMissingArrayFails() {
        Path store = dir.resolve("store");
        Path in = dir.resolve("in.npy");
        Cli.writeNpy(in, Cli.longs(0, 3));
        run("import", s(store), "x", s(in)).assertOk();
        String line = run("export", s(store), "y", s(dir.resolve("out.npy"))).assertOneLineError(1);
        assertTrue(line.contains("'y'") && line.contains("no such array"), line);
        assertFalse(Files.exists(dir.resolve("out.npy")));
    }

    @Test
    void exportWorksWhileAWriterHoldsTheStore() {
        Path store = dir.resolve("store");
        Path in = dir.resolve("in.npy");
        Path out = dir.resolve("out.npy");
        Cli.writeNpy(in, Cli.floats(4, 2, 1));
        run("import", s(store), "x", s(in)).assertOk();
        try (NumPack writer = NumPack.open(store)) {
            run("export", s(store), "x", s(out)).assertOk(); // read-only: takes no lock
            String line = run("import", s(store), "y", s(in)).assertOneLineError(1);
            assertTrue(line.toLowerCase(java.util.Locale.ROOT).contains("lock"), line);
            assertFalse(writer.contains("y"));
        }
        assertEquals(Cli.floats(4, 2, 1), Cli.readNpy(out));
    }
}
