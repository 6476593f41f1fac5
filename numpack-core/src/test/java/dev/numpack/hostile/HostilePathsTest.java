package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.DType;
import dev.numpack.hostile.HostileFixture.RawRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths and names read from store files that would leave the store or hit files that are not the array's:
 * {@code ../}, absolute and Windows paths, NUL and control characters, unsafe array names, data files that
 * are the store's own control files or another array's file, and symlinks.
 */
class HostilePathsTest {
    @TempDir
    Path tmp;

    HostileFixture f;

    @BeforeEach
    void build() {
        f = new HostileFixture(tmp).buildStandard();
    }

    /**
     * One uint8 array "a" whose data file is {@code path}; its size equals the size of the file the path
     * would reach, so that a missing check shows as a successful open (and no truncation can happen).
     */
    private void onlyArrayWithDataFile(String path, long size) {
        f.restore();
        f.removeFilesExcept("metadata.npkm", "data_a.npkd");
        f.writeMetadata(List.of(RawRecord.plain("a", DType.UINT8, new long[] {size}, path)));
    }

    @Test
    void dataFilePathsThatLeaveTheStore() throws IOException {
        long x = Files.size(f.base.resolve("x.npkd"));
        Path target = f.canary.resolve("target.bin");
        Object[][] cases = {
            {"../x.npkd", x},
            {"a/../../x.npkd", x},
            {"data_a.npkd/../../x.npkd", x},
            {"../store/../x.npkd", x},
            {"..", 0L},
            {"../canary/target.bin", Files.size(target)},
            {target.toAbsolutePath().toString(), Files.size(target)},
            {"/etc/passwd", Files.size(HostileFixture.PASSWD)},
            {"C:\\x", 0L},
            {"C:x.npkd", 0L},
            {"..\\x.npkd", x},
            {"data_a.npkd\\..\\..\\x.npkd", x},
            {"//etc/passwd", Files.size(HostileFixture.PASSWD)},
            {"", 0L},
            {".", 0L},
            {"./data_a.npkd", 120L},
            {"sub//data_a.npkd", 0L},
            {"data_a.npkd/", 0L},
            {"data_a.npkd\n", 0L},
            {"\u001b[2Jdata", 0L},
        };
        for (Object[] c : cases) {
            String path = (String) c[0];
            onlyArrayWithDataFile(path, (Long) c[1]);
            try {
                f.expectArrayUnusableBoth("a", "stored path");
            } catch (AssertionError e) {
                throw new AssertionError("data_file '" + path + "': " + e.getMessage(), e);
            }
        }
        assertEquals(x, Files.size(f.base.resolve("x.npkd")));
    }

    /** A NUL in a data_file is refused as a bad stored path, not with an InvalidPathException. */
    @Test
    void dataFileWithNulCharacter() {
        for (String path : new String[] {"data_a\u0000.npkd", "\u0000", "../x.npkd\u0000"}) {
            onlyArrayWithDataFile(path, 0);
            try {
                f.expectArrayUnusableBoth("a");
            } catch (AssertionError e) {
                throw new AssertionError("data_file " + path.replace("\u0000", "\\0") + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void unsafeArrayNamesInMetadata() {
        String[] names = {"../evil", "a/b", "/abs", "..", "a\\b", "", "a\u0001b", "a\nb", "a\u0000b",
            "x.tmp-np1", "n".repeat(201), "é".repeat(101)};
        for (String name : names) {
            f.restore();
            RawRecord r = RawRecord.plain(name, DType.FLOAT32, new long[] {10, 3}, "data_a.npkd");
            List<RawRecord> recs = f.rawRecords();
            recs.removeIf(x -> x.name.equals("a"));
            recs.add(r);
            f.writeMetadata(recs);
            try {
                f.expectArrayUnusableBoth(name, "unsafe");
            } catch (AssertionError e) {
                throw new AssertionError("name '" + name + "': " + e.getMessage(), e);
            }
        }
    }

    @Test
    void unsafeNameWithABitmapBesideIt() throws IOException {
        // a name with '/' whose bitmap path would be deleted_../../x.npkb
        Files.createDirectories(f.file("deleted_.."));
        RawRecord r = RawRecord.plain("../../x", DType.UINT8, new long[] {100, 2}, "data_c.npkd");
        List<RawRecord> recs = f.rawRecords();
        recs.add(r);
        f.writeMetadata(recs);
        f.remember();
        f.expectArrayUnusableBoth("../../x", "unsafe");
    }

    /**
     * A record whose data file is one of the store's control files or another array's file: opening the
     * store writable (which trims bytes past each array's committed end) must not destroy that file. The
     * store must either be refused as corrupt, or open and leave every other array intact.
     */
    @Test
    void dataFileThatIsTheMetadataFile() {
        assertOtherArraysSurvive("metadata.npkm");
    }

    @Test
    void dataFileThatIsAnotherArraysBitmap() {
        assertOtherArraysSurvive("deleted_c.npkb");
    }

    @Test
    void dataFileThatIsAnotherArraysSegment() {
        assertOtherArraysSurvive("data_s_segments/seg_000000.npkd");
    }

    @Test
    void dataFileThatIsAnotherArraysDataFile() {
        assertOtherArraysSurvive("data_a.npkd");
    }

    @Test
    void dataFileThatIsAnotherArraysManifest() {
        assertOtherArraysSurvive("data_s.npkseg");
    }

    private void assertOtherArraysSurvive(String victim) {
        List<RawRecord> recs = f.rawRecords();
        recs.add(RawRecord.plain("x", DType.UINT8, new long[] {0}, victim));
        f.writeMetadata(recs);
        byte[] metaWithX = f.read("metadata.npkm");
        byte[] victimBefore = f.read(victim);
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                np.names();
            }
        });
        if (t != null) {
            f.assertTyped(t, CorruptStoreException.class, "x", "writable open");
        }
        assertArrayEquals(victimBefore, f.read(victim), victim + " changed by opening the store writable ("
                + (t == null ? "it opened" : "it was refused") + ")");
        // with the hostile record removed again, every array is intact
        f.write("metadata.npkm", metaWithX);
        List<RawRecord> without = f.rawRecords();
        without.removeIf(r -> r.name.equals("x"));
        f.writeMetadata(without);
        f.assertStoreIntact();
        f.assertOutsideUntouched();
    }

    /**
     * A record whose manifest lists segment files outside {@code data_<name>_segments/} (here: the record of
     * "s" renamed to "r", its manifest and segments unchanged). The files are referenced, so a writable
     * open must not sweep them as orphans.
     */
    @Test
    void referencedSegmentsInAnotherArraysDirectoryAreNotSwept() throws Exception {
        java.util.Map<Path, byte[]> segments = new java.util.TreeMap<>();
        try (var files = Files.list(f.file("data_s_segments"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                segments.put(p, Files.readAllBytes(p));
            }
        }
        f.editRecord("s", r -> r.name("r"));
        // r's record names s's files: r is refused (they are not its own), and a writable open sweeps nothing
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                np.load("r");
            }
        });
        f.assertTyped(t, CorruptStoreException.class, "r", "load of r");
        assertTrue(!segments.isEmpty());
        for (java.util.Map.Entry<Path, byte[]> e : segments.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), e.getKey() + " was swept or changed");
        }
    }

    /** Two records sharing one data file: a writable open must not cut the larger array to the smaller. */
    @Test
    void twoArraysShareADataFile() {
        byte[] a = f.read("data_a.npkd");
        f.editRecord("b", r -> r.dataFile("data_a.npkd")); // b: 56 bytes, a: 120 bytes
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                np.names();
            }
        });
        if (t != null) {
            f.assertTyped(t, CorruptStoreException.class, null, "writable open");
        }
        assertArrayEquals(a, f.read("data_a.npkd"), "array a's data file was changed by opening the store ("
                + (t == null ? "it opened" : "it was refused") + ")");
    }

    /** Appending to one of two arrays that share a file must not overwrite the other's rows. */
    @Test
    void appendToAnArrayThatSharesItsFile() {
        f.editRecord("b", r -> r.dataFile("data_a.npkd"));
        byte[] a = f.read("data_a.npkd");
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = NumPack.builder().setPath(f.store).build()) {
                np.append("b", NdArray.of(new long[] {9, 9, 9}));
            }
        });
        if (t != null) {
            f.assertTyped(t, CorruptStoreException.class, null, "writable open or append");
        }
        byte[] now = Files.exists(f.file("data_a.npkd")) ? f.read("data_a.npkd") : new byte[0];
        assertTrue(now.length >= a.length && java.util.Arrays.equals(a, java.util.Arrays.copyOf(now, a.length)),
                "rows of array a were overwritten through array b (" + (t == null ? "accepted" : "refused") + ")");
    }

    /**
     * Dropping an array listed under an unsafe name (a damaged record) must not leave the store unopenable:
     * whatever drop does, the store opens again afterwards with the other arrays intact.
     */
    @Test
    void droppingAnArrayWithAnUnsafeNameDoesNotBrickTheStore() {
        for (String name : new String[] {"a/../../x", "../x", "x/y"}) {
            f.restore();
            List<RawRecord> recs = f.rawRecords();
            recs.add(RawRecord.plain(name, DType.UINT8, new long[] {4}, "data_b.npkd"));
            f.writeMetadata(recs);
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = f.openWritable()) {
                    if (np.names().contains(name)) {
                        try {
                            np.drop(name);
                        } catch (dev.numpack.NumPackException typed) {
                            // refusing is fine
                        }
                    }
                }
            });
            if (t != null) {
                f.assertTyped(t, CorruptStoreException.class, name, "writable open with unsafe name");
            }
            Throwable again = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = f.openWritable()) {
                    for (String n : f.contents().keySet()) {
                        assertEquals(f.contents().get(n), np.load(n), n);
                    }
                }
            });
            if (again != null && !(t != null && again instanceof CorruptStoreException)) {
                throw new AssertionError("after dropping '" + name + "' the store no longer opens: " + again, again);
            }
            f.assertOutsideUntouched();
        }
    }

    /** Dropping an array whose record points at another array's file must not delete that file. */
    @Test
    void droppingAnArrayThatSharesAFileKeepsTheOther() {
        for (long rows : new long[] {120, 10_000}) { // consistent sizes; a record bigger than the file (damaged)
            f.restore();
            List<RawRecord> recs = f.rawRecords();
            recs.add(RawRecord.plain("x", DType.UINT8, new long[] {rows}, "data_a.npkd"));
            f.writeMetadata(recs);
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = f.openWritable()) {
                    np.drop("x");
                }
            });
            if (t != null) {
                f.assertTyped(t, dev.numpack.NumPackException.class, null, "drop x");
            }
            assertTrue(Files.exists(f.file("data_a.npkd")), "dropping x (" + rows + " rows) deleted array a's data file"
                    + (t == null ? "" : " and raised " + t));
            f.assertOutsideUntouched();
        }
    }

    /**
     * A data file that is a symlink to a file outside the store (as a store unpacked from an archive may
     * hold): opening the store writable must not modify the file the link points to.
     */
    @Test
    void symlinkedDataFileOutsideTheStoreIsNotModified() throws IOException {
        Path target = f.canary.resolve("target.bin");
        f.delete("data_a.npkd");
        Files.createSymbolicLink(f.file("data_a.npkd"), target);
        f.remember();
        long before = Files.size(target);
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                np.names();
            }
        });
        if (t != null) {
            f.assertTyped(t, dev.numpack.NumPackException.class, "a", "writable open");
        }
        assertEquals(before, Files.size(target), "the file outside the store was truncated through the symlink ("
                + (t == null ? "store opened" : "store refused") + ")");
        f.assertOutsideUntouched();
    }
}
