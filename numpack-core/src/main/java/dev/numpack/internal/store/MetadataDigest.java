package dev.numpack.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SHA-256 of a metadata file's bytes: what identifies a committed state (each record carries a
 * microsecond time, so two commits never write the same bytes), and what ties the append log to the
 * metadata its records extend.
 *
 * <p>Only the first {@link #DIGESTED_BYTES} are digested; a larger file adds its size, identity and
 * modification time instead of the rest: a huge (damaged, or sparse) file costs neither memory nor minutes,
 * and two such commits that share all of these would need the same inode, size and nanosecond mtime. A file
 * within the bound digests exactly as its bytes do ({@link #of(ByteBuffer, Path)}).
 */
final class MetadataDigest {
    /** Bytes of a metadata file that are digested: a valid file of a million arrays fits. */
    static final long DIGESTED_BYTES = 64L << 20;

    private MetadataDigest() {}

    /**
     * The digest of metadata just written, from its bytes when they are within the bound (no read back).
     *
     * @param bytes the metadata file's bytes, position to limit (not consumed)
     * @param file the file they were written to: read when they are larger than the bound
     * @return their digest, equal to {@link #ofFile(Path)} of that file
     * @throws IOException if the file must be read and cannot be
     */
    static byte[] of(ByteBuffer bytes, Path file) throws IOException {
        if (bytes.remaining() > DIGESTED_BYTES) {
            return ofFile(file);
        }
        MessageDigest d = sha256();
        d.update(bytes.duplicate());
        return d.digest();
    }

    /**
     * Streams the file's first {@link #DIGESTED_BYTES}.
     *
     * @param file a metadata file
     * @return its digest
     * @throws IOException if it cannot be read ({@link java.nio.file.NoSuchFileException} when missing)
     */
    static byte[] ofFile(Path file) throws IOException {
        MessageDigest d = sha256();
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.size() > DIGESTED_BYTES) {
            d.update((a.size() + " " + a.fileKey() + " " + a.lastModifiedTime().toInstant())
                    .getBytes(StandardCharsets.UTF_8));
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[1 << 16];
            long left = DIGESTED_BYTES;
            for (int n = in.read(chunk); n >= 0 && left > 0; n = in.read(chunk, 0, (int) Math.min(chunk.length, left))) {
                d.update(chunk, 0, n);
                left -= n;
            }
        }
        return d.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
