package dev.numpack;

import dev.numpack.internal.RowChecks;

import dev.numpack.internal.store.RowSource;

import dev.numpack.internal.format.Float16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional array held in memory: a dtype, a shape and the elements in C order in a direct
 * little-endian {@link ByteBuffer} (the layout of the NumPack data files, and the layout DJL's PyTorch
 * engine takes without a copy).
 *
 * <p>Instances are values: the factories copy their input, {@link #buffer()} hands out a read-only
 * view, and {@link #equals} compares dtype, shape and bytes. One array holds at most
 * {@code Integer.MAX_VALUE} bytes; larger arrays are read through {@link LazyArray} or streamed.
 *
 * <pre>{@code
 * NdArray a = NdArray.of(new float[][] {{1, 2}, {3, 4}});
 * float[] flat = a.toFloatArray();          // {1, 2, 3, 4}
 * ByteBuffer le = a.buffer();               // direct, little-endian, read-only
 * }</pre>
 */
public final class NdArray {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data; // direct, little-endian, position 0, limit = byte size

    private NdArray(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    // ---------------------------------------------------------------- factories

    /**
     * Copies {@code bytes} (from its position to its limit, in any byte order of the buffer object: the
     * bytes are taken as little-endian element data) into a new array.
     *
     * @param dtype the element type
     * @param shape the shape (empty for a 0-d scalar)
     * @param bytes exactly {@code product(shape) * itemSize} bytes
     * @return the array
     * @throws InvalidArgumentException if the byte count does not match the shape
     */
    public static NdArray copyOf(DType dtype, long[] shape, ByteBuffer bytes) {
        long[] s = checkShape(shape);
        long n = byteSize(dtype, s);
        if (bytes.remaining() != n) {
            throw new InvalidArgumentException(null, null,
                    "shape " + Arrays.toString(s) + " of " + dtype.numpyName() + " needs " + n
                            + " bytes, got " + bytes.remaining());
        }
        ByteBuffer d = allocate(n);
        d.put(bytes.duplicate());
        d.clear();
        return new NdArray(dtype, s, d);
    }

    /**
     * Wraps a direct buffer without copying: the array is a view of that memory (for instance a tensor's,
     * to save it without an intermediate copy). The caller must keep the memory alive and unchanged while
     * the array is in use; use {@link #copyOf} otherwise.
     *
     * @param dtype the element type
     * @param shape the shape
     * @param direct a direct buffer holding exactly the elements from its position to its limit; its
     *     bytes are taken as little-endian whatever the buffer object's order
     * @return the array
     * @throws InvalidArgumentException if the buffer is not direct or its size does not match the shape
     */
    public static NdArray wrap(DType dtype, long[] shape, ByteBuffer direct) {
        long[] s = checkShape(shape);
        long n = byteSize(dtype, s);
        if (!direct.isDirect() || direct.remaining() != n) {
            throw new InvalidArgumentException(null, null, "wrap needs a direct buffer of exactly "
                    + n + " bytes for shape " + Arrays.toString(s) + " of " + dtype.numpyName() + ", got "
                    + (direct.isDirect() ? "" : "a heap buffer of ") + direct.remaining());
        }
        return new NdArray(dtype, s, direct.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * Takes ownership of a direct buffer without copying. The caller must not write to it afterwards.
     *
     * @param dtype the element type
     * @param shape the shape
     * @param direct a direct buffer, from position 0 to its limit, holding the elements
     * @return the array
     */
    static NdArray adopt(DType dtype, long[] shape, ByteBuffer direct) {
        long[] s = checkShape(shape);
        if (!direct.isDirect() || direct.position() != 0 || direct.limit() != byteSize(dtype, s)) {
            throw new IllegalArgumentException("adopt needs a direct buffer of exactly the array's bytes");
        }
        return new NdArray(dtype, s, direct.order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * @param dtype the element type
     * @param shape the shape
     * @return an array of zeros
     */
    public static NdArray zeros(DType dtype, long... shape) {
        long[] s = checkShape(shape);
        return new NdArray(dtype, s, allocate(byteSize(dtype, s)));
    }

    /** @param values the elements @return a 1-d float32 array */
    public static NdArray of(float[] values) {
        ByteBuffer b = allocate(4L * values.length);
        b.asFloatBuffer().put(values);
        return new NdArray(DType.FLOAT32, new long[] {values.length}, b);
    }

    /** @param rows rows of equal length @return a 2-d float32 array */
    public static NdArray of(float[][] rows) {
        int cols = checkRectangular(rows.length, i -> rows[i].length);
        ByteBuffer b = allocate(4L * rows.length * cols);
        var fb = b.asFloatBuffer();
        for (float[] r : rows) {
            fb.put(r);
        }
        return new NdArray(DType.FLOAT32, new long[] {rows.length, cols}, b);
    }

    /** @param values the elements @return a 1-d float64 array */
    public static NdArray of(double[] values) {
        ByteBuffer b = allocate(8L * values.length);
        b.asDoubleBuffer().put(values);
        return new NdArray(DType.FLOAT64, new long[] {values.length}, b);
    }

    /** @param rows rows of equal length @return a 2-d float64 array */
    public static NdArray of(double[][] rows) {
        int cols = checkRectangular(rows.length, i -> rows[i].length);
        ByteBuffer b = allocate(8L * rows.length * cols);
        var db = b.asDoubleBuffer();
        for (double[] r : rows) {
            db.put(r);
        }
        return new NdArray(DType.FLOAT64, new long[] {rows.length, cols}, b);
    }

    /** @param values the elements @return a 1-d int32 array */
    public static NdArray of(int[] values) {
        ByteBuffer b = allocate(4L * values.length);
        b.asIntBuffer().put(values);
        return new NdArray(DType.INT32, new long[] {values.length}, b);
    }

    /** @param rows rows of equal length @return a 2-d int32 array */
    public static NdArray of(int[][] rows) {
        int cols = checkRectangular(rows.length, i -> rows[i].length);
        ByteBuffer b = allocate(4L * rows.length * cols);
        var ib = b.asIntBuffer();
        for (int[] r : rows) {
            ib.put(r);
        }
        return new NdArray(DType.INT32, new long[] {rows.length, cols}, b);
    }

    /** @param values the elements @return a 1-d int64 array */
    public static NdArray of(long[] values) {
        ByteBuffer b = allocate(8L * values.length);
        b.asLongBuffer().put(values);
        return new NdArray(DType.INT64, new long[] {values.length}, b);
    }

    /** @param values the elements @return a 1-d int16 array */
    public static NdArray of(short[] values) {
        ByteBuffer b = allocate(2L * values.length);
        b.asShortBuffer().put(values);
        return new NdArray(DType.INT16, new long[] {values.length}, b);
    }

    /** @param values the elements @return a 1-d int8 array (see {@link #ofUint8} for unsigned bytes) */
    public static NdArray of(byte[] values) {
        return ofBytes(DType.INT8, values);
    }

    /** @param values the elements, read as unsigned @return a 1-d uint8 array */
    public static NdArray ofUint8(byte[] values) {
        return ofBytes(DType.UINT8, values);
    }

    /** @param values the elements @return a 1-d bool array */
    public static NdArray of(boolean[] values) {
        ByteBuffer b = allocate(values.length);
        for (boolean v : values) {
            b.put((byte) (v ? 1 : 0));
        }
        b.clear();
        return new NdArray(DType.BOOL, new long[] {values.length}, b);
    }

    private static NdArray ofBytes(DType t, byte[] values) {
        ByteBuffer b = allocate(values.length);
        b.put(values).clear();
        return new NdArray(t, new long[] {values.length}, b);
    }

    // ---------------------------------------------------------------- shape

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /** @return a copy of the shape (empty for a 0-d array) */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of dimensions */
    public int ndim() {
        return shape.length;
    }

    /** @return the number of elements */
    public long size() {
        return byteSize() / dtype.itemSize();
    }

    /** @return the number of bytes of the elements */
    public long byteSize() {
        return data.limit();
    }

    /**
     * @return the number of rows (the first dimension)
     * @throws InvalidArgumentException for a 0-d array, which has no rows
     */
    public long rows() {
        if (shape.length == 0) {
            throw new InvalidArgumentException(null, null, "a 0-d array has no rows");
        }
        return shape[0];
    }

    /** @return the bytes of one row: the product of all but the first dimension times the item size */
    public long rowBytes() {
        return rowBytes(dtype, shape);
    }

    /**
     * @param newShape a shape with the same number of elements
     * @return an array sharing this array's bytes with another shape
     */
    public NdArray reshape(long... newShape) {
        long[] s = checkShape(newShape);
        if (byteSize(dtype, s) != byteSize()) {
            throw new InvalidArgumentException(null, null,
                    "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(s));
        }
        return new NdArray(dtype, s, data);
    }

    /**
     * @param start first row (not negative)
     * @param count rows
     * @return rows {@code start} to {@code start + count - 1} as a new array
     * @throws InvalidArgumentException if the rows are out of range
     */
    public NdArray readRows(long start, long count) {
        RowChecks.range(null, null, start, count, rows());
        long rb = rowBytes();
        long[] s = shape.clone();
        s[0] = count;
        return copyOf(dtype, s, data.duplicate().position((int) (start * rb)).limit((int) ((start + count) * rb)));
    }

    // ---------------------------------------------------------------- data out

    /** @return a read-only, direct, little-endian view of the elements (position 0) */
    public ByteBuffer buffer() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @return the elements of a float32 or float16 array, widened to float */
    public float[] toFloatArray() {
        float[] out = new float[checkedLength(DType.FLOAT32, DType.FLOAT16)];
        if (dtype == DType.FLOAT16) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Float16.toFloat(data.getShort(2 * i));
            }
        } else {
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        }
        return out;
    }

    /** @return the rows of a 2-d float32 array */
    public float[][] toFloatMatrix() {
        if (shape.length != 2) {
            throw new InvalidArgumentException(null, null, "toFloatMatrix needs a 2-d array, shape is "
                    + Arrays.toString(shape));
        }
        float[] flat = toFloatArray();
        int r = (int) shape[0];
        int c = (int) shape[1];
        float[][] out = new float[r][c];
        for (int i = 0; i < r; i++) {
            System.arraycopy(flat, i * c, out[i], 0, c);
        }
        return out;
    }

    /** @return the elements of a float64 array */
    public double[] toDoubleArray() {
        double[] out = new double[checkedLength(DType.FLOAT64)];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
        return out;
    }

    /** @return the elements of an int32 or uint32 array (uint32 as raw bits) */
    public int[] toIntArray() {
        int[] out = new int[checkedLength(DType.INT32, DType.UINT32)];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    /** @return the elements of an int64 or uint64 array (uint64 as raw bits) */
    public long[] toLongArray() {
        long[] out = new long[checkedLength(DType.INT64, DType.UINT64)];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    /** @return the elements of an int16, uint16 or float16 array as raw 16-bit values */
    public short[] toShortArray() {
        short[] out = new short[checkedLength(DType.INT16, DType.UINT16, DType.FLOAT16)];
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    /** @return the elements of an int8, uint8 or bool array as raw bytes */
    public byte[] toByteArray() {
        byte[] out = new byte[checkedLength(DType.INT8, DType.UINT8, DType.BOOL)];
        data.duplicate().get(out);
        return out;
    }

    /** @return the elements of a bool array */
    public boolean[] toBooleanArray() {
        boolean[] out = new boolean[checkedLength(DType.BOOL)];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i) != 0;
        }
        return out;
    }

    /**
     * Reads one element of any real dtype as a double (unsigned types as their unsigned value; for
     * complex types the real part).
     *
     * @param flatIndex the element's index in C order
     * @return the value
     */
    public double getDouble(long flatIndex) {
        if (flatIndex < 0 || flatIndex >= size()) {
            throw new InvalidArgumentException(null, null, "element " + flatIndex + " out of range for "
                    + size() + " elements");
        }
        int p = (int) (flatIndex * dtype.itemSize());
        switch (dtype) {
            case BOOL: case UINT8: return data.get(p) & 0xFF;
            case INT8: return data.get(p);
            case UINT16: return data.getShort(p) & 0xFFFF;
            case INT16: return data.getShort(p);
            case UINT32: return data.getInt(p) & 0xFFFFFFFFL;
            case INT32: return data.getInt(p);
            case UINT64: {
                long v = data.getLong(p);
                return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
            }
            case INT64: return data.getLong(p);
            case FLOAT16: return Float16.toFloat(data.getShort(p));
            case FLOAT32: case COMPLEX64: return data.getFloat(p);
            case FLOAT64: case COMPLEX128: return data.getDouble(p);
            default: throw new AssertionError(dtype);
        }
    }

    private int checkedLength(DType... allowed) {
        for (DType t : allowed) {
            if (t == dtype) {
                return (int) size();
            }
        }
        throw new InvalidArgumentException(null, null, "array is " + dtype.numpyName() + ", expected one of "
                + Arrays.toString(allowed));
    }

    // ---------------------------------------------------------------- helpers

    static long rowBytes(DType dtype, long[] shape) {
        long n = dtype.itemSize();
        for (int i = 1; i < shape.length; i++) {
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    static long byteSize(DType dtype, long[] shape) {
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        long n = dtype.itemSize();
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static long[] checkShape(long[] shape) {
        long[] s = shape.clone();
        for (long d : s) {
            if (d < 0) {
                throw new InvalidArgumentException(null, null, "negative dimension in shape " + Arrays.toString(s));
            }
        }
        return s;
    }

    static ByteBuffer allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new InvalidArgumentException(null, null, "an in-memory array holds at most 2 GiB, this needs "
                    + bytes + " bytes: use a LazyArray or stream it");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private interface IntFn {
        int apply(int i);
    }

    private static int checkRectangular(int rows, IntFn len) {
        int cols = rows == 0 ? 0 : len.apply(0);
        for (int i = 1; i < rows; i++) {
            if (len.apply(i) != cols) {
                throw new InvalidArgumentException(null, null, "row " + i + " has " + len.apply(i)
                        + " elements, row 0 has " + cols);
            }
        }
        return cols;
    }

    /** @return this array's rows as the engine reads them to write (a 0-d array is one row); no copy */
    RowSource rowSource() {
        long rows = ndim() == 0 ? 1 : rows();
        long rb = ndim() == 0 ? byteSize() : rowBytes();
        ByteBuffer bytes = buffer();
        return new RowSource() {
            @Override
            public long rows() {
                return rows;
            }

            @Override
            public long rowBytes() {
                return rb;
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                int p = dst.position();
                dst.put(p, bytes, (int) (first * rb), (int) (count * rb));
                dst.position(p + (int) (count * rb));
            }

            @Override
            public ByteBuffer view(long first, long count) {
                return bytes.slice((int) (first * rb), (int) (count * rb));
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NdArray)) {
            return false;
        }
        NdArray a = (NdArray) o;
        return dtype == a.dtype && Arrays.equals(shape, a.shape) && data.duplicate().clear().equals(a.data.duplicate().clear());
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + data.duplicate().clear().hashCode();
    }

    @Override
    public String toString() {
        return "NdArray(" + dtype.numpyName() + ", shape=" + Arrays.toString(shape) + ")";
    }
}
