package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NumPackTest {
    @TempDir
    Path dir;

    private static NdArray rows(int n, int cols, float base) {
        float[][] r = new float[n][cols];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < cols; j++) {
                r[i][j] = base + i * cols + j;
            }
        }
        return NdArray.of(r);
    }

    @Test
    void saveLoadReopen() {
        NdArray a = rows(5, 3, 0);
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", a);
            assertEquals(a, np.load("a"));
            assertEquals(Set.of("a"), np.names());
        }
        try (NumPack np = NumPack.openReadOnly(dir)) {
            assertEquals(a, np.load("a"));
            assertArrayEquals(new long[] {5, 3}, np.shape("a"));
            assertEquals(DType.FLOAT32, np.dtype("a"));
            assertThrows(ReadOnlyStoreException.class, () -> np.save("b", a));
        }
    }

    @Test
    void rowIndexAppliesTheApiRuleToLiveRowsAndNamesStoreAndArrayWhenOutOfRange() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(5, 2, 0));
            np.delete("a", 0);
            assertEquals(0, np.rowIndex("a", 0));
            assertEquals(3, np.rowIndex("a", -1), "negative from the end of the 4 live rows");
            assertEquals(0, np.rowIndex("a", -4));
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> np.rowIndex("a", 4));
            assertEquals("a", e.array());
            assertEquals(dir.toAbsolutePath().normalize(), e.store());
            assertTrue(e.getMessage().contains("row 4 out of range for 4 rows"), e.getMessage());
            assertThrows(InvalidArgumentException.class, () -> np.rowIndex("a", -5));
            assertThrows(ArrayNotFoundException.class, () -> np.rowIndex("b", 0));
        }
    }

    @Test
    void appendReplaceDeleteCompact() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(4, 2, 0));
            np.append("a", rows(2, 2, 100));
            assertArrayEquals(new long[] {6, 2}, np.shape("a"));
            np.replace("a", rows(1, 2, -10), 1);
            np.delete("a", 0, -1);
            assertArrayEquals(new long[] {4, 2}, np.shape("a"));
            assertEquals(2, np.info("a").deletedRows());
            float[] expect = {-10, -9, 4, 5, 6, 7, 100, 101};
            assertArrayEquals(expect, np.load("a").toFloatArray());
            assertArrayEquals(new float[] {100, 101, -10, -9}, np.gather("a", -1, 0).toFloatArray());
            np.compact("a");
            assertEquals(0, np.info("a").deletedRows());
            assertArrayEquals(expect, np.load("a").toFloatArray());
            assertFalse(Files.exists(dir.resolve("deleted_a.npkb")));
        }
    }

    @Test
    void lazyViewSurvivesSaveAndCompaction() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(100, 4, 0));
            try (LazyArray v = np.lazy("a")) {
                np.save("a", rows(3, 1, 7));
                assertArrayEquals(new float[] {4, 5, 6, 7}, v.gather(1).toFloatArray());
                ByteBuffer dst = ByteBuffer.allocate(32);
                v.gather(new long[] {99, 0}, dst);
                assertEquals(396f, dst.order(ByteOrder.LITTLE_ENDIAN).getFloat(0));
            }
            assertArrayEquals(new long[] {3, 1}, np.shape("a"));
        }
    }

    @Test
    void gatherIntoSlotsPlacesEachRowAndSkipsDeletedRows() {
        for (long target : new long[] {NumPack.DEFAULT_SEGMENT_TARGET_BYTES, 64}) {
            Path store = dir.resolve("slots-" + target);
            try (NumPack np = NumPack.builder().setPath(store).optSegmentTargetBytes(target).build()) {
                np.save("a", rows(10, 4, 0)); // 16 bytes per row; 4 rows per segment when target is 64
                np.delete("a", 2);
                try (LazyArray v = np.lazy("a")) {
                    ByteBuffer dst = ByteBuffer.allocate(3 * 16 + 8).position(8);
                    // logical 2 is physical 3 (row 2 deleted); -1 is physical 9; slots put them in reverse
                    v.gather(new long[] {0, 2, -1}, new int[] {2, 1, 0}, dst);
                    assertEquals(8, dst.position(), "position unchanged");
                    FloatBuffer f = dst.order(ByteOrder.LITTLE_ENDIAN).position(8).slice()
                            .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                    assertEquals(36f, f.get(0), target + ": slot 0 holds physical row 9");
                    assertEquals(12f, f.get(4), target + ": slot 1 holds physical row 3");
                    assertEquals(0f, f.get(8), target + ": slot 2 holds physical row 0");
                    assertThrows(InvalidArgumentException.class,
                            () -> v.gather(new long[] {0}, new int[] {3}, dst.clear().position(8)));
                    assertThrows(InvalidArgumentException.class,
                            () -> v.gather(new long[] {9}, new int[] {0}, dst.clear()));
                    assertThrows(InvalidArgumentException.class,
                            () -> v.gather(new long[] {0, 1}, new int[] {0}, dst.clear()));
                }
            }
        }
    }

    @Test
    void wrapViewsTheCallersMemoryAndSavesIt() {
        ByteBuffer mem = ByteBuffer.allocateDirect(16).order(ByteOrder.BIG_ENDIAN);
        mem.order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 1).putFloat(4, 2).putFloat(8, 3).putFloat(12, 4);
        NdArray a = NdArray.wrap(DType.FLOAT32, new long[] {2, 2}, mem);
        assertArrayEquals(new float[] {1, 2, 3, 4}, a.toFloatArray());
        mem.order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 9);
        assertEquals(9f, a.toFloatArray()[0], "a view, not a copy");
        try (NumPack np = NumPack.open(dir)) {
            np.save("w", a);
            assertArrayEquals(new float[] {9, 2, 3, 4}, np.load("w").toFloatArray());
        }
        assertThrows(InvalidArgumentException.class, () -> NdArray.wrap(DType.FLOAT32, new long[] {2, 2},
                ByteBuffer.allocate(16)));
        assertThrows(InvalidArgumentException.class, () -> NdArray.wrap(DType.FLOAT32, new long[] {3},
                ByteBuffer.allocateDirect(16)));
    }

    @Test
    void segmentedArraysAcrossSegments() {
        try (NumPack np = NumPack.builder().setPath(dir).optSegmentTargetBytes(64).build()) {
            np.save("s", rows(10, 4, 0)); // 16 bytes per row, 4 rows per segment
            assertTrue(np.info("s").segmented());
            assertEquals(3, np.info("s").dataFiles());
            np.append("s", rows(7, 4, 1000));
            assertEquals(5, np.info("s").dataFiles());
            NdArray all = np.load("s");
            assertEquals(17, all.rows());
            assertArrayEquals(new float[] {1000, 1001, 1002, 1003}, np.gather("s", 10).toFloatArray());
            np.replace("s", rows(2, 4, -100), 3, 4);
            assertArrayEquals(new float[] {-96, -95, -94, -93}, np.gather("s", 4).toFloatArray());
            np.delete("s", 0);
            np.compact("s");
            assertEquals(16, np.shape("s")[0]);
            np.save("s", rows(2, 4, 0)); // back to a plain file
            assertFalse(np.info("s").segmented());
            assertFalse(Files.exists(dir.resolve("data_s_segments")));
        }
    }

    @Test
    void batchCommitsAllOrNothing() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(2, 2, 0));
            try (BatchMode b = np.batchMode()) {
                b.save("b", rows(1, 1, 5));
                b.append("a", rows(1, 2, 9));
                assertThrows(NumPackException.class, () -> np.save("c", rows(1, 1, 0)));
                assertFalse(np.contains("b"));
            }
            assertEquals(3, np.shape("a")[0]);
            assertTrue(np.contains("b"));
            assertThrows(IllegalStateException.class, () -> np.batchMode(b -> {
                b.save("z", rows(1, 1, 0));
                throw new IllegalStateException("boom");
            }));
            assertFalse(np.contains("z"));
        }
    }

    @Test
    void writableBatchIsZeroCopyAndAtomic() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(3, 2, 0));
            try (WritableBatchMode wb = np.writableBatchMode()) {
                FloatBuffer f = wb.open("a").buffer().asFloatBuffer();
                for (int i = 0; i < f.limit(); i++) {
                    f.put(i, f.get(i) * 2);
                }
                assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, np.load("a").toFloatArray());
            }
            assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10}, np.load("a").toFloatArray());
            try (WritableBatchMode wb = np.writableBatchMode()) {
                wb.open("a").buffer().putFloat(0, 99);
                wb.abort();
            }
            assertEquals(0f, np.load("a").toFloatArray()[0]);
        }
    }

    @Test
    void hostileNamesAndBadInput() {
        try (NumPack np = NumPack.open(dir)) {
            for (String bad : new String[] {"../x", "a/b", "..", "", "a\u0000b", "x\\y"}) {
                assertThrows(InvalidArgumentException.class, () -> np.save(bad, rows(1, 1, 0)), bad);
            }
            np.save("a", rows(2, 2, 0));
            assertThrows(InvalidArgumentException.class, () -> np.append("a", rows(1, 3, 0)));
            assertThrows(InvalidArgumentException.class, () -> np.append("a", NdArray.of(new double[][] {{1, 2}})));
            assertThrows(InvalidArgumentException.class, () -> np.gather("a", 2));
            assertThrows(InvalidArgumentException.class, () -> np.replace("a", rows(1, 2, 0), -3));
            assertThrows(ArrayNotFoundException.class, () -> np.load("nope"));
            assertEquals(rows(2, 2, 0), np.load("a"));
        }
        assertFalse(Files.exists(dir.getParent().resolve("x")));
    }

    @Test
    void secondWriterIsRefused() {
        try (NumPack np = NumPack.open(dir)) {
            assertThrows(StoreLockedException.class, () -> NumPack.open(dir));
            try (NumPack ro = NumPack.openReadOnly(dir)) {
                assertTrue(ro.names().isEmpty());
            }
        }
        NumPack.open(dir).close();
    }

    @Test
    void allDtypesAndRanks() {
        try (NumPack np = NumPack.open(dir)) {
            for (DType t : DType.values()) {
                long[] shape = {3, 2, 2};
                ByteBuffer b = ByteBuffer.allocate((int) (12L * t.itemSize()));
                for (int i = 0; i < b.capacity(); i++) {
                    b.put(i, (byte) (t == DType.BOOL ? i % 2 : i * 7 + t.code()));
                }
                NdArray a = NdArray.copyOf(t, shape, b);
                np.save(t.numpyName(), a);
                np.save(t.numpyName() + "_0d", NdArray.copyOf(t, new long[0], b.slice(0, t.itemSize())));
            }
        }
        try (NumPack np = NumPack.openReadOnly(dir)) {
            for (DType t : DType.values()) {
                assertEquals(t, np.dtype(t.numpyName()));
                assertEquals(12L * t.itemSize(), np.load(t.numpyName()).byteSize());
                assertArrayEquals(new long[0], np.shape(t.numpyName() + "_0d"));
                assertEquals(t.itemSize(), np.load(t.numpyName() + "_0d").byteSize());
            }
        }
    }

    @Test
    void streamChunksAndClone() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(10, 2, 0));
            np.delete("a", 3);
            int total = 0;
            try (RowStream s = np.stream("a", 4)) {
                for (NdArray chunk : s) {
                    assertTrue(chunk.rows() <= 4);
                    total += chunk.rows();
                }
            }
            assertEquals(9, total);
            np.cloneArray("a", "b");
            assertEquals(np.load("a"), np.load("b"));
            np.drop("a");
            assertFalse(np.contains("a"));
            np.reset();
            assertTrue(np.names().isEmpty());
            assertEquals(Map.of(), Map.of());
        }
    }

    @Test
    void readOnlyStoreFollowsCommitsAndKeepsOldViews() {
        try (NumPack w = NumPack.open(dir)) {
            w.save("a", rows(2, 2, 0));
            try (NumPack r = NumPack.openReadOnly(dir)) {
                LazyArray old = r.lazy("a");
                w.save("a", rows(5, 3, 100));
                w.save("b", rows(1, 1, 0));
                assertArrayEquals(new long[] {2, 2}, r.shape("a")); // a snapshot until refreshed
                assertTrue(r.refresh());
                assertArrayEquals(new long[] {5, 3}, r.shape("a"));
                assertEquals(Set.of("a", "b"), r.names());
                assertArrayEquals(new float[] {0, 1, 2, 3}, old.load().toFloatArray());
            }
        }
    }

    @Test
    void lockTimeoutWaitsForTheOtherWriter() throws Exception {
        NumPack first = NumPack.open(dir);
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            first.close();
        });
        closer.start();
        try (NumPack second = NumPack.builder().setPath(dir).optLockTimeout(java.time.Duration.ofSeconds(20)).build()) {
            assertFalse(second.isReadOnly());
        }
        closer.join();
        StoreLockedException e;
        try (NumPack again = NumPack.open(dir)) {
            e = assertThrows(StoreLockedException.class, () -> NumPack.builder().setPath(dir)
                    .optLockTimeout(java.time.Duration.ofMillis(100)).build());
        }
        assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void closedStoreAndViewsRefuseWork() {
        NumPack np = NumPack.open(dir);
        np.save("a", rows(2, 2, 0));
        LazyArray v = np.lazy("a");
        np.close();
        assertThrows(AlreadyClosedException.class, () -> np.load("a"));
        assertThrows(AlreadyClosedException.class, () -> v.gather(0));
        assertThrows(AlreadyClosedException.class, () -> np.save("b", rows(1, 1, 0)));
    }

    @Test
    void dropIfExistsStartsEmptyAndNpyRoundTrip() {
        Path npy = dir.resolveSibling(dir.getFileName() + "-x.npy");
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(3, 2, 0));
            np.delete("a", 1);
            np.exportNpy("a", npy);
        }
        try (NumPack np = NumPack.builder().setPath(dir).optDropIfExists(true).build()) {
            assertTrue(np.names().isEmpty());
            long[] seen = new long[1];
            np.importNpy("b", npy, (done, total) -> seen[0] = done);
            assertEquals(2, seen[0]);
            assertArrayEquals(new float[] {0, 1, 4, 5}, np.load("b").toFloatArray());
            np.appendNpy("b", npy);
            assertEquals(4, np.shape("b")[0]);
            assertThrows(NumPackException.class, () -> np.appendNpy("b", npy.resolveSibling("missing.npy")));
            np.save("c", NdArray.of(new int[] {1}));
            assertThrows(InvalidArgumentException.class, () -> np.appendNpy("c", npy));
            assertEquals(4, np.shape("b")[0]);
        }
    }

    @Test
    void optionsCreateAndNoFsyncAndCompactAll() throws Exception {
        Path missing = dir.resolve("missing");
        assertThrows(NumPackException.class, () -> NumPack.builder().setPath(missing).optCreate(false).build());
        assertFalse(Files.exists(missing));
        assertThrows(NumPackException.class, () -> NumPack.openReadOnly(missing));
        assertThrows(InvalidArgumentException.class, () -> NumPack.builder().build());
        try (NumPack np = NumPack.builder().setPath(dir).optDurability(Durability.NO_FSYNC).build()) {
            np.save(Map.of("a", rows(5, 2, 0), "b", rows(3, 1, 0)));
            np.delete("a", 0);
            np.delete("b", -1);
            np.compactAll();
            assertEquals(0, np.info("a").deletedRows());
            assertEquals(0, np.info("b").deletedRows());
        }
        assertFalse(Files.exists(dir.resolve("numpack.journal")), "a clean close removes the cleared journal");
        try (NumPack np = NumPack.openReadOnly(dir)) {
            assertArrayEquals(new long[] {4, 2}, np.shape("a"));
            assertArrayEquals(new float[] {0, 1}, np.load("b").toFloatArray());
        }
    }

    @Test
    void oneDamagedArrayLeavesTheOthersReadable() throws Exception {
        try (NumPack np = NumPack.open(dir)) {
            np.save("good", rows(2, 2, 0));
            np.save("bad", rows(4, 2, 0));
        }
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("data_bad.npkd"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(8);
        }
        try (NumPack np = NumPack.open(dir)) {
            assertEquals(Set.of("good", "bad"), np.names());
            assertEquals(rows(2, 2, 0), np.load("good"));
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> np.load("bad"));
            assertTrue(e.getMessage().contains("'bad'") && e.getMessage().contains(dir.toString()), e.getMessage());
            ArrayInfo bad = np.infos().stream().filter(i -> i.name().equals("bad")).findFirst().orElseThrow();
            assertTrue(bad.problem() != null && bad.problem().contains("data_bad.npkd"), bad.problem());
            assertThrows(CorruptStoreException.class, np::verify);
            assertThrows(CorruptStoreException.class, () -> np.append("bad", rows(1, 2, 0)));
            np.save("bad", rows(1, 2, 9)); // saving over a damaged array replaces it
            assertEquals(rows(1, 2, 9), np.load("bad"));
            np.verify();
        }
    }
}
