package dev.numpack.interop;

import static dev.numpack.interop.NpkLayout.ArraySpec.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.NumPack;
import dev.numpack.interop.NpkLayout.Spec;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken stores, made by writing a valid one with the Python implementation and then damaging it: the
 * Python reader (which mirrors what NumPack 0.7 chokes on or misreads) must refuse each with a non-zero
 * exit, and Java must refuse each with a {@link CorruptStoreException} rather than return wrong rows.
 */
class CorruptStoreAgreementTest {
    @TempDir
    Path dir;

    private Path store;

    @BeforeEach
    void writeValidStore() {
        Python.assumeAvailable();
        store = dir.resolve("store");
    }

    /** The base store: a plain, a bitmapped, a segmented, an empty and a 0-d array. */
    private Spec base() {
        return new Spec()
                .add(of("plain", "float32", 1, 10, 3))
                .add(of("bm", "int64", 2, 10).deleted("header", 0, 9))
                .add(of("seg", "uint16", 3, 11, 2).segments("pretty", 5, 6))
                .add(of("empty", "float64", 4, 0, 4))
                .add(of("scalar", "int8", 5));
    }

    /** Writes a valid store (checked to read on both sides), to be damaged by the test. */
    private void write(Spec spec) {
        NpkLayout.write(store, spec, dir);
        NpkLayout.dump(store, dir.resolve("ok-" + System.nanoTime()));
        try (NumPack np = NumPack.openReadOnly(store)) {
            np.load("plain");
        }
    }

    /** Writes a store that the spec already makes invalid. */
    private void writeBad(Spec spec) {
        NpkLayout.write(store, spec, dir);
    }

    /** Both readers must refuse the store; Python's message must contain {@code pythonSays}. */
    private void bothRefuse(String pythonSays) {
        String why = NpkLayout.runExpectingFailure("dump", store.toString(), dir.resolve("dump").toString());
        assertTrue(why.contains("exited with 2") && why.contains(pythonSays), why);
        CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> {
            try (NumPack np = NumPack.openReadOnly(store)) {
                for (String n : np.names()) {
                    np.load(n);
                }
            }
        });
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    private void edit(String file, Edit edit) throws IOException {
        Path p = store.resolve(file);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        Files.write(p, edit.apply(b));
    }

    interface Edit {
        byte[] apply(ByteBuffer b);
    }

    private static byte[] bytes(ByteBuffer b) {
        return b.array();
    }

    private void truncate(String file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(store.resolve(file), StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Test
    void badMagicIsRefusedAndNotOverwritten() throws IOException {
        write(base());
        edit("metadata.npkm", b -> bytes(b.putInt(0, 0x58585858)));
        byte[] before = Files.readAllBytes(store.resolve("metadata.npkm"));
        bothRefuse("bad magic");
        // upstream treats a bad magic as an empty store and overwrites it at close; we must not
        assertThrows(CorruptStoreException.class, () -> NumPack.open(store).close());
        assertArrayEquals(before, Files.readAllBytes(store.resolve("metadata.npkm")));
    }

    @Test
    void unknownDtypeCode() {
        writeBad(base().add(of("odd", "int32", 6, 3).dtypeCode(14)));
        bothRefuse("unknown dtype code 14");
    }

    @Test
    void compressedRecord() {
        writeBad(base().add(of("zstd", "int32", 6, 3).compression(1)));
        bothRefuse("compression 1");
    }

    @Test
    void truncatedMetadata() throws IOException {
        write(base());
        truncate("metadata.npkm", Files.size(store.resolve("metadata.npkm")) - 5);
        bothRefuse("truncated");
    }

    @Test
    void trailingBytesAfterRecords() throws IOException {
        // upstream ignores them; both implementations refuse what no writer produces
        write(base());
        Files.write(store.resolve("metadata.npkm"), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        bothRefuse("trailing bytes");
    }

    @Test
    void totalSizeThatDriftedIsTolerated() throws IOException {
        // Upstream maintains total_size incrementally and never reads it back, so a drifted value is not
        // corruption: both readers take the records' own sizes and read every array.
        Spec spec = base();
        write(spec);
        edit("metadata.npkm", b -> bytes(b.putLong(8, b.getLong(8) + 1)));
        NpkLayout.Index expected = NpkLayout.expect(spec, dir.resolve("expect"));
        NpkLayout.Index dumped = NpkLayout.dump(store, dir.resolve("dump"));
        assertEquals(expected.totalSize + 1, dumped.totalSize);
        UpstreamStoreReadTest.checkStore(store, expected, 1);
        for (NpkLayout.Entry e : expected.arrays.values()) {
            NpkLayout.assertSameArray(e.array(), dumped.get(e.name).array(), e.name);
        }
    }

    @Test
    void duplicateRecord() {
        writeBad(new Spec().add(of("twice", "int32", 1, 4)).add(of("twice", "int32", 2, 4)));
        String why = NpkLayout.runExpectingFailure("dump", store.toString(), dir.resolve("dump").toString());
        assertTrue(why.contains("recorded twice"), why);
        assertThrows(CorruptStoreException.class, () -> NumPack.openReadOnly(store).close());
    }

    @Test
    void dataFileShorterThanSizeBytes() throws IOException {
        write(base());
        truncate("data_plain.npkd", 10 * 3 * 4 - 1);
        bothRefuse("data file has 119 bytes");
    }

    @Test
    void dataFileMissing() throws IOException {
        write(base());
        Files.delete(store.resolve("data_plain.npkd"));
        bothRefuse("data file data_plain.npkd is missing");
    }

    @Test
    void dataFileOutsideTheStore() throws IOException {
        writeBad(base().add(of("escape", "int32", 6, 3).dataFile("../outside.npkd")));
        Files.write(dir.resolve("outside.npkd"), new byte[12]);
        bothRefuse("not a plain relative path");
    }

    @Test
    void absoluteDataFile() throws IOException {
        Path outside = dir.resolve("abs.npkd");
        Files.write(outside, new byte[12]);
        writeBad(base().add(of("abs", "int32", 6, 3).dataFile(outside.toString())));
        bothRefuse("not a plain relative path");
    }

    @Test
    void segmentMissing() throws IOException {
        write(base());
        Files.delete(store.resolve("data_seg_segments/seg_000001.npkd"));
        bothRefuse("segment data_seg_segments/seg_000001.npkd is missing");
    }

    @Test
    void segmentShorterThanManifest() throws IOException {
        write(base());
        truncate("data_seg_segments/seg_000001.npkd", 6 * 4 - 2);
        bothRefuse("has 22 bytes, needs 24");
    }

    @Test
    void manifestRowsDoNotAddUp() throws IOException {
        write(base());
        String m = Files.readString(store.resolve("data_seg.npkseg"));
        Files.writeString(store.resolve("data_seg.npkseg"), m.replace("\"rows\": 6,\n      \"bytes\": 24",
                "\"rows\": 5,\n      \"bytes\": 20"));
        bothRefuse("segments hold 40 bytes, metadata 44");
    }

    @Test
    void manifestBytesDisagreeWithRows() throws IOException {
        write(base());
        String m = Files.readString(store.resolve("data_seg.npkseg"));
        Files.writeString(store.resolve("data_seg.npkseg"), m.replace("\"bytes\": 24", "\"bytes\": 23"));
        bothRefuse("segment 1 has 23 bytes for 6 rows");
    }

    @Test
    void manifestVersion2() throws IOException {
        write(base());
        String m = Files.readString(store.resolve("data_seg.npkseg"));
        Files.writeString(store.resolve("data_seg.npkseg"), m.replace("\"version\": 1", "\"version\": 2"));
        bothRefuse("manifest version 2");
    }

    @Test
    void manifestNotJson() throws IOException {
        write(base());
        Files.writeString(store.resolve("data_seg.npkseg"), "{\"version\": 1, \"segments\": [", StandardCharsets.UTF_8);
        bothRefuse("manifest is not JSON");
    }

    @Test
    void bitmapOfNoLayout() throws IOException {
        write(base());
        Files.write(store.resolve("deleted_bm.npkb"), new byte[20]);
        bothRefuse("fits no layout");
    }

    @Test
    void bitmapHeaderDeletedCountWrong() throws IOException {
        write(base());
        edit("deleted_bm.npkb", b -> bytes(b.putLong(8, 3)));
        bothRefuse("header says 3 deleted, bits say 2");
    }

    @Test
    void bitmapHeaderRowCountWrong() throws IOException {
        write(base());
        edit("deleted_bm.npkb", b -> bytes(b.putLong(0, 11)));
        bothRefuse("bitmap counts 11 rows, metadata 10");
    }

    @Test
    void bitmapBitsPastTheLastRow() throws IOException {
        write(base());
        edit("deleted_bm.npkb", b -> bytes(b.putLong(16, b.getLong(16) | (1L << 40))));
        bothRefuse("bits set past row 10");
    }

    @Test
    void bitmapOnA0dArray() throws IOException {
        write(base());
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(1).putLong(0).putLong(1);
        Files.write(store.resolve("deleted_scalar.npkb"), b.array());
        bothRefuse("deletion bitmap for a 0-d array");
    }

    @Test
    void missingDataFileOfAnEmptyArray() throws IOException {
        // Upstream maps the data file even when it holds no bytes, so it fails here; the Python reader
        // refuses it. (Java is allowed to be lenient about this one: it has nothing to read.)
        write(base());
        Files.delete(store.resolve("data_empty.npkd"));
        String why = NpkLayout.runExpectingFailure("dump", store.toString(), dir.resolve("dump").toString());
        assertTrue(why.contains("data_empty.npkd is missing"), why);
        try (NumPack np = NumPack.openReadOnly(store)) {
            assertArrayEquals(new long[] {0, 4}, np.shape("empty"));
            assertEquals(0, np.load("empty").byteSize());
        } catch (CorruptStoreException refused) {
            // refusing is fine too
        }
    }
}
