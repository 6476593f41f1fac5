package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.numpack.DType;
import dev.numpack.internal.format.ArrayRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrayData}: one mapping per data file or segment (empty segments skipped), physical rows
 * addressed across segment boundaries, little-endian views, private writes that never reach the files,
 * and the channels kept for positional reads.
 */
class ArrayDataTest extends EngineStoreCase {
    private ArrayEntry entry(ArrayRecord r) throws Exception {
        s.metadata(r);
        ArrayEntry e = StoreSnapshot.read(s.layout).get(r.name());
        assertNull(e.problem());
        return e;
    }

    /** @return rows {@code [first, first + count)} of an array as {@link EngineStore} writes them */
    private static byte[] rows(ArrayRecord r, long first, long count) {
        return EngineStore.pattern(r.name().hashCode(), first * r.rowBytes(), (int) (count * r.rowBytes()));
    }

    @Test
    void aPlainArrayIsOneLittleEndianMapping() throws Exception {
        ArrayRecord r = s.plain("p", DType.INT32, 5, 3);
        ArrayData d = ArrayData.map(s.layout, entry(r), MapMode.READ_ONLY);
        assertEquals(12, d.rowBytes());
        assertEquals(1, d.files().length);
        ByteBuffer single = d.single();
        assertNotNull(single, "one chunk: the per-row fast path");
        assertEquals(ByteOrder.LITTLE_ENDIAN, single.order());
        assertEquals(ByteBuffer.wrap(rows(r, 0, 5)).order(ByteOrder.LITTLE_ENDIAN).getInt(4), single.getInt(4));
        ByteBuffer v = d.view(2, 2);
        byte[] got = new byte[24];
        v.get(got);
        assertArrayEquals(rows(r, 2, 2), got);
        assertEquals(ByteOrder.LITTLE_ENDIAN, d.view(0, 1).order());
    }

    @Test
    void segmentedRowsAreAddressedAcrossSegmentsAndEmptySegmentsAreSkipped() throws Exception {
        ArrayRecord r = s.segmented("seg", 2, 3, 0, 4, 1);
        ArrayData d = ArrayData.map(s.layout, entry(r), MapMode.READ_ONLY);
        assertEquals(3, d.files().length, "the empty segment is not mapped");
        assertNull(d.single(), "several files: no single buffer");
        for (long first = 0; first < 8; first++) {
            for (long count = 0; first + count <= 8; count++) {
                ByteBuffer dst = ByteBuffer.allocate((int) (count * 8) + 1);
                dst.put((byte) 99);
                d.copyRows(first, count, dst);
                assertEquals(1 + count * 8, dst.position());
                byte[] got = new byte[(int) (count * 8)];
                dst.get(1, got);
                assertArrayEquals(rows(r, first, count), got, "rows " + first + " +" + count);
            }
        }
        assertNotNull(d.view(3, 4), "rows 3..6 lie in the second mapped segment");
        assertNull(d.view(2, 2), "rows 2..3 straddle two segments");
        assertNull(d.view(0, 0));
    }

    @Test
    void aPrivateMappingTakesRowWritesThatNeverReachTheFiles() throws Exception {
        ArrayRecord r = s.segmented("seg", 1, 2, 2);
        byte[] seg0 = s.read("data_seg_segments/seg_0");
        byte[] seg1 = s.read("data_seg_segments/seg_1");
        ArrayData d = ArrayData.map(s.layout, entry(r), MapMode.PRIVATE);
        byte[] two = {1, 2, 3, 4, 5, 6, 7, 8};
        d.putRows(1, 2, ByteBuffer.wrap(two)); // row 1 in seg_0, row 2 in seg_1
        ByteBuffer got = ByteBuffer.allocate(8);
        d.copyRows(1, 2, got);
        assertArrayEquals(two, got.array());
        assertArrayEquals(seg0, s.read("data_seg_segments/seg_0"));
        assertArrayEquals(seg1, s.read("data_seg_segments/seg_1"));
    }

    @Test
    void channelsAreKeptForLargeFilesUpToTheAskedNumber() throws Exception {
        int cols = (int) (MappedFile.READER_MIN_BYTES / 4); // one row = 1 MiB: each segment qualifies
        ArrayRecord r = s.segmented("big", cols, 1, 1, 1);
        ArrayEntry e = entry(r);
        ArrayData d = ArrayData.map(s.layout, e, MapMode.READ_ONLY, 2);
        assertEquals(2, d.readers());
        ByteBuffer dst = ByteBuffer.allocateDirect((int) (3 * r.rowBytes()));
        d.copyRows(0, 3, dst);
        byte[] got = new byte[dst.capacity()];
        dst.get(0, got);
        assertArrayEquals(rows(r, 0, 3), got, "positional reads give the mapped bytes");
        d.closeReaders();
        assertEquals(0, d.readers());
        assertEquals(0, ArrayData.map(s.layout, e, MapMode.READ_ONLY).readers(), "none unless asked");
    }

    @Test
    void aMissingSegmentFileFailsTheMapping() throws Exception {
        ArrayRecord r = s.segmented("seg", 1, 2, 2);
        ArrayEntry e = entry(r);
        Files.delete(s.root.resolve("data_seg_segments/seg_1")); // after the snapshot was read
        assertThrows(IOException.class, () -> ArrayData.map(s.layout, e, MapMode.READ_ONLY, 4));
    }
}
