package dev.numpack.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SHA-256 of a metadata file's bytes: what identifies a committed state (each record carries a
 * microsecond time, so two commits never write the same bytes), and what ties the append log to the
 * metadata its records extend.
 */
final class MetadataDigest {
    private MetadataDigest() {}

    /**
     * @param bytes metadata bytes, position to limit (not consumed)
     * @return their digest
     */
    static byte[] of(ByteBuffer bytes) {
        MessageDigest d = sha256();
        d.update(bytes.duplicate());
        return d.digest();
    }

    /**
     * Streams the file, so a huge (damaged) one costs time, not memory.
     *
     * @param file a metadata file
     * @return its digest
     * @throws IOException if it cannot be read ({@link java.nio.file.NoSuchFileException} when missing)
     */
    static byte[] ofFile(Path file) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[1 << 16];
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                d.update(chunk, 0, n);
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
