package dev.numpack.internal.format;

import dev.numpack.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Round trips and rejections of {@code metadata.npkm}. */
class MetadataCodecTest {

    static long[] shapeOfRank(int rank, int seed) {
        long[] s = new long[rank];
        for (int i = 0; i < rank; i++) {
            s[i] = (seed + i * 3) % 5 + (i == 0 ? 0 : 1); // first dim may be 0
        }
        return s;
    }

    static byte[] blockInfo(int entries) {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 4 + 24 * entries).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 1).putLong(4096).putLong(entries).putInt(entries);
        for (int i = 0; i < entries; i++) {
            b.putLong(i * 4096L).putLong(4096).putLong(1000 + i);
        }
        return b.array();
    }

    static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    static void assertSame(ArrayRecord want, ArrayRecord got) {
        assertEquals(want.name(), got.name());
        assertArrayEquals(want.shape(), got.shape(), want.name());
        assertEquals(want.dataFile(), got.dataFile());
        assertEquals(want.lastModifiedMicros(), got.lastModifiedMicros());
        assertEquals(want.dtype(), got.dtype());
        assertEquals(want.compression(), got.compression());
        assertEquals(want.level(), got.level());
        assertEquals(want.originalSize(), got.originalSize());
        assertEquals(want.compressedSize(), got.compressedSize());
        assertArrayEquals(want.blockInfo(), got.blockInfo());
        assertEquals(want.sizeBytes(), got.sizeBytes());
    }

    @Test
    void roundTripsEveryDtypeAndRank() {
        List<ArrayRecord> records = new ArrayList<>();
        int seed = 0;
        for (DType t : DType.values()) {
            for (int rank = 0; rank <= 5; rank++) {
                String name = t.numpyName() + "_r" + rank;
                records.add(new ArrayRecord(name, shapeOfRank(rank, seed++), "data_" + name + ".npkd",
                        1_700_000_000_000_000L + seed, t, 0, 0, 0, 0, null));
            }
        }
        ByteBuffer enc = MetadataCodec.encode(records);
        assertEquals(0, enc.position());
        List<ArrayRecord> back = MetadataCodec.decode(enc);
        assertEquals(records.size(), back.size());
        for (int i = 0; i < records.size(); i++) {
            assertSame(records.get(i), back.get(i));
        }
        // decode(encode(decode(x))) is byte-identical
        assertArrayEquals(bytes(enc), bytes(MetadataCodec.encode(back)));
    }

    @Test
    void headerFieldsAreLittleEndianAndTotalSizeIsTheSum() {
        List<ArrayRecord> records = List.of(
                ArrayRecord.plain("a", new long[] {3, 4}, "data_a.npkd", DType.FLOAT32, 7),
                ArrayRecord.plain("b", new long[] {5}, "data_b.npkd", DType.COMPLEX128, 8));
        ByteBuffer b = MetadataCodec.encode(records).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('N', b.get(0));
        assertEquals('P', b.get(1));
        assertEquals('K', b.get(2));
        assertEquals('B', b.get(3));
        assertEquals(1, b.getInt(4));
        assertEquals(3 * 4 * 4 + 5 * 16, b.getLong(8));
        assertEquals(2, b.getInt(16));
        // first record: name length + name
        assertEquals(1, b.getInt(20));
        assertEquals('a', b.get(24));
        assertEquals(2, b.getInt(25));
        assertEquals(3, b.getLong(29));
        assertEquals(4, b.getLong(37));
    }

    @Test
    void preservesBlockInfoAndCompressionFieldsVerbatim() {
        byte[] bi = blockInfo(3);
        ArrayRecord r = new ArrayRecord("blk", new long[] {10, 2}, "data_blk.npkd", 42, DType.INT16, 1, 0xFFFFFFFFL,
                123456789L, 987654321L, bi);
        ArrayRecord r0 = new ArrayRecord("blk0", new long[] {1}, "data_blk0.npkd", 43, DType.INT8, 0, 3, 1, 2,
                blockInfo(0));
        ArrayRecord plain = ArrayRecord.plain("p", new long[] {2}, "data_p.npkd", DType.BOOL, 44);
        List<ArrayRecord> back = MetadataCodec.decode(MetadataCodec.encode(List.of(r, r0, plain)));
        assertSame(r, back.get(0));
        assertSame(r0, back.get(1));
        assertSame(plain, back.get(2));
        assertArrayEquals(bi, back.get(0).blockInfo());
        assertEquals(0xFFFFFFFFL, back.get(0).level());
        assertNull(back.get(2).blockInfo());
    }

    @Test
    void unicodeNamesAndPathsRoundTrip() {
        String[] names = {"é", "日本語の配列", "emoji_\uD83D\uDE00", "Ωmega-β", "a b\tc", "x".repeat(4096)};
        List<ArrayRecord> records = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            records.add(ArrayRecord.plain(names[i], new long[] {i}, "dir_ü/data_" + i + ".npkd", DType.UINT8, i));
        }
        List<ArrayRecord> back = MetadataCodec.decode(MetadataCodec.encode(records));
        for (int i = 0; i < names.length; i++) {
            assertSame(records.get(i), back.get(i));
        }
    }

    @Test
    void emptyStoreRoundTrips() {
        ByteBuffer enc = MetadataCodec.encode(List.of());
        assertEquals(20, enc.remaining());
        assertTrue(MetadataCodec.decode(enc).isEmpty());
    }

    @Test
    void decodeRespectsBufferPositionAndDoesNotMoveIt() {
        ByteBuffer enc = MetadataCodec.encode(List.of(ArrayRecord.plain("a", new long[] {1}, "f", DType.INT32, 0)));
        ByteBuffer padded = ByteBuffer.allocate(enc.remaining() + 7);
        padded.position(7);
        padded.put(enc.duplicate());
        padded.position(7);
        assertEquals("a", MetadataCodec.decode(padded).get(0).name());
        assertEquals(7, padded.position());
    }

    // ------------------------------------------------------------------ rejections

    /** A little-endian writer of arbitrary (also invalid) metadata. */
    static final class Raw {
        final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        Raw header(int magic, int version, long total, int count) {
            b.putInt(magic).putInt(version).putLong(total).putInt(count);
            return this;
        }

        Raw str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            b.putInt(u.length).put(u);
            return this;
        }

        Raw record(String name, long[] shape, String file, long size, int dtype, int hasBlocks) {
            str(name);
            b.putInt(shape.length);
            for (long d : shape) {
                b.putLong(d);
            }
            str(file);
            b.putLong(0).putLong(size).put((byte) dtype).put((byte) 0).putInt(0).putLong(0).putLong(0)
                    .put((byte) hasBlocks);
            return this;
        }

        ByteBuffer done() {
            return b.duplicate().flip();
        }
    }

    static FormatException rejects(ByteBuffer bytes, String... fragments) {
        FormatException e = assertThrows(FormatException.class, () -> MetadataCodec.decode(bytes));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        return e;
    }

    @Test
    void rejectsEveryTruncation() {
        List<ArrayRecord> records = List.of(
                ArrayRecord.plain("a", new long[] {3, 4}, "data_a.npkd", DType.FLOAT32, 7),
                new ArrayRecord("b", new long[] {2}, "data_b.npkd", 1, DType.INT64, 0, 0, 0, 0, blockInfo(2)));
        byte[] full = bytes(MetadataCodec.encode(records));
        for (int n = 0; n < full.length; n++) {
            ByteBuffer cut = ByteBuffer.wrap(full, 0, n);
            try {
                MetadataCodec.decode(cut);
                fail("truncation to " + n + " of " + full.length + " bytes decoded");
            } catch (FormatException expected) {
                // ok
            }
        }
    }

    @Test
    void rejectsBadMagicAndVersion() {
        rejects(new Raw().header(0x12345678, 1, 0, 0).done(), "magic");
        rejects(new Raw().header(MetadataCodec.MAGIC, 2, 0, 0).done(), "version 2");
        rejects(new Raw().header(MetadataCodec.MAGIC, -1, 0, 0).done(), "4294967295");
    }

    @Test
    void rejectsAbsurdArrayCountWithoutAllocating() {
        rejects(new Raw().header(MetadataCodec.MAGIC, 1, 0, -1).done(), "array_count 4294967295");
        rejects(new Raw().header(MetadataCodec.MAGIC, 1, 0, Integer.MAX_VALUE).done(), "array_count");
        rejects(new Raw().header(MetadataCodec.MAGIC, 1, 0, 1).done(), "array_count 1");
    }

    @Test
    void rejectsAbsurdNdim() {
        Raw r = new Raw().header(MetadataCodec.MAGIC, 1, 0, 1).str("a");
        r.b.putInt(65);
        r.b.put(new byte[200]);
        rejects(r.done(), "ndim 65", "'a'");
        Raw r2 = new Raw().header(MetadataCodec.MAGIC, 1, 0, 1).str("a");
        r2.b.putInt(-1);
        r2.b.put(new byte[200]);
        rejects(r2.done(), "ndim 4294967295");
        // ndim within the limit but more than the bytes left
        Raw r3 = new Raw().header(MetadataCodec.MAGIC, 1, 0, 1).str("a");
        r3.b.putInt(64);
        r3.b.put(new byte[60]);
        rejects(r3.done(), "truncated");
    }

    @Test
    void rejectsAbsurdStringLengths() {
        Raw r = new Raw().header(MetadataCodec.MAGIC, 1, 0, 1);
        r.b.putInt(-1).put(new byte[100]);
        rejects(r.done(), "length 4294967295");
        Raw r2 = new Raw().header(MetadataCodec.MAGIC, 1, 0, 1);
        r2.b.putInt(4097).put(new byte[5000]);
        rejects(r2.done(), "4097");
        Raw r3 = new Raw().header(MetadataCodec.MAGIC, 1, 0, 1);
        r3.b.putInt(4000).put(new byte[100]);
        rejects(r3.done(), "truncated");
    }

    @Test
    void rejectsInvalidUtf8() {
        Raw r = new Raw().header(MetadataCodec.MAGIC, 1, 4, 1);
        r.b.putInt(2).put((byte) 0xC3).put((byte) 0x28); // invalid continuation
        r.b.putInt(1).putLong(1);
        r.str("f");
        r.b.putLong(0).putLong(4).put((byte) 7).put((byte) 0).putInt(0).putLong(0).putLong(0).put((byte) 0);
        rejects(r.done(), "UTF-8");
    }

    @Test
    void rejectsUnknownDtypeCodes() {
        for (int code : new int[] {14, 15, 100, 255}) {
            ByteBuffer b = new Raw().header(MetadataCodec.MAGIC, 1, 4, 1)
                    .record("a", new long[] {1}, "data_a.npkd", 4, code, 0).done();
            rejects(b, "unknown dtype code " + code, "'a'");
        }
    }

    @Test
    void rejectsSizeBytesMismatchAndShapeOverflow() {
        rejects(new Raw().header(MetadataCodec.MAGIC, 1, 13, 1)
                .record("a", new long[] {3}, "f", 13, DType.INT32.code(), 0).done(), "size_bytes 13", "'a'");
        rejects(new Raw().header(MetadataCodec.MAGIC, 1, 0, 1)
                .record("a", new long[] {1L << 62, 8}, "f", 0, DType.INT32.code(), 0).done(), "overflows");
        rejects(new Raw().header(MetadataCodec.MAGIC, 1, 0, 1)
                .record("a", new long[] {-1}, "f", 0, DType.INT8.code(), 0).done(), "dimension 0");
    }

    @Test
    void rejectsTrailingBytesAndDuplicates() {
        Raw t = new Raw().header(MetadataCodec.MAGIC, 1, 4, 1).record("a", new long[] {1}, "f", 4, DType.INT32.code(), 0);
        t.b.put((byte) 0);
        rejects(t.done(), "trailing");
        rejects(new Raw().header(MetadataCodec.MAGIC, 1, 8, 2)
                .record("a", new long[] {1}, "f", 4, DType.INT32.code(), 0)
                .record("a", new long[] {1}, "g", 4, DType.INT32.code(), 0).done(), "twice");
    }

    /** total_size is redundant and drifts upstream: a wrong one is tolerated, and rewritten correctly. */
    @Test
    void toleratesDriftedTotalSize() {
        List<ArrayRecord> back = MetadataCodec.decode(new Raw().header(MetadataCodec.MAGIC, 1, 5, 1)
                .record("a", new long[] {1}, "f", 4, DType.INT32.code(), 0).done());
        assertEquals(1, back.size());
        assertEquals(4, MetadataCodec.encode(back).order(ByteOrder.LITTLE_ENDIAN).getLong(8));
    }

    @Test
    void rejectsBadBlockInfo() {
        rejects(new Raw().header(MetadataCodec.MAGIC, 1, 4, 1)
                .record("a", new long[] {1}, "f", 4, DType.INT32.code(), 2).done(), "has_block_info is 2");
        Raw r = new Raw().header(MetadataCodec.MAGIC, 1, 4, 1).record("a", new long[] {1}, "f", 4, DType.INT32.code(), 1);
        r.b.put((byte) 1).putLong(1).putLong(1).putInt(-1); // 4 billion entries, none present
        rejects(r.done(), "block entries");
    }

    @Test
    void zeroDimensionalRecordsHaveOneRow() {
        ArrayRecord r = ArrayRecord.plain("s", new long[0], "data_s.npkd", DType.COMPLEX64, 0);
        assertEquals(1, r.physicalRows());
        assertEquals(8, r.rowBytes());
        assertEquals(8, r.sizeBytes());
        ArrayRecord back = MetadataCodec.decode(MetadataCodec.encode(List.of(r))).get(0);
        assertEquals(0, back.ndim());
        assertEquals(8, back.sizeBytes());
    }
}
