package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZipDirectoryTest {
    /** One stored member "x.npy" of 5 bytes, its directory and end records, as one archive. */
    private static ByteBuffer archive(boolean zip64) {
        byte[] name = ZipEncoder.nameBytes("x.npy");
        ByteBuffer local = ZipEncoder.localHeader(name, 5, zip64);
        int dataAt = local.remaining();
        ByteBuffer central = ZipEncoder.centralHeader(name, 0x1234, 5, 0, zip64);
        long dirAt = dataAt + 5;
        ByteBuffer end = ZipEncoder.end(1, dirAt, central.remaining(), zip64);
        ByteBuffer all = ByteBuffer.allocate(dataAt + 5 + central.remaining() + end.remaining());
        all.put(local).put(new byte[] {1, 2, 3, 4, 5}).put(central).put(end);
        return all.flip();
    }

    private static List<ZipDirectory.Entry> read(ByteBuffer zip) {
        long size = zip.remaining();
        ZipDirectory.End end = ZipDirectory.findEnd(zip, 0, size);
        if (end.zip64EndOffset() >= 0) {
            end = ZipDirectory.zip64End(zip.duplicate().position((int) end.zip64EndOffset()), end, size);
        }
        List<ZipDirectory.Entry> entries = ZipDirectory.entries(zip.duplicate()
                .position((int) end.directoryOffset()).limit((int) (end.directoryOffset() + end.directorySize())), end);
        long[] offsets = new long[entries.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = ZipDirectory.dataOffset(zip.duplicate().position((int) entries.get(i).localHeaderOffset()),
                    entries.get(i));
        }
        ZipDirectory.checkLayout(entries, offsets, end);
        return entries;
    }

    @Test
    void decodesWhatItEncodesWithAndWithoutZip64() {
        for (boolean zip64 : new boolean[] {false, true}) {
            List<ZipDirectory.Entry> entries = read(archive(zip64));
            assertEquals(1, entries.size());
            ZipDirectory.Entry e = entries.get(0);
            assertEquals("x.npy", e.name());
            assertEquals(ZipDirectory.STORED, e.method());
            assertEquals(0x1234, e.crc());
            assertEquals(5, e.size());
            assertEquals(5, e.compressedSize());
            assertEquals(0, e.localHeaderOffset());
        }
    }

    @Test
    void refusesMultiDiskArchives() {
        ByteBuffer zip = archive(false);
        int end = zip.limit() - ZipDirectory.END_BYTES;
        zip.order(ByteOrder.LITTLE_ENDIAN).putShort(end + 4, (short) 1);
        assertMessage(() -> read(zip), "multi-disk");
        ByteBuffer z64 = archive(true);
        int locator = z64.limit() - ZipDirectory.END_BYTES - ZipDirectory.ZIP64_LOCATOR_BYTES;
        z64.order(ByteOrder.LITTLE_ENDIAN).putInt(locator + 16, 2);
        assertMessage(() -> read(z64), "multi-disk");
    }

    @Test
    void refusesAZip64LocatorPointingOutside() {
        ByteBuffer zip = archive(true);
        int locator = zip.limit() - ZipDirectory.END_BYTES - ZipDirectory.ZIP64_LOCATOR_BYTES;
        zip.order(ByteOrder.LITTLE_ENDIAN).putLong(locator + 8, 1L << 40);
        assertMessage(() -> read(zip), "outside");
        zip.putLong(locator + 8, 0); // points at the local header: no zip64 end record there
        assertMessage(() -> read(zip), "no zip64 end record");
    }

    @Test
    void refusesADeferredEndWithoutLocator() {
        ByteBuffer zip = archive(false);
        int end = zip.limit() - ZipDirectory.END_BYTES;
        zip.order(ByteOrder.LITTLE_ENDIAN).putInt(end + 16, -1);
        assertMessage(() -> read(zip), "no zip64 locator");
    }

    @Test
    void findsTheEndRecordBehindAComment() {
        ByteBuffer zip = archive(false);
        byte[] comment = "PK\u0005\u0006 looks like an end record".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer withComment = ByteBuffer.allocate(zip.remaining() + comment.length).order(ByteOrder.LITTLE_ENDIAN);
        withComment.put(zip).put(comment).flip();
        withComment.putShort(withComment.limit() - comment.length - 2, (short) comment.length);
        assertEquals("x.npy", read(withComment).get(0).name());
    }

    @Test
    void refusesADirectoryWithBytesLeftOver() {
        ByteBuffer zip = archive(false);
        int end = zip.limit() - ZipDirectory.END_BYTES;
        ByteBuffer b = zip.order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(end + 12, b.getInt(end + 12) - 1); // the directory now ends one byte early
        assertMessage(() -> read(b), "central directory entry 0");
    }

    @Test
    void namesThatClimbOutOrAreAbsoluteAreProblems() {
        for (String ok : new String[] {"x.npy", "a/b.npy", "a..b.npy", "./x.npy", "ünï.npy"}) {
            assertNull(ZipDirectory.nameProblem(ok), ok);
        }
        for (String bad : new String[] {"", "../x", "a/../../x", "a\\..\\x", "..", "/x", "\\x", "C:x", "a\nb",
            "a\u0000b"}) {
            assertTrue(ZipDirectory.nameProblem(bad) != null, bad);
            assertThrows(IllegalArgumentException.class, () -> ZipEncoder.nameBytes(bad), bad);
        }
    }

    @Test
    void deflateRatioBound() {
        assertTrue(ZipDirectory.inflatable(1, 1032 + 1024));
        assertFalse(ZipDirectory.inflatable(1, 1032 + 1025));
        assertTrue(ZipDirectory.inflatable(1_000_000, 1_032_000_000));
        assertFalse(ZipDirectory.inflatable(1_000_000, 1_033_000_000));
        assertTrue(ZipDirectory.inflatable(Long.MAX_VALUE / 2, Long.MAX_VALUE));
    }

    @Test
    void nonAsciiNamesAreFlaggedUtf8() {
        byte[] name = ZipEncoder.nameBytes("ünï.npy");
        ByteBuffer local = ZipEncoder.localHeader(name, 0, false).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(ZipDirectory.FLAG_UTF8, local.getShort(6));
        ByteBuffer ascii = ZipEncoder.localHeader(ZipEncoder.nameBytes("x.npy"), 0, false)
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, ascii.getShort(6));
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        FormatException e = assertThrows(FormatException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
