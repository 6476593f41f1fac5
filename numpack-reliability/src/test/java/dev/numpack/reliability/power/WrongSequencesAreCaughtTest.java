package dev.numpack.reliability.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.numpack.Durability;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.internal.store.FileOps;
import dev.numpack.internal.store.StoreLayout;
import dev.numpack.io.AtomicFiles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulation can fail: writers that skip a step of the durable sequence (fsync the new file, rename, fsync
 * the directory) or write committed bytes in place without a journal are caught, and the correct sequence is not.
 * The test-only writers below keep one number in a file {@code value} and go through the engine's
 * {@link FileOps}, as the code under test does, so the recorder sees their fsyncs.
 */
class WrongSequencesAreCaughtTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "see PowerLossTest");
    }

    /** A writer of the number in {@code dir/value}. */
    @FunctionalInterface
    private interface ValueWriter {
        void write(Path dir, long value) throws Exception;
    }

    private static final FileOps DURABLE = new FileOps(true);

    /** Reads the number; a missing, empty or torn file fails, as a store that cannot open. */
    private static String readValue(Path dir) throws Exception {
        String s = Files.readString(dir.resolve("value"), StandardCharsets.UTF_8);
        return Long.toString(Long.parseLong(s.trim()));
    }

    private Figures run(String name, ValueWriter writer) throws Exception {
        return run(name, "0", writer);
    }

    private Figures run(String name, String initial, ValueWriter writer) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("value"), initial);
        Figures f = new Figures();
        PowerLossSimulation sim = new PowerLossSimulation(tmp.resolve("scratch-" + name), 3, 8, f, tmp.resolve("kept-" + name));
        try (PowerLossSimulation.Recording r = sim.record(dir, WrongSequencesAreCaughtTest::readValue,
                PowerLossSimulation.BEFORE_OR_AFTER)) {
            for (long v = 1; v <= 3; v++) {
                long value = v * 1111111; // several bytes, so that a prefix is another number or garbage
                r.step("write", () -> writer.write(dir, value));
            }
        }
        System.out.println(f.table(name));
        return f;
    }

    private static FileChannel newTemp(Path dir, long value) throws Exception {
        FileChannel ch = FileChannel.open(dir.resolve("value.tmp"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileOps.writeFully(ch, ByteBuffer.wrap(Long.toString(value).getBytes(StandardCharsets.UTF_8)), 0);
        return ch;
    }

    private static void rename(Path dir) throws Exception {
        Files.move(dir.resolve("value.tmp"), dir.resolve("value"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theCorrectSequenceNeverFails() throws Exception {
        Figures f = run("correct", (dir, v) -> AtomicFiles.write(dir.resolve("value"),
                out -> out.write(Long.toString(v).getBytes(StandardCharsets.UTF_8))));
        assertTrue(f.states() >= 6, "states were checked: " + f.states());
        assertEquals(0, f.failures(), f.failureList());
    }

    @Test
    void aRenameOfAFileNeverFsyncedIsCaught() throws Exception {
        Figures f = run("no-file-fsync", (dir, v) -> {
            newTemp(dir, v).close(); // the bytes may never reach the disk
            rename(dir);
            DURABLE.syncDir(dir);
        });
        assertTrue(f.failures() > 0, "a file renamed into place without its fsync must be caught");
        assertTrue(f.failureList().contains("the store failed"), f.failureList());
    }

    @Test
    void aRenameWithoutTheDirectoryFsyncIsCaught() throws Exception {
        Figures f = run("no-dir-fsync", (dir, v) -> {
            try (FileChannel ch = newTemp(dir, v)) {
                DURABLE.syncFile(ch, dir.resolve("value.tmp"));
            }
            rename(dir); // returns with the rename in the page cache only
        });
        assertTrue(f.failures() > 0, "a returned write whose rename may be undone must be caught");
        assertTrue(f.failureList().contains("at 'after it returned'"), f.failureList());
    }

    @Test
    void aStoreWithoutFsyncLosesAcknowledgedOperationsAndIsCaught() throws Exception {
        Path store = tmp.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("a", NdArray.of(new float[][] {{1, 2}, {3, 4}}));
        }
        Figures f = new Figures();
        PowerLossSimulation sim = new PowerLossSimulation(tmp.resolve("scratch-store"), 5, 8, f, tmp.resolve("kept-store"));
        NumPack[] np = new NumPack[1];
        try (PowerLossSimulation.Recording r = sim.record(store, Contents::ofStore, PowerLossSimulation.BEFORE_OR_AFTER)) {
            r.step("open", () -> np[0] = NumPack.builder().setPath(store).optDurability(Durability.NO_FSYNC).build());
            r.step("append", () -> np[0].append("a", NdArray.of(new float[][] {{5, 6}})));
            r.step("replace", () -> np[0].replace("a", NdArray.of(new float[][] {{7, 8}}), 0));
        } finally {
            if (np[0] != null) {
                np[0].close();
            }
        }
        System.out.println(f.table("NO_FSYNC store"));
        assertTrue(f.failures() > 0, "Durability.NO_FSYNC promises no power-loss safety: the simulation must see the loss");
        assertTrue(f.failureList().contains("neither the state before nor after"), f.failureList());
    }

    /**
     * A write through a mapping is durable only within the range a range sync ({@code msync}) covered: a writer
     * that rewrites the number in a mapped file of fixed size and syncs only its first bytes is caught, one that
     * syncs the whole range is not.
     */
    @Test
    void aMappedWriteIsDurableOnlyInTheRangeSynced() throws Exception {
        String blank = " ".repeat(32);
        Figures partly = run("mapped-partly-synced", "0" + blank, (dir, v) -> writeMapped(dir, v, 4));
        assertTrue(partly.failures() > 0, "bytes written past the synced range must not count as durable");
        assertTrue(partly.failureList().contains("at 'after it returned'"), partly.failureList());
        Figures whole = run("mapped-synced", "0" + blank, (dir, v) -> writeMapped(dir, v, 33));
        assertTrue(whole.states() >= 6, "states were checked: " + whole.states());
        assertEquals(0, whole.failures(), whole.failureList());
    }

    /** Writes the number, padded with blanks, over the first 33 bytes of {@code value} through a mapping. */
    private static void writeMapped(Path dir, long value, int synced) throws Exception {
        Path f = dir.resolve("value");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 33);
            m.put(String.format("%-33d", value).getBytes(StandardCharsets.UTF_8));
            DURABLE.syncMapped(m, f, 0, 0, synced);
        }
    }

    /**
     * Small durable appends commit through the append log: the range sync of each record is their commit point
     * (the rows in the data file are not fsynced). With those syncs dropped, as if {@code AppendLog} skipped them,
     * a power loss after an append returned takes it away, and the simulation must say so; with them, it must not.
     */
    @Test
    void anAppendLogWhoseRecordsAreNotSyncedIsCaught() throws Exception {
        Figures dropped = appendThroughTheLog("appends-unsynced", true);
        assertTrue(dropped.failures() > 0, "an append whose log record was never synced must be caught");
        assertTrue(dropped.failureList().contains("at 'after it returned'"), dropped.failureList());
        Figures synced = appendThroughTheLog("appends-synced", false);
        assertTrue(synced.states() > 0, "states were checked");
        assertEquals(0, synced.failures(), synced.failureList());
    }

    private Figures appendThroughTheLog(String name, boolean dropLogSyncs) throws Exception {
        Path store = tmp.resolve(name);
        try (NumPack np = NumPack.open(store)) {
            np.save("a", NdArray.of(new float[][] {{1, 2}, {3, 4}}));
        }
        Figures f = new Figures();
        PowerLossSimulation sim = new PowerLossSimulation(tmp.resolve("scratch-" + name), 5, 8, f, tmp.resolve("kept-" + name));
        NumPack[] np = new NumPack[1];
        try (PowerLossSimulation.Recording r = sim.record(store, Contents::ofStore, PowerLossSimulation.BEFORE_OR_AFTER)) {
            if (dropLogSyncs) {
                r.dropSyncs("msync " + StoreLayout.APPEND_LOG);
            }
            r.step("open", () -> np[0] = NumPack.open(store));
            for (int i = 0; i < 3; i++) {
                float v = 5 + i;
                r.step("append", () -> np[0].append("a", NdArray.of(new float[][] {{v, v}})));
            }
            assertTrue(Files.exists(store.resolve(StoreLayout.APPEND_LOG)), "the appends went through the append log");
        } finally {
            if (np[0] != null) {
                np[0].close();
            }
        }
        System.out.println(f.table(name));
        return f;
    }

    @Test
    void anInPlaceRewriteWithoutAJournalIsCaught() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("in-place"));
        Files.write(dir.resolve("value"), pad(0));
        Figures f = new Figures();
        PowerLossSimulation sim = new PowerLossSimulation(tmp.resolve("scratch-in-place"), 9, 16, f, tmp.resolve("kept-in-place"));
        try (PowerLossSimulation.Recording r = sim.record(dir, d -> {
            byte[] b = Files.readAllBytes(d.resolve("value"));
            for (int i = 1; i < b.length; i++) {
                if (b[i] != b[0]) {
                    throw new IllegalStateException("torn: sectors of two versions");
                }
            }
            return Integer.toString(b[0]);
        }, PowerLossSimulation.BEFORE_OR_AFTER)) {
            for (int v = 1; v <= 4; v++) {
                int value = v;
                r.step("rewrite in place", () -> {
                    try (FileChannel ch = FileChannel.open(dir.resolve("value"), StandardOpenOption.WRITE)) {
                        FileOps.writeFully(ch, ByteBuffer.wrap(pad(value)), 0); // several sectors, no redo log
                        DURABLE.syncFile(ch, dir.resolve("value"));
                    }
                });
            }
        }
        System.out.println(f.table("in-place rewrite without a journal"));
        assertTrue(f.failures() > 0, "a torn in-place write must be caught");
        assertTrue(f.failureList().contains("torn"), f.failureList());
    }

    /** Four sectors of one byte value. */
    private static byte[] pad(int value) {
        byte[] b = new byte[4 * CrashStates.SECTOR];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
