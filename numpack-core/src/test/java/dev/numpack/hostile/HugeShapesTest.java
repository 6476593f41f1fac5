package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpyWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arrays whose shapes are near the limits of a {@code long} but hold no bytes (a zero dimension), as a
 * mutation fuzzer made them: reading, exporting and writing them must end within the time limit, and what
 * cannot be done (a row count past {@link Long#MAX_VALUE}) must be refused with a typed exception naming the
 * store and the array, before anything is written.
 */
class HugeShapesTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final long MAX = Long.MAX_VALUE;

    @TempDir
    Path base;

    @TempDir
    Path files;

    HostileFixture f;

    @BeforeEach
    void build() {
        f = new HostileFixture(base).buildStandard();
    }

    private void save(String name, NdArray a) {
        try (NumPack np = f.openWritable()) {
            np.save(name, a);
        }
    }

    /** Runs {@code work} on the writable store and expects it refused, typed, the store unchanged and usable. */
    private void expectRefused(String array, String what, java.util.function.Consumer<NumPack> work) {
        Map<String, byte[]> before = f.storeTree();
        Map<String, NdArray> contents = f.contents();
        Throwable t = HostileFixture.outcome(LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                work.accept(np);
            }
        });
        f.assertTyped(t, InvalidArgumentException.class, array, what);
        f.assertStoreUnchanged(before, what);
        assertEquals(contents.keySet(), f.contents().keySet(), what + ": the store no longer opens as it was");
        f.assertOutsideUntouched();
    }

    @Test
    void exportOfZeroByteRowsEndsAndRoundTrips() {
        for (DType t : new DType[] {DType.BOOL, DType.UINT8}) {
            String name = "z" + t.numpyName();
            save(name, NdArray.zeros(t, MAX, 0));
            Path out = files.resolve(name + ".npy");
            Throwable e = HostileFixture.outcome(LIMIT, () -> {
                try (NumPack np = f.openWritable()) {
                    np.exportNpy(name, out);
                }
            });
            assertNull(e, () -> "export of " + name + " failed: " + HostileFixture.stack(e));
            try (NpyReader r = NpyReader.open(out)) {
                assertArrayEquals(new long[] {MAX, 0}, r.shape());
                assertEquals(t, r.dtype());
            }
        }
    }

    @Test
    void readRowsOfZeroByteRowsEnds() {
        save("z", NdArray.zeros(DType.UINT8, MAX, 0));
        Throwable e = HostileFixture.outcome(LIMIT, () -> {
            try (NumPack np = f.openReadOnly(); LazyArray a = np.lazy("z")) {
                a.readRows(0, MAX, java.nio.ByteBuffer.allocate(0));
                assertArrayEquals(new long[] {MAX - 1, 0}, a.readRows(1, MAX - 1).shape());
            }
        });
        assertNull(e, () -> HostileFixture.stack(e));
    }

    @Test
    void appendPastTheLargestRowCountIsRefusedBeforeWriting() throws Exception {
        save("big", NdArray.zeros(DType.UINT8, MAX, 0));
        NdArray one = NdArray.zeros(DType.UINT8, 1, 0);
        Path npy = files.resolve("one.npy");
        try (NpyWriter w = NpyWriter.create(npy, DType.UINT8, new long[] {1, 0})) {
            w.commit();
        }
        expectRefused("big", "append", np -> np.append("big", one));
        expectRefused("big", "append of a map", np -> np.append(Map.of("big", one)));
        expectRefused("big", "appendNpy", np -> np.appendNpy("big", npy));
        expectRefused("big", "BatchMode.append", np -> np.batchMode(b -> b.append("big", one)));
    }

    /**
     * As in NumPy, the non-zero dimensions' bytes must fit a {@code long} even in an empty array: else a
     * row's bytes overflow (the fuzzer's (2^63-1, 0, 7) float32, [0, 2^30, 2^62] float32 and
     * [10^12, 2^62, 0] float64). Saving one is refused, typed, and so is metadata that holds one.
     */
    @Test
    void emptyShapesWhoseOtherDimensionsOverflowAreRefused() {
        long[][] shapes = {{MAX, 0, 7}, {0, 1L << 30, 1L << 62}, {1_000_000_000_000L, 1L << 62, 0}};
        for (long[] shape : shapes) {
            NdArray empty = NdArray.zeros(DType.FLOAT32, shape);
            expectRefused("e", "save of " + java.util.Arrays.toString(shape), np -> np.save("e", empty));
            expectRefused("e", "BatchMode.save of " + java.util.Arrays.toString(shape),
                    np -> np.batchMode(b -> b.save("e", empty)));
            expectRefused("a", "append to a of " + java.util.Arrays.toString(shape), np -> np.append("a", empty));
        }
        List<HostileFixture.RawRecord> recs = f.rawRecords();
        recs.add(HostileFixture.RawRecord.plain("e", DType.FLOAT32, new long[] {0, 1L << 30, 1L << 62},
                "data_e.npkd"));
        f.writeMetadata(recs);
        f.expectOpenFailsBoth(CorruptStoreException.class, null, "'e'", "overflows");
    }

    @Test
    void zeroByteRowsWithLargeRowShapesAppendAndReplace() {
        long[] shape = {1L << 20, 1L << 39, 0};
        save("w", NdArray.zeros(DType.UINT8, shape));
        NdArray two = NdArray.zeros(DType.UINT8, 2, 1L << 39, 0);
        Throwable t = HostileFixture.outcome(LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                np.append("w", two);
                np.replace("w", two, 0, 5);
                assertArrayEquals(new long[] {shape[0] + 2, 1L << 39, 0}, np.shape("w"));
                assertArrayEquals(new long[] {2, 1L << 39, 0}, np.gather("w", 1, -1).shape());
            }
        });
        assertNull(t, () -> HostileFixture.stack(t));
    }
}
