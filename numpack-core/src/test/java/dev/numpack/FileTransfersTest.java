package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.io.NpyReader;
import dev.numpack.io.NpzReader;
import dev.numpack.testkit.Python;
import dev.numpack.testing.Zips;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's .npz and IDX imports and .npz export: NumPack.importNpz, importIdx, exportNpz. */
class FileTransfersTest {
    @TempDir
    Path dir;

    private static final NdArray X = NdArray.of(new float[][] {{1, 2}, {3, 4}, {5, 6}});
    private static final NdArray Y = NdArray.of(new long[] {7, 8, 9, 10});
    private static final NdArray S = NdArray.of(new int[] {42}).reshape();

    private Path sample() {
        return Zips.builder()
                .stored("x.npy", Zips.npy(X))
                .deflated("y.npy", Zips.npy(Y))
                .deflated("s.npy", Zips.npy(S))
                .write(dir.resolve("sample.npz"));
    }

    @Test
    void importsEveryMemberInOneCommitReplacingArrays() {
        Path npz = sample();
        List<long[]> progress = new ArrayList<>();
        try (NumPack np = NumPack.open(dir.resolve("store"))) {
            np.save("x", NdArray.of(new int[] {0}));
            np.save("keep", Y);
            np.importNpz(npz, (done, total) -> progress.add(new long[] {done, total}));
            assertEquals(Set.of("x", "y", "s", "keep"), np.names());
            assertEquals(X, np.load("x"));
            assertEquals(Y, np.load("y"));
            assertEquals(S, np.load("s"));
            assertEquals(Y, np.load("keep"));
        }
        assertArrayEquals(new long[] {8, 8}, progress.get(progress.size() - 1), "3 + 4 + 1 rows");
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0]);
        }
    }

    @Test
    void importsChosenMembersUnderChosenNames() {
        Path npz = sample();
        try (NumPack np = NumPack.open(dir.resolve("store"))) {
            np.importNpz("features", npz, "x");
            Map<String, String> names = new LinkedHashMap<>();
            names.put("y", "labels");
            names.put("s", "scalar");
            np.importNpz(npz, names, ProgressListener.NONE);
            assertEquals(Set.of("features", "labels", "scalar"), np.names());
            assertEquals(X, np.load("features"));
            assertEquals(Y, np.load("labels"));
            assertEquals(S, np.load("scalar"));

            ArrayNotFoundException missing = assertThrows(ArrayNotFoundException.class,
                    () -> np.importNpz("z", npz, "nope"));
            assertEquals(np.path(), missing.store(), "an import's error names the store");
            assertEquals("z", missing.array(), "... and the target array");
            assertTrue(missing.getMessage().contains("nope"), "... and the missing member: " + missing.getMessage());
            assertTrue(missing.getMessage().contains(npz.toString()), "... and the file: " + missing.getMessage());
            InvalidArgumentException clash = assertThrows(InvalidArgumentException.class,
                    () -> np.importNpz(npz, Map.of("x", "same", "y", "same"), ProgressListener.NONE));
            assertTrue(clash.getMessage().contains("'same'"), clash.getMessage());
            assertThrows(InvalidArgumentException.class, () -> np.importNpz("../up", npz, "x"));
            assertEquals(Set.of("features", "labels", "scalar"), np.names());
        }
    }

    @Test
    void importsIdxPlainAndGzipped() throws IOException {
        byte[] idx = {0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0, 2, (byte) 0xFF, (byte) 0xFF, 0x7F, 0};
        Path plain = Files.write(dir.resolve("t-idx2-ubyte"), idx);
        Path gz = dir.resolve("t-idx2-ubyte.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(idx);
        }
        List<long[]> progress = new ArrayList<>();
        try (NumPack np = NumPack.open(dir.resolve("store"))) {
            np.importIdx("plain", plain);
            np.importIdx("gz", gz, (done, total) -> progress.add(new long[] {done, total}));
            NdArray want = NdArray.of(new short[] {1, 2, -1, 0x7F00}).reshape(2, 2);
            assertEquals(want, np.load("plain"));
            assertEquals(want, np.load("gz"));
            assertThrows(InvalidArgumentException.class, () -> np.importIdx("a/b", plain));
        }
        assertArrayEquals(new long[] {2, 2}, progress.get(progress.size() - 1));
    }

    @Test
    void exportsArraysAndImportsThemBack() {
        Path all = dir.resolve("all.npz");
        Path some = dir.resolve("some.npz");
        List<long[]> progress = new ArrayList<>();
        try (NumPack np = NumPack.open(dir.resolve("store"))) {
            np.save("x", X);
            np.save("y", Y);
            np.save("s", S);
            np.delete("y", 1);
            np.exportNpz(all, (done, total) -> progress.add(new long[] {done, total}));
            np.exportNpz(some, "y", "x");
        }
        assertArrayEquals(new long[] {7, 7}, progress.get(progress.size() - 1), "3 + 1 + 3 live rows");
        try (NpzReader z = NpzReader.open(all)) {
            assertEquals(List.of("s", "x", "y"), z.members(), "every array, in name order");
        }
        try (NpzReader z = NpzReader.open(some); NpyReader y = z.member("y")) {
            assertEquals(List.of("y", "x"), z.members());
            assertEquals(NdArray.of(new long[] {7, 9, 10}), y.load());
        }
        try (NumPack np = NumPack.open(dir.resolve("copy"))) {
            np.importNpz(all);
            assertEquals(X, np.load("x"));
            assertEquals(NdArray.of(new long[] {7, 9, 10}), np.load("y"));
            assertEquals(S, np.load("s"));
        }
    }

    @Test
    void exportOfAMissingArrayWritesNothing() {
        Path npz = dir.resolve("out.npz");
        try (NumPack np = NumPack.open(dir.resolve("store"))) {
            np.save("x", X);
            ArrayNotFoundException e = assertThrows(ArrayNotFoundException.class, () -> np.exportNpz(npz, "x", "nope"));
            assertEquals("nope", e.array());
        }
        assertFalse(Files.exists(npz));
    }

    @Test
    void aReadOnlyStoreExportsButDoesNotImport() {
        Path store = dir.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("x", X);
        }
        try (NumPack ro = NumPack.openReadOnly(store)) {
            ro.exportNpz(dir.resolve("ro.npz"));
            assertThrows(ReadOnlyStoreException.class, () -> ro.importNpz(sample()));
        }
        try (NpzReader z = NpzReader.open(dir.resolve("ro.npz")); NpyReader x = z.member("x")) {
            assertEquals(X, x.load());
        }
    }

    @Test
    void numpyLoadsTheExportAndItsSavezImports() {
        Python.assumeAvailable();
        Path store = dir.resolve("store");
        Path npz = dir.resolve("from-numpy.npz");
        Python.run(String.join("\n",
                "import sys, numpy as np",
                "np.savez_compressed(sys.argv[1], images=np.arange(60, dtype=np.uint8).reshape(5, 3, 4),",
                "                    labels=np.array([3, 1, 4, 1, 5], dtype=np.int64),",
                "                    w=np.asfortranarray(np.arange(12, dtype='>f8').reshape(3, 4)))"),
                npz.toString());
        try (NumPack np = NumPack.open(store)) {
            np.importNpz(npz);
            assertEquals(Set.of("images", "labels", "w"), np.names());
            np.exportNpz(dir.resolve("back.npz"));
        }
        String out = Python.run(String.join("\n",
                "import sys, numpy as np",
                "a, b = np.load(sys.argv[1]), np.load(sys.argv[2])",
                "assert sorted(a.files) == sorted(b.files), (a.files, b.files)",
                "for k in a.files:",
                "    assert np.array_equal(a[k], b[k]) and a[k].shape == b[k].shape, k",
                "    assert a[k].dtype.newbyteorder('<') == b[k].dtype.newbyteorder('<'), k",
                "print('same', len(a.files))"),
                npz.toString(), dir.resolve("back.npz").toString());
        assertEquals("same 3", out.strip());
    }
}
