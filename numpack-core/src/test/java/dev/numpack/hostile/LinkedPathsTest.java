package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.BatchMode;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.format.JournalCodec;
import dev.numpack.internal.format.JournalCodec.Action;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Links that lead out of the store: a symbolic link in a journal path's directory, a linked segment
 * directory the sweeper finds, a data file hard-linked to a file elsewhere. None may change anything
 * outside the store. Also the empty-array edge cases a review found.
 */
class LinkedPathsTest {
    @TempDir
    Path tmp;

    Path store;
    Path outside;

    @BeforeEach
    void build() throws Exception {
        store = tmp.resolve("store");
        outside = tmp.resolve("outside");
        Files.createDirectories(outside.resolve("b"));
        Files.write(outside.resolve("b").resolve("keep.txt"), "keep".getBytes(StandardCharsets.UTF_8));
        Files.write(outside.resolve("seg_000000.npkd"), new byte[] {1, 2, 3});
        try (NumPack np = NumPack.open(store)) {
            np.save("a", NdArray.of(new float[] {1, 2, 3}));
        }
    }

    private byte[] readOutside(String rel) throws Exception {
        return Files.readAllBytes(outside.resolve(rel));
    }

    @Test
    void journalPathThroughALinkedDirectoryIsRefusedWhole() throws Exception {
        Files.createSymbolicLink(store.resolve("a_link"), outside);
        ByteBuffer j = JournalCodec.encode(List.of(
                Action.put("a_link/b/evil.txt", ByteBuffer.wrap(new byte[] {9})),
                Action.delete("a_link/b/keep.txt")));
        byte[] bytes = new byte[j.remaining()];
        j.get(bytes);
        Files.write(store.resolve("numpack.journal"), bytes);
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> NumPack.openReadOnly(store));
        assertTrue(e.getMessage().contains("journal"), e.getMessage());
        assertThrows(CorruptStoreException.class, () -> NumPack.open(store));
        assertFalse(Files.exists(outside.resolve("b").resolve("evil.txt")));
        assertArrayEquals("keep".getBytes(StandardCharsets.UTF_8), readOutside("b/keep.txt"));
    }

    @Test
    void sweeperDoesNotFollowALinkedSegmentDirectory() throws Exception {
        Files.createSymbolicLink(store.resolve("data_q_segments"), outside);
        Files.write(outside.resolve("x.tmp-np1"), new byte[] {4});
        try (NumPack np = NumPack.open(store)) {
            assertEquals(NdArray.of(new float[] {1, 2, 3}), np.load("a"));
        }
        assertArrayEquals(new byte[] {1, 2, 3}, readOutside("seg_000000.npkd"));
        assertArrayEquals(new byte[] {4}, readOutside("x.tmp-np1"));
    }

    @Test
    void hardLinkedDataFileIsNotWrittenThrough() throws Exception {
        Path data = store.resolve("data_a.npkd");
        byte[] before = Files.readAllBytes(data);
        Files.delete(data);
        Path elsewhere = outside.resolve("shared.bin");
        Files.write(elsewhere, concat(before, new byte[] {7, 7, 7, 7})); // longer: a sweep would truncate it
        Files.createLink(data, elsewhere);
        try (NumPack np = NumPack.open(store)) {
            assertEquals(NdArray.of(new float[] {1, 2, 3}), np.load("a")); // reading through the link is harmless
            NumPackException e = assertThrows(NumPackException.class, () -> np.append("a", NdArray.of(new float[] {4})));
            assertTrue(e.getMessage().contains("hard links"), e.getMessage());
            e = assertThrows(NumPackException.class, () -> np.replace("a", NdArray.of(new float[] {0}), 0));
            assertTrue(e.getMessage().contains("hard links"), e.getMessage());
            np.save("a", NdArray.of(new float[] {5})); // a save renames a new file into place: the link is left alone
            assertEquals(NdArray.of(new float[] {5}), np.load("a"));
        }
        assertArrayEquals(concat(before, new byte[] {7, 7, 7, 7}), Files.readAllBytes(elsewhere));
    }

    @Test
    void negativeJournalWriteOffsetIsAFormatError() {
        ByteBuffer j = JournalCodec.encode(List.of(Action.pwrite("data_a.npkd", 0, ByteBuffer.wrap(new byte[] {1}))));
        // the offset sits after the kind byte and the path; patch it negative and fix the checksum
        ByteBuffer b = ByteBuffer.allocate(j.remaining()).order(ByteOrder.LITTLE_ENDIAN).put(j.duplicate());
        int offsetAt = 16 + 4 + 1 + 4 + "data_a.npkd".length();
        b.putLong(offsetAt, -8);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 16, b.capacity() - 16);
        b.putInt(12, (int) crc.getValue());
        FormatException e = assertThrows(FormatException.class, () -> JournalCodec.decode(b.position(0)));
        assertTrue(String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage()).contains("negative"),
                e.toString());
    }

    @Test
    void appendToAnEmptyArrayWithoutADataFileCreatesIt() throws Exception {
        try (NumPack np = NumPack.open(store)) {
            np.save("e", NdArray.zeros(dev.numpack.DType.INT32, 0, 2));
        }
        Files.delete(store.resolve("data_e.npkd")); // NumPack 0.7 may leave an empty array without a file
        try (NumPack np = NumPack.open(store)) {
            assertEquals(0, np.shape("e")[0]);
            np.append("e", NdArray.of(new int[][] {{1, 2}}));
            assertArrayEquals(new int[] {1, 2}, np.load("e").toIntArray());
        }
    }

    @Test
    void aBatchNoLongerShowsADroppedArray() {
        try (NumPack np = NumPack.open(store); BatchMode b = np.batchMode()) {
            b.drop("a");
            assertFalse(b.contains("a"));
            assertThrows(ArrayNotFoundException.class, () -> b.shape("a"));
            assertThrows(ArrayNotFoundException.class, () -> b.dtype("a"));
            b.abort();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
