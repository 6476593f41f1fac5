package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpyWriter;
import java.nio.file.Path;
import java.time.Duration;
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
}
