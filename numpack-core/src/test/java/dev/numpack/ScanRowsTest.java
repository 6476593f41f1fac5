package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LazyArray#scanRows}: the same bytes as {@link LazyArray#readRows}, in read-only pieces of whole rows,
 * whether they come as views of the mapping (plain arrays) or through the reused buffer (deleted rows,
 * segment boundaries).
 */
class ScanRowsTest {
    @TempDir
    Path dir;

    private static float[][] values(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[][] v = new float[rows][cols];
        for (float[] row : v) {
            for (int c = 0; c < cols; c++) {
                row[c] = r.nextFloat();
            }
        }
        return v;
    }

    /** Scans and checks each piece: read-only, little-endian, whole rows, at most 1.5 MiB or one row. */
    private static byte[] scanned(LazyArray a, long start, long count, List<Integer> sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        a.scanRows(start, count, b -> {
            assertTrue(b.isReadOnly(), "a piece is read-only");
            assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
            assertEquals(0, b.remaining() % a.rowBytes(), "whole rows");
            assertTrue(b.remaining() <= Math.max(a.rowBytes(), LazyArray.SCAN_BYTES * 3 / 2), "bounded pieces");
            sizes.add(b.remaining());
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.write(bytes, 0, bytes.length);
        });
        return out.toByteArray();
    }

    private static byte[] read(LazyArray a, long start, long count) {
        ByteBuffer b = ByteBuffer.allocateDirect((int) (count * a.rowBytes()));
        a.readRows(start, count, b);
        byte[] out = new byte[b.flip().remaining()];
        b.get(out);
        return out;
    }

    private static void assertScansLikeReads(LazyArray a) {
        long n = a.rows();
        long[][] ranges = {{0, n}, {1, n - 1}, {n / 3, n / 2}, {n - 1, 1}, {0, 0}, {n, 0}};
        for (long[] r : ranges) {
            List<Integer> sizes = new ArrayList<>();
            assertArrayEquals(read(a, r[0], r[1]), scanned(a, r[0], r[1], sizes),
                    a.name() + " rows [" + r[0] + ", +" + r[1] + ")");
            if (r[1] * a.rowBytes() > 2 * LazyArray.SCAN_BYTES) {
                assertTrue(sizes.size() > 1, "a large range comes in several pieces: " + sizes);
            }
        }
    }

    @Test
    void scansGiveTheRowsReadRowsGives() {
        try (NumPack np = NumPack.builder().setPath(dir.resolve("s")).optSegmentTargetBytes(1 << 20).build()) {
            np.save("plain", NdArray.of(values(100_000, 7, 1))); // 2.8 MB: several pieces, one file
            np.save("deleted", NdArray.of(values(90_000, 5, 2)));
            np.delete("deleted", 0, 17, 44_999, 89_999); // logical rows skip these: read through the buffer
            np.save("wide", NdArray.of(values(3, 300_000, 3))); // 1.2 MB rows: one row per piece
            np.save("tiny", NdArray.of(new float[] {1, 2, 3}));
        }
        // segmented (1 MiB target): pieces that straddle segments are read through the buffer
        try (NumPack w = NumPack.builder().setPath(dir.resolve("seg")).optSegmentTargetBytes(1 << 20).build()) {
            w.save("segmented", NdArray.of(values(200_000, 3, 4)));
        }
        for (String store : List.of("s", "seg")) {
            try (NumPack ro = NumPack.openReadOnly(dir.resolve(store))) {
                for (String name : ro.names()) {
                    try (LazyArray a = ro.lazy(name)) {
                        assertScansLikeReads(a);
                    }
                }
            }
        }
        try (NumPack rw = NumPack.open(dir.resolve("s")); LazyArray a = rw.lazy("plain")) {
            assertScansLikeReads(a); // a writable store's views scan the same way
        }
    }

    @Test
    void badRangesAndClosedViewsAreRefused() {
        try (NumPack np = NumPack.open(dir.resolve("b"))) {
            np.save("x", NdArray.of(values(10, 2, 5)));
            LazyArray a = np.lazy("x");
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> a.scanRows(5, 6, b -> { }));
            assertTrue(e.getMessage().contains("out of range"), e.getMessage());
            assertThrows(InvalidArgumentException.class, () -> a.scanRows(-1, 1, b -> { }));
            a.close();
            assertThrows(AlreadyClosedException.class, () -> a.scanRows(0, 1, b -> { }));
        }
    }
}
