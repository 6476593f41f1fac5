package dev.numpack.internal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes the append log ({@code numpack.appends}): the redo records of appends that are durable but not
 * yet in {@code metadata.npkm}. This file is ours: NumPack 0.7 never reads it.
 *
 * <p>Layout (little-endian). A {@value #HEADER_BYTES}-byte header: magic {@code NPA1}, u32 version 1, u64
 * generation, the 32-byte SHA-256 of the metadata file the records apply to, u32 CRC32C of the preceding
 * 48 bytes, zero padding. Then records, back to back: magic {@code NPR1}, u32 payload length, u64
 * generation, u32 CRC32C of the generation and the payload, payload. The payload is u32 entry count, then
 * per entry: array name (u32 length + UTF-8), u64 first physical row, u64 row count, u32 byte count, u8
 * 1 and the rows' bytes, or u8 0 and their CRC32C (the bytes are in the data file only: a log that need
 * survive only a killed process, whose page cache holds them). Records count only while they are whole, pass their checksum and carry the header's
 * generation: the first that does not ends the log (an append in flight, or an older generation's record
 * in a reused file).
 */
public final class AppendLogCodec {
    /** Bytes of the header, before the first record. */
    public static final int HEADER_BYTES = 64;
    /** Bytes of a record before its payload. */
    public static final int RECORD_HEAD = 4 + 4 + 8 + 4;
    /** Bytes of the metadata digest the header holds. */
    public static final int DIGEST_BYTES = 32;
    private static final int MAGIC = 0x3141504E; // "NPA1"
    private static final int RECORD_MAGIC = 0x3152504E; // "NPR1"
    private static final int VERSION = 1;
    private static final int HEADER_CHECKED = 4 + 4 + 8 + DIGEST_BYTES;

    /** The header: which generation of records counts, and the metadata they extend. */
    public static final class Header {
        private final long generation;
        private final byte[] metadataDigest;

        /**
         * @param generation records of other generations do not count
         * @param metadataDigest SHA-256 of the metadata file the records extend ({@value #DIGEST_BYTES} bytes)
         */
        public Header(long generation, byte[] metadataDigest) {
            if (metadataDigest.length != DIGEST_BYTES) {
                throw new IllegalArgumentException("digest of " + metadataDigest.length + " bytes");
            }
            this.generation = generation;
            this.metadataDigest = metadataDigest.clone();
        }

        /** @return the generation whose records count */
        public long generation() {
            return generation;
        }

        /**
         * @param digest SHA-256 of a metadata file
         * @return whether the records extend that metadata
         */
        public boolean extendsMetadata(byte[] digest) {
            return Arrays.equals(metadataDigest, digest);
        }
    }

    /**
     * Rows appended to one array by one record: their bytes, or (when the log need not survive a power
     * loss, only a killed process) their count and CRC32C, the bytes lying in the array's data file.
     */
    public static final class Entry {
        private final String name;
        private final byte[] nameBytes;
        private final long firstRow;
        private final long rows;
        private final int byteCount;
        private final ByteBuffer bytes; // null: in the data file only, checked by crc
        private final int crc;

        private Entry(String name, long firstRow, long rows, int byteCount, ByteBuffer bytes, int crc) {
            this.name = name;
            this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
            this.firstRow = firstRow;
            this.rows = rows;
            this.byteCount = byteCount;
            this.bytes = bytes;
            this.crc = crc;
        }

        /**
         * @param name the array
         * @param firstRow its physical row count before the append: where the rows go
         * @param rows how many rows
         * @param bytes the rows' bytes, position to limit, carried in the record
         */
        public Entry(String name, long firstRow, long rows, ByteBuffer bytes) {
            this(name, firstRow, rows, bytes.remaining(), bytes.slice(), 0);
        }

        /**
         * @param name the array
         * @param firstRow where the rows go
         * @param rows how many rows
         * @param inDataFile the rows' bytes, position to limit: only their count and CRC32C go in the record
         * @return an entry whose bytes are in the array's data file only
         */
        public static Entry inDataFile(String name, long firstRow, long rows, ByteBuffer inDataFile) {
            CRC32C c = new CRC32C();
            c.update(inDataFile.duplicate());
            return new Entry(name, firstRow, rows, inDataFile.remaining(), null, (int) c.getValue());
        }

        /** @return the array */
        public String name() {
            return name;
        }

        /** @return the first physical row appended */
        public long firstRow() {
            return firstRow;
        }

        /** @return rows appended */
        public long rows() {
            return rows;
        }

        /** @return the rows' byte count */
        public int byteCount() {
            return byteCount;
        }

        /** @return the rows' bytes (a fresh view), or {@code null} when they are in the data file only */
        public ByteBuffer bytes() {
            return bytes == null ? null : bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * @param inDataFile the bytes found in the data file where the rows go
         * @return whether they are the rows this entry recorded (always true when it carries its bytes)
         */
        public boolean matches(ByteBuffer inDataFile) {
            if (bytes != null) {
                return true;
            }
            CRC32C c = new CRC32C();
            c.update(inDataFile.duplicate());
            return inDataFile.remaining() == byteCount && (int) c.getValue() == crc;
        }
    }

    private AppendLogCodec() {}

    /**
     * @param h the header
     * @return its {@value #HEADER_BYTES} bytes
     */
    public static ByteBuffer encodeHeader(Header h) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putLong(h.generation).put(h.metadataDigest);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, HEADER_CHECKED);
        b.putInt((int) crc.getValue());
        return b.position(0);
    }

    /**
     * @param bytes at least the header's bytes, from position
     * @return the header, or {@code null} when they hold none (short, other magic or version, bad checksum)
     */
    public static Header decodeHeader(ByteBuffer bytes) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < HEADER_BYTES || b.getInt(0) != MAGIC || b.getInt(4) != VERSION) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.slice(0, HEADER_CHECKED));
        if ((int) crc.getValue() != b.getInt(HEADER_CHECKED)) {
            return null;
        }
        byte[] digest = new byte[DIGEST_BYTES];
        b.get(16, digest);
        return new Header(b.getLong(8), digest);
    }

    /**
     * @param entries the appends of one atomic operation
     * @return the bytes of the record's payload (without the record head)
     */
    public static long payloadBytes(List<Entry> entries) {
        long n = 4;
        for (Entry e : entries) {
            n += 4 + e.nameBytes.length + 8 + 8 + 4 + 1 + (e.bytes != null ? e.byteCount : 4);
        }
        return n;
    }

    /**
     * Encodes a record into {@code dst} at its position, advancing it.
     *
     * @param generation the header's generation
     * @param entries the appends of one atomic operation
     * @param dst a little-endian buffer with room for {@link #RECORD_HEAD} + {@link #payloadBytes} bytes
     */
    public static void encodeRecord(long generation, List<Entry> entries, ByteBuffer dst) {
        long payload = payloadBytes(entries);
        if (payload > Integer.MAX_VALUE - RECORD_HEAD) {
            throw new FormatException("an append record of " + payload + " bytes is too large");
        }
        int start = dst.position();
        dst.putInt(RECORD_MAGIC).putInt((int) payload).putLong(generation).putInt(0);
        dst.putInt(entries.size());
        for (Entry e : entries) {
            dst.putInt(e.nameBytes.length).put(e.nameBytes).putLong(e.firstRow).putLong(e.rows).putInt(e.byteCount);
            if (e.bytes != null) {
                dst.put((byte) 1).put(e.bytes.duplicate());
            } else {
                dst.put((byte) 0).putInt(e.crc);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(dst.duplicate().position(start + 8).limit(start + 16)); // the generation
        crc.update(dst.duplicate().position(start + RECORD_HEAD).limit(dst.position())); // the payload
        dst.putInt(start + 16, (int) crc.getValue());
    }

    /**
     * @param head at least {@link #RECORD_HEAD} bytes of a log from a record's start
     * @param generation the header's generation
     * @return the record's whole length (head and payload), or -1 when no record of that generation starts
     *     here (the end of the log)
     */
    public static long recordLength(ByteBuffer head, long generation) {
        ByteBuffer b = head.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < RECORD_HEAD || b.getInt(0) != RECORD_MAGIC || b.getLong(8) != generation) {
            return -1;
        }
        long payload = Integer.toUnsignedLong(b.getInt(4));
        return payload < 4 ? -1 : RECORD_HEAD + payload;
    }

    /**
     * @param record a whole record ({@link #recordLength} bytes from position)
     * @param generation the header's generation
     * @return its entries (views into {@code record}), or {@code null} when it fails its checksum (torn: the
     *     end of the log)
     * @throws FormatException if it passes its checksum but cannot be decoded (tampering, not a torn write)
     */
    public static List<Entry> decodeRecord(ByteBuffer record, long generation) {
        ByteBuffer b = record.slice().order(ByteOrder.LITTLE_ENDIAN);
        long length = recordLength(b, generation);
        if (length < 0 || length > b.remaining()) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(b.slice(8, 8));
        crc.update(b.slice(RECORD_HEAD, (int) length - RECORD_HEAD));
        if ((int) crc.getValue() != b.getInt(16)) {
            return null;
        }
        ByteBuffer p = b.slice(RECORD_HEAD, (int) length - RECORD_HEAD).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int n = p.getInt();
            if (n < 0) {
                throw new FormatException("negative entry count " + n);
            }
            List<Entry> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int len = p.getInt();
                if (len < 0 || len > p.remaining()) {
                    throw new FormatException("name of " + Integer.toUnsignedString(len) + " bytes with " + p.remaining() + " left");
                }
                byte[] name = new byte[len];
                p.get(name);
                long first = p.getLong();
                long rows = p.getLong();
                int bytes = p.getInt();
                byte inline = p.get();
                if (first < 0 || rows < 0 || bytes < 0 || (inline & ~1) != 0 || (inline == 1 && bytes > p.remaining())) {
                    throw new FormatException("entry of rows " + first + "+" + rows + " with " + Integer.toUnsignedString(bytes)
                            + " bytes (kind " + inline + "), " + p.remaining() + " left");
                }
                String array = new String(name, StandardCharsets.UTF_8);
                if (inline == 1) {
                    out.add(new Entry(array, first, rows, bytes, p.slice(p.position(), bytes), 0));
                    p.position(p.position() + bytes);
                } else {
                    out.add(new Entry(array, first, rows, bytes, null, p.getInt()));
                }
            }
            return out;
        } catch (java.nio.BufferUnderflowException e) {
            throw new FormatException("append record passes its checksum but is cut short", e);
        }
    }
}
