package dev.numpack.io;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPackException;
import dev.numpack.StoreIOException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The array files this package reads, told apart by their first bytes (never by their names), so that a
 * tool can take any of them: {@code numpack import} does.
 */
public enum FileFormat {
    /** A NumPy {@code .npy} file: magic {@code \x93NUMPY}; read with {@link NpyReader}. */
    NPY,
    /** A NumPy {@code .npz} archive, a zip file: magic {@code PK}; read with {@link NpzReader}. */
    NPZ,
    /** An IDX file, plain (two zero bytes, a type, a rank) or gzipped; read with {@link IdxReader}. */
    IDX;

    private static final int MAGIC_BYTES = 6;

    /**
     * Tells a file's format from its first bytes.
     *
     * @param file the file
     * @return its format
     * @throws CorruptStoreException if the file starts like none of them
     * @throws InvalidArgumentException if the path is not a regular file (a pipe, a device, a directory):
     *     refused without opening it, which could block
     * @throws NumPackException if the file cannot be read
     */
    public static FileFormat detect(Path file) {
        FileBytes.requireRegularFile(file, "array");
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(MAGIC_BYTES);
        } catch (IOException e) {
            throw new StoreIOException(file, null, "cannot read the file: " + e, e);
        }
        if (b.length >= 6 && (b[0] & 0xFF) == 0x93 && b[1] == 'N' && b[2] == 'U' && b[3] == 'M' && b[4] == 'P'
                && b[5] == 'Y') {
            return NPY;
        }
        if (b.length >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 3 && b[3] == 4 || b[2] == 5 && b[3] == 6)) {
            return NPZ; // a member's local header, or the end record of an empty archive
        }
        if (b.length >= 2 && (b[0] & 0xFF) == 0x1f && (b[1] & 0xFF) == 0x8b) {
            return IDX; // gzip: of the formats read here, only IDX comes gzipped
        }
        if (b.length >= 4 && b[0] == 0 && b[1] == 0) {
            return IDX;
        }
        StringBuilder hex = new StringBuilder();
        for (byte x : b) {
            hex.append(hex.length() > 0 ? " " : "").append(String.format("%02x", x));
        }
        throw new CorruptStoreException(file, null, "not a .npy, .npz or IDX file: it starts with bytes ["
                + hex + "]");
    }
}
