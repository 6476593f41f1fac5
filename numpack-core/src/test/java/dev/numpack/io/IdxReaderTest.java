package dev.numpack.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.numpack.AlreadyClosedException;
import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** Every IDX type in three shapes, plain and gzipped, each with a sidecar of the expected bytes. */
    private static final String GENERATOR = String.join("\n",
            "import os, sys, gzip, numpy as np",
            "out = sys.argv[1]",
            "rng = np.random.default_rng(20240609)",
            "types = {'uint8': 0x08, 'int8': 0x09, 'int16': 0x0B, 'int32': 0x0C, 'float32': 0x0D, 'float64': 0x0E}",
            "for name, code in types.items():",
            "    dt = np.dtype(name)",
            "    for shape in [(5, 3, 4), (7,), (3000, 40)]:",
            "        if dt.kind == 'f':",
            "            a = (rng.standard_normal(shape) * 1000).astype(dt)",
            "        else:",
            "            info = np.iinfo(dt)",
            "            a = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)",
            "        body = bytes([0, 0, code, len(shape)]) + b''.join(int(d).to_bytes(4, 'big') for d in shape)",
            "        body += a.astype(dt.newbyteorder('>')).tobytes()",
            "        case = name + '-' + 'x'.join(map(str, shape))",
            "        with open(os.path.join(out, case + '-ubyte'), 'wb') as f:",
            "            f.write(body)",
            "        with gzip.open(os.path.join(out, case + '-ubyte.gz'), 'wb') as f:",
            "            f.write(body)",
            "        with open(os.path.join(out, case + '.bin'), 'wb') as f:",
            "            f.write(a.astype(dt.newbyteorder('<')).tobytes())",
            "        print(case, name, ','.join(map(str, shape)))");

    @TestFactory
    Stream<DynamicTest> readsWhatPythonWrites() {
        if (!Python.available()) {
            return Stream.of(dynamicTest("numpy interop", Python::assumeAvailable));
        }
        String manifest = Python.run(GENERATOR, dir.toString());
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : manifest.strip().split("\n")) {
            String[] f = line.split(" ");
            long[] shape = Arrays.stream(f[2].split(",")).mapToLong(Long::parseLong).toArray();
            for (String suffix : new String[] {"-ubyte", "-ubyte.gz"}) {
                tests.add(dynamicTest(f[0] + suffix, () -> check(dir.resolve(f[0] + suffix),
                        Files.readAllBytes(dir.resolve(f[0] + ".bin")), DType.fromNumpyName(f[1]), shape,
                        suffix.endsWith(".gz"))));
            }
        }
        assertEquals(6 * 3 * 2, tests.size());
        return tests.stream();
    }

    private static void check(Path file, byte[] expected, DType dtype, long[] shape, boolean gzipped) {
        try (IdxReader r = IdxReader.open(file)) {
            assertEquals(file, r.file());
            assertEquals(dtype, r.dtype());
            assertArrayEquals(shape, r.shape());
            assertEquals(gzipped, r.gzipped());
            ReaderChecks.assertReads(r, expected);
        }
    }

    @Test
    void readsFashionMnistFromDebian() throws IOException {
        Path images = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
        assumeTrue(Files.isReadable(images), images + " is not installed (Debian package fashion-mnist)");
        byte[] pixels;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(images))) {
            in.skipNBytes(16);
            pixels = in.readAllBytes();
        }
        try (IdxReader r = IdxReader.open(images)) {
            assertEquals(DType.UINT8, r.dtype());
            assertArrayEquals(new long[] {10000, 28, 28}, r.shape());
            assertTrue(r.gzipped());
            assertArrayEquals(pixels, r.load().toByteArray());
        }
    }

    // ---------------------------------------------------------------- by hand

    @Test
    void swapsBigEndianElements() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 2 * 3 * 4).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {0, 0, 0x0C, 2}).putInt(2).putInt(3);
        for (int v = -3; v < 3; v++) {
            b.putInt(v * 1_000_003);
        }
        Path f = Files.write(dir.resolve("i32-ubyte"), b.array());
        try (IdxReader r = IdxReader.open(f)) {
            assertArrayEquals(new int[] {-3_000_009, -2_000_006, -1_000_003, 0, 1_000_003, 2_000_006},
                    r.load().toIntArray());
            assertEquals(12, r.rowBytes());
        }
    }

    @Test
    void refusesUseAfterCloseAndBadRanges() throws IOException {
        Path f = gzip(dir.resolve("u8.gz"), new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3});
        IdxReader r = IdxReader.open(f);
        assertThrows(InvalidArgumentException.class, () -> r.readRows(2, 2, ByteBuffer.allocate(2)));
        assertEquals(NdArray.ofUint8(new byte[] {1, 2, 3}), r.load());
        r.close();
        r.close();
        assertThrows(AlreadyClosedException.class, r::load);
    }

    /** Hostile or damaged files: each a typed error naming the file, before anything large is allocated. */
    @TestFactory
    Stream<DynamicTest> refusesDamagedFiles() throws IOException {
        byte[] good = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};
        byte[] goodGz = gzipped(good);
        byte[] badCrc = goodGz.clone();
        badCrc[badCrc.length - 6] ^= 0x5A; // the CRC-32 in the gzip trailer
        byte[] longer = Arrays.copyOf(good, good.length + 5);
        List<DynamicTest> tests = new ArrayList<>();
        Object[][] cases = {
            {"wrong magic", new byte[] {1, 0, 8, 1, 0, 0, 0, 1, 9}, "not an IDX file"},
            {"unknown type", new byte[] {0, 0, 0x0A, 1, 0, 0, 0, 1, 9}, "unknown IDX element type 0x0a"},
            {"no dimensions", new byte[] {0, 0, 8, 0}, "no dimensions"},
            {"short magic", new byte[] {0, 0}, "truncated"},
            {"short dimensions", new byte[] {0, 0, 8, 3, 0, 0, 0, 1}, "truncated"},
            {"truncated data", Arrays.copyOf(good, good.length - 1), "truncated"},
            {"data after the end", longer, "5 bytes after its data"},
            {"negative dimension", new byte[] {0, 0, 8, 1, (byte) 0x80, 0, 0, 0}, "2147483648"},
            {"dimensions that overflow", new byte[] {0, 0, 0x0E, 3, 0x7F, -1, -1, -1, 0x7F, -1, -1, -1,
                0x7F, -1, -1, -1}, "needs more than"},
            {"absurd size for the file", new byte[] {0, 0, 8, 2, 0x7F, -1, -1, -1, 0x7F, -1, -1, -1, 1},
                "truncated"},
            {"gzip: absurd size", gzipped(new byte[] {0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0}), "forged size"},
            {"gzip: truncated", Arrays.copyOf(goodGz, goodGz.length - 10), "damaged gzip data"},
            {"gzip: wrong CRC", badCrc, "damaged gzip data"},
            {"gzip: data after the end", gzipped(longer), "more than the 18 bytes"},
            {"gzip: not gzip after the magic", new byte[] {0x1f, (byte) 0x8b, 0, 0}, "damaged gzip data"},
        };
        for (Object[] c : cases) {
            tests.add(dynamicTest((String) c[0], () -> {
                Path f = Files.write(dir.resolve(((String) c[0]).replaceAll("\\W", "_")), (byte[]) c[1]);
                CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> {
                    try (IdxReader r = IdxReader.open(f)) {
                        r.load();
                    }
                });
                assertEquals(f, e.store());
                assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
                assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
            }));
        }
        return tests.stream();
    }

    static byte[] gzipped(byte[] bytes) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static Path gzip(Path file, byte[] bytes) throws IOException {
        return Files.write(file, gzipped(bytes));
    }
}
