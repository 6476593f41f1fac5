package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StoreLayout}: the file names of a store (NumPack 0.7's), the refusal of array names that cannot
 * safely become file names and of stored paths that would leave the store or that another array owns, and
 * {@code fileProblem} for links, directories, FIFOs and files in linked directories.
 */
class StoreLayoutTest extends EngineStoreCase {
    @Test
    void fileNamesAreNumPacksOwn() {
        assertEquals("data_x.npkd", StoreLayout.dataFile("x"));
        assertEquals("data_x.npkseg", StoreLayout.manifestFile("x"));
        assertEquals("data_x_segments", StoreLayout.segmentDir("x"));
        assertEquals("deleted_x.npkb", StoreLayout.bitmapFile("x"));
        assertEquals("metadata.npkm", StoreLayout.METADATA);
        assertTrue(StoreLayout.isSegmented("data_x.npkseg"));
        assertTrue(!StoreLayout.isSegmented("data_x.npkd"));
        assertEquals("data_x.npkd" + StoreLayout.TEMP_MARK + "u1", StoreLayout.tempName("data_x.npkd", "u1"));
        assertEquals(s.root.resolve("data_x.npkd"), s.layout.path("data_x.npkd"));
        assertEquals(s.root, s.layout.root());
    }

    @Test
    void plainNamesAreAccepted() {
        for (String ok : new String[] {"x", "a.b", "with space", "ünïcödé", "-dash_", "é".repeat(100)}) {
            assertNull(StoreLayout.nameProblem(ok), ok);
            StoreLayout.checkName(s.root, ok);
        }
    }

    @Test
    void namesThatCouldEscapeOrClashAreRefusedWithTheReason() {
        String[][] cases = {
            {null, "empty"}, {"", "empty"}, {"a/b", "path separator"}, {"a\\b", "path separator"},
            {"..", "'..'"}, {"x..y", "'..'"}, {"a" + StoreLayout.TEMP_MARK + "1", "reserved"},
            {"tab\there", "control character"}, {"nul\0", "control character"}, {"a:b", "':'"},
            {"x".repeat(StoreLayout.MAX_NAME_BYTES + 1), "longer than"},
            {"é".repeat(101), "longer than"}, // 202 UTF-8 bytes
        };
        for (String[] c : cases) {
            String why = StoreLayout.nameProblem(c[0]);
            assertNotNull(why, String.valueOf(c[0]));
            assertTrue(why.contains(c[1]), c[0] + ": " + why);
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> StoreLayout.checkName(s.root, c[0]));
            assertTrue(e.getMessage().contains(s.root.toString()) && e.getMessage().contains(why), e.getMessage());
        }
    }

    @Test
    void everyAcceptedNameGivesFileNamesThatResolveBackIntoTheStore() {
        // a name whose own data file a stored-path check would refuse could be saved but never committed or read
        List<String> names = new ArrayList<>();
        for (char c = 0x20; c < 0x7F; c++) {
            names.add("a" + c + "b");
            names.add(String.valueOf(c));
        }
        names.addAll(List.of(".x", "x.", "\u2028", "ü"));
        for (String name : names) {
            if (StoreLayout.nameProblem(name) != null) {
                continue;
            }
            for (String file : new String[] {StoreLayout.dataFile(name), StoreLayout.manifestFile(name),
                    StoreLayout.segmentDir(name) + "/seg_0", StoreLayout.bitmapFile(name)}) {
                try {
                    assertEquals(s.root.resolve(file), s.layout.resolve(file, name));
                } catch (CorruptStoreException e) {
                    throw new AssertionError("name '" + name + "' is accepted, but its file is refused: " + e.getMessage(), e);
                }
                if (!file.equals(StoreLayout.bitmapFile(name))) { // the data files: the array owns them
                    assertNull(StoreLayout.ownershipProblem(file, name, file.contains("/")), file);
                }
            }
        }
    }

    @Test
    void storedPathsResolveInsideTheStore() {
        assertEquals(s.root.resolve("data_x.npkd"), s.layout.resolve("data_x.npkd", "x"));
        assertEquals(s.root.resolve("data_x_segments/seg_0"), s.layout.resolve("data_x_segments/seg_0", "x"));
    }

    @Test
    void storedPathsThatLeaveTheStoreOrAreNotPlainAreRefusedNamingStoreAndArray() {
        String[][] cases = {
            {"", "is empty"}, {"/etc/passwd", "absolute"}, {"a\\b", "absolute or not a plain"},
            {"c:x", "absolute or not a plain"}, {"../x.npkd", "'..' component"},
            {"data_x_segments/../../x", "'..' component"}, {"a//b", "empty, '.' or '..'"},
            {"./a", "empty, '.' or '..'"}, {"a/", "empty, '.' or '..'"}, {"bell\u0007", "control character"},
        };
        for (String[] c : cases) {
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> s.layout.resolve(c[0], "x"),
                    c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(s.root.toString()) && e.getMessage().contains("array 'x'"),
                    e.getMessage());
        }
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> s.layout.resolve("bell\u0007", "x"));
        assertTrue(e.getMessage().contains("bell\\u0007"), "control characters printed escaped: " + e.getMessage());
    }

    @Test
    void anArrayOwnsOnlyItsOwnDataFiles() {
        assertNull(StoreLayout.ownershipProblem("data_x.npkd", "x", false));
        assertNull(StoreLayout.ownershipProblem("data_x.npkseg", "x", false));
        assertNotNull(StoreLayout.ownershipProblem("data_y.npkd", "x", false));
        assertNotNull(StoreLayout.ownershipProblem("metadata.npkm", "x", false));
        assertNull(StoreLayout.ownershipProblem("data_x_segments/seg_0", "x", true));
        for (String bad : new String[] {"data_y_segments/seg_0", "data_x_segments/", "data_x_segments/a/b",
                "data_x_segments/seg_0" + StoreLayout.TEMP_MARK + "1", "data_x.npkd"}) {
            String why = StoreLayout.ownershipProblem(bad, "x", true);
            assertNotNull(why, bad);
            assertTrue(why.contains("data_x_segments/"), why);
        }
    }

    @Test
    void fileProblemAcceptsPlainFilesAndMissingOnes() {
        assertNull(s.layout.fileProblem(s.root.resolve("missing")));
        assertNull(s.layout.fileProblem(s.write("plain", new byte[1])));
        assertNull(s.layout.fileProblem(s.write("data_x_segments/seg_0", new byte[1])));
    }

    @Test
    void fileProblemRefusesLinksDirectoriesAndFifos() throws Exception {
        Path target = s.write("plain", new byte[1]);
        Path link = Files.createSymbolicLink(s.root.resolve("link"), target);
        Path dangling = Files.createSymbolicLink(s.root.resolve("dangling"), s.root.resolve("nowhere"));
        Path sub = Files.createDirectories(s.root.resolve("sub"));
        Path fifo = s.fifo("fifo");
        for (Path p : new Path[] {link, dangling, sub, fifo}) {
            String why = s.layout.fileProblem(p);
            assertNotNull(why, p.toString());
            assertTrue(why.contains("not a regular file"), why);
        }
    }

    @Test
    void fileProblemRefusesAFileInALinkedDirectory() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.write(outside.resolve("seg_0"), new byte[1]);
        Files.createSymbolicLink(s.root.resolve("data_x_segments"), outside);
        assertEquals("lies in a linked directory", s.layout.fileProblem(s.root.resolve("data_x_segments/seg_0")));
    }

    @Test
    void inPlaceWritesRefuseFilesWithAnotherHardLink() throws Exception {
        Path f = s.write("data_x.npkd", new byte[4]);
        assertNull(s.layout.inPlaceWriteProblem(f));
        assertNull(s.layout.inPlaceWriteProblem(s.root.resolve("missing")));
        Files.createLink(dir.resolve("second-name"), f);
        assertTrue(s.layout.inPlaceWriteProblem(f).contains("hard links"));
        assertNull(s.layout.fileProblem(f), "reading it is harmless");
        Path link = Files.createSymbolicLink(s.root.resolve("link"), f);
        assertTrue(s.layout.inPlaceWriteProblem(link).contains("not a regular file"));
    }
}
