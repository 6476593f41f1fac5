package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.CorruptStoreException;
import dev.numpack.NumPack;
import dev.numpack.internal.format.JournalCodec;
import dev.numpack.internal.format.JournalCodec.Action;
import dev.numpack.internal.format.MetadataCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged or hostile {@code numpack.journal}. One that fails its checksum was never committed: it is
 * discarded and the store opens with its prior content. One that passes its checksum but names a path
 * outside the store is refused with {@link CorruptStoreException} and nothing is written anywhere.
 */
class HostileJournalTest {
    static final String JOURNAL = "numpack.journal";

    @TempDir
    Path tmp;

    HostileFixture f;

    @BeforeEach
    void build() {
        f = new HostileFixture(tmp).buildStandard();
    }

    static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    /** A journal that, if applied, would empty the store. */
    static byte[] emptyingJournal() {
        return bytes(JournalCodec.encode(List.of(
                Action.put("metadata.npkm", MetadataCodec.encode(List.of())),
                Action.delete("data_a.npkd"))));
    }

    private List<byte[]> garbageJournals() {
        List<byte[]> out = new ArrayList<>();
        byte[] valid = emptyingJournal();
        out.add(new byte[0]);
        out.add(new byte[] {'N', 'P', 'J', '1'});
        byte[] random = new byte[1000];
        new Random(1).nextBytes(random);
        out.add(random);
        out.add(java.util.Arrays.copyOf(valid, valid.length - 1)); // torn write
        out.add(java.util.Arrays.copyOf(valid, 16)); // header only
        byte[] flipped = valid.clone();
        flipped[valid.length - 3] ^= 0x10; // payload damage: checksum fails
        out.add(flipped);
        byte[] badCrc = valid.clone();
        badCrc[12] ^= 1;
        out.add(badCrc);
        byte[] shorterLength = valid.clone();
        shorterLength[4] -= 1; // length field one byte short: the checksum covers the wrong bytes
        out.add(shorterLength);
        byte[] otherMagic = valid.clone();
        otherMagic[3] = '2';
        out.add(otherMagic);
        return out;
    }

    @Test
    void garbageJournalIsDiscardedByAWriter() {
        for (byte[] j : garbageJournals()) {
            f.restore();
            f.write(JOURNAL, j);
            try (NumPack np = f.openWritable()) {
                assertEquals(f.contents().keySet(), np.names());
                for (String n : np.names()) {
                    assertEquals(f.contents().get(n), np.load(n), n);
                }
            }
            assertFalse(Files.exists(f.file(JOURNAL)), "the uncommitted journal is removed");
            f.assertStoreIntact();
            f.assertOutsideUntouched();
        }
    }

    @Test
    void garbageJournalIsDiscardedByAReader() {
        for (byte[] j : garbageJournals()) {
            f.restore();
            f.write(JOURNAL, j);
            Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
                try (NumPack np = f.openReadOnly()) {
                    assertEquals(f.contents().keySet(), np.names());
                    for (String n : np.names()) {
                        assertEquals(f.contents().get(n), np.load(n), n);
                    }
                }
            });
            if (t != null) {
                throw new AssertionError("read-only open with a garbage journal of " + j.length + " bytes: " + t, t);
            }
            f.assertStoreIntact();
            f.assertOutsideUntouched();
        }
    }

    /** Checksum-valid journals whose single action reaches outside the store. */
    private List<List<Action>> escapingJournals() {
        String abs = f.canary.resolve("a.txt").toAbsolutePath().toString();
        ByteBuffer pwned = ByteBuffer.wrap("pwned".getBytes(StandardCharsets.UTF_8));
        return List.of(
                List.of(Action.delete("../canary/a.txt")),
                List.of(Action.delete("../x.npkd")),
                List.of(Action.delete(abs)),
                List.of(Action.delete("..")),
                List.of(Action.delete("../canary")),
                List.of(Action.put("../evil.txt", pwned)),
                List.of(Action.put("../canary/a.txt", pwned)),
                List.of(Action.put(abs, pwned)),
                List.of(Action.put("data_s_segments/../../evil.txt", pwned)),
                List.of(Action.put("C:\\evil.txt", pwned)),
                List.of(Action.rename("data_a.npkd", "../stolen.npkd")),
                List.of(Action.rename("../x.npkd", "data_a.npkd")),
                List.of(Action.rename("data_a.npkd", abs)),
                List.of(Action.pwrite("../canary/a.txt", 0, pwned)),
                List.of(Action.pwrite(abs, 0, pwned)),
                List.of(Action.pwrite("../x.npkd", 10, pwned)));
    }

    private static String describe(List<Action> actions) {
        StringBuilder sb = new StringBuilder();
        for (Action a : actions) {
            sb.append(a.kind()).append(' ').append(a.path()).append(a.target() == null ? "" : " -> " + a.target()).append("; ");
        }
        return sb.toString();
    }

    @Test
    void checksumValidJournalEscapingTheStoreIsRefusedByAWriter() {
        for (List<Action> j : escapingJournals()) {
            f.restore();
            f.write(JOURNAL, bytes(JournalCodec.encode(j)));
            try {
                f.expectOpenFails(true, CorruptStoreException.class, null);
            } catch (AssertionError e) {
                throw new AssertionError(describe(j) + e.getMessage(), e);
            }
            f.assertOutsideUntouched();
        }
    }

    @Test
    void checksumValidJournalEscapingTheStoreIsRefusedByAReader() {
        for (List<Action> j : escapingJournals()) {
            f.restore();
            f.write(JOURNAL, bytes(JournalCodec.encode(j)));
            try {
                f.expectOpenFails(false, CorruptStoreException.class, null);
            } catch (AssertionError e) {
                throw new AssertionError(describe(j) + e.getMessage(), e);
            }
            f.assertOutsideUntouched();
        }
    }

    /** A NUL in a journal path is refused like any other bad path, not with an InvalidPathException. */
    @Test
    void checksumValidJournalWithNulInAPath() {
        f.write(JOURNAL, bytes(JournalCodec.encode(List.of(Action.delete("data_a.npkd\u0000")))));
        f.expectOpenFails(true, CorruptStoreException.class, null);
    }

    /**
     * The escaping action comes second, after an action that would empty the store. The journal is
     * hostile as a whole: refusing it must leave the store as it was (CorruptStoreException promises that
     * nothing is written), not half-applied.
     */
    @Test
    void hostileJournalIsNotHalfApplied() {
        byte[] meta = f.read("metadata.npkm");
        f.write(JOURNAL, bytes(JournalCodec.encode(List.of(
                Action.put("metadata.npkm", MetadataCodec.encode(List.of())),
                Action.delete("../canary/a.txt")))));
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                np.names();
            }
        });
        f.assertTyped(t, CorruptStoreException.class, null, "writable open");
        f.assertOutsideUntouched();
        assertArrayEquals(meta, f.read("metadata.npkm"), "the store's metadata was replaced by the first action"
                + " of a journal that was then refused as corrupt");
    }

    /** A checksum-valid journal whose single DELETE path claims {@code Integer.MAX_VALUE} bytes. */
    static byte[] hugeLengthJournal() {
        ByteBuffer p = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        p.putInt(1).put((byte) JournalCodec.Kind.DELETE.ordinal()).putInt(Integer.MAX_VALUE).put((byte) 'x');
        p.flip();
        CRC32C crc = new CRC32C();
        crc.update(p.duplicate());
        ByteBuffer j = ByteBuffer.allocate(16 + p.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        j.putInt(0x314A504E).putLong(p.remaining()).putInt((int) crc.getValue()).put(p);
        return j.array();
    }

    /** A checksum-valid journal claiming a 2 GiB path must be refused, not exhaust memory. */
    @Test
    void checksumValidJournalWithHugeLengthField() {
        f.write(JOURNAL, hugeLengthJournal());
        f.expectOpenFails(true, CorruptStoreException.class, null, "journal");
        f.expectOpenFails(false, CorruptStoreException.class, null, "journal");
    }

    /**
     * Whatever a failed writable open throws (here what the journal above provokes), the writer lock is
     * released: once the cause is removed, the next writer in this JVM is not locked out.
     */
    @Test
    void failedWritableOpenReleasesTheWriterLock() {
        f.write(JOURNAL, hugeLengthJournal());
        Throwable t = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> f.openWritable().close());
        assertTrue(t != null, "the open with a hostile journal failed");
        f.delete(JOURNAL);
        Throwable again = HostileFixture.outcome(HostileFixture.OPEN_LIMIT, () -> {
            try (NumPack np = f.openWritable()) {
                assertEquals(f.contents().keySet(), np.names());
            }
        });
        if (again != null) {
            throw new AssertionError("after a failed open (" + t + "), the next writable open failed: " + again, again);
        }
    }

    /** A checksum-valid journal whose actions cannot be decoded (unknown kind) is refused, not skipped. */
    @Test
    void checksumValidUndecodableJournal() {
        ByteBuffer p = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        p.putInt(1).put((byte) 7).putInt(1).put((byte) 'x');
        p.flip();
        CRC32C crc = new CRC32C();
        crc.update(p.duplicate());
        ByteBuffer j = ByteBuffer.allocate(16 + p.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        j.putInt(0x314A504E).putLong(p.remaining()).putInt((int) crc.getValue()).put(p);
        f.write(JOURNAL, j.array());
        f.expectOpenFails(true, CorruptStoreException.class, null, "journal");
        assertTrue(Files.exists(f.file(JOURNAL)), "a committed-looking journal is kept for inspection");
    }

    /** A well-formed journal inside the store is applied on open: the recovery path itself works. */
    @Test
    void validJournalIsApplied() {
        // trailing bytes are an older, longer journal's (the file is reused) and do not matter
        byte[] j = emptyingJournal();
        f.write(JOURNAL, java.util.Arrays.copyOf(j, j.length + 10));
        try (NumPack np = f.openWritable()) {
            assertTrue(np.names().isEmpty(), "the committed journal emptied the store");
        }
        assertFalse(Files.exists(f.file(JOURNAL)));
        assertFalse(Files.exists(f.file("data_a.npkd")));
        f.assertOutsideUntouched();
    }
}
