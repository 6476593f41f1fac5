package dev.numpack.io;

import dev.numpack.AlreadyClosedException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.StoreStateException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.DType;
import dev.numpack.internal.format.Float16;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NpyWriterTest {
    private static final List<long[]> SHAPES = List.of(
            new long[] {4, 3}, new long[] {}, new long[] {0, 5}, new long[] {7}, new long[] {2, 3, 2});

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- round trips

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsThroughTheReader(DType dtype) {
        Random random = new Random(dtype.code());
        for (long[] shape : SHAPES) {
            NdArray a = randomArray(dtype, shape, random);
            Path f = dir.resolve(dtype.numpyName() + "-" + shape.length + ".npy");
            NpyWriter.write(f, a);
            try (NpyReader r = NpyReader.open(f)) {
                assertEquals(a, r.load());
                assertEquals(1, r.version());
            }
        }
    }

    @Test
    void streamsRowsInPieces() throws IOException {
        Path f = dir.resolve("streamed.npy");
        int[] values = new int[6 * 5];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 7 - 50;
        }
        ByteBuffer all = NdArray.of(values).buffer();
        try (NpyWriter w = NpyWriter.create(f, DType.INT32, new long[] {6, 5})) {
            for (int row = 0; row < 6; row += 2) {
                w.write(all.duplicate().position(row * 20).limit(row * 20 + 40));
            }
            assertEquals(0, w.remainingBytes());
            w.commit();
        }
        try (NpyReader r = NpyReader.open(f)) {
            assertArrayEquals(values, r.load().toIntArray());
        }
    }

    // ---------------------------------------------------------------- NumPy reads our files

    @Test
    void numpyLoadsOurFilesWithEqualValues() throws IOException {
        Python.assumeAvailable();
        Random random = new Random(42);
        StringBuilder cases = new StringBuilder();
        for (DType dtype : DType.values()) {
            for (long[] shape : SHAPES) {
                NdArray a = randomArray(dtype, shape, random);
                String name = dtype.numpyName() + "-" + Arrays.stream(shape).mapToObj(Long::toString)
                        .collect(Collectors.joining("x", "s", ""));
                NpyWriter.write(dir.resolve(name + ".npy"), a);
                Files.write(dir.resolve(name + ".bin"), bytes(a.buffer()));
                cases.append(name).append(' ').append(dtype.numpyName()).append(' ')
                        .append(Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",")))
                        .append(';');
            }
        }
        String out = Python.run(String.join("\n",
                "import io, os, sys, numpy as np",
                "d = sys.argv[1]",
                "checked = 0",
                "for case in sys.argv[2].split(';')[:-1]:",
                "    name, dtype, dims = case.split(' ')",
                "    shape = tuple(int(x) for x in dims.split(',') if x)",
                "    path = os.path.join(d, name + '.npy')",
                "    a = np.load(path)",
                "    raw = open(os.path.join(d, name + '.bin'), 'rb').read()",
                "    expected = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder('<')).reshape(shape)",
                "    assert a.dtype == np.dtype(dtype), (name, a.dtype)",
                "    assert a.shape == shape, (name, a.shape)",
                "    assert np.array_equal(a, expected), (name, a, expected)",
                "    assert a.tobytes() == raw, name",
                "    # numpy.save of the same array must give the very same file",
                "    f = io.BytesIO()",
                "    np.save(f, a)",
                "    assert f.getvalue() == open(path, 'rb').read(), (name, f.getvalue()[:128])",
                "    with open(path, 'rb') as fp:",
                "        assert np.lib.format.read_magic(fp) == (1, 0), name",
                "    checked += 1",
                "print(checked)"), dir.toString(), cases.toString());
        assertEquals(DType.values().length * SHAPES.size(), Integer.parseInt(out.strip()));
    }

    @Test
    void numpySeesTheValuesWeWrote() {
        Python.assumeAvailable();
        NpyWriter.write(dir.resolve("d.npy"), NdArray.of(new double[][] {{1.5, -2.25}, {3.0, 1e300}}));
        NpyWriter.write(dir.resolve("i.npy"), NdArray.of(new int[] {-7, Integer.MAX_VALUE, 0}));
        NpyWriter.write(dir.resolve("b.npy"), NdArray.of(new boolean[] {true, false, true}));
        NpyWriter.write(dir.resolve("u.npy"), NdArray.ofUint8(new byte[] {(byte) 255, 0, 17}));
        Python.run(String.join("\n",
                "import os, sys, numpy as np",
                "d = sys.argv[1]",
                "def check(name, expected):",
                "    a = np.load(os.path.join(d, name))",
                "    if a.dtype != expected.dtype or not np.array_equal(a, expected):",
                "        sys.exit('%s: got %r, expected %r' % (name, a, expected))",
                "check('d.npy', np.array([[1.5, -2.25], [3.0, 1e300]]))",
                "check('i.npy', np.array([-7, 2**31 - 1, 0], dtype=np.int32))",
                "check('b.npy', np.array([True, False, True]))",
                "check('u.npy', np.array([255, 0, 17], dtype=np.uint8))"), dir.toString());
    }

    // ---------------------------------------------------------------- atomicity

    @Test
    void anUncommittedWriterLeavesNothingBehind() throws IOException {
        Path target = dir.resolve("never.npy");
        try (NpyWriter w = NpyWriter.create(target, DType.FLOAT32, new long[] {4})) {
            w.write(ByteBuffer.allocate(8));
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> temps = files.collect(Collectors.toList());
                assertEquals(1, temps.size());
                assertTrue(temps.get(0).getFileName().toString().startsWith("never.npy.tmp-"), temps.toString());
            }
        }
        assertFalse(Files.exists(target));
        assertEquals(List.of(), listDir());
    }

    @Test
    void anUncommittedWriterLeavesTheOldTargetUntouched() throws IOException {
        Path target = dir.resolve("kept.npy");
        NpyWriter.write(target, NdArray.of(new int[] {1, 2, 3}));
        byte[] before = Files.readAllBytes(target);
        try (NpyWriter w = NpyWriter.create(target, DType.INT32, new long[] {3})) {
            w.write(NdArray.of(new int[] {4, 5, 6}).buffer());
            // no commit
        }
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void commitReplacesTheTarget() throws IOException {
        Path target = dir.resolve("replaced.npy");
        NpyWriter.write(target, NdArray.of(new int[] {1, 2, 3}));
        NpyWriter.write(target, NdArray.of(new float[][] {{1, 2}, {3, 4}}));
        try (NpyReader r = NpyReader.open(target)) {
            assertEquals(NdArray.of(new float[][] {{1, 2}, {3, 4}}), r.load());
        }
        assertEquals(List.of(target), listDir());
    }

    // ---------------------------------------------------------------- misuse

    @Test
    void refusesMoreOrLessDataThanTheShapeSays() throws IOException {
        Path target = dir.resolve("counted.npy");
        try (NpyWriter w = NpyWriter.create(target, DType.INT16, new long[] {3})) {
            w.write(ByteBuffer.allocate(4));
            ByteBuffer tooMuch = ByteBuffer.allocate(4);
            assertThrows(InvalidArgumentException.class, () -> w.write(tooMuch));
            assertEquals(0, tooMuch.position(), "a refused write consumes nothing");
            assertEquals(2, w.remainingBytes());

            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, w::commit);
            assertTrue(e.getMessage().contains("4 of 6"), e.getMessage());
            assertFalse(Files.exists(target));

            w.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) -3));
            w.commit();
            StoreStateException again = assertThrows(StoreStateException.class, () -> w.write(ByteBuffer.allocate(0)));
            assertEquals(target, again.store());
            assertThrows(StoreStateException.class, w::commit);
        }
        try (NpyReader r = NpyReader.open(target)) {
            assertArrayEquals(new short[] {0, 0, -3}, r.load().toShortArray());
        }
    }

    @Test
    void refusesUseAfterCloseAndBadShapes() {
        Path target = dir.resolve("closed.npy");
        NpyWriter w = NpyWriter.create(target, DType.INT8, new long[] {1});
        w.close();
        w.close();
        assertThrows(AlreadyClosedException.class, () -> w.write(ByteBuffer.allocate(1)));
        assertThrows(AlreadyClosedException.class, w::commit);
        assertFalse(Files.exists(target));

        assertThrows(InvalidArgumentException.class, () -> NpyWriter.create(target, DType.INT8, new long[] {2, -1}));
        assertThrows(InvalidArgumentException.class,
                () -> NpyWriter.create(target, DType.FLOAT64, new long[] {Long.MAX_VALUE / 2, 3}));
        assertEquals(List.of(), listDir());
    }

    // ---------------------------------------------------------------- helpers

    private List<Path> listDir() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Random elements that are valid values of the type: bools are 0 or 1, floats are never NaN. */
    static NdArray randomArray(DType dtype, long[] shape, Random random) {
        long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        ByteBuffer b = ByteBuffer.allocate((int) n * dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n * (dtype.isComplex() ? 2 : 1); i++) {
            switch (dtype) {
                case BOOL: b.put((byte) random.nextInt(2)); break;
                case FLOAT16: b.putShort(Float16.fromFloat((float) random.nextGaussian() * 100)); break;
                case FLOAT32: case COMPLEX64: b.putFloat((float) random.nextGaussian() * 1e6f); break;
                case FLOAT64: case COMPLEX128: b.putDouble(random.nextGaussian() * 1e12); break;
                default: {
                    byte[] raw = new byte[dtype.itemSize()];
                    random.nextBytes(raw);
                    b.put(raw);
                }
            }
        }
        return NdArray.copyOf(dtype, shape, b.flip());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
