package dev.numpack.internal.format;

import static dev.numpack.internal.format.ZipDirectory.MAX_U16;
import static dev.numpack.internal.format.ZipDirectory.MAX_U32;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the records of a zip archive of stored (uncompressed) members, the layout {@code numpy.savez}
 * writes: a pure codec that knows no files. The writer knows each member's size before its data, so the
 * local header carries the sizes; only the CRC-32 is patched in afterwards, at {@link #CRC_OFFSET}.
 *
 * <p>Zip64 fields are used where a size or offset needs them (members or archives over 4 GiB, more than
 * 65,534 members) or where the caller forces them; every timestamp is 1980-01-01 00:00, as NumPy's, so
 * that the same arrays always give the same bytes.
 */
public final class ZipEncoder {
    /** Where the CRC-32 sits within a local header, to be patched once the member's data is written. */
    public static final int CRC_OFFSET = 14;

    private static final int VERSION = 20;
    private static final int VERSION_ZIP64 = 45;
    private static final int MADE_BY_UNIX = 3 << 8;
    private static final int DOS_DATE_1980_01_01 = (1 << 5) | 1;
    private static final int REGULAR_FILE_RW_R_R = 0100644;

    private ZipEncoder() {}

    /**
     * @param name a member name
     * @return its bytes as stored in the archive: UTF-8
     * @throws IllegalArgumentException if the name is unsafe ({@link ZipDirectory#nameProblem}) or longer
     *     than 65,535 bytes
     */
    public static byte[] nameBytes(String name) {
        String problem = ZipDirectory.nameProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException("member name '" + name + "' is refused: " + problem);
        }
        byte[] raw = name.getBytes(StandardCharsets.UTF_8);
        if (raw.length > MAX_U16) {
            throw new IllegalArgumentException("member name of " + raw.length + " bytes exceeds 65535");
        }
        return raw;
    }

    /**
     * @param size a stored member's bytes
     * @param offset where its local header starts
     * @param force whether zip64 fields are wanted even where classic ones would do
     * @return whether the member's records need zip64 fields
     */
    public static boolean needsZip64(long size, long offset, boolean force) {
        return force || size >= MAX_U32 || offset >= MAX_U32;
    }

    /**
     * Encodes a stored member's local header with a zero CRC, to be patched at {@link #CRC_OFFSET}.
     *
     * @param name the name's bytes, from {@link #nameBytes}
     * @param size the member's bytes
     * @param zip64 whether to carry the size in a zip64 extra field
     * @return the header, position 0
     */
    public static ByteBuffer localHeader(byte[] name, long size, boolean zip64) {
        ByteBuffer b = ByteBuffer.allocate(ZipDirectory.LOCAL_HEADER_BYTES + name.length + (zip64 ? 20 : 0))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(ZipDirectory.LOCAL_SIGNATURE)
                .putShort((short) (zip64 ? VERSION_ZIP64 : VERSION))
                .putShort((short) flags(name))
                .putShort((short) ZipDirectory.STORED)
                .putShort((short) 0)
                .putShort((short) DOS_DATE_1980_01_01)
                .putInt(0)
                .putInt((int) (zip64 ? MAX_U32 : size))
                .putInt((int) (zip64 ? MAX_U32 : size))
                .putShort((short) name.length)
                .putShort((short) (zip64 ? 20 : 0))
                .put(name);
        if (zip64) {
            b.putShort((short) ZipDirectory.ZIP64_EXTRA_ID).putShort((short) 16).putLong(size).putLong(size);
        }
        return b.flip();
    }

    /**
     * Encodes a stored member's central directory header.
     *
     * @param name the name's bytes, from {@link #nameBytes}
     * @param crc the CRC-32 of its bytes
     * @param size its bytes
     * @param offset where its local header starts
     * @param zip64 whether to carry size and offset in a zip64 extra field
     * @return the header, position 0
     */
    public static ByteBuffer centralHeader(byte[] name, long crc, long size, long offset, boolean zip64) {
        ByteBuffer b = ByteBuffer.allocate(ZipDirectory.CENTRAL_HEADER_BYTES + name.length + (zip64 ? 28 : 0))
                .order(ByteOrder.LITTLE_ENDIAN);
        int version = zip64 ? VERSION_ZIP64 : VERSION;
        b.putInt(ZipDirectory.CENTRAL_SIGNATURE)
                .putShort((short) (MADE_BY_UNIX | version))
                .putShort((short) version)
                .putShort((short) flags(name))
                .putShort((short) ZipDirectory.STORED)
                .putShort((short) 0)
                .putShort((short) DOS_DATE_1980_01_01)
                .putInt((int) crc)
                .putInt((int) (zip64 ? MAX_U32 : size))
                .putInt((int) (zip64 ? MAX_U32 : size))
                .putShort((short) name.length)
                .putShort((short) (zip64 ? 28 : 0))
                .putShort((short) 0) // comment length
                .putShort((short) 0) // disk
                .putShort((short) 0) // internal attributes
                .putInt(REGULAR_FILE_RW_R_R << 16)
                .putInt((int) (zip64 ? MAX_U32 : offset))
                .put(name);
        if (zip64) {
            b.putShort((short) ZipDirectory.ZIP64_EXTRA_ID).putShort((short) 24)
                    .putLong(size).putLong(size).putLong(offset);
        }
        return b.flip();
    }

    /**
     * Encodes the end records: a zip64 end record and its locator where needed (or forced), then the classic
     * end of central directory record.
     *
     * @param entries the number of members
     * @param directoryOffset where the central directory starts
     * @param directorySize its length
     * @param force whether zip64 records are wanted even where classic ones would do
     * @return the records, position 0, to be written right after the central directory
     */
    public static ByteBuffer end(long entries, long directoryOffset, long directorySize, boolean force) {
        boolean zip64 = force || entries >= MAX_U16 || directoryOffset >= MAX_U32 || directorySize >= MAX_U32;
        ByteBuffer b = ByteBuffer.allocate(ZipDirectory.END_BYTES
                + (zip64 ? ZipDirectory.ZIP64_END_BYTES + ZipDirectory.ZIP64_LOCATOR_BYTES : 0))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (zip64) {
            long zip64End = directoryOffset + directorySize;
            b.putInt(ZipDirectory.ZIP64_END_SIGNATURE)
                    .putLong(ZipDirectory.ZIP64_END_BYTES - 12) // the record's size after this field
                    .putShort((short) (MADE_BY_UNIX | VERSION_ZIP64))
                    .putShort((short) VERSION_ZIP64)
                    .putInt(0).putInt(0)
                    .putLong(entries).putLong(entries)
                    .putLong(directorySize).putLong(directoryOffset);
            b.putInt(ZipDirectory.ZIP64_LOCATOR_SIGNATURE).putInt(0).putLong(zip64End).putInt(1);
        }
        b.putInt(ZipDirectory.END_SIGNATURE)
                .putShort((short) 0).putShort((short) 0)
                .putShort((short) (zip64 ? MAX_U16 : entries))
                .putShort((short) (zip64 ? MAX_U16 : entries))
                .putInt((int) (zip64 ? MAX_U32 : directorySize))
                .putInt((int) (zip64 ? MAX_U32 : directoryOffset))
                .putShort((short) 0);
        return b.flip();
    }

    /** Names that are not plain ASCII carry the flag that says they are UTF-8, as Python's zipfile sets it. */
    private static int flags(byte[] name) {
        for (byte c : name) {
            if (c < 0) {
                return ZipDirectory.FLAG_UTF8;
            }
        }
        return 0;
    }
}
