package dev.numpack.internal.store;

import static dev.numpack.internal.store.EngineFixture.ints;
import static dev.numpack.internal.store.EngineFixture.read;
import static dev.numpack.internal.store.EngineFixture.readOnly;
import static dev.numpack.internal.store.EngineFixture.save;
import static dev.numpack.internal.store.EngineFixture.temps;
import static dev.numpack.internal.store.EngineFixture.writable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.AlreadyClosedException;
import dev.numpack.DType;
import dev.numpack.NumPackException;
import dev.numpack.ReadOnlyStoreException;
import dev.numpack.StoreIOException;
import dev.numpack.StoreStateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CommitRunner}: commits one at a time, rolls back failed staging, blocks after a half-applied commit. */
class CommitRunnerTest {
    @TempDir
    Path dir;

    private StoreSession s;

    @BeforeEach
    void open() {
        s = StoreSession.open(writable(dir));
        save(s, "a", 1, 2, 3);
    }

    @AfterEach
    void close() {
        s.close();
    }

    @Test
    void aCommitThatThrowsWhileStagingRollsBackAndLeavesThePublishedState() throws IOException {
        StoreSnapshot before = s.current();
        IllegalStateException thrown = new IllegalStateException("staging failed");
        assertSame(thrown, assertThrows(IllegalStateException.class, () -> s.commits().run(null, c -> {
            c.save("a", DType.INT32, new long[] {1}, ints(9));
            c.save("b", DType.INT32, new long[] {2}, ints(4, 5));
            throw thrown;
        })));
        assertSame(before, s.current(), "the published state is the one before");
        assertEquals(List.of(), temps(dir), "the staged files are removed");
        assertArrayEquals(new int[] {1, 2, 3}, read(s.mapped("a")));
        save(s, "b", 6); // and the next commit runs
        assertEquals(Set.of("a", "b"), s.current().arrays().keySet());
    }

    @Test
    void anIOFailureWhileStagingIsATypedErrorAndChangesNothing() throws IOException {
        StoreSnapshot before = s.current();
        StoreIOException e = assertThrows(StoreIOException.class, () -> s.commits().run(null, c -> {
            c.save("b", DType.INT32, new long[] {1}, ints(4));
            throw new IOException("disk full");
        }));
        assertEquals(dir, e.store());
        assertTrue(e.getMessage().contains("nothing changed") && e.getMessage().contains("disk full"), e.getMessage());
        assertSame(before, s.current());
        assertEquals(List.of(), temps(dir));
    }

    @Test
    void aCommitNotCompletelyAppliedBlocksReadsAndWritesUntilReopened() throws IOException {
        // the staged file vanishes (another process removed it) after the journal is made: applying fails
        NumPackException failed = assertThrows(NumPackException.class, () -> s.commits().run(null, c -> {
            c.save("n", DType.INT32, new long[] {1}, ints(9));
            for (String t : temps(dir)) {
                Files.delete(dir.resolve(t));
            }
        }));
        assertInstanceOf(Journal.CommitException.class, failed.getCause());
        StoreStateException w = assertThrows(StoreStateException.class, () -> save(s, "b", 1));
        assertEquals(dir, w.store());
        assertNull(w.array());
        assertTrue(w.getMessage().contains("not completely applied"), w.getMessage());
        assertEquals(dir, assertThrows(StoreStateException.class, s::current).store());
        assertEquals(dir, assertThrows(StoreStateException.class, () -> s.mapped("a")).store());
        Object batch = new Object();
        s.commits().beginBatch(batch);
        assertThrows(StoreStateException.class, () -> s.commits().run(batch, c -> c.drop("a")), "nor a batch");
        s.commits().endBatch(batch);
    }

    @Test
    void aBatchExcludesPlainWritesAndOtherBatches() {
        Object batch = new Object();
        s.commits().beginBatch(batch);
        StoreStateException e = assertThrows(StoreStateException.class, () -> save(s, "b", 1));
        assertEquals(dir, e.store());
        assertTrue(e.getMessage().contains("a batch is open"), e.getMessage());
        e = assertThrows(StoreStateException.class, () -> s.commits().beginBatch(new Object()));
        assertEquals(dir, e.store());
        assertTrue(e.getMessage().contains("already open"), e.getMessage());

        s.commits().run(batch, c -> c.save("b", DType.INT32, new long[] {1}, ints(4)));
        s.commits().endBatch(new Object()); // not the open batch: nothing ends
        assertThrows(StoreStateException.class, () -> save(s, "c", 1));
        s.commits().endBatch(batch);
        save(s, "c", 5);
        assertEquals(Set.of("a", "b", "c"), s.current().arrays().keySet());
    }

    @Test
    void stageBatchSaveWritesOnlyChangedRowsInPlace() {
        save(s, "q", 0, 1, 2, 3, 4, 5, 6, 7);
        ArrayEntry before = s.current().get("q");
        java.nio.ByteBuffer mapped = s.mapped("q").data().single().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        s.commits().run(null, c -> s.commits().stageBatchSave(c, "q", DType.INT32, new long[] {8},
                ints(0, 10, 2, 3, 4, 5, 6, 7)));
        assertSame(before, s.current().get("q"), "rows replaced in place keep the record");
        assertEquals(10, mapped.getInt(4), "a mapping made before sees the row: it was written in place");

        s.commits().run(null, c -> s.commits().stageBatchSave(c, "q", DType.INT32, new long[] {2}, ints(8, 9)));
        assertArrayEquals(new int[] {8, 9}, read(s.mapped("q")), "a new shape writes a new file");
        assertEquals(10, mapped.getInt(4), "which the old mapping does not see");
    }

    @Test
    void readOnlyAndClosedRunnersRefuseCommits() {
        try (StoreSession r = StoreSession.open(readOnly(dir))) {
            assertEquals(dir, assertThrows(ReadOnlyStoreException.class, () -> save(r, "b", 1)).store());
        }
        s.close();
        assertEquals(dir, assertThrows(AlreadyClosedException.class, () -> save(s, "b", 1)).store());
    }
}
