package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.DType;
import dev.numpack.Durability;
import dev.numpack.internal.format.AppendLogCodec;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Small appends commit through the append log ({@code numpack.appends}) and reach {@code metadata.npkm}
 * at the next other commit, when the log is full, and at close. Crash images are copies of a store
 * directory taken while its writer is open: the files as a {@code kill -9} leaves them (the page cache
 * survives), or, with the unsynced data bytes cut off, as a power loss may.
 */
class AppendLogTest {
    private static final int COLS = 4;

    @TempDir
    Path tmp;

    private Path store() {
        return tmp.resolve("store");
    }

    /** @return rows {@code first .. first+n-1}, row r holding r*10+c in column c */
    private static NdArray rows(int first, int n) {
        float[][] m = new float[n][COLS];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < COLS; c++) {
                m[r][c] = (first + r) * 10 + c;
            }
        }
        return NdArray.of(m);
    }

    private static NumPack open(Path dir, Durability d) {
        return NumPack.builder().setPath(dir).optDurability(d).build();
    }

    private byte[] metadata(Path dir) throws IOException {
        return Files.readAllBytes(dir.resolve(StoreLayout.METADATA));
    }

    /** @return the rows a program reading only the metadata (NumPack 0.7) sees for the array */
    private static long metadataRows(Path dir, String name) throws IOException {
        return StoreSnapshot.read(new StoreLayout(dir.toAbsolutePath().normalize())).get(name).physicalRows();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void smallAppendsLeaveTheMetadataAloneUntilCloseAppliesThem(Durability d) throws IOException {
        Path dir = store();
        byte[] before;
        try (NumPack np = open(dir, d)) {
            np.save("x", rows(0, 10));
            before = metadata(dir);
            np.append("x", rows(10, 3));
            np.append(Map.of("x", rows(13, 2)));
            assertArrayEquals(before, metadata(dir), "the append log carries them, the metadata waits");
            assertTrue(Files.exists(dir.resolve(StoreLayout.APPEND_LOG)));
            assertEquals(10, metadataRows(dir, "x"), "a metadata-only reader sees the state before the appends");
            assertEquals(rows(0, 15), np.load("x"));
            try (NumPack ro = NumPack.openReadOnly(dir)) {
                assertEquals(rows(0, 15), ro.load("x"), "a read-only store reads the log with the metadata");
            }
        }
        assertFalse(Files.exists(dir.resolve(StoreLayout.APPEND_LOG)), "close removes the applied log");
        assertNotEquals(Arrays.toString(before), Arrays.toString(metadata(dir)));
        assertEquals(15, metadataRows(dir, "x"), "after close the metadata holds every append");
        try (NumPack np = NumPack.openReadOnly(dir)) {
            assertEquals(rows(0, 15), np.load("x"));
        }
    }

    @Test
    void refreshSeesAppendsTheLogHolds() throws IOException {
        try (NumPack np = open(store(), Durability.NO_FSYNC)) {
            np.save("x", rows(0, 5));
            try (NumPack ro = NumPack.openReadOnly(store())) {
                assertFalse(ro.refresh());
                np.append("x", rows(5, 2));
                assertTrue(ro.refresh(), "a new record is a change");
                assertEquals(rows(0, 7), ro.load("x"));
                assertFalse(ro.refresh());
                np.append("x", rows(7, 1));
                assertTrue(ro.refresh());
                assertEquals(rows(0, 8), ro.load("x"));
            }
        }
    }

    @Test
    void anotherCommitAppliesTheLogFirst() throws IOException {
        Path dir = store();
        try (NumPack np = open(dir, Durability.FSYNC)) {
            np.save("x", rows(0, 4));
            np.append("x", rows(4, 4));
            np.replace("x", rows(100, 1), 6); // rows of the log, replaced in place
            assertEquals(8, metadataRows(dir, "x"), "the replace's commit wrote the appended rows' metadata");
            np.append("x", rows(8, 1));
            assertEquals(8, metadataRows(dir, "x"));
            Path image = tmp.resolve("image");
            copyTree(dir, image); // as a kill -9 leaves it: the renewed log holds only the last append
            try (NumPack re = NumPack.open(image)) {
                float[][] expected = rows(0, 9).toFloatMatrix();
                expected[6] = rows(100, 1).toFloatMatrix()[0];
                assertEquals(NdArray.of(expected), re.load("x"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void aKilledWritersLogIsAppliedByTheNextWritableOrReadOnlyOpen(Durability d) throws IOException {
        Path dir = store();
        Path image = tmp.resolve("image");
        Path image2 = tmp.resolve("image2");
        try (NumPack np = open(dir, d)) {
            np.save("x", rows(0, 10));
            np.save("y", rows(500, 2));
            for (int i = 0; i < 5; i++) {
                np.append("x", rows(10 + 3 * i, 3));
            }
            np.append(Map.of("x", rows(25, 1), "y", rows(502, 2)));
            copyTree(dir, image);
            copyTree(dir, image2);
        }
        try (NumPack ro = NumPack.openReadOnly(image)) { // no writer holds the lock: it applies the log
            assertEquals(rows(0, 26), ro.load("x"));
            assertEquals(rows(500, 4), ro.load("y"));
        }
        assertFalse(Files.exists(image.resolve(StoreLayout.APPEND_LOG)));
        assertEquals(26, metadataRows(image, "x"));
        try (NumPack np = NumPack.open(image2)) {
            assertEquals(rows(0, 26), np.load("x"));
            assertEquals(rows(500, 4), np.load("y"));
            assertFalse(Files.exists(image2.resolve(StoreLayout.APPEND_LOG)), "recovery applied and removed it");
            assertEquals(26, metadataRows(image2, "x"));
            np.append("x", rows(26, 1)); // and the store goes on
        }
        try (NumPack np = NumPack.openReadOnly(image2)) {
            assertEquals(rows(0, 27), np.load("x"));
        }
    }

    @Test
    void rowsLostFromTheUnsyncedDataFileComeBackFromTheLog() throws IOException {
        Path dir = store();
        Path image = tmp.resolve("image");
        try (NumPack np = open(dir, Durability.FSYNC)) {
            np.save("x", rows(0, 10));
            np.append("x", rows(10, 5));
            np.append("x", rows(15, 5));
            copyTree(dir, image);
        }
        // a power loss may lose the data file's unsynced tail (and may keep part of it, with any bytes)
        try (FileChannel ch = FileChannel.open(image.resolve("data_x.npkd"), StandardOpenOption.WRITE)) {
            ch.truncate(12L * COLS * 4);
            ch.write(ByteBuffer.wrap(new byte[COLS * 4]), 11L * COLS * 4); // row 11: garbage
        }
        try (NumPack np = NumPack.open(image)) {
            assertEquals(rows(0, 20), np.load("x"));
        }
    }

    @Test
    void withoutFsyncTheRecordsHoldChecksumsAndRowsLostWithTheDataFileEndTheLog() throws IOException {
        Path dir = store();
        Path image = tmp.resolve("image");
        try (NumPack np = open(dir, Durability.NO_FSYNC)) {
            np.save("x", rows(0, 10));
            np.append("x", rows(10, 5));
            np.append("x", rows(15, 5));
            np.append("x", rows(20, 5));
            assertTrue(usedLogBytes(dir) < AppendLogCodec.HEADER_BYTES + 3 * 5L * COLS * 4,
                    "the records carry checksums, not the rows");
            copyTree(dir, image);
        }
        // a power loss (which NO_FSYNC does not promise to survive) took the data file's tail from row 17 on,
        // and row 16 holds other bytes: the appends from the second on never happened; no garbage row shows
        try (FileChannel ch = FileChannel.open(image.resolve("data_x.npkd"), StandardOpenOption.WRITE)) {
            ch.truncate(17L * COLS * 4);
            ch.write(ByteBuffer.wrap(new byte[COLS * 4]), 16L * COLS * 4);
        }
        try (NumPack np = NumPack.open(image)) {
            assertEquals(rows(0, 15), np.load("x"));
        }
    }

    @Test
    void aTornLastRecordIsAnAppendThatNeverHappened() throws IOException {
        Path dir = store();
        Path image = tmp.resolve("image");
        long logBytesBeforeLast;
        try (NumPack np = open(dir, Durability.FSYNC)) {
            np.save("x", rows(0, 4));
            np.append("x", rows(4, 2));
            logBytesBeforeLast = usedLogBytes(dir);
            np.append("x", rows(6, 2));
            copyTree(dir, image);
        }
        try (FileChannel ch = FileChannel.open(image.resolve(StoreLayout.APPEND_LOG), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x55}), logBytesBeforeLast + 30); // inside the last record
        }
        try (NumPack np = NumPack.open(image)) {
            assertEquals(rows(0, 6), np.load("x"));
        }
    }

    /** @return the bytes up to the end of the log's records, as a reader finds them */
    private static long usedLogBytes(Path dir) throws IOException {
        return AppendLog.read(new StoreLayout(dir.toAbsolutePath().normalize())).end;
    }

    @Test
    void aLogWhoseHeaderNamesOtherMetadataIsNotApplied() throws IOException {
        Path dir = store();
        Path oldImage = tmp.resolve("old");
        Path image = tmp.resolve("image");
        try (NumPack np = open(dir, Durability.FSYNC)) {
            np.save("x", rows(0, 4));
            np.append("x", rows(4, 2));
            copyTree(dir, oldImage); // its log extends the metadata of the save
            np.save("z", rows(900, 1)); // new metadata, holding the append
            copyTree(dir, image);
        }
        // the old log comes back over the new metadata (a power loss undid its renewal)
        Files.copy(oldImage.resolve(StoreLayout.APPEND_LOG), image.resolve(StoreLayout.APPEND_LOG),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (NumPack np = NumPack.open(image)) {
            assertEquals(rows(0, 6), np.load("x"), "applied once, not twice");
            assertEquals(rows(900, 1), np.load("z"));
        }
        assertFalse(Files.exists(image.resolve(StoreLayout.APPEND_LOG)));
    }

    @Test
    void aFullLogIsAppliedAndStartsAgain() throws IOException {
        Path dir = store();
        int per = (AppendLog.MAX_RECORD_BYTES - 1024) / (COLS * 4); // rows of an append just under the limit
        int appends = (int) (AppendLog.MAX_BYTES / ((long) per * COLS * 4)) + 2;
        try (NumPack np = open(dir, Durability.NO_FSYNC)) {
            np.save("x", rows(0, 1));
            byte[] before = metadata(dir);
            int n = 1;
            boolean applied = false;
            for (int i = 0; i < appends; i++) {
                np.append("x", rows(n, per));
                n += per;
                applied |= !Arrays.equals(before, metadata(dir));
            }
            assertTrue(applied, "the log filled up and was applied to the metadata");
            assertTrue(Files.size(dir.resolve(StoreLayout.APPEND_LOG)) <= AppendLogCodec.HEADER_BYTES + AppendLog.MAX_BYTES);
            assertEquals(rows(0, n), np.load("x"));
        }
    }

    @Test
    void appendsTheLogDoesNotTakeCommitWhole() throws IOException {
        Path dir = store();
        try (NumPack np = open(dir, Durability.NO_FSYNC)) {
            np.save("x", rows(0, 2));
            int big = AppendLog.MAX_RECORD_BYTES / (COLS * 4) + 1;
            np.append("x", rows(2, big));
            assertEquals(2 + big, metadataRows(dir, "x"), "over the record limit: a whole commit");
            np.delete("x", 0);
            np.append("x", rows(2 + big, 1));
            assertEquals(3 + big, metadataRows(dir, "x"), "an array with a deletion bitmap: a whole commit");
            np.save("s", NdArray.copyOf(DType.FLOAT32, new long[] {0, COLS}, ByteBuffer.allocate(0)));
            Files.deleteIfExists(dir.resolve("data_s.npkd")); // an empty array without a data file (NumPack 0.7)
        }
        try (NumPack np = NumPack.open(dir)) {
            np.append("s", rows(0, 1));
            assertEquals(1, metadataRows(dir, "s"), "no data file to write past: a whole commit");
            assertEquals(rows(0, 1), np.load("s"));
        }
    }
}
