package dev.numpack.internal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The directory of a zip archive (PKWARE APPNOTE 6.3, with zip64), as far as an {@code .npz} reader needs it:
 * a pure codec over byte buffers that knows no files.
 *
 * <p>Reading takes four steps, each on bytes the caller reads from the file:
 *
 * <pre>{@code
 * End end = ZipDirectory.findEnd(tail, tailOffset, fileSize);   // the last bytes of the file
 * if (end.zip64EndOffset() >= 0) {
 *     end = ZipDirectory.zip64End(bytesAt(end.zip64EndOffset(), ZIP64_END_BYTES), end);
 * }
 * List<Entry> entries = ZipDirectory.entries(bytesAt(end.directoryOffset(), end.directorySize()), end);
 * long dataOffset = ZipDirectory.dataOffset(bytesAt(entry.localHeaderOffset(), entry.localHeaderPrefix()), entry);
 * ZipDirectory.checkLayout(entries, dataOffsets, end);
 * }</pre>
 *
 * <p>Everything a hostile archive could use is refused with a {@link FormatException}: member names that
 * climb out of a directory ({@code ../}), absolute names, control characters, duplicate names, encrypted
 * or multi-disk archives, compression methods other than stored and deflate, sizes that point outside the
 * file, members that overlap (the "overlapping zip bomb"), and declared sizes deflate cannot produce from
 * the compressed bytes (the zip bomb ratio).
 */
public final class ZipDirectory {
    /** Compression method: stored as is. */
    public static final int STORED = 0;
    /** Compression method: raw deflate (RFC 1951). */
    public static final int DEFLATED = 8;

    /** Bytes of the end of central directory record, without its comment. */
    public static final int END_BYTES = 22;
    /** Bytes of the zip64 end of central directory locator, which stands just before the end record. */
    public static final int ZIP64_LOCATOR_BYTES = 20;
    /** Bytes of the zip64 end of central directory record (version 1, no extensible data). */
    public static final int ZIP64_END_BYTES = 56;
    /** Bytes of a local file header before its name and extra field. */
    public static final int LOCAL_HEADER_BYTES = 30;
    /** Bytes of a central directory header before its name, extra field and comment. */
    static final int CENTRAL_HEADER_BYTES = 46;
    /** The most bytes at the end of a file that can hold the end records: they, and the longest comment. */
    public static final int MAX_TAIL_BYTES = ZIP64_LOCATOR_BYTES + END_BYTES + 0xFFFF;

    /**
     * The largest central directory read, in bytes. Each entry takes at least 46 bytes, so this admits over a
     * million members, and it stops a forged size from making a reader allocate gigabytes.
     */
    public static final long MAX_DIRECTORY_BYTES = 64L << 20;

    /**
     * Deflate emits at least one bit per 258 output bytes, so no valid stream expands more than 1032 times
     * (zlib's technical note); a member declaring more than this, plus slack for tiny members, is forged.
     */
    public static final long MAX_DEFLATE_RATIO = 1032;
    private static final long RATIO_SLACK_BYTES = 1024;

    static final int LOCAL_SIGNATURE = 0x04034b50;
    static final int CENTRAL_SIGNATURE = 0x02014b50;
    static final int END_SIGNATURE = 0x06054b50;
    static final int ZIP64_END_SIGNATURE = 0x06064b50;
    static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    static final int ZIP64_EXTRA_ID = 0x0001;
    static final int FLAG_ENCRYPTED = 0x0001;
    static final int FLAG_UTF8 = 0x0800;
    static final long MAX_U32 = 0xFFFFFFFFL;
    static final int MAX_U16 = 0xFFFF;

    private static final Charset CP437 =
            Charset.isSupported("IBM437") ? Charset.forName("IBM437") : StandardCharsets.ISO_8859_1;

    private ZipDirectory() {}

    /**
     * Where the central directory is, from the end records.
     *
     * @param directoryOffset where the central directory starts
     * @param directorySize its length in bytes
     * @param entries how many entries it holds
     * @param endOffset where the end records start (the zip64 end record if there is one): the central
     *     directory must end at or before it
     * @param zip64EndOffset where the zip64 end record is, when the classic record defers to it and it has
     *     not been read yet; otherwise -1
     */
    public record End(long directoryOffset, long directorySize, long entries, long endOffset, long zip64EndOffset) {}

    /** One member as the central directory describes it. */
    public static final class Entry {
        private final String name;
        private final byte[] rawName;
        private final int method;
        private final long crc;
        private final long compressedSize;
        private final long size;
        private final long localHeaderOffset;

        Entry(String name, byte[] rawName, int method, long crc, long compressedSize, long size,
                long localHeaderOffset) {
            this.name = name;
            this.rawName = rawName;
            this.method = method;
            this.crc = crc;
            this.compressedSize = compressedSize;
            this.size = size;
            this.localHeaderOffset = localHeaderOffset;
        }

        /** @return the member's name, a relative path such as {@code x.npy} */
        public String name() {
            return name;
        }

        /** @return {@link #STORED} or {@link #DEFLATED} */
        public int method() {
            return method;
        }

        /** @return the CRC-32 of the uncompressed bytes, as an unsigned value */
        public long crc() {
            return crc;
        }

        /** @return the member's bytes in the archive */
        public long compressedSize() {
            return compressedSize;
        }

        /** @return the member's bytes once uncompressed */
        public long size() {
            return size;
        }

        /** @return where the member's local header starts in the archive */
        public long localHeaderOffset() {
            return localHeaderOffset;
        }

        /** @return how many bytes of the local header {@link #dataOffset} needs: fixed part and name */
        public int localHeaderPrefix() {
            return LOCAL_HEADER_BYTES + rawName.length;
        }

        @Override
        public String toString() {
            return "'" + name + "' (" + (method == STORED ? "stored" : "deflated") + ", " + compressedSize
                    + " -> " + size + " bytes at " + localHeaderOffset + ")";
        }
    }

    // ---------------------------------------------------------------- the end records

    /**
     * Finds and decodes the end of central directory record.
     *
     * @param tail the last bytes of the file, from its position: up to {@link #MAX_TAIL_BYTES} of them (fewer
     *     if the file is shorter). Not modified.
     * @param tailOffset where {@code tail} starts in the file
     * @param fileSize the file's length
     * @return where the central directory is; if {@link End#zip64EndOffset()} is not -1, the caller must read
     *     the zip64 end record there and pass it to {@link #zip64End}
     * @throws FormatException if there is no end record (not a zip file, or a truncated one), the archive
     *     spans several disks, or its sizes point outside the file
     */
    public static End findEnd(ByteBuffer tail, long tailOffset, long fileSize) {
        ByteBuffer b = tail.slice().order(ByteOrder.LITTLE_ENDIAN);
        // Scan backwards: a comment may contain the signature's bytes, the real record is the last one
        // whose comment ends exactly at the end of the file.
        for (int p = b.limit() - END_BYTES; p >= 0; p--) {
            if (b.getInt(p) != END_SIGNATURE || p + END_BYTES + (b.getShort(p + 20) & MAX_U16) != b.limit()) {
                continue;
            }
            int disk = b.getShort(p + 4) & MAX_U16;
            int directoryDisk = b.getShort(p + 6) & MAX_U16;
            long entriesHere = b.getShort(p + 8) & MAX_U16;
            long entries = b.getShort(p + 10) & MAX_U16;
            long size = b.getInt(p + 12) & MAX_U32;
            long offset = b.getInt(p + 16) & MAX_U32;
            long endOffset = tailOffset + p;
            boolean deferred = entries == MAX_U16 || size == MAX_U32 || offset == MAX_U32;
            int locator = p - ZIP64_LOCATOR_BYTES;
            if (locator >= 0 && b.getInt(locator) == ZIP64_LOCATOR_SIGNATURE) {
                if (b.getInt(locator + 4) != 0 || b.getInt(locator + 16) != 1) {
                    throw new FormatException("multi-disk zip archives are not supported");
                }
                long zip64End = b.getLong(locator + 8);
                long locatorOffset = tailOffset + locator;
                if (zip64End < 0 || zip64End > locatorOffset - ZIP64_END_BYTES) {
                    throw new FormatException("the zip64 end record is said to be at byte " + zip64End
                            + ", outside the " + locatorOffset + " bytes before its locator");
                }
                return new End(-1, -1, -1, zip64End, zip64End);
            }
            if (deferred) {
                throw new FormatException("the end record defers to a zip64 end record, but there is no "
                        + "zip64 locator before it");
            }
            if (disk != 0 || directoryDisk != 0 || entriesHere != entries) {
                throw new FormatException("multi-disk zip archives are not supported");
            }
            return checkedEnd(new End(offset, size, entries, endOffset, -1), fileSize);
        }
        throw new FormatException("not a zip file, or a truncated one: no end of central directory record in "
                + "its last " + b.limit() + " bytes");
    }

    /**
     * Decodes the zip64 end of central directory record.
     *
     * @param record {@link #ZIP64_END_BYTES} bytes at {@code end.zip64EndOffset()}, from its position
     * @param end what {@link #findEnd} returned
     * @param fileSize the file's length
     * @return where the central directory is
     * @throws FormatException if the record is not there or is inconsistent
     */
    public static End zip64End(ByteBuffer record, End end, long fileSize) {
        ByteBuffer b = record.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < ZIP64_END_BYTES || b.getInt(0) != ZIP64_END_SIGNATURE) {
            throw new FormatException("no zip64 end record at byte " + end.zip64EndOffset()
                    + " where the zip64 locator points");
        }
        if (b.getInt(16) != 0 || b.getInt(20) != 0 || b.getLong(24) != b.getLong(32)) {
            throw new FormatException("multi-disk zip archives are not supported");
        }
        long entries = b.getLong(32);
        long size = b.getLong(40);
        long offset = b.getLong(48);
        return checkedEnd(new End(offset, size, entries, end.zip64EndOffset(), -1), fileSize);
    }

    private static End checkedEnd(End e, long fileSize) {
        if (e.entries() < 0 || e.directorySize() < 0 || e.directoryOffset() < 0
                || e.directoryOffset() > e.endOffset() || e.directorySize() > e.endOffset() - e.directoryOffset()
                || e.endOffset() > fileSize) {
            throw new FormatException("the central directory (" + e.directorySize() + " bytes at byte "
                    + e.directoryOffset() + ") does not fit before the end record at byte " + e.endOffset()
                    + ": the archive is truncated or has data prepended");
        }
        if (e.directorySize() > MAX_DIRECTORY_BYTES) {
            throw new FormatException("a central directory of " + e.directorySize() + " bytes exceeds the limit "
                    + "of " + MAX_DIRECTORY_BYTES + " bytes");
        }
        if (e.entries() > e.directorySize() / CENTRAL_HEADER_BYTES) {
            throw new FormatException("the end record claims " + e.entries() + " entries, more than a central "
                    + "directory of " + e.directorySize() + " bytes can hold");
        }
        return e;
    }

    // ---------------------------------------------------------------- the central directory

    /**
     * Decodes the central directory.
     *
     * @param directory the directory's bytes, from its position: {@code end.directorySize()} of them
     * @param end where they came from
     * @return the entries in directory order
     * @throws FormatException if an entry is malformed, encrypted, compressed with another method, has an
     *     unsafe or duplicate name, or the entries do not fill the directory exactly
     */
    public static List<Entry> entries(ByteBuffer directory, End end) {
        ByteBuffer b = directory.slice().order(ByteOrder.LITTLE_ENDIAN);
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int p = 0;
        for (long i = 0; i < end.entries(); i++) {
            if (b.limit() - p < CENTRAL_HEADER_BYTES || b.getInt(p) != CENTRAL_SIGNATURE) {
                throw new FormatException("central directory entry " + i + " of " + end.entries()
                        + " is missing or malformed at byte " + (end.directoryOffset() + p));
            }
            int nameLength = b.getShort(p + 28) & MAX_U16;
            int extraLength = b.getShort(p + 30) & MAX_U16;
            int commentLength = b.getShort(p + 32) & MAX_U16;
            int next = p + CENTRAL_HEADER_BYTES + nameLength + extraLength + commentLength;
            if (next > b.limit()) {
                throw new FormatException("central directory entry " + i + " runs past the directory's end");
            }
            Entry e = entry(b, p, nameLength, extraLength);
            if (!names.add(e.name())) {
                throw new FormatException("the archive holds two members named '" + e.name() + "'");
            }
            entries.add(e);
            p = next;
        }
        if (p != b.limit()) {
            throw new FormatException("the central directory has " + (b.limit() - p) + " bytes after its "
                    + end.entries() + " entries");
        }
        return entries;
    }

    private static Entry entry(ByteBuffer b, int p, int nameLength, int extraLength) {
        int flags = b.getShort(p + 8) & MAX_U16;
        int method = b.getShort(p + 10) & MAX_U16;
        long crc = b.getInt(p + 16) & MAX_U32;
        long compressed = b.getInt(p + 20) & MAX_U32;
        long size = b.getInt(p + 24) & MAX_U32;
        int disk = b.getShort(p + 34) & MAX_U16;
        long offset = b.getInt(p + 42) & MAX_U32;
        byte[] raw = new byte[nameLength];
        b.get(p + CENTRAL_HEADER_BYTES, raw);
        String name = decodeName(raw, (flags & FLAG_UTF8) != 0);
        String problem = nameProblem(name);
        if (problem != null) {
            throw new FormatException("unsafe member name " + quote(name) + ": " + problem);
        }
        if ((flags & FLAG_ENCRYPTED) != 0) {
            throw new FormatException("member '" + name + "' is encrypted");
        }
        if (method != STORED && method != DEFLATED) {
            throw new FormatException("member '" + name + "' uses compression method " + method
                    + " (supported: 0 stored, 8 deflate)");
        }
        // The zip64 extra field holds, in this order, exactly the values whose classic field is 0xFFFFFFFF.
        ByteBuffer extra = zip64Extra(b.slice(p + CENTRAL_HEADER_BYTES + nameLength, extraLength)
                .order(ByteOrder.LITTLE_ENDIAN));
        if (size == MAX_U32) {
            size = zip64Value(extra, name, "size");
        }
        if (compressed == MAX_U32) {
            compressed = zip64Value(extra, name, "compressed size");
        }
        if (offset == MAX_U32) {
            offset = zip64Value(extra, name, "local header offset");
        }
        if (disk == MAX_U16 && extra != null && extra.remaining() >= 4) {
            disk = extra.getInt();
        }
        if (disk != 0) {
            throw new FormatException("member '" + name + "' is on disk " + disk + ": multi-disk zip archives "
                    + "are not supported");
        }
        return new Entry(name, raw, method, crc, compressed, size, offset);
    }

    /** @return the zip64 extra field's data, or {@code null} if there is none */
    private static ByteBuffer zip64Extra(ByteBuffer extra) {
        while (extra.remaining() >= 4) {
            int id = extra.getShort() & MAX_U16;
            int length = extra.getShort() & MAX_U16;
            if (length > extra.remaining()) {
                throw new FormatException("an extra field runs past its entry");
            }
            if (id == ZIP64_EXTRA_ID) {
                return extra.slice(extra.position(), length).order(ByteOrder.LITTLE_ENDIAN);
            }
            extra.position(extra.position() + length);
        }
        return null;
    }

    private static long zip64Value(ByteBuffer extra, String name, String what) {
        if (extra == null || extra.remaining() < 8) {
            throw new FormatException("member '" + name + "' defers its " + what + " to a zip64 extra field "
                    + "that does not hold it");
        }
        long v = extra.getLong();
        if (v < 0) {
            throw new FormatException("member '" + name + "' has a " + what + " of " + Long.toUnsignedString(v));
        }
        return v;
    }

    private static String decodeName(byte[] raw, boolean utf8) {
        if (!utf8) {
            return new String(raw, CP437); // the zip format's default for names without the UTF-8 flag
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("a member name flagged as UTF-8 is not valid UTF-8", e);
        }
    }

    /**
     * Says what makes a member name unsafe to use as a relative path: what a writer must refuse and a reader
     * must not trust.
     *
     * @param name a member name
     * @return the problem, or {@code null} if the name is a plain relative path
     */
    public static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "it is empty";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "it contains a control character";
            }
        }
        if (name.startsWith("/") || name.startsWith("\\")) {
            return "it is an absolute path";
        }
        if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
            return "it starts with a drive letter";
        }
        for (String part : name.split("[/\\\\]", -1)) {
            if (part.equals("..")) {
                return "it climbs out of its directory with '..'";
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- local headers and layout

    /**
     * Decodes a member's local header to find where its data starts, checking that it names the same
     * member as the central directory.
     *
     * @param local the first {@code entry.localHeaderPrefix()} bytes at {@code entry.localHeaderOffset()},
     *     from its position
     * @param entry the member
     * @return where the member's data starts in the archive
     * @throws FormatException if there is no local header there or it names another member
     */
    public static long dataOffset(ByteBuffer local, Entry entry) {
        ByteBuffer b = local.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < entry.localHeaderPrefix() || b.getInt(0) != LOCAL_SIGNATURE) {
            throw new FormatException("no local header at byte " + entry.localHeaderOffset() + " for member '"
                    + entry.name() + "'");
        }
        int nameLength = b.getShort(26) & MAX_U16;
        int extraLength = b.getShort(28) & MAX_U16;
        byte[] raw = new byte[Math.min(nameLength, b.remaining() - LOCAL_HEADER_BYTES)];
        b.get(LOCAL_HEADER_BYTES, raw);
        if (!Arrays.equals(raw, entry.rawName)) {
            throw new FormatException("the local header at byte " + entry.localHeaderOffset() + " names "
                    + quote(decodeName(raw, false)) + ", the central directory '" + entry.name() + "'");
        }
        return entry.localHeaderOffset() + LOCAL_HEADER_BYTES + nameLength + extraLength;
    }

    /**
     * Checks that every member lies inside the archive, before the central directory, apart from every other
     * member, with sizes its compression method can produce.
     *
     * @param entries the entries
     * @param dataOffsets where each entry's data starts, from {@link #dataOffset}
     * @param end where the central directory is
     * @throws FormatException if two members overlap, a member runs into the directory, or its declared
     *     size is impossible
     */
    public static void checkLayout(List<Entry> entries, long[] dataOffsets, End end) {
        Integer[] order = new Integer[entries.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            Entry e = entries.get(i);
            if (e.method() == STORED && e.compressedSize() != e.size()) {
                throw new FormatException("stored member '" + e.name() + "' declares " + e.compressedSize()
                        + " bytes in the archive but " + e.size() + " uncompressed");
            }
            if (e.method() == DEFLATED && !inflatable(e.compressedSize(), e.size())) {
                throw new FormatException("member '" + e.name() + "' declares " + e.size() + " bytes from "
                        + e.compressedSize() + " compressed ones, more than deflate can expand to (at most "
                        + MAX_DEFLATE_RATIO + " times): a zip bomb or a forged size");
            }
        }
        Arrays.sort(order, Comparator.comparingLong(i -> entries.get(i).localHeaderOffset()));
        long free = 0; // the first byte no earlier member uses
        for (int i : order) {
            Entry e = entries.get(i);
            if (e.localHeaderOffset() < free) {
                throw new FormatException("member '" + e.name() + "' overlaps the member before it (its header "
                        + "is at byte " + e.localHeaderOffset() + ", the earlier one ends at byte " + free + ")");
            }
            long dataEnd = dataOffsets[i] + e.compressedSize();
            if (dataEnd < 0 || dataEnd > end.directoryOffset()) {
                throw new FormatException("member '" + e.name() + "' (" + e.compressedSize() + " bytes from byte "
                        + dataOffsets[i] + ") runs past the start of the central directory at byte "
                        + end.directoryOffset() + ": the archive is truncated or the size is forged");
            }
            free = dataEnd;
        }
    }

    /**
     * @param compressed deflated bytes
     * @param size bytes they are said to inflate to
     * @return whether deflate can produce that many bytes from that many: at most
     *     {@link #MAX_DEFLATE_RATIO} times as many, plus slack for tiny members
     */
    public static boolean inflatable(long compressed, long size) {
        if (compressed > (Long.MAX_VALUE - RATIO_SLACK_BYTES) / MAX_DEFLATE_RATIO) {
            return true; // more compressed bytes than any file holds: the layout check refuses them
        }
        return size <= compressed * MAX_DEFLATE_RATIO + RATIO_SLACK_BYTES;
    }

    private static String quote(String name) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(Character.isISOControl(c) ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.append('\'').toString();
    }
}
