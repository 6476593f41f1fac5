package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.NumPack;
import dev.numpack.internal.format.JournalCodec;
import dev.numpack.internal.format.JournalCodec.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory where a commit renames a new data file into place (an array's {@code data_<name>.npkd}, empty
 * or not). Such a rename can never succeed, so the commit must be refused before its commit point, with
 * {@link CorruptStoreException} naming the store and the array and nothing changed; and a committed
 * journal that holds one anyway (an older writer's, or the directory appeared after the check) must not
 * make the whole store unopenable: recovery applies the rest, and only that array is reported broken.
 */
class RenameOntoDirectoryTest {
    @TempDir
    Path tmp;

    HostileFixture f;

    @BeforeEach
    void build() {
        f = new HostileFixture(tmp).buildStandard();
    }

    /** Replaces {@code data_<array>.npkd} (or creates it) by a directory, empty or holding a file. */
    private void directoryAt(String array, boolean withFile) throws Exception {
        Path p = f.file("data_" + array + ".npkd");
        Files.deleteIfExists(p);
        Files.createDirectory(p);
        if (withFile) {
            Files.write(p.resolve("inside.txt"), new byte[] {1, 2, 3});
        }
    }

    /** Runs a write that renames onto the directory: refused, typed, naming the array; nothing changes. */
    private void expectRefused(String array, String what, Write write) {
        Map<String, byte[]> before = f.storeTree();
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                write.run(np);
            }
        });
        f.assertTyped(t == null ? new AssertionError("accepted") : t, CorruptStoreException.class, array, what,
                "data_" + array + ".npkd", "directory");
        f.assertStoreUnchanged(before, "refused " + what);
        f.assertOutsideUntouched();
        assertOpensWithOthersIntact(array);
    }

    /** A write to an open store. */
    interface Write {
        void run(NumPack np) throws Throwable;
    }

    /** Both modes open, and every array but {@code broken} reads back as built. */
    private void assertOpensWithOthersIntact(String broken) {
        for (boolean writable : new boolean[] {false, true}) {
            try (NumPack np = writable ? f.openWritable() : f.openReadOnly()) {
                for (String n : List.of("a", "b", "c", "s", "z")) {
                    if (!n.equals(broken)) {
                        assertEquals(f.contents().get(n), np.load(n), (writable ? "writable: " : "read-only: ") + n);
                    }
                }
            }
        }
    }

    @Test
    void saveOverADataFileThatIsADirectoryIsRefused() throws Exception {
        for (boolean withFile : new boolean[] {false, true}) {
            f.restore();
            directoryAt("a", withFile);
            expectRefused("a", "save (directory " + (withFile ? "not empty)" : "empty)"),
                    np -> np.save("a", HostileFixture.floats(5, 3, 7)));
        }
    }

    @Test
    void otherWritesThatRenameOntoADirectoryAreRefused() throws Exception {
        directoryAt("a", true);
        expectRefused("a", "cloneArray onto an existing name", np -> np.cloneArray("b", "a"));
        expectRefused("a", "batch save", np -> np.batchMode(b -> b.save("a", HostileFixture.floats(2, 3, 1))));
        expectRefused("a", "save of several arrays",
                np -> np.save(Map.of("a", HostileFixture.floats(2, 3, 1), "b", HostileFixture.floats(2, 2, 1))));
        f.restore();
        directoryAt("n", false);
        expectRefused("n", "save of a new array", np -> np.save("n", HostileFixture.floats(2, 3, 1)));
    }

    @Test
    void compactOntoADirectoryIsRefused() throws Exception {
        // "c" has a bitmap: compact rewrites data_c.npkd; the directory appears at its name only for the
        // commit, as it would if made between the array's open and the compact
        try (NumPack np = f.openWritable()) {
            assertEquals(f.contents().get("c"), np.load("c")); // mapped now: compact reads these rows
            Map<String, byte[]> before = f.storeTree();
            byte[] original = f.read("data_c.npkd");
            Files.delete(f.file("data_c.npkd")); // unlinked; the open store still maps its bytes
            Files.createDirectory(f.file("data_c.npkd"));
            Files.write(f.file("data_c.npkd").resolve("inside.txt"), new byte[] {1});
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> np.compact("c"));
            f.assertTyped(t == null ? new AssertionError("accepted") : t, CorruptStoreException.class, "c",
                    "compact", "data_c.npkd", "directory");
            before.remove("data_c.npkd");
            Map<String, byte[]> now = f.storeTree();
            now.keySet().removeIf(k -> k.startsWith("data_c.npkd"));
            HostileFixture.assertTreesEqual(before, now, "store after a refused compact");
            // put the file back for the close (which fsyncs every data file of this NO_FSYNC store)
            HostileFixture.deleteTree(f.file("data_c.npkd"));
            f.write("data_c.npkd", original);
        }
        assertOpensWithOthersIntact(null);
    }

    /** A committed journal: rename a staged file onto the directory, then stage and rename b's file. */
    private String writeJournalOntoDirectory() throws Exception {
        String stagedA = "data_a.npkd.tmp-npX";
        String stagedB = "data_b.npkd.tmp-npY";
        f.write(stagedA, new byte[120]);
        f.write(stagedB, f.read("data_b.npkd"));
        f.write("numpack.journal", HostileJournalTest.bytes(JournalCodec.encode(List.of(
                Action.rename(stagedA, "data_a.npkd"),
                Action.rename(stagedB, "data_b.npkd")))));
        return stagedB;
    }

    @Test
    void committedJournalRenamingOntoADirectoryLeavesTheStoreOpenable() throws Exception {
        for (boolean writable : new boolean[] {false, true}) {
            f.restore();
            directoryAt("a", true);
            String stagedB = writeJournalOntoDirectory();
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = writable ? f.openWritable() : f.openReadOnly()) {
                    String mode = writable ? "writable" : "read-only";
                    Map<String, String> problems = new java.util.HashMap<>();
                    np.infos().forEach(i -> problems.put(i.name(), i.problem()));
                    assertNotNull(problems.get("a"), mode + ": a is reported broken");
                    assertNull(problems.get("b"), mode + ": b is fine");
                    Throwable load = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> np.load("a"));
                    f.assertTyped(load, CorruptStoreException.class, "a", mode + " load of a");
                    for (String n : List.of("b", "c", "s", "z")) {
                        assertEquals(f.contents().get(n), np.load(n), mode + ": " + n);
                    }
                }
            });
            if (t != null) {
                throw new AssertionError("open with the journal failed: " + t, t);
            }
            assertFalse(Files.exists(f.file(stagedB)), "the rest of the journal was applied");
            assertTrue(Files.isRegularFile(f.file("data_a.npkd").resolve("inside.txt")),
                    "the directory's content is left alone");
            f.assertOutsideUntouched();
        }
    }
}
