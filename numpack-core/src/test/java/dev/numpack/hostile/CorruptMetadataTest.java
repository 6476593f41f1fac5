package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.DType;
import dev.numpack.internal.format.MetadataCodec;
import dev.numpack.hostile.HostileFixture.RawRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged {@code metadata.npkm}: every truncation, every byte flip, bad magic, absurd counts and sizes,
 * unknown dtypes. Opening read-only or writable must raise {@link CorruptStoreException} naming the store
 * (and array), change nothing in or outside the store, and never hang or exhaust memory.
 */
class CorruptMetadataTest {
    @TempDir
    Path tmp;

    HostileFixture f;

    @BeforeEach
    void build() {
        f = new HostileFixture(tmp).buildStandard();
    }

    private byte[] meta() {
        return f.read("metadata.npkm");
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void truncatedAtEveryOffset() {
        byte[] full = meta();
        for (int n = 0; n < full.length; n++) {
            f.write("metadata.npkm", java.util.Arrays.copyOf(full, n));
            String at = "metadata truncated to " + n + " of " + full.length;
            try {
                f.expectOpenFailsBoth(CorruptStoreException.class, null, "metadata.npkm");
            } catch (AssertionError e) {
                throw new AssertionError(at + ": " + e.getMessage(), e);
            }
            assertArrayEquals(java.util.Arrays.copyOf(full, n), meta(), at + ": metadata rewritten");
        }
        f.write("metadata.npkm", full);
        f.assertStoreIntact();
    }

    /**
     * Every byte position with several replacement values: the store either opens (a flip in a field that
     * keeps the file valid, such as a timestamp) and then every read succeeds or raises a typed exception,
     * or the open raises a typed exception and changes nothing. Nothing outside the store ever changes.
     */
    @Test
    void everySingleByteFlip() {
        byte[] full = meta();
        int opened = 0;
        int refused = 0;
        Map<String, String> problems = new java.util.LinkedHashMap<>();
        for (int i = 0; i < full.length; i++) {
            for (int how = 0; how < 4; how++) {
                byte[] b = full.clone();
                switch (how) {
                    case 0: b[i] ^= 0x01; break;
                    case 1: b[i] ^= (byte) 0x80; break;
                    case 2: b[i] = 0; break;
                    default: b[i] = (byte) 0xFF; break;
                }
                if (b[i] == full[i]) {
                    continue;
                }
                String at = String.format("byte %d set to 0x%02X (was 0x%02X)", i, b[i] & 0xFF, full[i] & 0xFF);
                for (boolean writable : new boolean[] {false, true}) {
                    f.restore();
                    f.write("metadata.npkm", b);
                    Map<String, byte[]> before = f.storeTree();
                    String mode = at + (writable ? ", writable" : ", read-only");
                    Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                        try (NumPack np = writable ? f.openWritable() : f.openReadOnly()) {
                            for (String n : np.names()) {
                                try {
                                    NdArray a = np.load(n);
                                    assertEquals(np.dtype(n), a.dtype());
                                } catch (NumPackException readFailure) {
                                    f.assertTyped(readFailure, NumPackException.class, null, mode + ", load " + n);
                                }
                            }
                        }
                    });
                    try {
                        if (t == null) {
                            opened++;
                        } else {
                            refused++;
                            f.assertTyped(t, NumPackException.class, null, mode);
                            f.assertStoreUnchanged(before, mode);
                        }
                    } catch (AssertionError e) {
                        String first = e.getMessage().split("\n")[0];
                        String kind = t == null ? first : t.getClass().getName() + " at " + t.getStackTrace()[0];
                        problems.putIfAbsent(kind, first);
                    }
                    f.assertOutsideUntouched();
                }
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " kinds of wrong outcome, first case of each:\n  "
                + String.join("\n  ", problems.values()));
        // sanity: flips of the magic are always refused, flips of a timestamp always open
        assertTrue(refused > 0 && opened > 0, refused + " refused, " + opened + " opened");
        f.restore();
        f.assertStoreIntact();
    }

    @Test
    void badMagicIsRefusedAndNeverOverwritten() {
        byte[] full = meta();
        for (int magic : new int[] {0, 0x424B504F, 0x4E504B42, -1}) {
            byte[] b = full.clone();
            le(b).putInt(0, magic);
            f.write("metadata.npkm", b);
            f.expectOpenFailsBoth(CorruptStoreException.class, null, "magic");
            // upstream treats bad magic as an empty store and overwrites it at close: here the bytes stay
            assertArrayEquals(b, meta(), "metadata bytes after writable open");
            // and optDropIfExists must not clear a store it cannot read either
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = HostileFixture.builder(f.store).optDropIfExists(true).build()) {
                    np.names();
                }
            });
            f.assertTyped(t, CorruptStoreException.class, null, "optDropIfExists on bad magic");
            assertArrayEquals(b, meta());
        }
        f.write("metadata.npkm", full);
        f.assertStoreIntact();
    }

    @Test
    void emptyMetadataFileIsNotAnEmptyStore() {
        f.write("metadata.npkm", new byte[0]);
        f.expectOpenFailsBoth(CorruptStoreException.class, null, "metadata.npkm");
        assertEquals(0, meta().length);
        f.write("metadata.npkm", new byte[] {'N', 'P', 'K', 'B'});
        f.expectOpenFailsBoth(CorruptStoreException.class, null);
    }

    @Test
    void unsupportedVersion() {
        byte[] b = meta();
        le(b).putInt(4, 2);
        f.write("metadata.npkm", b);
        f.expectOpenFailsBoth(CorruptStoreException.class, null, "version");
    }

    @Test
    void absurdArrayCount() {
        for (int count : new int[] {-1, Integer.MAX_VALUE, 6, 1 << 24}) {
            byte[] b = meta();
            le(b).putInt(16, count);
            f.write("metadata.npkm", b);
            f.expectOpenFailsBoth(CorruptStoreException.class, null, "metadata.npkm");
        }
        // fewer records than present: trailing bytes
        byte[] b = meta();
        le(b).putInt(16, 4);
        f.write("metadata.npkm", b);
        f.expectOpenFailsBoth(CorruptStoreException.class, null, "trailing");
    }

    @Test
    void absurdNdim() {
        byte[] full = meta();
        int at = HostileFixture.offsetsOfFirstRecord(full).get("ndim");
        for (int ndim : new int[] {65, 1000, Integer.MAX_VALUE, -1}) {
            byte[] b = full.clone();
            le(b).putInt(at, ndim);
            f.write("metadata.npkm", b);
            f.expectOpenFailsBoth(CorruptStoreException.class, "a", "ndim");
        }
        // a plausible ndim for which the bytes are missing
        List<RawRecord> recs = List.of(RawRecord.plain("a", DType.FLOAT32, new long[] {10, 3}, "data_a.npkd"));
        byte[] one = RawRecord.encode(recs);
        le(one).putInt(HostileFixture.offsetsOfFirstRecord(one).get("ndim"), 64);
        f.write("metadata.npkm", one);
        f.expectOpenFailsBoth(CorruptStoreException.class, "a", "truncated");
    }

    @Test
    void absurdNameAndPathLengths() {
        byte[] full = meta();
        Map<String, Integer> off = HostileFixture.offsetsOfFirstRecord(full);
        for (String field : new String[] {"name_len", "data_file_len"}) {
            for (int len : new int[] {-1, Integer.MAX_VALUE, 4097, 1 << 20, 2000}) {
                byte[] b = full.clone();
                le(b).putInt(off.get(field), len);
                f.write("metadata.npkm", b);
                f.expectOpenFailsBoth(CorruptStoreException.class, null, "metadata.npkm");
            }
        }
    }

    @Test
    void absurdShapeWithTinyFile() {
        // 2^62 rows of one byte: size_bytes is consistent, the data file is not
        f.removeFilesExcept("metadata.npkm", "data_a.npkd");
        f.writeMetadata(List.of(RawRecord.plain("a", DType.UINT8, new long[] {1L << 62}, "data_a.npkd")));
        f.expectArrayUnusableBoth("a", "data_a.npkd");
        // 2^62 x 2^62: overflows 64 bits
        RawRecord r = RawRecord.plain("a", DType.UINT8, new long[] {1}, "data_a.npkd");
        r.shape = new long[] {1L << 62, 1L << 62};
        r.ndim = 2;
        r.sizeBytes = 0;
        f.writeMetadata(List.of(r));
        f.expectOpenFailsBoth(CorruptStoreException.class, "a", "overflow");
        // int64 rows whose byte size overflows
        RawRecord r2 = RawRecord.plain("a", DType.INT64, new long[] {1}, "data_a.npkd");
        r2.shape = new long[] {Long.MAX_VALUE / 4};
        r2.sizeBytes = (Long.MAX_VALUE / 4) * 8;
        f.writeMetadata(List.of(r2));
        f.expectOpenFailsBoth(CorruptStoreException.class, "a");
        // a negative (u64 > 2^63) dimension
        RawRecord r3 = RawRecord.plain("a", DType.UINT8, new long[] {1}, "data_a.npkd");
        r3.shape = new long[] {-5};
        r3.sizeBytes = -5;
        f.writeMetadata(List.of(r3));
        f.expectOpenFailsBoth(CorruptStoreException.class, "a", "dimension");
    }

    /**
     * 2^62 rows of zero bytes each is consistent (size 0, empty file): the store may open, but every
     * operation on the array must then succeed or raise a typed exception, and other arrays stay usable.
     */
    @Test
    void hugeZeroWidthArrayOnlyRaisesTypedExceptions() throws Exception {
        long rows = 1L << 62;
        List<RawRecord> recs = f.rawRecords();
        recs.add(RawRecord.plain("huge", DType.UINT8, new long[] {rows, 0}, "data_huge.npkd"));
        f.writeMetadata(recs);
        Files.write(f.file("data_huge.npkd"), new byte[0]);
        List<String> leaks = new ArrayList<>();
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                assertArrayEquals(new long[] {rows, 0}, np.shape("huge"));
                tryOp(leaks, "load", () -> assertArrayEquals(new long[] {rows, 0}, np.load("huge").shape()));
                tryOp(leaks, "getRows", () -> assertEquals(2, np.gather("huge", rows - 1, -1).rows()));
                tryOp(leaks, "delete", () -> np.delete("huge", 0));
                tryOp(leaks, "append", () -> np.append("huge", NdArray.zeros(DType.UINT8, 2, 0)));
                tryOp(leaks, "replace", () -> np.replace("huge", NdArray.zeros(DType.UINT8, 1, 0), 5));
                tryOp(leaks, "compact", () -> np.compact("huge"));
                tryOp(leaks, "cloneArray", () -> np.cloneArray("huge", "huge2"));
                assertEquals(f.contents().get("a"), np.load("a"));
            }
        });
        if (t != null) {
            throw new AssertionError("a consistent zero-width array must open: " + HostileFixture.stack(t), t);
        }
        assertTrue(leaks.isEmpty(), "untyped exceptions escaped the API: " + leaks);
        f.assertOutsideUntouched();
    }

    private static void tryOp(List<String> leaks, String what, HostileFixture.ThrowingRunnable op) {
        try {
            op.run();
        } catch (NumPackException expected) {
            // typed: fine
        } catch (Throwable e) {
            leaks.add(what + ": " + e + " at " + (e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?"));
        }
    }

    @Test
    void unknownDtypeCodes() {
        byte[] full = meta();
        int at = HostileFixture.offsetsOfFirstRecord(full).get("dtype");
        for (int code : new int[] {14, 255, 100}) {
            byte[] b = full.clone();
            b[at] = (byte) code;
            f.write("metadata.npkm", b);
            f.expectOpenFailsBoth(CorruptStoreException.class, "a", "dtype code " + code);
        }
    }

    @Test
    void sizeBytesMismatch() {
        for (long delta : new long[] {1, -1, 1L << 40, Long.MIN_VALUE}) {
            f.restore();
            f.editRecord("b", r -> r.sizeBytes += delta);
            f.expectOpenFailsBoth(CorruptStoreException.class, "b", "size_bytes");
        }
    }

    @Test
    void compressedRecordsAreRefused() {
        f.editRecord("a", r -> r.compression = 1);
        f.expectArrayUnusableBoth("a", "compression");
    }

    @Test
    void badBlockInfoFlag() {
        f.editRecord("a", r -> r.hasBlockInfo = 2);
        f.expectOpenFailsBoth(CorruptStoreException.class, "a");
        f.restore();
        f.editRecord("b", r -> r.hasBlockInfo = 1); // claims block info that is not there
        f.expectOpenFailsBoth(CorruptStoreException.class, null);
    }

    @Test
    void duplicateRecordsAndTrailingGarbage() {
        List<RawRecord> recs = f.rawRecords();
        recs.add(recs.get(0));
        f.writeMetadata(recs);
        f.expectOpenFailsBoth(CorruptStoreException.class, "a", "twice");
        f.restore();
        byte[] b = meta();
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 3);
        f.write("metadata.npkm", longer);
        f.expectOpenFailsBoth(CorruptStoreException.class, null, "trailing");
    }

    @Test
    void invalidUtf8Name() {
        List<RawRecord> recs = f.rawRecords();
        recs.get(0).nameBytes = new byte[] {'a', (byte) 0xC3, 0x28};
        f.writeMetadata(recs);
        f.expectOpenFailsBoth(CorruptStoreException.class, null, "UTF-8");
    }

    @Test
    void metadataThatIsADirectory() throws Exception {
        f.delete("metadata.npkm");
        Files.createDirectory(f.file("metadata.npkm"));
        f.expectOpenFailsBoth(NumPackException.class, null);
        assertTrue(Files.isDirectory(f.file("metadata.npkm")));
    }

    @Test
    void hugeMetadataFileOfGarbageFailsFast() throws Exception {
        byte[] b = meta();
        byte[] huge = new byte[64 << 20];
        System.arraycopy(b, 0, huge, 0, 20);
        le(huge).putInt(16, -1); // 4 billion records claimed
        f.write("metadata.npkm", huge);
        f.expectOpenFailsBoth(CorruptStoreException.class, null);
        assertEquals(MetadataCodec.MAGIC, le(meta()).getInt(0));
    }
}
