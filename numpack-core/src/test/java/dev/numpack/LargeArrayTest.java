package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arrays past 2 GiB: a plain data file read through 1 GiB mapped chunks, and the same data split into
 * 256 MiB segments as NumPack 0.7 does. Each row starts with its own index so any mis-addressed read shows.
 */
class LargeArrayTest {
    private static final int COLS = 1024; // 4 KiB rows
    private static final int CHUNK_ROWS = 16384; // 64 MiB per append
    private static final long ROWS = 36L * CHUNK_ROWS; // 2.25 GiB

    @TempDir
    Path dir;

    private static NdArray chunk(long firstRow) {
        ByteBuffer b = ByteBuffer.allocateDirect(CHUNK_ROWS * COLS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < CHUNK_ROWS; r++) {
            b.putFloat(r * COLS * 4, firstRow + r);
            b.putFloat((r * COLS + COLS - 1) * 4, -(firstRow + r));
        }
        return NdArray.copyOf(DType.FLOAT32, new long[] {CHUNK_ROWS, COLS}, b);
    }

    private static void checkRows(LazyArray a, long... rows) {
        ByteBuffer dst = ByteBuffer.allocate(rows.length * COLS * 4).order(ByteOrder.LITTLE_ENDIAN);
        a.gather(rows, dst);
        for (int i = 0; i < rows.length; i++) {
            assertEquals((float) rows[i], dst.getFloat(i * COLS * 4), "first element of row " + rows[i]);
            assertEquals((float) -rows[i], dst.getFloat((i * COLS + COLS - 1) * 4), "last element of row " + rows[i]);
        }
    }

    @Test
    void plainAndSegmentedArraysPast2GiB() {
        long gib = 1L << 30;
        long[] probes = {0, gib / 4096 - 1, gib / 4096, 2 * gib / 4096 - 1, 2 * gib / 4096, ROWS - 1};
        try (NumPack np = NumPack.builder().setPath(dir).optDurability(Durability.NO_FSYNC)
                .optSegmentTargetBytes(1L << 40).build()) {
            np.save("big", chunk(0));
            for (long r = CHUNK_ROWS; r < ROWS; r += CHUNK_ROWS) {
                np.append("big", chunk(r));
            }
            assertEquals(ROWS * COLS * 4, np.info("big").byteSize());
            assertFalse(np.info("big").segmented());
            try (LazyArray a = np.lazy("big")) {
                checkRows(a, probes);
                assertEquals(a.gather(ROWS - 1), a.gather(-1));
                assertEquals(a.gather(0), a.gather(-ROWS));
            }
            InvalidArgumentException tooBig = assertThrows(InvalidArgumentException.class, () -> np.load("big"));
            assertTrue(tooBig.getMessage().contains("2 GiB"), tooBig.getMessage());
        }
        try (NumPack np = NumPack.builder().setPath(dir).optDurability(Durability.NO_FSYNC).build()) {
            np.cloneArray("big", "seg"); // written with upstream's 256 MiB segment target
            assertTrue(np.info("seg").segmented());
            assertEquals(9, np.info("seg").dataFiles());
            np.drop("big");
            np.delete("seg", 0);
            try (LazyArray a = np.lazy("seg")) {
                assertEquals(ROWS - 1, a.rows());
                ByteBuffer dst = ByteBuffer.allocate(COLS * 4).order(ByteOrder.LITTLE_ENDIAN);
                a.gather(new long[] {2 * gib / 4096 - 1}, dst); // logical index: physical row shifted by one
                assertEquals((float) (2 * gib / 4096), dst.getFloat(0));
            }
        }
        try (NumPack np = NumPack.openReadOnly(dir)) {
            np.verify();
            try (RowStream s = np.stream("seg", CHUNK_ROWS * 4)) {
                long expected = 1;
                for (NdArray c : s) {
                    ByteBuffer b = c.buffer();
                    for (int r = 0; r < c.rows(); r += 4099) {
                        assertEquals((float) (expected + r), b.getFloat(r * COLS * 4));
                    }
                    expected += c.rows();
                }
                assertEquals(ROWS, expected);
            }
        }
    }
}
