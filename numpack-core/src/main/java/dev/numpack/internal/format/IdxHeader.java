package dev.numpack.internal.format;

import dev.numpack.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The header of an IDX file, the format of the MNIST family of data sets ({@code *-idx3-ubyte}): a pure
 * codec that knows no files.
 *
 * <p>Layout: two zero bytes, a type byte, the number of dimensions (one byte), then one big-endian 32-bit
 * size per dimension; the elements follow, big-endian, in C order. Types: {@code 0x08} uint8, {@code 0x09}
 * int8, {@code 0x0B} int16, {@code 0x0C} int32, {@code 0x0D} float32, {@code 0x0E} float64.
 *
 * <pre>{@code
 * int n = IdxHeader.headerLength(firstFourBytes);
 * IdxHeader h = IdxHeader.decode(firstNBytes);
 * }</pre>
 */
public final class IdxHeader {
    /** The bytes {@link #headerLength} needs: the magic number. */
    public static final int PREFIX_BYTES = 4;

    private final DType dtype;
    private final long[] shape;
    private final int headerLength;
    private final long dataLength;

    private IdxHeader(DType dtype, long[] shape, int headerLength, long dataLength) {
        this.dtype = dtype;
        this.shape = shape;
        this.headerLength = headerLength;
        this.dataLength = dataLength;
    }

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /** @return a copy of the shape (at least one dimension) */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the bytes before the data: the magic number and the dimensions */
    public int headerLength() {
        return headerLength;
    }

    /** @return the data bytes the shape and element type call for */
    public long dataLength() {
        return dataLength;
    }

    /**
     * Reads the magic number.
     *
     * @param prefix the first bytes of the file, from its position (not modified)
     * @return the header's length in bytes: 4 plus 4 per dimension
     * @throws FormatException if there are fewer than 4 bytes, the first two are not zero, the type is not
     *     one of the six IDX types or there are no dimensions
     */
    public static int headerLength(ByteBuffer prefix) {
        ByteBuffer b = prefix.duplicate();
        int p = b.position();
        if (b.remaining() < PREFIX_BYTES) {
            throw new FormatException("truncated IDX file: " + b.remaining() + " bytes, the magic number alone "
                    + "takes 4");
        }
        if (b.get(p) != 0 || b.get(p + 1) != 0) {
            throw new FormatException(String.format("not an IDX file: magic number %02x %02x %02x %02x does not "
                    + "start with two zero bytes", b.get(p), b.get(p + 1), b.get(p + 2), b.get(p + 3)));
        }
        typeOf(b.get(p + 2) & 0xFF);
        int ndim = b.get(p + 3) & 0xFF;
        if (ndim == 0) {
            throw new FormatException("IDX file with no dimensions");
        }
        return PREFIX_BYTES + 4 * ndim;
    }

    /**
     * Decodes a whole header.
     *
     * @param header at least {@link #headerLength} bytes from its position (not modified)
     * @return the header
     * @throws FormatException if the magic number is wrong, a dimension is negative (over 2^31 - 1 as an
     *     unsigned value) or the data size overflows
     */
    public static IdxHeader decode(ByteBuffer header) {
        int length = headerLength(header);
        ByteBuffer b = header.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (b.remaining() < length) {
            throw new FormatException("truncated IDX header: " + b.remaining() + " bytes, its "
                    + (length - PREFIX_BYTES) / 4 + " dimensions need " + length);
        }
        int p = b.position();
        DType dtype = typeOf(b.get(p + 2) & 0xFF);
        long[] shape = new long[(length - PREFIX_BYTES) / 4];
        long bytes = dtype.itemSize();
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            int d = b.getInt(p + PREFIX_BYTES + 4 * i);
            if (d < 0) {
                throw new FormatException("IDX dimension " + i + " is " + Integer.toUnsignedString(d)
                        + ", more than the 2^31 - 1 a signed 32-bit size allows");
            }
            shape[i] = d;
            // Zero dimensions are skipped while checking for overflow, as the .npy header does, so that no
            // partial product (a row size) of an accepted shape overflows either.
            if (d == 0) {
                empty = true;
            } else if (bytes > Long.MAX_VALUE / d) {
                throw new FormatException("IDX shape " + Arrays.toString(shape) + " of " + dtype.numpyName()
                        + " needs more than " + Long.MAX_VALUE + " bytes");
            } else {
                bytes *= d;
            }
        }
        return new IdxHeader(dtype, shape, length, empty ? 0 : bytes);
    }

    private static DType typeOf(int code) {
        switch (code) {
            case 0x08: return DType.UINT8;
            case 0x09: return DType.INT8;
            case 0x0B: return DType.INT16;
            case 0x0C: return DType.INT32;
            case 0x0D: return DType.FLOAT32;
            case 0x0E: return DType.FLOAT64;
            default:
                throw new FormatException(String.format("unknown IDX element type 0x%02x (known: 0x08 uint8, "
                        + "0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64)", code));
        }
    }

    @Override
    public String toString() {
        return "IDX " + dtype.numpyName() + " " + Arrays.toString(shape);
    }
}
