package dev.numpack.internal.store;

import static dev.numpack.internal.store.EngineFixture.read;
import static dev.numpack.internal.store.EngineFixture.readOnly;
import static dev.numpack.internal.store.EngineFixture.save;
import static dev.numpack.internal.store.EngineFixture.temps;
import static dev.numpack.internal.store.EngineFixture.writable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.AlreadyClosedException;
import dev.numpack.StoreIOException;
import dev.numpack.StoreLockedException;
import dev.numpack.internal.format.JournalCodec;
import dev.numpack.internal.format.JournalCodec.Action;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StoreSession}: open (directory, lock, recovery, sweep, drop), and close. */
class StoreSessionTest {
    @TempDir
    Path tmp;

    /**
     * Leaves in {@code target} what a writer killed after its commit point leaves: the new data file under
     * its temporary name, and the journal that renames it into place and writes the metadata naming it.
     *
     * @param whole whether the journal reached the disk whole (committed) or torn (never committed)
     */
    private Path interruptedSaveOfX(boolean whole) throws IOException {
        Path model = tmp.resolve("model");
        try (StoreSession s = StoreSession.open(writable(model))) {
            save(s, "x", 7, 8, 9);
        }
        Path target = tmp.resolve("target");
        Files.createDirectories(target);
        String staged = StoreLayout.tempName(StoreLayout.dataFile("x"), "killed");
        Files.copy(model.resolve(StoreLayout.dataFile("x")), target.resolve(staged));
        ByteBuffer journal = JournalCodec.encode(List.of(Action.rename(staged, StoreLayout.dataFile("x")),
                Action.put(StoreLayout.METADATA, ByteBuffer.wrap(Files.readAllBytes(model.resolve(StoreLayout.METADATA))))));
        byte[] bytes = new byte[journal.remaining()];
        journal.get(bytes);
        Files.write(target.resolve(StoreLayout.JOURNAL), whole ? bytes : java.util.Arrays.copyOf(bytes, bytes.length - 3));
        return target;
    }

    @Test
    void openCompletesACommittedJournal() throws IOException {
        Path dir = interruptedSaveOfX(true);
        try (StoreSession s = StoreSession.open(writable(dir))) {
            assertEquals(Set.of("x"), s.current().arrays().keySet());
            assertArrayEquals(new int[] {7, 8, 9}, read(s.mapped("x")));
            assertEquals(List.of(), temps(dir), "the staged file was renamed into place");
            assertFalse(new Journal(new StoreLayout(dir), new FileOps(false)).present(), "the journal is cleared");
        }
    }

    @Test
    void openDiscardsAnUncommittedJournal() throws IOException {
        Path dir = interruptedSaveOfX(false);
        try (StoreSession s = StoreSession.open(writable(dir))) {
            assertEquals(Map.of(), s.current().arrays());
            assertEquals(List.of(), temps(dir), "the sweep removed the staged file");
            assertFalse(Files.exists(dir.resolve(StoreLayout.METADATA)), "nothing of the torn commit applied");
            assertFalse(Files.exists(dir.resolve(StoreLayout.dataFile("x"))));
        }
    }

    @Test
    void readOnlyOpenCompletesACommittedJournalOfADeadWriter() throws IOException {
        Path dir = interruptedSaveOfX(true);
        try (StoreSession s = StoreSession.open(readOnly(dir))) {
            assertArrayEquals(new int[] {7, 8, 9}, read(s.mapped("x")));
        }
    }

    @Test
    void oneWriterAtATimeUntilClose() {
        Path dir = tmp.resolve("s");
        StoreSession first = StoreSession.open(writable(dir));
        StoreLockedException e = assertThrows(StoreLockedException.class, () -> StoreSession.open(writable(dir)));
        assertEquals(dir, e.store());
        try (StoreSession reader = StoreSession.open(readOnly(dir))) {
            assertEquals(Map.of(), reader.current().arrays(), "a reader takes no lock");
        }
        first.close();
        first.close(); // a second close does nothing
        assertThrows(AlreadyClosedException.class, first::current);
        try (StoreSession second = StoreSession.open(writable(dir))) {
            save(second, "a", 1);
        }
    }

    @Test
    void dropIfExistsStartsEmpty() {
        Path dir = tmp.resolve("s");
        try (StoreSession s = StoreSession.open(writable(dir))) {
            save(s, "a", 1);
            save(s, "b", 2);
        }
        StoreOptions o = writable(dir);
        StoreOptions drop = new StoreOptions(o.root(), false, true, true, false, o.lockTimeout(), o.segmentTargetBytes());
        try (StoreSession s = StoreSession.open(drop)) {
            assertEquals(Map.of(), s.current().arrays());
        }
        assertFalse(Files.exists(dir.resolve(StoreLayout.dataFile("a"))), "the dropped arrays' files are gone");
        assertFalse(Files.exists(dir.resolve(StoreLayout.dataFile("b"))));
    }

    @Test
    void aCleanCloseRemovesTheClearedJournal() {
        Path dir = tmp.resolve("s");
        try (StoreSession s = StoreSession.open(writable(dir))) {
            save(s, "a", 1, 2);
            save(s, "a", 3); // a replacement goes through the journal
            assertTrue(Files.exists(dir.resolve(StoreLayout.JOURNAL)));
        }
        assertFalse(Files.exists(dir.resolve(StoreLayout.JOURNAL)));
        try (StoreLock l = StoreLock.tryAcquire(dir)) {
            assertNotNull(l, "close released the writer lock");
        }
    }

    @Test
    void missingOrWrongDirectoriesAreTypedIOErrors() throws IOException {
        Path missing = tmp.resolve("missing");
        StoreOptions o = writable(missing);
        StoreIOException e = assertThrows(StoreIOException.class, () -> StoreSession.open(
                new StoreOptions(o.root(), false, false, false, false, o.lockTimeout(), o.segmentTargetBytes())));
        assertEquals(missing, e.store());
        assertNull(e.array());
        assertInstanceOf(NoSuchFileException.class, e.getCause());
        assertTrue(e.getMessage().contains("no store directory here"), e.getMessage());
        assertFalse(Files.exists(missing), "optCreate(false) creates nothing");

        e = assertThrows(StoreIOException.class, () -> StoreSession.open(readOnly(missing)));
        assertEquals(missing, e.store());
        assertInstanceOf(NoSuchFileException.class, e.getCause());

        Path file = Files.writeString(tmp.resolve("file"), "not a store");
        e = assertThrows(StoreIOException.class, () -> StoreSession.open(writable(file)));
        assertEquals(file, e.store());
        assertInstanceOf(NotDirectoryException.class, e.getCause());
        assertTrue(e.getMessage().contains("exists and is not a directory"), e.getMessage());

        Path under = file.resolve("store");
        e = assertThrows(StoreIOException.class, () -> StoreSession.open(writable(under)));
        assertEquals(under, e.store());
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(e.getMessage().contains("cannot create the store directory"), e.getMessage());
    }

    @Test
    void createsMissingParents() {
        Path deep = tmp.resolve("a/b/c");
        try (StoreSession s = StoreSession.open(writable(deep))) {
            save(s, "x", 5);
        }
        try (StoreSession s = StoreSession.open(readOnly(deep))) {
            assertArrayEquals(new int[] {5}, read(s.mapped("x")));
        }
    }
}
