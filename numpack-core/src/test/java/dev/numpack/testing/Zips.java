package dev.numpack.testing;

import dev.numpack.NdArray;
import dev.numpack.io.NpyWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test helper: builds zip archives with the JDK's own writer (which, unlike NumPy's, writes data descriptors
 * for deflated members) and patches their bytes, so that tests can make both valid and hostile archives.
 */
public final class Zips {
    private Zips() {}

    /** @return the {@code .npy} bytes NumPy would write for the array */
    public static byte[] npy(NdArray a) {
        try {
            Path f = Files.createTempFile("zips", ".npy");
            try {
                NpyWriter.write(f, a);
                return Files.readAllBytes(f);
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Members by entry name (in order), each stored or deflated. */
    public static final class Builder {
        private final Map<String, byte[]> members = new LinkedHashMap<>();
        private final Map<String, Boolean> deflated = new LinkedHashMap<>();

        /** @return this, with a stored member */
        public Builder stored(String entryName, byte[] bytes) {
            members.put(entryName, bytes);
            deflated.put(entryName, false);
            return this;
        }

        /** @return this, with a deflated member */
        public Builder deflated(String entryName, byte[] bytes) {
            members.put(entryName, bytes);
            deflated.put(entryName, true);
            return this;
        }

        /** Writes the archive; @return {@code file} */
        public Path write(Path file) {
            try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Map.Entry<String, byte[]> m : members.entrySet()) {
                    ZipEntry e = new ZipEntry(m.getKey());
                    if (deflated.get(m.getKey())) {
                        e.setMethod(ZipEntry.DEFLATED);
                        zip.setLevel(Deflater.BEST_SPEED);
                    } else {
                        CRC32 crc = new CRC32();
                        crc.update(m.getValue());
                        e.setMethod(ZipEntry.STORED);
                        e.setSize(m.getValue().length);
                        e.setCompressedSize(m.getValue().length);
                        e.setCrc(crc.getValue());
                    }
                    zip.putNextEntry(e);
                    zip.write(m.getValue());
                    zip.closeEntry();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return file;
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Replaces every occurrence of {@code from} with {@code to} (same length) in a file's bytes: to rename a
     * member in both its local and its central header.
     *
     * @return how many occurrences were replaced
     */
    public static int replaceAll(Path file, byte[] from, byte[] to) throws IOException {
        if (from.length != to.length) {
            throw new IllegalArgumentException("lengths differ");
        }
        byte[] b = Files.readAllBytes(file);
        int n = 0;
        for (int i = 0; i + from.length <= b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, b, i, to.length);
                n++;
            }
        }
        Files.write(file, b);
        return n;
    }

    /** @return the offset of the first occurrence of {@code what} at or after {@code from}, or -1 */
    public static int indexOf(byte[] b, byte[] what, int from) {
        for (int i = from; i + what.length <= b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }

    /** The signature of a central directory header. */
    public static final byte[] CENTRAL = {'P', 'K', 1, 2};
    /** The signature of a local file header. */
    public static final byte[] LOCAL = {'P', 'K', 3, 4};
    /** The signature of the end of central directory record. */
    public static final byte[] END = {'P', 'K', 5, 6};
}
