package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digest of metadata just written (from its bytes) must equal the digest of the file read back, or the
 * append log's header would name metadata that no reader finds: within the bound and past it, where the file's
 * digest covers only its first {@link MetadataDigest#DIGESTED_BYTES} plus its size, identity and mtime.
 */
class MetadataDigestTest {
    @TempDir
    Path dir;

    @Test
    void bytesJustWrittenDigestAsTheFileReadBack() throws IOException {
        byte[] meta = new byte[200_000];
        for (int i = 0; i < meta.length; i++) {
            meta[i] = (byte) (i * 31 + 7);
        }
        Path f = Files.write(dir.resolve("metadata.npkm"), meta);
        ByteBuffer bytes = ByteBuffer.wrap(meta);
        assertArrayEquals(MetadataDigest.ofFile(f), MetadataDigest.of(bytes, f));
        assertArrayEquals(meta, bytes.array(), "the bytes are not consumed");
        meta[meta.length - 1]++;
        assertFalse(Arrays.equals(MetadataDigest.ofFile(f), MetadataDigest.of(ByteBuffer.wrap(meta), f)),
                "other bytes, another digest");
    }

    @Test
    void pastTheBoundTheFileDecides() throws IOException {
        Path f = dir.resolve("metadata.npkm");
        long size = MetadataDigest.DIGESTED_BYTES + 1;
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(size); // sparse: zeros
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) size); // the same zeros
        assertArrayEquals(MetadataDigest.ofFile(f), MetadataDigest.of(bytes, f));
        Path g = Files.write(dir.resolve("prefix"), new byte[(int) MetadataDigest.DIGESTED_BYTES]);
        assertFalse(Arrays.equals(MetadataDigest.ofFile(f), MetadataDigest.ofFile(g)),
                "the size is digested past the bound");
    }
}
