package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.internal.format.JournalCodec;
import dev.numpack.internal.format.JournalCodec.Action;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Journal}: a commit applies its actions and clears the journal; {@link Journal#recover()} redoes a
 * committed journal left by a crash (twice is harmless) and discards one that is torn, fails its checksum
 * or is cleared; a journal naming paths outside the store's shapes is refused before anything is applied.
 */
class JournalTest extends EngineStoreCase {
    private Journal journal;

    @BeforeEach
    void journal() {
        journal = new Journal(s.layout, new FileOps(true));
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private String text(String relative) throws Exception {
        return Files.readString(s.root.resolve(relative));
    }

    /** A commit's actions over a store holding {@code old.txt} ("old"), {@code rows.bin} and a staged file. */
    private List<Action> staged() {
        s.write("old.txt", "old".getBytes(StandardCharsets.UTF_8));
        s.write("rows.bin", new byte[] {0, 0, 0, 0, 0, 0});
        s.write("new.txt.tmp-np1", "new".getBytes(StandardCharsets.UTF_8));
        s.write("gone.txt", "x".getBytes(StandardCharsets.UTF_8));
        return List.of(Action.rename("new.txt.tmp-np1", "old.txt"), Action.put("meta.txt", utf8("meta")),
                Action.pwrite("rows.bin", 2, ByteBuffer.wrap(new byte[] {7, 8})), Action.delete("gone.txt"));
    }

    private void assertApplied() throws Exception {
        assertEquals("new", text("old.txt"), "renamed over");
        assertFalse(Files.exists(s.root.resolve("new.txt.tmp-np1")));
        assertEquals("meta", text("meta.txt"), "put");
        assertArrayEquals(new byte[] {0, 0, 7, 8, 0, 0}, s.read("rows.bin"), "written in place at offset 2");
        assertFalse(Files.exists(s.root.resolve("gone.txt")), "deleted");
        assertFalse(journal.present(), "cleared");
    }

    private void assertUntouched() throws Exception {
        assertEquals("old", text("old.txt"));
        assertEquals("new", text("new.txt.tmp-np1"));
        assertFalse(Files.exists(s.root.resolve("meta.txt")));
        assertArrayEquals(new byte[6], s.read("rows.bin"));
        assertTrue(Files.exists(s.root.resolve("gone.txt")));
    }

    /** What a writer killed after the commit point leaves: the journal on disk, nothing applied. */
    private void crashAfterCommitPoint(List<Action> actions) {
        s.write(StoreLayout.JOURNAL, EngineStore.bytes(JournalCodec.encode(actions)));
    }

    @Test
    void aCommitAppliesEveryActionInOrderAndClearsTheJournal() throws Exception {
        journal.commit(staged(), true);
        assertApplied();
        byte[] j = s.read(StoreLayout.JOURNAL);
        assertArrayEquals(new byte[4], java.util.Arrays.copyOf(j, 4), "the file is kept, its magic zeroed");
        assertFalse(journal.recover(), "nothing to redo after a completed commit");
    }

    @Test
    void recoverRedoesACommittedJournalAndTwiceIsHarmless() throws Exception {
        List<Action> actions = staged();
        crashAfterCommitPoint(actions);
        assertTrue(journal.present());
        assertTrue(journal.recover(), "a committed journal is applied");
        assertApplied();
        crashAfterCommitPoint(actions); // a power loss undid the unsynced clear: the same journal again
        assertTrue(journal.recover());
        assertApplied();
    }

    @Test
    void aTornJournalIsDiscardedAndNothingApplied() throws Exception {
        byte[] whole = EngineStore.bytes(JournalCodec.encode(staged()));
        s.write(StoreLayout.JOURNAL, java.util.Arrays.copyOf(whole, whole.length - 3));
        assertTrue(journal.present(), "it has the magic: only decoding tells");
        assertFalse(journal.recover(), "torn: never committed");
        assertUntouched();
        assertFalse(journal.present(), "cleared");
    }

    @Test
    void aJournalThatFailsItsChecksumIsDiscardedAndNothingApplied() throws Exception {
        byte[] j = EngineStore.bytes(JournalCodec.encode(staged()));
        j[j.length - 1] ^= 1; // the last byte of the payload
        s.write(StoreLayout.JOURNAL, j);
        assertFalse(journal.recover());
        assertUntouched();
    }

    @Test
    void aClearedOrMissingJournalIsNotPresentAndRecoversNothing() throws Exception {
        assertFalse(journal.present(), "no file");
        assertFalse(journal.recover());
        byte[] j = EngineStore.bytes(JournalCodec.encode(staged()));
        j[0] = j[1] = j[2] = j[3] = 0;
        s.write(StoreLayout.JOURNAL, j);
        assertFalse(journal.present());
        assertFalse(journal.recover());
        assertUntouched();
    }

    @Test
    void removeIfClearedDeletesOnlyAClearedJournal() throws Exception {
        crashAfterCommitPoint(staged());
        journal.removeIfCleared();
        assertTrue(Files.exists(s.root.resolve(StoreLayout.JOURNAL)), "a committed journal stays for recovery");
        journal.recover();
        journal.removeIfCleared();
        assertFalse(Files.exists(s.root.resolve(StoreLayout.JOURNAL)));
    }

    @Test
    void aSinglePutCommitsWithoutTheJournal() throws Exception {
        journal.commit(List.of(Action.put("metadata.npkm", utf8("m1"))), false);
        assertEquals("m1", text("metadata.npkm"));
        assertFalse(Files.exists(s.root.resolve(StoreLayout.JOURNAL)), "atomic by rename: no journal written");
        try (var files = Files.list(s.root)) {
            assertEquals(List.of("metadata.npkm"), files.map(p -> p.getFileName().toString()).toList(),
                    "no temp file left");
        }
    }

    @Test
    void aRecoveredJournalNamingAPathOutsideTheStoreIsRefusedWithNothingApplied() throws Exception {
        List<Action> actions = new java.util.ArrayList<>(staged());
        actions.add(Action.put("../outside.txt", utf8("escape")));
        crashAfterCommitPoint(actions);
        CorruptStoreException e = assertThrows(CorruptStoreException.class, journal::recover);
        assertTrue(e.getMessage().contains("journal refused, nothing applied"), e.getMessage());
        assertTrue(e.getMessage().contains(s.root.toString()), "names the store: " + e.getMessage());
        assertUntouched();
        assertFalse(Files.exists(dir.resolve("outside.txt")));
    }

    @Test
    void aJournalPathOfAShapeThisLibraryNeverWritesIsRefused() throws Exception {
        Files.createDirectories(s.root.resolve("sub/deeper"));
        for (String bad : new String[] {"sub/x", "data_a_segments/deeper/x", "/etc/passwd"}) {
            crashAfterCommitPoint(List.of(Action.put(bad, utf8("x"))));
            assertThrows(CorruptStoreException.class, journal::recover, bad);
        }
        assertFalse(Files.exists(s.root.resolve("sub/x")));
    }

    /** Commits {@code actions}, expecting a refusal before the commit point; @return its cause */
    private CorruptStoreException refusedBeforeTheCommitPoint(List<Action> actions) {
        Journal.CommitException e = assertThrows(Journal.CommitException.class, () -> journal.commit(actions, false));
        assertFalse(e.committed(), "refused before the journal became durable");
        assertTrue(e.getCause() instanceof CorruptStoreException, String.valueOf(e.getCause()));
        assertFalse(journal.present());
        return (CorruptStoreException) e.getCause();
    }

    /** {@link #staged()}, a staged {@code dir.txt.tmp-np2} and a directory {@code dir.txt} (or below it). */
    private List<Action> stagedWithDirectory(String directory) throws Exception {
        List<Action> actions = new java.util.ArrayList<>(staged());
        s.write("dir.txt.tmp-np2", new byte[] {1});
        Files.createDirectories(s.root.resolve(directory));
        return actions;
    }

    @Test
    void aCommitThatCannotApplyIsRefusedBeforeTheCommitPoint() throws Exception {
        List<Action> actions = new java.util.ArrayList<>(staged());
        actions.add(Action.pwrite("rows.bin", -1, ByteBuffer.wrap(new byte[] {1})));
        refusedBeforeTheCommitPoint(actions);
        assertUntouched();
    }

    @Test
    void aCommitRenamingOntoADirectoryIsRefusedBeforeTheCommitPoint() throws Exception {
        List<Action> actions = stagedWithDirectory("dir.txt");
        actions.add(0, Action.delete("dir.txt")); // an empty directory's delete does not make it pass either
        actions.add(1, Action.rename("dir.txt.tmp-np2", "dir.txt"));
        CorruptStoreException e = refusedBeforeTheCommitPoint(actions);
        assertTrue(e.getMessage().contains("dir.txt is a directory"), e.getMessage());
        assertUntouched();
        assertTrue(Files.isDirectory(s.root.resolve("dir.txt")));
    }

    @Test
    void recoverySkipsARenameOntoADirectoryAndAppliesTheRest() throws Exception {
        List<Action> actions = stagedWithDirectory("dir.txt/inside");
        actions.add(0, Action.rename("dir.txt.tmp-np2", "dir.txt"));
        crashAfterCommitPoint(actions);
        assertTrue(journal.recover(), "the committed journal was completed");
        assertApplied();
        assertTrue(Files.isDirectory(s.root.resolve("dir.txt/inside")), "the directory is left as it was");
        assertArrayEquals(new byte[] {1}, s.read("dir.txt.tmp-np2"), "the staged file is left for the sweeper");
        assertFalse(journal.recover(), "nothing left to redo");
    }

    @Test
    void anInPlaceWriteToAHardLinkedFileIsRefused() throws Exception {
        List<Action> actions = staged();
        Files.createLink(dir.resolve("outside-link"), s.root.resolve("rows.bin"));
        Journal.CommitException e = assertThrows(Journal.CommitException.class, () -> journal.commit(actions, false));
        assertFalse(e.committed());
        assertTrue(e.getCause().getMessage().contains("hard links"), e.getCause().getMessage());
        assertArrayEquals(new byte[6], Files.readAllBytes(dir.resolve("outside-link")), "the other name unchanged");
        assertUntouched();
    }

    @Test
    void aRenameWhoseSourceAndTargetAreBothMissingFailsRecovery() {
        crashAfterCommitPoint(List.of(Action.rename("a.tmp-np1", "a")));
        CorruptStoreException e = assertThrows(CorruptStoreException.class, journal::recover);
        assertTrue(e.getMessage().contains("neither exists"), e.getMessage());
    }

    @Test
    void aJournalThatIsNotAPlainFileCountsAsPresentAndRecoveryRefusesIt() throws Exception {
        Files.createDirectories(s.root.resolve(StoreLayout.JOURNAL));
        assertTrue(journal.present(), "not ours: recovery must look at it");
        CorruptStoreException e = assertThrows(CorruptStoreException.class, journal::recover);
        assertTrue(e.getMessage().contains(StoreLayout.JOURNAL + " is not a regular file"), e.getMessage());
    }

    @Test
    void aJournalThatIsALinkIsRefusedToo() throws Exception {
        Path elsewhere = Files.write(dir.resolve("elsewhere"), EngineStore.bytes(JournalCodec.encode(staged())));
        Files.createSymbolicLink(s.root.resolve(StoreLayout.JOURNAL), elsewhere);
        assertTrue(journal.present());
        assertThrows(CorruptStoreException.class, journal::recover);
        assertUntouched();
        Journal.CommitException e = assertThrows(Journal.CommitException.class,
                () -> journal.commit(staged(), false));
        assertFalse(e.committed());
    }
}
