package dev.numpack.internal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes the redo journal ({@code numpack.journal}) that makes one commit of several files atomic. This
 * file is ours: NumPack 0.7 never reads it.
 *
 * <p>Layout (little-endian): magic {@code NPJ1}, u64 payload length, u32 CRC32C of the payload, payload
 * (bytes after it are ignored: the file is reused, and a cleared journal has its magic zeroed).
 * The payload is u32 action count, then per action a u8 kind and its fields (strings as u32 length +
 * UTF-8, blobs as u32 length + bytes). A journal that is short, has another magic or fails its checksum
 * was never committed and is discarded.
 */
public final class JournalCodec {
    private static final int MAGIC = 0x314A504E; // "NPJ1"
    private static final int HEADER = 4 + 8 + 4;

    /** What one journal action does; every action is idempotent so that redo may run it twice. */
    public enum Kind {
        /** Rename {@code path} onto {@code target}, replacing it; skipped when {@code path} is gone. */
        RENAME,
        /** Replace the file {@code path} with {@code bytes} (through a temp file and a rename). */
        PUT,
        /** Write {@code bytes} into the existing file {@code path} at {@code offset}. */
        PWRITE,
        /** Delete the file (or empty directory) {@code path} if it exists. */
        DELETE
    }

    /** One action of a journal. */
    public static final class Action {
        private final Kind kind;
        private final String path;
        private final String target;
        private final long offset;
        private final ByteBuffer bytes;

        private Action(Kind kind, String path, String target, long offset, ByteBuffer bytes) {
            this.kind = kind;
            this.path = path;
            this.target = target;
            this.offset = offset;
            this.bytes = bytes;
        }

        /** @param from source @param to destination @return a rename */
        public static Action rename(String from, String to) {
            return new Action(Kind.RENAME, from, to, 0, null);
        }

        /** @param path file @param bytes its whole new content @return a put */
        public static Action put(String path, ByteBuffer bytes) {
            return new Action(Kind.PUT, path, null, 0, bytes.slice());
        }

        /** @param path file @param offset where @param bytes what @return a positional write */
        public static Action pwrite(String path, long offset, ByteBuffer bytes) {
            return new Action(Kind.PWRITE, path, null, offset, bytes.slice());
        }

        /** @param path file or empty directory @return a delete */
        public static Action delete(String path) {
            return new Action(Kind.DELETE, path, null, 0, null);
        }

        /** @return the kind */
        public Kind kind() {
            return kind;
        }

        /** @return the file the action works on, relative to the store */
        public String path() {
            return path;
        }

        /** @return the rename target, relative to the store */
        public String target() {
            return target;
        }

        /** @return the offset of a positional write */
        public long offset() {
            return offset;
        }

        /** @return the bytes of a put or positional write (a fresh view) */
        public ByteBuffer bytes() {
            return bytes == null ? null : bytes.duplicate();
        }
    }

    private JournalCodec() {}

    /**
     * @param actions the actions in the order to apply them
     * @return the journal's bytes
     */
    public static ByteBuffer encode(List<Action> actions) {
        long size = 4;
        for (Action a : actions) {
            size += 1 + str(a.path) + (a.kind == Kind.RENAME ? str(a.target) : 0);
            if (a.kind == Kind.PWRITE) {
                size += 8;
            }
            if (a.bytes != null) {
                size += 4 + a.bytes.remaining();
            }
        }
        if (size + HEADER > Integer.MAX_VALUE - 64) {
            throw new FormatException("one commit's journal would exceed 2 GiB; split the operation");
        }
        ByteBuffer b = ByteBuffer.allocate((int) (HEADER + size)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(HEADER);
        b.putInt(actions.size());
        for (Action a : actions) {
            b.put((byte) a.kind.ordinal());
            putStr(b, a.path);
            if (a.kind == Kind.RENAME) {
                putStr(b, a.target);
            }
            if (a.kind == Kind.PWRITE) {
                b.putLong(a.offset);
            }
            if (a.bytes != null) {
                b.putInt(a.bytes.remaining()).put(a.bytes.duplicate());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), HEADER, (int) size);
        b.putInt(0, MAGIC).putLong(4, size).putInt(12, (int) crc.getValue());
        return b.position(0);
    }

    /** Bytes before the payload: magic, payload length, checksum. */
    public static final int HEADER_BYTES = HEADER;

    /**
     * @param header at least the first {@link #HEADER_BYTES} bytes of a journal file, from its position
     * @return the bytes the journal it starts occupies (header and payload), or -1 when it starts none or
     *     records a length no journal can have ({@link #encode} refuses 2 GiB): then no more need be read
     */
    public static long recordedLength(ByteBuffer header) {
        ByteBuffer b = header.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < HEADER || b.getInt(b.position()) != MAGIC) {
            return -1;
        }
        long size = b.getLong(b.position() + 4);
        return size < 4 || size > Integer.MAX_VALUE - 64 - HEADER ? -1 : HEADER + size;
    }

    /**
     * @param first4 at least the first 4 bytes of a journal file
     * @return whether they start a journal (which may still be torn: {@link #decode} decides)
     */
    public static boolean hasMagic(ByteBuffer first4) {
        return first4.remaining() >= 4 && first4.order(ByteOrder.LITTLE_ENDIAN).getInt(first4.position()) == MAGIC;
    }

    /**
     * @param bytes a journal file's content (bytes past the journal's recorded length are ignored)
     * @return its actions, or {@code null} when the journal is cleared, incomplete or damaged (never
     *     committed)
     */
    public static List<Action> decode(ByteBuffer bytes) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < HEADER || b.getInt(0) != MAGIC) {
            return null;
        }
        long size = b.getLong(4);
        // the journal file is reused: bytes past this journal's length are an older, longer one's
        if (size < 4 || size > b.remaining() - HEADER) {
            return null;
        }
        ByteBuffer payload = b.slice(HEADER, (int) size).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        if ((int) crc.getValue() != b.getInt(12)) {
            return null;
        }
        try {
            int n = payload.getInt();
            List<Action> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Kind kind = Kind.values()[payload.get()];
                String path = getStr(payload);
                String target = kind == Kind.RENAME ? getStr(payload) : null;
                long offset = kind == Kind.PWRITE ? payload.getLong() : 0;
                if (offset < 0) {
                    throw new FormatException("negative write offset " + offset);
                }
                ByteBuffer data = null;
                if (kind == Kind.PUT || kind == Kind.PWRITE) {
                    int len = payload.getInt();
                    if (len < 0 || len > payload.remaining()) {
                        throw new FormatException("blob of " + Integer.toUnsignedString(len) + " bytes with "
                                + payload.remaining() + " left");
                    }
                    data = payload.slice(payload.position(), len);
                    payload.position(payload.position() + len);
                }
                out.add(new Action(kind, path, target, offset, data));
            }
            return out;
        } catch (RuntimeException e) {
            // the checksum matched, so this is a bug or deliberate tampering, not a torn write
            throw new FormatException("journal passes its checksum but cannot be decoded", e);
        }
    }

    private static long str(String s) {
        return 4 + s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void putStr(ByteBuffer b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(u.length).put(u);
    }

    private static String getStr(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new FormatException("string of " + Integer.toUnsignedString(len) + " bytes with " + b.remaining() + " left");
        }
        byte[] u = new byte[len];
        b.get(u);
        return new String(u, StandardCharsets.UTF_8);
    }
}
