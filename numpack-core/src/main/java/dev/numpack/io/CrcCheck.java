package dev.numpack.io;

import dev.numpack.CorruptStoreException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Checks the CRC-32 a zip archive records for a stored member against the member's bytes as they are read
 * in order: reads that start at or before the first byte not yet checked extend the check, and once it
 * reaches the member's end a mismatch is a {@link CorruptStoreException}. A full pass (a load, an import)
 * therefore always checks; reads of a few rows out of order do not, and cost nothing extra.
 */
final class CrcCheck {
    private final Path file;
    private final String member;
    private final long expected;
    private final long length;
    private final CRC32 crc = new CRC32();
    private long checked;

    /**
     * @param file the archive, for messages
     * @param member the member, for messages
     * @param expected the CRC-32 the archive records
     * @param length the member's bytes
     */
    CrcCheck(Path file, String member, long expected, long length) {
        this.file = file;
        this.member = member;
        this.expected = expected;
        this.length = length;
    }

    /** @return how many leading bytes of the member have been checked */
    synchronized long checked() {
        return checked;
    }

    /**
     * Takes the bytes just read.
     *
     * @param offset where they start in the member
     * @param bytes the bytes, from position to limit (not modified)
     * @throws CorruptStoreException if they complete the member and the CRC-32 differs
     */
    synchronized void absorb(long offset, ByteBuffer bytes) {
        long end = offset + bytes.remaining();
        if (offset > checked || end <= checked) {
            return;
        }
        ByteBuffer fresh = bytes.duplicate();
        fresh.position(fresh.position() + (int) (checked - offset));
        crc.update(fresh);
        checked = end;
        if (checked == length && crc.getValue() != expected) {
            throw new CorruptStoreException(file, member, String.format("CRC-32 mismatch: the member's bytes give "
                    + "%08x, the archive records %08x: the member is damaged", crc.getValue(), expected));
        }
    }
}
