package dev.numpack.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * The bytes of a deflated zip member, inflated as they are read, and checked when the stream ends: exactly
 * the size and CRC-32 the archive records, or a {@link ZipException}. Never yields more than the recorded
 * size, so a forged size cannot make a reader take more than it asked for.
 */
final class DeflatedMemberStream extends InputStream {
    private static final int INPUT_BYTES = 64 << 10;

    private final InputStream compressed;
    private final long size;
    private final long expectedCrc;
    private final Inflater inflater = new Inflater(true); // raw deflate: zip members have no zlib wrapper
    private final CRC32 crc = new CRC32();
    private final byte[] input = new byte[INPUT_BYTES];
    private long produced;
    private boolean paddingGiven;
    private boolean done;

    /**
     * @param compressed the member's compressed bytes (closed with this stream)
     * @param size the uncompressed size the archive records
     * @param expectedCrc the CRC-32 the archive records
     */
    DeflatedMemberStream(InputStream compressed, long size, long expectedCrc) {
        this.compressed = compressed;
        this.size = size;
        this.expectedCrc = expectedCrc;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!done) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("invalid deflate data after " + produced + " bytes: " + e.getMessage());
            }
            if (n > 0) {
                produced += n;
                if (produced > size) {
                    throw new ZipException("the member inflates to more than the " + size + " bytes the archive "
                            + "records");
                }
                crc.update(b, off, n);
                return n;
            }
            if (inflater.finished()) {
                finish();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("the deflate stream asks for a preset dictionary, which zip forbids");
            } else if (inflater.needsInput()) {
                fill();
            } else {
                throw new ZipException("the deflate stream makes no progress after " + produced + " bytes");
            }
        }
        return -1;
    }

    private void fill() throws IOException {
        int n = compressed.read(input, 0, input.length);
        if (n > 0) {
            inflater.setInput(input, 0, n);
        } else if (!paddingGiven) {
            // zlib in raw mode may need one byte past the end to see that the stream is complete, as the
            // JDK's own ZipFile provides
            paddingGiven = true;
            inflater.setInput(new byte[1], 0, 1);
        } else {
            throw new EOFException("the compressed data ends after inflating " + produced + " of " + size
                    + " bytes: the archive is truncated");
        }
    }

    private void finish() throws ZipException {
        done = true;
        if (produced != size) {
            throw new ZipException("the member inflates to " + produced + " bytes, the archive records " + size);
        }
        if (crc.getValue() != expectedCrc) {
            throw new ZipException(String.format("CRC-32 mismatch: the member's bytes give %08x, the archive "
                    + "records %08x: the member is damaged", crc.getValue(), expectedCrc));
        }
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        compressed.close();
    }
}
