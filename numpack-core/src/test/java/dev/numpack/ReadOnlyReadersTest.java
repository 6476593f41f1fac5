package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.numpack.internal.store.SnapshotReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-only stores keep up to {@link SnapshotReader#MAX_READERS} large data files open for positional reads, and
 * close them on {@code refresh} and {@code close}; views read the right snapshot throughout.
 */
class ReadOnlyReadersTest {
    @TempDir
    Path dir;

    private static final int ROWS = 1 << 16; // 1 MiB of float32 x 4: at the READER_MIN_BYTES threshold

    private static float[][] values(float base) {
        float[][] v = new float[ROWS][4];
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < 4; c++) {
                v[r][c] = base + r * 4 + c;
            }
        }
        return v;
    }

    /** @return descriptors of this process open on files under {@code store} */
    private static long openFilesUnder(Path store) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count open descriptors");
        String prefix = store.toRealPath() + "/";
        try (Stream<Path> s = Files.list(fds)) {
            return s.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith(prefix);
                } catch (IOException e) {
                    return false; // closed while listing
                }
            }).count();
        }
    }

    @Test
    void keepsAtMostMaxReadersFilesOpenAndClosesThemOnClose() throws IOException {
        Path store = dir.resolve("s");
        int arrays = SnapshotReader.MAX_READERS + 6;
        try (NumPack np = NumPack.open(store)) {
            np.batchMode(b -> {
                for (int i = 0; i < arrays; i++) {
                    b.save("a" + i, NdArray.of(values(i)));
                }
                b.save("small", NdArray.of(new float[] {1, 2, 3})); // under 1 MiB: never kept open
            });
        }
        assertEquals(0, openFilesUnder(store), "the writer closed everything");
        try (NumPack np = NumPack.openReadOnly(store)) {
            assertEquals(SnapshotReader.MAX_READERS, openFilesUnder(store), "one per large file, up to the bound");
            for (int i = 0; i < arrays; i++) { // with and without a kept channel: the same bytes
                assertArrayEquals(NdArray.of(values(i)).toFloatArray(), np.load("a" + i).toFloatArray(), "a" + i);
            }
        }
        assertEquals(0, openFilesUnder(store), "close releases every descriptor");
    }

    @Test
    void refreshClosesTheOldSnapshotsFilesAndItsViewsStillReadIt() throws IOException {
        Path store = dir.resolve("r");
        try (NumPack w = NumPack.open(store)) {
            w.save("x", NdArray.of(values(0)));
            try (NumPack ro = NumPack.openReadOnly(store); LazyArray old = ro.lazy("x")) {
                assertEquals(1, openFilesUnder(store) - 1, "the reader's channel (besides the writer's lock)");
                w.save("x", NdArray.of(values(1000))); // a new file renamed over the old one
                ro.refresh();
                assertEquals(1, openFilesUnder(store) - 1, "the old snapshot's channel closed, the new one's open");
                ByteBuffer b = ByteBuffer.allocateDirect(ROWS * 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                old.readRows(0, ROWS, b); // through the old mapping: the content it was opened on
                float[] got = new float[ROWS * 4];
                b.flip().asFloatBuffer().get(got);
                assertArrayEquals(NdArray.of(values(0)).toFloatArray(), got);
                assertArrayEquals(NdArray.of(values(1000)).toFloatArray(), ro.load("x").toFloatArray());
            }
        }
    }
}
