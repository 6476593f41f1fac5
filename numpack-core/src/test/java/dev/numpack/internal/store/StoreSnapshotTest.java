package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.internal.format.DeletionBitmap;
import dev.numpack.internal.format.SegmentManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StoreSnapshot#read}: the metadata with every array's manifest and bitmap; an array whose own
 * files are damaged becomes a broken entry that names the problem while the others stay readable; damaged
 * metadata fails the whole read with {@link CorruptStoreException}.
 */
class StoreSnapshotTest extends EngineStoreCase {
    private ArrayRecord good;

    @BeforeEach
    void good() {
        good = s.plain("good", DType.FLOAT32, 3, 2);
    }

    private StoreSnapshot read() throws Exception {
        return StoreSnapshot.read(s.layout);
    }

    /** Reads a store holding {@code good} and {@code bad}; asserts {@code bad} is broken. @return its problem */
    private String problemOf(ArrayRecord bad) throws Exception {
        s.metadata(good, bad);
        StoreSnapshot snap = read();
        assertNull(snap.get("good").problem(), "the other array stays readable");
        String p = snap.get(bad.name()).problem();
        assertNotNull(p, bad.name() + " should be broken");
        assertTrue(p.contains(s.root.toString()) && p.contains("'" + bad.name() + "'"), "names store and array: " + p);
        assertEquals(bad.dataFile(), snap.get(bad.name()).record().dataFile(), "the record is kept as it was");
        return p;
    }

    @Test
    void noMetadataIsAnEmptyStore() throws Exception {
        assertTrue(read().arrays().isEmpty());
    }

    @Test
    void readsRecordsManifestsAndBitmaps() throws Exception {
        ArrayRecord seg = s.segmented("seg", 2, 3, 0, 4);
        ArrayRecord del = s.plain("del", DType.INT64, 130);
        s.bitmap("del", DeletionBitmap.allLive(130).withDeleted(new long[] {0, 64, 129}));
        ArrayRecord scalar = s.plain("scalar", DType.FLOAT64);
        s.metadata(seg, good, del, scalar);

        StoreSnapshot snap = read();
        assertEquals(List.of("del", "good", "scalar", "seg"), List.copyOf(snap.arrays().keySet()), "sorted by name");
        assertEquals(List.of("del", "good", "scalar", "seg"), snap.records().stream().map(ArrayRecord::name).toList());
        for (ArrayEntry e : snap.arrays().values()) {
            assertNull(e.problem(), e.name());
        }
        ArrayEntry g = snap.get("good");
        assertNull(g.manifest());
        assertNull(g.bitmap(), "no bitmap file: no row deleted");
        assertEquals(3, g.logicalRows());
        ArrayEntry sg = snap.get("seg");
        assertEquals(List.of(3L, 0L, 4L), sg.manifest().segments().stream().map(SegmentManifest.Segment::rows).toList());
        assertEquals(7, sg.physicalRows());
        ArrayEntry d = snap.get("del");
        assertEquals(3, d.bitmap().deletedRows());
        assertEquals(127, d.logicalRows());
        assertEquals(1, d.physicalRow(0));
        assertEquals(65, d.physicalRow(63));
        assertEquals(127, d.logicalShape()[0]);
        assertEquals(1, snap.get("scalar").physicalRows());
        assertNull(snap.get("missing"));
    }

    @Test
    void anEmptyArrayNeedsNoDataFile() throws Exception {
        ArrayRecord empty = ArrayRecord.plain("empty", new long[] {0, 5}, StoreLayout.dataFile("empty"), DType.INT8, 1);
        s.metadata(empty);
        assertNull(read().get("empty").problem());
    }

    @Test
    void aMissingOrShortDataFileBreaksOnlyItsArray() throws Exception {
        ArrayRecord missing = ArrayRecord.plain("missing", new long[] {2}, StoreLayout.dataFile("missing"), DType.INT32, 1);
        assertTrue(problemOf(missing).contains("data file data_missing.npkd is missing"));
        ArrayRecord shortOne = s.plain("short", DType.INT32, 4);
        s.write(StoreLayout.dataFile("short"), new byte[15]);
        assertTrue(problemOf(shortOne).contains("holds 15 bytes, the metadata needs 16"));
    }

    @Test
    void aDataFileThatIsNotAPlainFileBreaksItsArray() throws Exception {
        ArrayRecord r = s.plain("linked", DType.INT32, 4);
        Path data = s.root.resolve(StoreLayout.dataFile("linked"));
        Path elsewhere = Files.move(data, dir.resolve("elsewhere"));
        Files.createSymbolicLink(data, elsewhere);
        assertTrue(problemOf(r).contains("is not a regular file"));
    }

    @Test
    void storedNamesAndPathsThatEscapeOrBelongToAnotherArrayBreakTheirArray() throws Exception {
        ArrayRecord unsafe = ArrayRecord.plain("../x", new long[] {1}, "data_x.npkd", DType.INT8, 1);
        assertTrue(problemOf(unsafe).contains("stored array name is unsafe"));
        ArrayRecord escaping = ArrayRecord.plain("esc", new long[] {1}, "../data_esc.npkd", DType.INT8, 1);
        assertTrue(problemOf(escaping).contains("'..' component"));
        ArrayRecord foreign = ArrayRecord.plain("thief", new long[] {3, 2}, StoreLayout.dataFile("good"), DType.FLOAT32, 1);
        assertTrue(problemOf(foreign).contains("is not this array's data file"));
    }

    @Test
    void compressedArraysAreNotSupported() throws Exception {
        s.plain("z", DType.INT8, 4);
        ArrayRecord z = new ArrayRecord("z", new long[] {4}, StoreLayout.dataFile("z"), 1, DType.INT8, 1, 0, 4, 4, null);
        assertTrue(problemOf(z).contains("compression 1 is not supported"));
    }

    @Test
    void damagedManifestsAndSegmentsBreakTheirArray() throws Exception {
        ArrayRecord seg = s.segmented("seg", 2, 3, 4);
        Files.delete(s.root.resolve("data_seg_segments/seg_1"));
        assertTrue(problemOf(seg).contains("segment data_seg_segments/seg_1 is missing"));

        s.write("data_seg_segments/seg_1", new byte[4 * 2 * 4 - 1]);
        assertTrue(problemOf(seg).contains("holds 31 bytes, the manifest says 32"));

        s.manifest("seg", new SegmentManifest(List.of(new SegmentManifest.Segment("data_seg_segments/seg_0", 3, 24),
                new SegmentManifest.Segment("data_seg_segments/seg_0", 4, 32))));
        assertTrue(problemOf(seg).contains("is listed twice"));

        s.segmented("other", 2, 7);
        s.manifest("seg", new SegmentManifest(List.of(new SegmentManifest.Segment("data_other_segments/seg_0", 7, 56))));
        assertTrue(problemOf(seg).contains("is not a file directly inside data_seg_segments/"));

        s.manifest("seg", new SegmentManifest(List.of(new SegmentManifest.Segment("data_seg_segments/seg_0", 3, 24))));
        assertTrue(problemOf(seg).contains("segments hold 3 rows, metadata says 7"));

        s.write(StoreLayout.manifestFile("seg"), "not json".getBytes(StandardCharsets.UTF_8));
        assertTrue(problemOf(seg).contains("data_seg.npkseg: "));
    }

    @Test
    void bitmapsOfTheWrongSizeOrContentBreakTheirArray() throws Exception {
        ArrayRecord r = s.plain("del", DType.INT32, 10);
        s.write(StoreLayout.bitmapFile("del"), new byte[9]);
        assertTrue(problemOf(r).contains("has 9 bytes, which fits no bitmap layout for 10 rows"));

        DeletionBitmap other = DeletionBitmap.allLive(11).withDeleted(new long[] {1});
        s.write(StoreLayout.bitmapFile("del"), EngineStore.bytes(other.encode())); // same size, 11 rows in its header
        assertTrue(problemOf(r).contains("deleted_del.npkb: "));

        ArrayRecord scalar = s.plain("scalar", DType.INT32);
        s.bitmap("scalar", DeletionBitmap.allLive(1));
        assertTrue(problemOf(scalar).contains("fits no bitmap layout"), "a 0-d array has no rows to delete");
    }

    @Test
    void damagedMetadataFailsTheWholeRead() throws Exception {
        s.write(StoreLayout.METADATA, "garbage".getBytes(StandardCharsets.UTF_8));
        CorruptStoreException e = assertThrows(CorruptStoreException.class, this::read);
        assertTrue(e.getMessage().contains(s.root.toString()) && e.getMessage().contains(StoreLayout.METADATA),
                e.getMessage());
        Files.delete(s.root.resolve(StoreLayout.METADATA));
        Files.createDirectory(s.root.resolve(StoreLayout.METADATA));
        e = assertThrows(CorruptStoreException.class, this::read);
        assertTrue(e.getMessage().contains(StoreLayout.METADATA + " is not a regular file"), e.getMessage());
    }
}
