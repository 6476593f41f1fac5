package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.internal.format.AppendLogCodec.Entry;
import dev.numpack.internal.format.AppendLogCodec.Header;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The append log's header and records: round trips, and what ends a log (torn, other generation, zeros). */
class AppendLogCodecTest {
    private static byte[] digest(int seed) {
        byte[] d = new byte[AppendLogCodec.DIGEST_BYTES];
        Arrays.fill(d, (byte) seed);
        return d;
    }

    private static ByteBuffer record(long gen, List<Entry> entries) {
        ByteBuffer b = ByteBuffer.allocate((int) (AppendLogCodec.RECORD_HEAD + AppendLogCodec.payloadBytes(entries)))
                .order(ByteOrder.LITTLE_ENDIAN);
        AppendLogCodec.encodeRecord(gen, entries, b);
        assertFalse(b.hasRemaining(), "payloadBytes is the exact size");
        return b.flip();
    }

    private static List<Entry> twoEntries() {
        return List.of(new Entry("x", 10, 2, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})),
                new Entry("\u00e9t\u00e9", 0, 1, ByteBuffer.wrap(new byte[] {9})));
    }

    @Test
    void headerRoundTripAndDamage() {
        ByteBuffer h = AppendLogCodec.encodeHeader(new Header(42, digest(7)));
        assertEquals(AppendLogCodec.HEADER_BYTES, h.remaining());
        Header back = AppendLogCodec.decodeHeader(h);
        assertEquals(42, back.generation());
        assertTrue(back.extendsMetadata(digest(7)));
        assertFalse(back.extendsMetadata(digest(8)));
        for (int i = 0; i < 52; i++) {
            ByteBuffer bad = AppendLogCodec.encodeHeader(new Header(42, digest(7)));
            bad.put(i, (byte) (bad.get(i) ^ 1));
            assertNull(AppendLogCodec.decodeHeader(bad), "flipped byte " + i);
        }
        assertNull(AppendLogCodec.decodeHeader(ByteBuffer.allocate(AppendLogCodec.HEADER_BYTES)), "zeros");
        assertNull(AppendLogCodec.decodeHeader(ByteBuffer.allocate(10)), "short");
    }

    @Test
    void recordRoundTrip() {
        ByteBuffer r = record(5, twoEntries());
        assertEquals(r.remaining(), AppendLogCodec.recordLength(r, 5));
        List<Entry> back = AppendLogCodec.decodeRecord(r, 5);
        assertEquals(2, back.size());
        assertEquals("x", back.get(0).name());
        assertEquals(10, back.get(0).firstRow());
        assertEquals(2, back.get(0).rows());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), back.get(0).bytes());
        assertEquals("\u00e9t\u00e9", back.get(1).name());
        assertEquals(ByteBuffer.wrap(new byte[] {9}), back.get(1).bytes());
    }

    @Test
    void whatEndsALog() {
        ByteBuffer r = record(5, twoEntries());
        assertEquals(-1, AppendLogCodec.recordLength(r, 6), "another generation's record");
        assertNull(AppendLogCodec.decodeRecord(r, 6));
        assertEquals(-1, AppendLogCodec.recordLength(ByteBuffer.allocate(64), 0), "zeros ahead of the records");
        assertNull(AppendLogCodec.decodeRecord(r.slice(0, r.remaining() - 1), 5), "cut short");
        for (int i = 20; i < r.remaining(); i++) {
            ByteBuffer torn = record(5, twoEntries());
            torn.put(i, (byte) (torn.get(i) ^ 0x10));
            assertNull(AppendLogCodec.decodeRecord(torn, 5), "flipped payload byte " + i);
        }
    }

    @Test
    void aChecksummedButGarbledRecordIsRefused() {
        ByteBuffer r = record(5, List.of(new Entry("x", 0, 1, ByteBuffer.wrap(new byte[] {1}))));
        r.putInt(AppendLogCodec.RECORD_HEAD + 4 + 4 + 1 + 16, 1000); // the byte count, past the payload
        CRC32C crc = new CRC32C();
        crc.update(r.slice(8, 8));
        crc.update(r.slice(AppendLogCodec.RECORD_HEAD, r.remaining() - AppendLogCodec.RECORD_HEAD));
        r.putInt(16, (int) crc.getValue()); // a checksum that matches: tampering, not a torn write
        assertThrows(FormatException.class, () -> AppendLogCodec.decodeRecord(r, 5));
    }
}
