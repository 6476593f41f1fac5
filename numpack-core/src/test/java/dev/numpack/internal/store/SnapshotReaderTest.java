package dev.numpack.internal.store;

import static dev.numpack.internal.store.EngineFixture.read;
import static dev.numpack.internal.store.EngineFixture.readOnly;
import static dev.numpack.internal.store.EngineFixture.save;
import static dev.numpack.internal.store.EngineFixture.writable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.AlreadyClosedException;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import dev.numpack.StoreStateException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SnapshotReader} and the read-only side of {@link MappedArrays}: one commit's arrays, all mapped. */
class SnapshotReaderTest {
    @TempDir
    Path dir;

    private StoreSession writer;

    @BeforeEach
    void commitTwoArrays() {
        writer = StoreSession.open(writable(dir));
        saveBoth(1);
    }

    @AfterEach
    void close() {
        writer.close();
    }

    /** One commit that gives arrays a and b the same generation {@code g}. */
    private void saveBoth(int g) {
        writer.commits().run(null, c -> {
            c.save("a", dev.numpack.DType.INT32, new long[] {2}, EngineFixture.ints(g, g));
            c.save("b", dev.numpack.DType.INT32, new long[] {1}, EngineFixture.ints(g));
        });
    }

    private StoreContext context() {
        StoreOptions o = readOnly(dir);
        return new StoreContext(new StoreLayout(o.root()), new FileOps(false), o.segmentTargetBytes());
    }

    @Test
    void mapsEveryArrayOfOneCommit() {
        MappedSnapshot v = new SnapshotReader(context()).read();
        assertEquals(Set.of("a", "b"), v.maps.keySet());
        for (String n : v.snap.arrays().keySet()) {
            assertSame(v.snap.get(n), v.maps.get(n).entry(), "the mapping is of the snapshot's own entry");
        }
        assertArrayEquals(new int[] {1, 1}, read(v.maps.get("a")));
        assertArrayEquals(new int[] {1}, read(v.maps.get("b")));
        v.closeReaders();
    }

    @Test
    void startsOverWhenACommitLandsWhileItReads() {
        AtomicInteger attempts = new AtomicInteger();
        SnapshotReader r = new SnapshotReader(context(), SnapshotReader.PATIENCE, () -> {
            if (attempts.incrementAndGet() == 1) {
                saveBoth(2); // a writer commits after the first attempt mapped generation 1
            }
        });
        MappedSnapshot v = r.read();
        assertEquals(2, attempts.get(), "the first attempt was thrown away");
        assertArrayEquals(new int[] {2, 2}, read(v.maps.get("a")));
        assertArrayEquals(new int[] {2}, read(v.maps.get("b")));
        assertFalse(r.changed(), "the snapshot is of the metadata now on disk");
        saveBoth(3);
        assertTrue(r.changed());
        v.closeReaders();
    }

    @Test
    void givesUpWithAStateErrorWhenTheStoreKeepsChanging() {
        AtomicInteger g = new AtomicInteger(1);
        SnapshotReader r = new SnapshotReader(context(), Duration.ofSeconds(1), () -> saveBoth(g.incrementAndGet()));
        StoreStateException e = assertThrows(StoreStateException.class, r::read);
        assertEquals(dir, e.store());
        assertNull(e.array());
        assertTrue(e.getMessage().contains("kept changing for 1 s"), e.getMessage());
        assertTrue(g.get() > 2, "it tried more than once");
    }

    @Test
    void anArrayWhoseFilesAreDamagedIsABrokenEntryThatNamesStoreAndArray() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(StoreLayout.dataFile("a")).toFile(), "rw")) {
            f.setLength(4); // the metadata says 8 bytes
        }
        try (StoreSession s = StoreSession.open(readOnly(dir))) {
            assertNotNull(s.current().get("a").problem());
            CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> s.mapped("a"));
            assertEquals(dir, e.store());
            assertEquals("a", e.array());
            assertEquals(s.current().get("a").problem(), e.getMessage(), "the store and array are named once");
            assertArrayEquals(new int[] {1}, read(s.mapped("b")), "the other array stays readable");
            ArrayNotFoundException missing = assertThrows(ArrayNotFoundException.class, () -> s.mapped("zz"));
            assertEquals(dir, missing.store());
            assertEquals("zz", missing.array());
            CorruptStoreException v = assertThrows(CorruptStoreException.class, s::verify);
            assertEquals(dir, v.store());
            assertEquals("a", v.array());
        }
    }

    @Test
    void refreshInstallsTheNewCommitAndViewsKeepTheirSnapshot() {
        try (StoreSession s = StoreSession.open(readOnly(dir))) {
            MappedArray old = s.mapped("a");
            assertFalse(s.refresh(), "nothing committed since it opened");
            saveBoth(2);
            assertTrue(s.refresh());
            assertArrayEquals(new int[] {2, 2}, read(s.mapped("a")));
            assertArrayEquals(new int[] {1, 1}, read(old), "a view opened before reads its own snapshot");
            assertFalse(s.refresh());
            s.close();
            assertThrows(AlreadyClosedException.class, s::refresh);
        }
        assertFalse(writer.refresh(), "a writable store always sees its own state");
    }

    @Test
    void aSnapshotReadWhileTheStoreClosesIsNotInstalled() {
        StoreContext ctx = context();
        SnapshotReader reader = new SnapshotReader(ctx);
        StoreSession s = StoreSession.openReadOnly(ctx, reader);
        MappedArrays arrays = s.arrays();
        StoreSnapshot opened = arrays.snapshot();
        saveBoth(2);
        MappedSnapshot fresh = reader.read(); // a refresh that read before close and installs after it
        s.close();
        assertFalse(arrays.install(fresh), "a released cache installs nothing");
        assertSame(opened, arrays.snapshot());
    }
}
