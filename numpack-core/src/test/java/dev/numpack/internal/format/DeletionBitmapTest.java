package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The deletion bitmap: construction, logical-to-physical mapping, both file layouts, rejections. */
class DeletionBitmapTest {

    /** Brute force: the physical rows that are live, in order. */
    static List<Long> liveList(DeletionBitmap bm) {
        List<Long> live = new ArrayList<>();
        for (long r = 0; r < bm.totalRows(); r++) {
            if (bm.isLive(r)) {
                live.add(r);
            }
        }
        return live;
    }

    static void assertMappingMatchesScan(DeletionBitmap bm) {
        List<Long> live = liveList(bm);
        assertEquals(live.size(), bm.liveRows());
        assertEquals(bm.totalRows() - live.size(), bm.deletedRows());
        for (int i = 0; i < live.size(); i++) {
            assertEquals((long) live.get(i), bm.physicalRow(i), "logical " + i);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> bm.physicalRow(live.size()));
        assertThrows(IndexOutOfBoundsException.class, () -> bm.physicalRow(-1));
    }

    static ByteBuffer legacy(ByteBuffer headered) {
        ByteBuffer b = headered.duplicate();
        b.position(16);
        return b.slice();
    }

    @Test
    void allLiveForRowCountsAroundWordBoundaries() {
        for (long n : new long[] {0, 1, 2, 63, 64, 65, 127, 128, 129, 1000}) {
            DeletionBitmap bm = DeletionBitmap.allLive(n);
            assertEquals(n, bm.totalRows());
            assertEquals(n, bm.liveRows());
            assertEquals(0, bm.deletedRows());
            for (long r = 0; r < n; r++) {
                assertTrue(bm.isLive(r));
            }
            assertMappingMatchesScan(bm);
            ByteBuffer enc = bm.encode().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(16 + 8 * ((n + 63) / 64), enc.remaining());
            assertEquals(n, enc.getLong(0));
            assertEquals(0, enc.getLong(8));
            if (n % 64 != 0) {
                long last = enc.getLong(enc.limit() - 8);
                assertEquals((1L << (n % 64)) - 1, last, "tail bits clear for " + n);
            }
            assertEquals(bm, DeletionBitmap.decode(enc, n));
            assertEquals(bm, DeletionBitmap.decode(legacy(enc), n));
        }
    }

    @Test
    void withDeletedIsImmutableAndIdempotent() {
        DeletionBitmap a = DeletionBitmap.allLive(130);
        DeletionBitmap b = a.withDeleted(new long[] {0, 63, 64, 129, 63});
        assertEquals(130, a.liveRows());
        assertEquals(126, b.liveRows());
        assertEquals(4, b.deletedRows());
        assertFalse(b.isLive(0));
        assertFalse(b.isLive(63));
        assertFalse(b.isLive(64));
        assertFalse(b.isLive(129));
        assertTrue(b.isLive(1));
        assertEquals(1, b.physicalRow(0));
        assertEquals(65, b.physicalRow(62));
        assertEquals(128, b.physicalRow(125));
        DeletionBitmap c = b.withDeleted(new long[] {0, 63});
        assertEquals(b, c);
        assertEquals(b.hashCode(), c.hashCode());
        assertNotEquals(a, b);
        assertMappingMatchesScan(b);
        assertThrows(IndexOutOfBoundsException.class, () -> a.withDeleted(new long[] {130}));
        assertThrows(IndexOutOfBoundsException.class, () -> a.withDeleted(new long[] {-1}));
        // a rejected delete leaves the source untouched
        assertEquals(130, a.liveRows());
    }

    @Test
    void deletingEverythingLeavesNoLiveRows() {
        long[] all = new long[70];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        DeletionBitmap bm = DeletionBitmap.allLive(70).withDeleted(all);
        assertEquals(0, bm.liveRows());
        assertEquals(70, bm.deletedRows());
        assertThrows(IndexOutOfBoundsException.class, () -> bm.physicalRow(0));
        assertEquals(bm, DeletionBitmap.decode(bm.encode(), 70));
    }

    @Test
    void extendedByAppendsLiveRowsAndKeepsDeletions() {
        DeletionBitmap bm = DeletionBitmap.allLive(60).withDeleted(new long[] {5, 59});
        DeletionBitmap ext = bm.extendedBy(10);
        assertEquals(60, bm.totalRows());
        assertEquals(70, ext.totalRows());
        assertEquals(68, ext.liveRows());
        assertFalse(ext.isLive(5));
        assertFalse(ext.isLive(59));
        for (long r = 60; r < 70; r++) {
            assertTrue(ext.isLive(r));
        }
        assertMappingMatchesScan(ext);
        assertEquals(ext, DeletionBitmap.decode(ext.encode(), 70));
        assertEquals(bm, bm.extendedBy(0));
        DeletionBitmap fromEmpty = DeletionBitmap.allLive(0).extendedBy(200);
        assertEquals(DeletionBitmap.allLive(200), fromEmpty);
    }

    @Test
    void physicalRowMatchesBruteForceOnRandomBitmaps() {
        Random rnd = new Random(12345);
        for (int t = 0; t < 200; t++) {
            int n = rnd.nextInt(700);
            DeletionBitmap bm = DeletionBitmap.allLive(n);
            int dels = n == 0 ? 0 : rnd.nextInt(n + 1);
            long[] rows = new long[dels];
            double density = rnd.nextDouble();
            for (int i = 0; i < dels; i++) {
                rows[i] = rnd.nextDouble() < density ? rnd.nextInt(n) : Math.min(n - 1, i);
            }
            bm = bm.withDeleted(rows);
            assertMappingMatchesScan(bm);
            assertEquals(bm, DeletionBitmap.decode(bm.encode(), n));
            assertEquals(bm, DeletionBitmap.decode(legacy(bm.encode()), n));
        }
    }

    @Test
    void decodesTheLegacyLayoutWrittenByHand() {
        // 3 rows, row 1 deleted: word 0b101
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0b101);
        DeletionBitmap bm = DeletionBitmap.decode(b, 3);
        assertEquals(2, bm.liveRows());
        assertEquals(0, bm.physicalRow(0));
        assertEquals(2, bm.physicalRow(1));
        // its encoding is the headered one
        ByteBuffer enc = bm.encode().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, enc.remaining());
        assertEquals(3, enc.getLong(0));
        assertEquals(1, enc.getLong(8));
        assertEquals(0b101, enc.getLong(16));
    }

    @Test
    void rejectsTailBitsInBothLayouts() {
        for (long n : new long[] {1, 3, 63, 65, 100}) {
            ByteBuffer enc = DeletionBitmap.allLive(n).encode().order(ByteOrder.LITTLE_ENDIAN);
            int lastWord = enc.limit() - 8;
            enc.putLong(lastWord, enc.getLong(lastWord) | (1L << 63));
            FormatException e = assertThrows(FormatException.class, () -> DeletionBitmap.decode(enc, n));
            assertTrue(e.getMessage().contains("past"), e.getMessage());
            assertThrows(FormatException.class, () -> DeletionBitmap.decode(legacy(enc), n));
        }
    }

    @Test
    void rejectsHeaderMismatches() {
        DeletionBitmap bm = DeletionBitmap.allLive(100).withDeleted(new long[] {1, 2, 3});
        ByteBuffer wrongCount = bm.encode().order(ByteOrder.LITTLE_ENDIAN);
        wrongCount.putLong(8, 4);
        FormatException e = assertThrows(FormatException.class, () -> DeletionBitmap.decode(wrongCount, 100));
        assertTrue(e.getMessage().contains("4 deleted"), e.getMessage());
        ByteBuffer wrongTotal = bm.encode().order(ByteOrder.LITTLE_ENDIAN);
        wrongTotal.putLong(0, 101); // same word count, other row count
        assertThrows(FormatException.class, () -> DeletionBitmap.decode(wrongTotal, 100));
        ByteBuffer hugeTotal = bm.encode().order(ByteOrder.LITTLE_ENDIAN);
        hugeTotal.putLong(0, Long.MAX_VALUE);
        assertThrows(FormatException.class, () -> DeletionBitmap.decode(hugeTotal, 100));
        ByteBuffer negDeleted = bm.encode().order(ByteOrder.LITTLE_ENDIAN);
        negDeleted.putLong(8, -1);
        assertThrows(FormatException.class, () -> DeletionBitmap.decode(negDeleted, 100));
    }

    @Test
    void rejectsSizesThatFitNeitherLayout() {
        ByteBuffer enc = DeletionBitmap.allLive(100).encode();
        for (int size : new int[] {0, 1, 7, 8, 15, 17, 23, 25, 31, 33, 40}) {
            if (size == 16 || size == 32) {
                continue; // the two valid sizes for 100 rows
            }
            ByteBuffer b = ByteBuffer.allocate(size);
            b.put(enc.duplicate().limit(Math.min(size, enc.limit())));
            b.clear();
            assertThrows(FormatException.class, () -> DeletionBitmap.decode(b, 100), "size " + size);
        }
        // right sizes for another row count
        assertThrows(FormatException.class, () -> DeletionBitmap.decode(DeletionBitmap.allLive(200).encode(), 100));
    }

    @Test
    void rejectsRowCountsBeyondAnyBitmap() {
        assertThrows(FormatException.class, () -> DeletionBitmap.allLive(1L << 62));
        assertThrows(FormatException.class, () -> DeletionBitmap.decode(ByteBuffer.allocate(16), 1L << 62));
    }

    @Test
    void zeroRowBitmaps() {
        DeletionBitmap bm = DeletionBitmap.allLive(0);
        assertEquals(0, bm.liveRows());
        assertEquals(16, bm.encode().remaining());
        assertEquals(bm, DeletionBitmap.decode(bm.encode(), 0));
        assertEquals(bm, DeletionBitmap.decode(ByteBuffer.allocate(0), 0));
    }
}
