package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch that keeps an array's dtype and shape and changes few of its rows commits only those rows, in
 * place (the data file stays the same file); more changes, or any other change, write a new file. Either way
 * the store holds exactly what the batch held, after a reopen too.
 */
class BatchInPlaceCommitTest {
    @TempDir
    Path dir;

    private static NdArray ramp(int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return NdArray.of(v).reshape(rows, cols);
    }

    /** @return the data files of the store (relative names) with their file keys (inode) */
    private Set<String> dataFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".npkd")).map(p -> {
                try {
                    Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
                    return dir.relativize(p) + "@" + key;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Multiplies the given rows of a float32 buffer by 2. */
    private static void doubleRows(ByteBuffer b, int cols, int... rows) {
        for (int r : rows) {
            for (int j = 0; j < cols; j++) {
                int at = (r * cols + j) * Float.BYTES;
                b.putFloat(at, b.getFloat(at) * 2);
            }
        }
    }

    private static float[] expected(int rows, int cols, int... doubled) {
        float[] v = ramp(rows, cols).toFloatArray();
        for (int r : doubled) {
            for (int j = 0; j < cols; j++) {
                v[r * cols + j] *= 2;
            }
        }
        return v;
    }

    @Test
    void aBatchChangingFewRowsWritesThemInPlace() throws IOException {
        int[] changed = {0, 1, 2, 500, 999};
        try (NumPack np = NumPack.open(dir)) {
            np.save("x", ramp(1000, 4));
            Set<String> before = dataFiles();
            try (LazyArray earlier = np.lazy("x"); BatchMode b = np.batchMode()) {
                doubleRows(b.edit("x"), 4, changed);
                b.close();
                // rows written in place show through a view opened before, as replace's do
                assertEquals(2 * 500 * 4f, earlier.gather(500).toFloatArray()[0]);
            }
            assertEquals(before, dataFiles(), "the same data file, written in place");
            assertArrayEquals(expected(1000, 4, changed), np.load("x").toFloatArray());
        }
        try (NumPack np = NumPack.openReadOnly(dir)) {
            assertArrayEquals(expected(1000, 4, changed), np.load("x").toFloatArray());
        }
    }

    @Test
    void aBatchChangingMoreThanAQuarterWritesANewFile() throws IOException {
        int[] changed = new int[300];
        for (int i = 0; i < changed.length; i++) {
            changed[i] = i * 3;
        }
        try (NumPack np = NumPack.open(dir)) {
            np.save("x", ramp(1000, 4));
            Set<String> before = dataFiles();
            try (LazyArray earlier = np.lazy("x")) {
                np.batchMode(b -> doubleRows(b.edit("x"), 4, changed));
                // a new file: a view opened before keeps the old content
                assertEquals(3f * 4, earlier.gather(3).toFloatArray()[0]);
            }
            assertNotEquals(before, dataFiles());
            assertArrayEquals(expected(1000, 4, changed), np.load("x").toFloatArray());
        }
    }

    @Test
    void aWritableBatchChangingFewRowsWritesThemInPlace() throws IOException {
        try (NumPack np = NumPack.open(dir)) {
            np.save("x", ramp(1000, 4));
            np.save("y", ramp(10, 4));
            Set<String> before = dataFiles();
            try (WritableBatchMode wb = np.writableBatchMode()) {
                doubleRows(wb.open("x").buffer(), 4, 7, 8, 998);
                wb.open("y"); // opened, unchanged: nothing to write
            }
            assertEquals(before, dataFiles());
            assertArrayEquals(expected(1000, 4, 7, 8, 998), np.load("x").toFloatArray());
            assertArrayEquals(expected(10, 4), np.load("y").toFloatArray());
        }
        try (NumPack np = NumPack.openReadOnly(dir)) {
            assertArrayEquals(expected(1000, 4, 7, 8, 998), np.load("x").toFloatArray());
        }
    }

    @Test
    void changedRowsAcrossSegmentsAndChunks() throws IOException {
        // 4000 rows of 16 bytes in segments of 4 KiB: 256 rows per segment file; and rows of 300 KB, so that a
        // comparison block holds one row
        int[] changed = {0, 255, 256, 257, 3999};
        try (NumPack np = NumPack.builder().setPath(dir).optSegmentTargetBytes(4096).build()) {
            np.save("x", ramp(4000, 4));
            np.save("wide", ramp(12, 75_000));
            Set<String> before = dataFiles();
            try (WritableBatchMode wb = np.writableBatchMode()) {
                WritableArray w = wb.open("x");
                for (int r : changed) {
                    ByteBuffer row = ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    w.readRows(r, 1, row);
                    row.flip();
                    doubleRows(row, 4, 0);
                    w.writeRows(r, 1, row);
                }
            }
            np.batchMode(b -> {
                // a save of a changed copy, as a caller without edit() does
                ByteBuffer w = ByteBuffer.allocateDirect(12 * 75_000 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                w.put(b.load("wide").buffer()).clear();
                doubleRows(w, 75_000, 11);
                b.save("wide", NdArray.wrap(DType.FLOAT32, new long[] {12, 75_000}, w));
            });
            assertEquals(before, dataFiles());
            assertArrayEquals(expected(4000, 4, changed), np.load("x").toFloatArray());
            assertArrayEquals(expected(12, 75_000, 11), np.load("wide").toFloatArray());
        }
    }

    @Test
    void otherDtypeShapeOrDeletedRowsWriteANewFile() throws IOException {
        try (NumPack np = NumPack.open(dir)) {
            np.save("x", ramp(100, 4));
            np.save("d", ramp(100, 4));
            np.delete("d", 5);
            Set<String> before = dataFiles();
            np.batchMode(b -> {
                b.save("x", ramp(100, 4).reshape(200, 2));
                doubleRows(b.edit("d"), 4, 0);
            });
            assertNotEquals(before, dataFiles());
            assertArrayEquals(new long[] {200, 2}, np.shape("x"));
            assertEquals(99, np.shape("d")[0]);
            float[] d = np.load("d").toFloatArray();
            assertArrayEquals(new float[] {0, 2, 4, 6, 4, 5, 6, 7}, java.util.Arrays.copyOf(d, 8), "row 0 doubled");
            assertEquals(6 * 4f, d[5 * 4], "the deleted row is gone");
            assertEquals(DType.FLOAT32, np.dtype("x"));
        }
    }

    @Test
    void editChangesTheBatchsOwnCopyInPlace() throws IOException {
        try (NumPack np = NumPack.open(dir)) {
            np.save("x", ramp(100, 4));
            Set<String> before = dataFiles();
            try (BatchMode b = np.batchMode()) {
                NdArray loadedBefore = b.load("x");
                ByteBuffer first = b.edit("x");
                doubleRows(first, 4, 1);
                NdArray loadedAfter = b.load("x");
                doubleRows(b.edit("x"), 4, 1); // the same memory as the first edit: row 1 is now times 4
                assertEquals(4f * 2, loadedAfter.toFloatArray()[4], "a load during an edit is a copy of that moment");
                b.save("y", b.load("x"));
                doubleRows(b.edit("x"), 4, 0);
                b.edit("x").putFloat(0, 9f);
                assertEquals(0f, b.load("y").toFloatArray()[0], "an array saved from a load does not follow the edits");
                assertEquals(4f, loadedBefore.toFloatArray()[4], "a load before the first edit does not change");
                assertEquals(4f, np.load("x").toFloatArray()[4], "nothing reaches the store before the commit");
            }
            assertTrue(dataFiles().containsAll(before), "x written in place (y is new)");
            float[] want = ramp(100, 4).toFloatArray();
            for (int j = 4; j < 8; j++) {
                want[j] *= 4;
            }
            want[0] = 9f;
            for (int j = 1; j < 4; j++) {
                want[j] *= 2;
            }
            assertArrayEquals(want, np.load("x").toFloatArray());
            assertEquals(4f * 4, np.load("y").toFloatArray()[4]);
            assertEquals(0f, np.load("y").toFloatArray()[0]);

            try (BatchMode b = np.batchMode()) {
                doubleRows(b.edit("x"), 4, 0);
                b.save("x", ramp(100, 4)); // a save replaces the edited copy...
                doubleRows(b.edit("x"), 4, 2); // ...and the next edit copies the saved array
            }
            assertArrayEquals(expected(100, 4, 2), np.load("x").toFloatArray());

            try (BatchMode b = np.batchMode()) {
                doubleRows(b.edit("x"), 4, 3);
                b.abort();
            }
            assertArrayEquals(expected(100, 4, 2), np.load("x").toFloatArray());
        }
    }

    @Test
    void theInPlaceBudgetIsPerCommit() throws IOException {
        // two arrays of 2M int64 rows, a quarter of each changed: each fits the 64 MiB budget alone (500k rows x
        // (8 + 64) bytes = 36 MB), not both: the first is written in place, the second to a new file
        int rows = 2_000_000;
        long[] base = new long[rows];
        for (int i = 0; i < rows; i++) {
            base[i] = i;
        }
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", NdArray.of(base));
            np.save("b", NdArray.of(base));
            Set<String> before = dataFiles();
            np.batchMode(b -> {
                for (String n : new String[] {"a", "b"}) {
                    ByteBuffer w = b.edit(n);
                    for (int i = 0; i < rows / 4; i++) {
                        w.putLong(i * 8, -i);
                    }
                }
            });
            Set<String> after = dataFiles();
            assertEquals(1, after.stream().filter(before::contains).count(), "one array in place, one new file: "
                    + before + " -> " + after);
            for (String n : new String[] {"a", "b"}) {
                long[] got = np.load(n).toLongArray();
                for (int i = 0; i < rows; i++) {
                    if (got[i] != (i < rows / 4 ? -i : i)) {
                        assertEquals(i < rows / 4 ? -i : i, got[i], n + " row " + i);
                    }
                }
            }
        }
    }
}
