package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.DType;
import dev.numpack.StoreIOException;
import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.internal.format.DeletionBitmap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Sweeper}: at a writer's open it removes what interrupted writes left (temporary files, segment
 * files no manifest lists, segment directories of arrays that do not exist, bytes past an array's committed
 * end) and keeps every file the committed state references, every file it did not write, and a damaged
 * array's files; {@code syncAll} fsyncs the committed files and reports a failure naming the store.
 */
class SweeperTest extends EngineStoreCase {
    private static final String T = StoreLayout.TEMP_MARK;

    private ArrayRecord plain;
    private ArrayRecord seg;

    @BeforeEach
    void arrays() {
        plain = s.plain("a", DType.INT16, 6, 2);
        s.bitmap("a", DeletionBitmap.allLive(6).withDeleted(new long[] {2}));
        seg = s.segmented("s", 2, 3, 2);
        s.write(StoreLayout.LOCK, new byte[0]);
        s.write(StoreLayout.JOURNAL, new byte[4]);
    }

    private Sweeper sweeper() {
        return new Sweeper(new StoreContext(s.layout, new FileOps(false), 0));
    }

    private void sweep() throws Exception {
        sweeper().sweep(StoreSnapshot.read(s.layout));
    }

    private boolean exists(String relative) {
        return Files.exists(s.root.resolve(relative), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** @return every path below the store, relative, sorted */
    private List<String> tree() throws Exception {
        try (Stream<Path> w = Files.walk(s.root)) {
            return w.filter(p -> !p.equals(s.root)).map(p -> s.root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aCleanStoreIsLeftExactlyAsItWas() throws Exception {
        s.metadata(plain, seg);
        List<String> before = tree();
        byte[] data = s.read("data_a.npkd");
        sweep();
        assertEquals(before, tree());
        assertArrayEquals(data, s.read("data_a.npkd"));
    }

    @Test
    void temporaryFilesAreRemovedAndWhatIsNotAPlainFileIsKept() throws Exception {
        s.metadata(plain, seg);
        s.write("metadata.npkm" + T + "put", new byte[1]);
        s.write("data_a.npkd" + T + "1", new byte[1]);
        s.write("data_s_segments/seg_2" + T + "1", new byte[1]);
        Files.createDirectories(s.root.resolve("dir" + T + "1"));
        Files.createSymbolicLink(s.root.resolve("link" + T + "1"), s.root.resolve("data_a.npkd"));
        sweep();
        assertFalse(exists("metadata.npkm" + T + "put"));
        assertFalse(exists("data_a.npkd" + T + "1"));
        assertFalse(exists("data_s_segments/seg_2" + T + "1"));
        assertTrue(exists("dir" + T + "1"), "not a file we write: left alone");
        assertTrue(exists("link" + T + "1"), "a link is never followed or removed");
        assertTrue(exists("data_a.npkd"));
    }

    @Test
    void bytesPastTheCommittedEndAreCutOff() throws Exception {
        s.metadata(plain, seg);
        byte[] a = s.read("data_a.npkd");
        byte[] seg0 = s.read("data_s_segments/seg_0");
        s.write("data_a.npkd", java.util.Arrays.copyOf(a, a.length + 5)); // an append killed before its commit
        s.write("data_s_segments/seg_0", java.util.Arrays.copyOf(seg0, seg0.length + 3));
        sweep();
        assertArrayEquals(a, s.read("data_a.npkd"));
        assertArrayEquals(seg0, s.read("data_s_segments/seg_0"));
    }

    @Test
    void aHardLinkedDataFileIsNotTruncated() throws Exception {
        s.metadata(plain, seg);
        byte[] longer = java.util.Arrays.copyOf(s.read("data_a.npkd"), (int) plain.sizeBytes() + 5);
        s.write("data_a.npkd", longer);
        Files.createLink(dir.resolve("other-name"), s.root.resolve("data_a.npkd"));
        sweep();
        assertArrayEquals(longer, Files.readAllBytes(dir.resolve("other-name")), "the other name is not changed");
    }

    @Test
    void unlistedSegmentFilesGoAndOtherFilesStay() throws Exception {
        s.metadata(plain, seg);
        s.write("data_s_segments/seg_9", new byte[8]);
        s.write("data_s_segments/notes.txt", new byte[1]);
        sweep();
        assertFalse(exists("data_s_segments/seg_9"), "no manifest lists it");
        assertTrue(exists("data_s_segments/seg_0") && exists("data_s_segments/seg_1"), "listed: kept");
        assertTrue(exists("data_s_segments/notes.txt"), "not a name we write");
    }

    @Test
    void segmentDirectoriesOfArraysThatDoNotExistAreRemovedWhenTheyHoldOnlyOurFiles() throws Exception {
        s.metadata(plain, seg);
        s.write("data_gone_segments/seg_0", new byte[8]);
        s.write("data_gone_segments/seg_1" + T + "2", new byte[8]);
        s.write("data_kept_segments/seg_0", new byte[8]);
        s.write("data_kept_segments/mine.txt", new byte[1]);
        sweep();
        assertFalse(exists("data_gone_segments"), "a save killed before its commit: all of it goes");
        assertFalse(exists("data_kept_segments/seg_0"));
        assertTrue(exists("data_kept_segments/mine.txt"), "someone else's file, and so its directory, stay");
    }

    @Test
    void aDamagedArraysFilesAreKeptForInspection() throws Exception {
        ArrayRecord broken = s.plain("broken", DType.INT8, 4);
        s.write("data_broken.npkd", new byte[6]); // 2 bytes past the end ...
        s.write(StoreLayout.bitmapFile("broken"), new byte[3]); // ... but a bitmap that breaks the array
        s.write("data_gone_segments/seg_0", new byte[8]);
        s.write("stray" + T + "1", new byte[1]);
        s.metadata(plain, seg, broken);
        StoreSnapshot snap = StoreSnapshot.read(s.layout);
        assertNotNull(snap.get("broken").problem());
        sweeper().sweep(snap);
        assertEquals(6, s.read("data_broken.npkd").length, "not truncated");
        assertTrue(exists("data_gone_segments/seg_0"), "with a damaged array no orphan is certain");
        assertFalse(exists("stray" + T + "1"), "temporary files go all the same");
    }

    @Test
    void syncAllFsyncsTheCommittedFilesAndReportsAFailureNamingTheStore() throws Exception {
        s.metadata(plain, seg);
        StoreSnapshot snap = StoreSnapshot.read(s.layout);
        sweeper().syncAll(snap);
        Files.delete(s.root.resolve(StoreLayout.JOURNAL));
        Files.delete(s.root.resolve(StoreLayout.bitmapFile("a")));
        sweeper().syncAll(snap); // optional files that are not there are skipped

        Files.delete(s.root.resolve("data_s_segments/seg_1"));
        Files.createDirectory(s.root.resolve("data_s_segments/seg_1"));
        sweeper().syncAll(snap); // replaced by a directory since its commit: not the committed file, skipped

        Files.delete(s.root.resolve("data_s_segments/seg_1"));
        Files.delete(s.root.resolve("data_s_segments/seg_0"));
        Files.delete(s.root.resolve("data_s_segments"));
        Files.write(s.root.resolve("data_s_segments"), new byte[] {1}); // its segments cannot be opened
        StoreIOException e = assertThrows(StoreIOException.class, () -> sweeper().syncAll(snap));
        assertTrue(e.getMessage().contains(s.root.toString()) && e.getMessage().contains("close could not"),
                e.getMessage());
        assertEquals("s", e.array(), "names the array whose file failed");
    }
}
