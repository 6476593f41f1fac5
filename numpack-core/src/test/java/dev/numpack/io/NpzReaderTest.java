package dev.numpack.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.numpack.AlreadyClosedException;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.NdArray;
import dev.numpack.testing.NumpyValues;
import dev.numpack.testkit.Python;
import dev.numpack.testing.Zips;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class NpzReaderTest {
    @TempDir
    Path dir;

    /**
     * NumPy writes the same members with savez (stored) and savez_compressed (deflated): every dtype in C
     * order, Fortran order, big-endian, 0-d and empty, plus a Fortran member and a C member large enough to
     * span many inflate buffers. Each member has a sidecar with the bytes NumPack must produce.
     */
    private static final String GENERATOR = String.join("\n",
            "import os, sys, numpy as np",
            "out = sys.argv[1]",
            "rng = np.random.default_rng(20240608)",
            NumpyValues.DEFINITIONS,
            "cases = {}",
            "for name in names:",
            "    cases[name + '_c'] = values(name, (5, 3, 4))",
            "    cases[name + '_f'] = np.asfortranarray(values(name, (4, 2, 3)))",
            "    cases[name + '_be'] = values(name, (6, 2)).astype(np.dtype(name).newbyteorder('>'))",
            "    cases[name + '_scalar'] = values(name, ())",
            "    cases[name + '_empty'] = values(name, (0, 5))",
            "cases['big_f'] = np.asfortranarray(values('int32', (3000, 7, 5)))",
            "cases['big_c'] = values('float64', (2000, 50))",
            "for key, arr in cases.items():",
            "    with open(os.path.join(out, key + '.bin'), 'wb') as f:",
            "        f.write(np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder('<')).tobytes())",
            "    print(key, arr.dtype.name, ','.join(str(d) for d in arr.shape) or '-')",
            "np.savez(os.path.join(out, 'stored.npz'), **cases)",
            "np.savez_compressed(os.path.join(out, 'compressed.npz'), **cases)");

    @TestFactory
    Stream<DynamicTest> readsWhatNumpyWrites() {
        if (!Python.available()) {
            return Stream.of(dynamicTest("numpy interop", Python::assumeAvailable));
        }
        String manifest = Python.run(GENERATOR, dir.toString());
        List<String[]> cases = new ArrayList<>();
        for (String line : manifest.strip().split("\n")) {
            cases.add(line.split(" "));
        }
        assertEquals(14 * 5 + 2, cases.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (String archive : new String[] {"stored.npz", "compressed.npz"}) {
            tests.add(dynamicTest(archive + " members", () -> {
                try (NpzReader z = NpzReader.open(dir.resolve(archive))) {
                    assertEquals(cases.stream().map(c -> c[0]).toList(), z.members());
                }
            }));
            for (String[] c : cases) {
                long[] shape = c[2].equals("-") ? new long[0]
                        : Arrays.stream(c[2].split(",")).mapToLong(Long::parseLong).toArray();
                tests.add(dynamicTest(archive + " " + c[0],
                        () -> checkMember(dir.resolve(archive), c[0], DType.fromNumpyName(c[1]), shape)));
            }
        }
        return tests.stream();
    }

    private void checkMember(Path npz, String name, DType dtype, long[] shape) throws IOException {
        byte[] expected = Files.readAllBytes(dir.resolve(name + ".bin"));
        try (NpzReader z = NpzReader.open(npz); NpyReader m = z.member(name)) {
            assertEquals(npz, m.file());
            assertEquals(name, m.member());
            assertEquals(dtype, m.dtype());
            assertArrayEquals(shape, m.shape());
            ReaderChecks.assertReads(m, expected);
        }
    }

    // ---------------------------------------------------------------- archives written by the JDK

    @Test
    void readsDataDescriptorMembersAndListsInArchiveOrder() throws IOException {
        NdArray b = NdArray.of(new float[][] {{1, 2}, {3, 4}, {5, 6}});
        NdArray a = NdArray.of(new long[] {7, 8, 9});
        Path npz = Zips.builder()
                .deflated("b.npy", Zips.npy(b))     // the JDK writes sizes and CRC after the data
                .stored("a.npy", Zips.npy(a))
                .deflated("nested/c.npy", Zips.npy(a))
                .write(dir.resolve("jdk.npz"));
        try (NpzReader z = NpzReader.open(npz)) {
            assertEquals(List.of("b", "a", "nested/c"), z.members());
            assertTrue(z.contains("a"));
            assertFalse(z.contains("a.npy"));
            try (NpyReader r = z.member("b")) {
                assertEquals(b, r.load());
            }
            try (NpyReader r = z.member("a")) {
                assertEquals(a, r.load());
            }
            try (NpyReader r = z.member("nested/c")) {
                assertEquals(a, r.load());
            }
            ArrayNotFoundException e = assertThrows(ArrayNotFoundException.class, () -> z.member("zz"));
            assertEquals(npz, e.store());
            assertEquals("zz", e.array());
        }
    }

    @Test
    void aMemberThatIsNotNpyIsListedAndRefusedWhenOpened() throws IOException {
        Path npz = Zips.builder()
                .stored("readme.txt", "not an array".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .write(dir.resolve("mixed.npz"));
        try (NpzReader z = NpzReader.open(npz)) {
            assertEquals(List.of("readme.txt"), z.members());
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> z.member("readme.txt"));
            assertEquals("readme.txt", e.array());
            assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
        }
    }

    @Test
    void anEmptyArchiveHasNoMembers() throws IOException {
        Path npz = Zips.builder().write(dir.resolve("empty.npz"));
        try (NpzReader z = NpzReader.open(npz)) {
            assertEquals(List.of(), z.members());
        }
    }

    @Test
    void closingTheArchiveStopsItsMembers() throws IOException {
        Path npz = Zips.builder()
                .stored("a.npy", Zips.npy(NdArray.of(new int[] {1, 2, 3})))
                .deflated("b.npy", Zips.npy(NdArray.of(new int[] {4, 5, 6})))
                .write(dir.resolve("x.npz"));
        NpzReader z = NpzReader.open(npz);
        NpyReader a = z.member("a");
        NpyReader b = z.member("b");
        z.close();
        z.close();
        assertThrows(AlreadyClosedException.class, () -> a.readRows(0, 1, ByteBuffer.allocate(4)));
        assertThrows(AlreadyClosedException.class, () -> b.readRows(0, 1, ByteBuffer.allocate(4)));
        assertThrows(AlreadyClosedException.class, () -> z.member("a"));
        a.close();
        b.close();
        assertThrows(AlreadyClosedException.class, a::load);
    }

    @Test
    void aPlainNpyReaderHasNoMember() throws IOException {
        Path f = dir.resolve("x.npy");
        NpyWriter.write(f, NdArray.of(new int[] {1}));
        try (NpyReader r = NpyReader.open(f)) {
            assertNull(r.member());
        }
    }

    @Test
    void detectsFormatsByContent() throws IOException {
        Path npy = dir.resolve("a.bin");
        NpyWriter.write(npy, NdArray.of(new int[] {1}));
        Path npz = Zips.builder().stored("a.npy", Zips.npy(NdArray.of(new int[] {1}))).write(dir.resolve("b.bin"));
        Path empty = Zips.builder().write(dir.resolve("c.bin"));
        Path idx = Files.write(dir.resolve("d.bin"), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 42});
        Path gz = dir.resolve("e.bin");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 42});
        }
        Path text = Files.writeString(dir.resolve("f.bin"), "hello");
        assertEquals(FileFormat.NPY, FileFormat.detect(npy));
        assertEquals(FileFormat.NPZ, FileFormat.detect(npz));
        assertEquals(FileFormat.NPZ, FileFormat.detect(empty));
        assertEquals(FileFormat.IDX, FileFormat.detect(idx));
        assertEquals(FileFormat.IDX, FileFormat.detect(gz));
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> FileFormat.detect(text));
        assertTrue(e.getMessage().contains("68 65 6c 6c 6f"), e.getMessage());
        assertEquals(text, e.store());
    }
}
