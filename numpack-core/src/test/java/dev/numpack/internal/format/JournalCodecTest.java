package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.numpack.internal.format.JournalCodec.Action;
import dev.numpack.internal.format.JournalCodec.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The redo journal codec: round trip, and that damage is never mistaken for a commit. */
class JournalCodecTest {

    static List<Action> sample() {
        List<Action> a = new ArrayList<>();
        a.add(Action.rename("data_x.npkd.tmp-np1", "data_x.npkd"));
        a.add(Action.put("metadata.npkm", ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})));
        a.add(Action.pwrite("data_y.npkd", 1234567890123L, ByteBuffer.wrap("row bytes".getBytes(StandardCharsets.UTF_8))));
        a.add(Action.delete("deleted_y.npkb"));
        a.add(Action.put("日本/ü.npkb", ByteBuffer.allocate(0)));
        a.add(Action.delete("data_z_segments"));
        return a;
    }

    static byte[] bytesOf(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    static void assertSameActions(List<Action> want, List<Action> got) {
        assertNotNull(got);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            Action w = want.get(i);
            Action g = got.get(i);
            assertEquals(w.kind(), g.kind(), "action " + i);
            assertEquals(w.path(), g.path());
            assertEquals(w.target(), g.target());
            assertEquals(w.offset(), g.offset());
            if (w.bytes() == null) {
                assertNull(g.bytes());
            } else {
                assertEquals(w.bytes(), g.bytes());
            }
        }
    }

    @Test
    void roundTrips() {
        List<Action> actions = sample();
        ByteBuffer enc = JournalCodec.encode(actions);
        assertEquals(0, enc.position());
        assertSameActions(actions, JournalCodec.decode(enc));
        // bytes() hands out fresh views: consuming one does not affect the next
        Action put = JournalCodec.decode(enc).get(1);
        put.bytes().get();
        assertEquals(5, put.bytes().remaining());
    }

    @Test
    void emptyJournalRoundTrips() {
        ByteBuffer enc = JournalCodec.encode(List.of());
        assertEquals(16 + 4, enc.remaining());
        List<Action> back = JournalCodec.decode(enc);
        assertNotNull(back);
        assertEquals(0, back.size());
    }

    @Test
    void headerLayout() {
        ByteBuffer enc = JournalCodec.encode(sample()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('N', enc.get(0));
        assertEquals('P', enc.get(1));
        assertEquals('J', enc.get(2));
        assertEquals('1', enc.get(3));
        assertEquals(enc.remaining() - 16, enc.getLong(4));
        CRC32C crc = new CRC32C();
        crc.update(enc.duplicate().position(16));
        assertEquals((int) crc.getValue(), enc.getInt(12));
        assertEquals(sample().size(), enc.getInt(16));
    }

    @Test
    void encodeDoesNotConsumeCallerBuffers() {
        ByteBuffer data = ByteBuffer.wrap(new byte[] {9, 8, 7});
        Action a = Action.put("f", data);
        JournalCodec.encode(List.of(a));
        JournalCodec.encode(List.of(a));
        assertEquals(3, data.remaining());
        assertEquals(3, a.bytes().remaining());
        assertEquals(3, JournalCodec.decode(JournalCodec.encode(List.of(a))).get(0).bytes().remaining());
    }

    /** Every truncation is an uncommitted journal: null, never a partial list and never another error. */
    @Test
    void everyTruncationDecodesToNull() {
        byte[] full = bytesOf(JournalCodec.encode(sample()));
        for (int n = 0; n < full.length; n++) {
            assertNull(JournalCodec.decode(ByteBuffer.wrap(full, 0, n)), "truncated to " + n);
        }
        // the file is reused: bytes after a complete journal are an older journal's and are ignored
        byte[] longer = java.util.Arrays.copyOf(full, full.length + 100);
        java.util.Arrays.fill(longer, full.length, longer.length, (byte) 0x5A);
        assertSameActions(sample(), JournalCodec.decode(ByteBuffer.wrap(longer)));
    }

    /** Every single-bit flip decodes to null or raises FormatException; nothing else, never a wrong list. */
    @Test
    void everySingleBitFlipIsDetected() {
        List<Action> actions = sample();
        byte[] full = bytesOf(JournalCodec.encode(actions));
        int nulls = 0;
        for (int i = 0; i < full.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = full.clone();
                b[i] ^= (byte) (1 << bit);
                List<Action> got;
                try {
                    got = JournalCodec.decode(ByteBuffer.wrap(b));
                } catch (FormatException e) {
                    continue;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("flip of bit " + bit + " at byte " + i + " raised " + e, e);
                }
                if (got != null) {
                    fail("flip of bit " + bit + " at byte " + i + " decoded to " + got.size() + " actions");
                }
                nulls++;
            }
        }
        // CRC32C detects every single-bit error, and a flip in the header breaks magic, length or CRC
        assertEquals(full.length * 8, nulls);
    }

    @Test
    void otherMagicOrNegativeLengthIsNull() {
        ByteBuffer enc = JournalCodec.encode(sample()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer m = ByteBuffer.wrap(bytesOf(enc)).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(0, 0x324A504E); // NPJ2
        assertNull(JournalCodec.decode(m));
        ByteBuffer neg = ByteBuffer.wrap(bytesOf(enc)).order(ByteOrder.LITTLE_ENDIAN);
        neg.putLong(4, -1);
        assertNull(JournalCodec.decode(neg));
        ByteBuffer small = ByteBuffer.wrap(bytesOf(enc)).order(ByteOrder.LITTLE_ENDIAN);
        small.putLong(4, 3);
        assertNull(JournalCodec.decode(small));
        assertNull(JournalCodec.decode(ByteBuffer.wrap(new byte[16])));
        assertNull(JournalCodec.decode(ByteBuffer.allocate(0)));
    }

    // ------------------------------------------------------------------ checksum-valid but hostile

    /** Wraps a raw payload in a journal header with a correct checksum. */
    static ByteBuffer sealed(ByteBuffer payload) {
        payload.flip();
        ByteBuffer b = ByteBuffer.allocate(16 + payload.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        b.putInt(0x314A504E).putLong(payload.remaining()).putInt((int) crc.getValue()).put(payload);
        return b.flip();
    }

    static ByteBuffer payload() {
        return ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void checksumValidButUndecodableRaisesFormatException() {
        // unknown kind
        ByteBuffer p1 = payload().putInt(1).put((byte) 9).putInt(1).put((byte) 'x');
        assertThrows(FormatException.class, () -> JournalCodec.decode(sealed(p1)));
        // negative kind byte
        ByteBuffer p2 = payload().putInt(1).put((byte) -1).putInt(1).put((byte) 'x');
        assertThrows(FormatException.class, () -> JournalCodec.decode(sealed(p2)));
        // count larger than the actions present
        ByteBuffer p3 = payload().putInt(5).put((byte) Kind.DELETE.ordinal()).putInt(1).put((byte) 'x');
        assertThrows(FormatException.class, () -> JournalCodec.decode(sealed(p3)));
        // string longer than the payload
        ByteBuffer p4 = payload().putInt(1).put((byte) Kind.DELETE.ordinal()).putInt(100).put((byte) 'x');
        assertThrows(FormatException.class, () -> JournalCodec.decode(sealed(p4)));
        // negative string length
        ByteBuffer p5 = payload().putInt(1).put((byte) Kind.DELETE.ordinal()).putInt(-5);
        assertThrows(FormatException.class, () -> JournalCodec.decode(sealed(p5)));
        // blob longer than the payload
        ByteBuffer p6 = payload().putInt(1).put((byte) Kind.PUT.ordinal()).putInt(1).put((byte) 'x').putInt(1000);
        assertThrows(FormatException.class, () -> JournalCodec.decode(sealed(p6)));
        // negative blob length
        ByteBuffer p7 = payload().putInt(1).put((byte) Kind.PWRITE.ordinal()).putInt(1).put((byte) 'x').putLong(0).putInt(-1);
        assertThrows(FormatException.class, () -> JournalCodec.decode(sealed(p7)));
    }

    /**
     * A checksum-valid journal whose string length field is huge must be rejected from the bytes that are
     * there, not by first allocating the claimed length: a 2 GiB claim in a 30-byte file must not raise
     * OutOfMemoryError.
     */
    @Test
    void hugeStringLengthDoesNotAllocate() {
        for (int len : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 16}) {
            ByteBuffer p = payload().putInt(1).put((byte) Kind.DELETE.ordinal()).putInt(len).put((byte) 'x');
            ByteBuffer journal = sealed(p);
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                try {
                    JournalCodec.decode(journal);
                    fail("decoded a journal whose path claims " + len + " bytes");
                } catch (FormatException expected) {
                    // the only acceptable outcome
                } catch (OutOfMemoryError e) {
                    fail("string length " + len + " in a " + journal.remaining()
                            + "-byte journal allocated before checking the bytes left: " + e);
                }
            });
        }
    }

    @Test
    void checksumValidPathsAreReturnedVerbatimForTheCallerToCheck() {
        // the codec does not judge paths; Journal.apply resolves them through StoreLayout
        List<Action> evil = List.of(Action.delete("../outside"), Action.rename("/etc/passwd", "a/../../b"));
        assertSameActions(evil, JournalCodec.decode(JournalCodec.encode(evil)));
    }
}
