package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPackException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.numpack.DType;
import dev.numpack.internal.format.NpyHeaderTest;
import dev.numpack.testing.NumpyValues;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class NpyReaderTest {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------- files written by NumPy

    /**
     * NumPy writes every dtype in both layouts, both byte orders and all three format versions, plus a
     * few odd shapes. Each file has a sidecar with the bytes NumPack must produce: C order, little-endian.
     */
    private static final String GENERATOR = String.join("\n",
            "import os, sys, numpy as np",
            "out = sys.argv[1]",
            "rng = np.random.default_rng(20240607)",
            NumpyValues.DEFINITIONS,
            "def emit(name, shape, order, endian, version):",
            "    arr = values(name, shape)",
            "    arr = arr.astype(arr.dtype.newbyteorder(endian))",
            "    if order == 'F':",
            "        arr = np.asfortranarray(arr)",
            "    dims = ','.join(str(d) for d in shape)",
            "    case = '%s-%s-%s-v%d-%s' % (name, order, 'be' if endian == '>' else 'le', version[0],",
            "                                dims.replace(',', 'x') or 'scalar')",
            "    with open(os.path.join(out, case + '.npy'), 'wb') as f:",
            "        np.lib.format.write_array(f, arr, version=version)",
            "    with open(os.path.join(out, case + '.bin'), 'wb') as f:",
            "        f.write(np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder('<')).tobytes())",
            "    print(case, name, dims or '-', order, endian)",
            "for name in names:",
            "    for order in 'CF':",
            "        for endian in '<>':",
            "            for version in [(1, 0), (2, 0), (3, 0)]:",
            "                emit(name, (5, 3, 4), order, endian, version)",
            "    emit(name, (), 'C', '<', (1, 0))",
            "    emit(name, (7,), 'C', '>', (1, 0))",
            "    emit(name, (0, 5), 'F', '<', (1, 0))",
            "    emit(name, (6, 0), 'C', '<', (2, 0))",
            "    emit(name, (4, 2), 'F', '>', (3, 0))",
            "    emit(name, (2, 3, 2, 2), 'F', '>', (1, 0))");

    @TestFactory
    Stream<DynamicTest> readsWhatNumpyWrites() {
        if (!Python.available()) {
            // Surefire does not report an aborted factory; a skipped test shows the reason.
            return Stream.of(dynamicTest("numpy interop", Python::assumeAvailable));
        }
        String manifest = Python.run(GENERATOR, dir.toString());
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : manifest.strip().split("\n")) {
            String[] f = line.split(" ");
            tests.add(dynamicTest(f[0], () -> checkNumpyFile(f[0], DType.fromNumpyName(f[1]),
                    f[2].equals("-") ? new long[0] : Arrays.stream(f[2].split(",")).mapToLong(Long::parseLong)
                            .toArray(),
                    f[3].equals("F"), f[4].equals(">"))));
        }
        assertEquals(14 * (12 + 6), tests.size());
        return tests.stream();
    }

    private void checkNumpyFile(String name, DType dtype, long[] shape, boolean fortran, boolean bigEndian)
            throws IOException {
        Path npy = dir.resolve(name + ".npy");
        byte[] expected = Files.readAllBytes(dir.resolve(name + ".bin"));
        try (NpyReader r = NpyReader.open(npy)) {
            assertEquals(dtype, r.dtype());
            assertArrayEquals(shape, r.shape());
            // Make sure the interesting paths are exercised: NumPy records the layout only for
            // arrays that are Fortran- but not C-contiguous.
            boolean multiDim = shape.length > 1 && Arrays.stream(shape).filter(d -> d > 1).count() > 1;
            if (multiDim) {
                assertEquals(fortran, r.fortranOrder(), "fortran_order");
            }
            assertEquals(bigEndian && dtype.itemSize() > 1, r.bigEndian(), "byte order");

            assertArrayEquals(expected, bytes(r.load().buffer()), "readAll");

            long rows = r.rows();
            long start = rows / 3;
            long count = rows - 2 * start;
            int rb = (int) r.rowBytes();
            ByteBuffer dst = ByteBuffer.allocate(3 + (int) count * rb);
            dst.position(3);
            r.readRows(start, count, dst);
            assertEquals(dst.limit(), dst.position(), "readRows must advance the destination");
            assertArrayEquals(Arrays.copyOfRange(expected, (int) start * rb, (int) (start + count) * rb),
                    Arrays.copyOfRange(dst.array(), 3, dst.limit()), "readRows(" + start + ", " + count + ")");
        }
        // Tiny mapping windows: every element of a transposed read crosses into a new window.
        try (NpyReader r = NpyReader.open(npy, 1)) {
            assertArrayEquals(expected, bytes(r.load().buffer()), "readAll with 1-byte windows");
        }
    }

    // ---------------------------------------------------------------- layouts, by hand

    @Test
    void transposesBigEndianFortranData() throws IOException {
        // [[1, 2, 3], [4, 5, 6]] stored column by column: 1 4 2 5 3 6
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        for (int v : new int[] {1, 4, 2, 5, 3, 6}) {
            data.putInt(v);
        }
        Path f = npy("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }", data.array());
        try (NpyReader r = NpyReader.open(f)) {
            assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, r.load().toIntArray());
            ByteBuffer row = ByteBuffer.allocate(12);
            r.readRows(1, 1, row);
            row.flip().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(4, row.getInt());
            assertEquals(5, row.getInt());
            assertEquals(6, row.getInt());
        }
    }

    @Test
    void swapsComplexNumbersPerComponent() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        data.putFloat(1.5f).putFloat(-2f).putFloat(3f).putFloat(4.25f);
        Path f = npy("{'descr': '>c8', 'fortran_order': False, 'shape': (2,), }", data.array());
        try (NpyReader r = NpyReader.open(f)) {
            NdArray a = r.load();
            ByteBuffer b = a.buffer();
            assertEquals(1.5f, b.getFloat(0));
            assertEquals(-2f, b.getFloat(4));
            assertEquals(3f, b.getFloat(8));
            assertEquals(4.25f, b.getFloat(12));
        }
    }

    @Test
    void transposesThreeDimensionsAcrossWindowEdges() throws IOException {
        long[] shape = {4, 3, 5};
        ByteBuffer data = ByteBuffer.allocate(60 * 2).order(ByteOrder.BIG_ENDIAN);
        // The element at (i, j, k) holds its C-order index; Fortran order puts i fastest.
        for (int k = 0; k < 5; k++) {
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 4; i++) {
                    data.putShort((short) (i * 15 + j * 5 + k));
                }
            }
        }
        Path f = npy("{'descr': '>i2', 'fortran_order': True, 'shape': (4, 3, 5), }", data.array());
        short[] all = new short[60];
        for (short v = 0; v < 60; v++) {
            all[v] = v;
        }
        for (long window : new long[] {1, 2, 6, 48, NpyReader.MAX_WINDOW_BYTES}) {
            try (NpyReader r = NpyReader.open(f, window)) {
                assertArrayEquals(shape, r.shape());
                assertArrayEquals(all, r.load().toShortArray(), "window " + window);
                ByteBuffer rows = ByteBuffer.allocateDirect(2 * 30);
                r.readRows(1, 2, rows);
                short[] got = new short[30];
                rows.flip().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(got);
                assertArrayEquals(Arrays.copyOfRange(all, 15, 45), got, "rows 1-2, window " + window);
            }
        }
    }

    @Test
    void readsAScalarAsOneRow() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, Math.PI);
        Path f = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", data.array());
        try (NpyReader r = NpyReader.open(f)) {
            assertEquals(1, r.rows());
            assertEquals(8, r.rowBytes());
            NdArray a = r.load();
            assertEquals(0, a.ndim());
            assertArrayEquals(new double[] {Math.PI}, a.toDoubleArray());
        }
    }

    @Test
    void readsBeyondTwoGibibytes() throws IOException {
        // Sparse files: 3 GB on paper, a few blocks on disk.
        long n = 1_000_000_000L;
        for (boolean fortran : new boolean[] {false, true}) {
            Path f = npy("{'descr': '|u1', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': ("
                    + n + ", 3), }", new byte[0]);
            long dataStart = Files.size(f);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                // Last row (n-1) holds 7, 8, 9.
                for (int c = 0; c < 3; c++) {
                    long offset = fortran ? c * n + (n - 1) : (n - 1) * 3 + c;
                    ch.write(ByteBuffer.wrap(new byte[] {(byte) (7 + c)}), dataStart + offset);
                }
            }
            try (NpyReader r = NpyReader.open(f)) {
                assertEquals(n, r.rows());
                ByteBuffer dst = ByteBuffer.allocate(6);
                r.readRows(n - 2, 2, dst);
                assertArrayEquals(new byte[] {0, 0, 0, 7, 8, 9}, dst.array(), "fortran " + fortran);
                InvalidArgumentException e = assertThrows(InvalidArgumentException.class, r::load);
                assertTrue(e.getMessage().contains("readRows"), e.getMessage());
            }
            Files.delete(f);
        }
    }

    // ---------------------------------------------------------------- errors

    @Test
    void rejectsTruncatedDataNamingTheFile() throws IOException {
        Path f = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (10,), }", new byte[39]);
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> NpyReader.open(f));
        assertEquals(f, e.store());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsFilesThatAreNotNpy() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.npy"));
        assertEquals(empty, assertThrows(CorruptStoreException.class, () -> NpyReader.open(empty)).store());

        Path text = Files.writeString(dir.resolve("text.npy"), "this is not an array at all");
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> NpyReader.open(text));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());

        byte[] full = Files.readAllBytes(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }",
                new byte[4]));
        Path cut = Files.write(dir.resolve("cut.npy"), Arrays.copyOf(full, 40));
        e = assertThrows(CorruptStoreException.class, () -> NpyReader.open(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path strings = npy("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", new byte[24]);
        e = assertThrows(CorruptStoreException.class, () -> NpyReader.open(strings));
        assertTrue(e.getMessage().contains("'<U3'"), e.getMessage());
        assertEquals(strings, e.store());

        Path missing = dir.resolve("missing.npy");
        assertThrows(NumPackException.class, () -> NpyReader.open(missing));
    }

    @Test
    void rejectsBadArguments() throws IOException {
        Path f = npy("{'descr': '<i2', 'fortran_order': False, 'shape': (4, 2), }", new byte[16]);
        try (NpyReader r = NpyReader.open(f)) {
            ByteBuffer big = ByteBuffer.allocate(64);
            assertThrows(InvalidArgumentException.class, () -> r.readRows(-1, 1, big));
            assertThrows(InvalidArgumentException.class, () -> r.readRows(0, -1, big));
            assertThrows(InvalidArgumentException.class, () -> r.readRows(3, 2, big));
            assertThrows(InvalidArgumentException.class, () -> r.readRows(5, 0, big));
            assertThrows(InvalidArgumentException.class, () -> r.readRows(Long.MAX_VALUE, 2, big));
            assertThrows(InvalidArgumentException.class, () -> r.readRows(1, Long.MAX_VALUE, big));
            assertThrows(InvalidArgumentException.class, () -> r.readRows(0, 2, ByteBuffer.allocate(7)));
            assertThrows(InvalidArgumentException.class, () -> r.readRows(0, 1, big.asReadOnlyBuffer()));
            assertEquals(0, big.position(), "a refused read must not move the buffer");
            r.readRows(4, 0, big);
            r.readRows(0, 4, big);
            assertEquals(16, big.position());
        }
    }

    @Test
    void refusesUseAfterClose() throws IOException {
        Path f = npy("{'descr': '<i2', 'fortran_order': False, 'shape': (4,), }", new byte[8]);
        NpyReader r = NpyReader.open(f);
        r.close();
        r.close();
        AlreadyClosedException e = assertThrows(AlreadyClosedException.class,
                () -> r.readRows(0, 1, ByteBuffer.allocate(2)));
        assertSame(f, e.store());
        assertThrows(AlreadyClosedException.class, r::load);
    }

    // ---------------------------------------------------------------- helpers

    private Path npy(String dict, byte[] data) throws IOException {
        ByteBuffer header = NpyHeaderTest.header(1, dict);
        byte[] file = new byte[header.remaining() + data.length];
        header.get(file, 0, header.remaining());
        System.arraycopy(data, 0, file, file.length - data.length, data.length);
        return Files.write(Files.createTempFile(dir, "case", ".npy"), file);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
