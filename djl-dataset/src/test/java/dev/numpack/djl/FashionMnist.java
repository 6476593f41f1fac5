package dev.numpack.djl;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The Fashion-MNIST test split (10,000 28x28 grey images of 10 kinds of clothing, Zalando, MIT licence; see
 * {@code fashion-mnist/COPYRIGHT}), bundled as the original gzip IDX files, turned into a NumPack store.
 *
 * <p>IDX: a big-endian int magic {@code 0x0000TTDD} (TT = 0x08, unsigned bytes; DD = number of dimensions),
 * one big-endian int per dimension, then the elements in row-major order.
 */
final class FashionMnist {
    static final int ROWS = 10_000;
    static final int SIDE = 28;
    static final int CLASSES = 10;

    private static final String IMAGES = "t10k-images-idx3-ubyte.gz";
    private static final String LABELS = "t10k-labels-idx1-ubyte.gz";
    private static final int UBYTE = 0x08;

    private FashionMnist() {}

    /**
     * Writes "images" (uint8, {@code (10000, 28, 28)}) and "labels" (int64, {@code (10000)}, 0..9) into a
     * new store at {@code dir}.
     *
     * @return {@code dir}
     * @throws IOException if a bundled file is missing or not the IDX file it should be
     */
    static Path writeStore(Path dir) throws IOException {
        byte[] images = readIdx(IMAGES, ROWS, SIDE, SIDE);
        byte[] labelBytes = readIdx(LABELS, ROWS);
        long[] labels = new long[ROWS];
        for (int i = 0; i < ROWS; i++) {
            labels[i] = Byte.toUnsignedInt(labelBytes[i]);
            if (labels[i] >= CLASSES) {
                throw new IOException(LABELS + ": label " + labels[i] + " at row " + i + ", expected 0.."
                        + (CLASSES - 1));
            }
        }
        try (NumPack np = NumPack.open(dir)) {
            np.save("images", NdArray.ofUint8(images).reshape(ROWS, SIDE, SIDE));
            np.save("labels", NdArray.of(labels));
        }
        return dir;
    }

    /**
     * @param file a gzip IDX file of unsigned bytes under {@code /fashion-mnist/} on the classpath
     * @param dims the dimensions it must have
     * @return its elements
     */
    private static byte[] readIdx(String file, int... dims) throws IOException {
        String resource = "/fashion-mnist/" + file;
        InputStream raw = FashionMnist.class.getResourceAsStream(resource);
        if (raw == null) {
            throw new FileNotFoundException(resource + " is not on the classpath");
        }
        try (raw) {
            return readIdx(file, raw, dims);
        }
    }

    /**
     * @param file the file's name, for messages
     * @param gzip the file's bytes (gzip IDX, unsigned bytes); not closed
     * @param dims the dimensions it must have
     * @return its elements
     * @throws IOException if it is not gzip, its magic number or a dimension is not the expected one, or it
     *     has fewer or more bytes than its header says
     */
    static byte[] readIdx(String file, InputStream gzip, int... dims) throws IOException {
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(gzip)));
            int expected = UBYTE << 8 | dims.length;
            int magic = in.readInt();
            if (magic != expected) {
                throw new IOException(String.format("%s: magic number 0x%08X, expected 0x%08X (unsigned bytes, "
                        + "%d dimensions)", file, magic, expected, dims.length));
            }
            long elements = 1;
            for (int d = 0; d < dims.length; d++) {
                int size = in.readInt();
                if (size != dims[d]) {
                    throw new IOException(file + ": dimension " + d + " is " + size + ", expected " + dims[d]);
                }
                elements *= size;
            }
            byte[] body = new byte[Math.toIntExact(elements)];
            try {
                in.readFully(body);
            } catch (EOFException e) {
                throw new IOException(file + ": truncated, expected " + elements + " bytes of data", e);
            }
            if (in.read() != -1) {
                throw new IOException(file + ": data beyond the " + elements + " bytes its header announces");
            }
            return body;
        } catch (ZipException e) {
            throw new IOException(file + ": not a gzip file (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated header", e);
        }
    }
}
