package dev.numpack;

import dev.numpack.internal.RowChecks;

import dev.numpack.internal.store.RowSource;

import dev.numpack.internal.format.Float16;
import dev.numpack.internal.store.NativeIo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An n-dimensional array held in memory: a dtype, a shape and the elements in C order in a direct
 * little-endian {@link ByteBuffer} (the layout of the NumPack data files, and the layout DJL's PyTorch
 * engine takes without a copy).
 *
 * <p>Instances are values: the factories copy their input, {@link #buffer()} hands out a read-only
 * view, and {@link #equals} compares dtype, shape and bytes. One array holds at most
 * {@code Integer.MAX_VALUE} bytes; larger arrays are read through {@link LazyArray} or streamed. Every
 * refusal (a larger array, a negative dimension, a shape whose size overflows, data that does not fit the
 * shape) is an {@link InvalidArgumentException}.
 *
 * <p>Memory: an array of 2 MiB or more lives, on Linux, in memory that is given to the next large array once
 * this array's buffer and every buffer derived from it ({@code slice}, {@code asFloatBuffer}, a DJL tensor made
 * from it without a copy, which holds the buffer) are unreachable and a GC has seen it; so repeated loads reuse
 * memory that is already in place, as numpy's do. Unused memory is returned to the system within seconds.
 * {@code -Ddev.numpack.reuseMemory=false} gives every array a plain direct buffer instead (the README's
 * Performance section says what each costs).
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
     * @throws InvalidArgumentException if a dimension is negative, the byte count does not match the shape or
     *     is over the 2 GiB an array holds
     */
    public static NdArray copyOf(DType dtype, long[] shape, ByteBuffer bytes) {
        long[] s = checkShape(shape);
        long n = byteSize(null, null, dtype, s);
        if (bytes.remaining() != n) {
            throw new InvalidArgumentException(null, null,
                    "shape " + Arrays.toString(s) + " of " + dtype.numpyName() + " needs " + n
                            + " bytes, got " + bytes.remaining());
        }
        ByteBuffer d = allocateToOverwrite(null, null, dtype, s);
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
        checkHolds("wrap", dtype, s, direct);
        return new NdArray(dtype, s, direct.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * Takes ownership of a direct buffer without copying. The caller must not write to it afterwards.
     *
     * @param dtype the element type
     * @param shape the shape
     * @param direct a direct buffer, from position 0 to its limit, holding the elements
     * @return the array
     * @throws InvalidArgumentException if the buffer is not direct, not at position 0, or its size does not
     *     match the shape
     */
    static NdArray adopt(DType dtype, long[] shape, ByteBuffer direct) {
        long[] s = checkShape(shape);
        if (direct.position() != 0) {
            throw new InvalidArgumentException(null, null, "adopt needs a buffer at position 0, got position "
                    + direct.position());
        }
        checkHolds("adopt", dtype, s, direct);
        return new NdArray(dtype, s, direct.order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Checks that {@code direct} is direct and holds exactly the bytes of the shape, for wrap and adopt. */
    private static void checkHolds(String op, DType dtype, long[] shape, ByteBuffer direct) {
        long n = byteSize(null, null, dtype, shape);
        if (!direct.isDirect() || direct.remaining() != n) {
            throw new InvalidArgumentException(null, null, op + " needs a direct buffer of exactly "
                    + n + " bytes for shape " + Arrays.toString(shape) + " of " + dtype.numpyName() + ", got "
                    + (direct.isDirect() ? "" : "a heap buffer of ") + direct.remaining());
        }
    }

    /**
     * @param dtype the element type
     * @param shape the shape
     * @return an array of zeros
     * @throws InvalidArgumentException if a dimension is negative or the array would be over 2 GiB
     */
    public static NdArray zeros(DType dtype, long... shape) {
        long[] s = checkShape(shape);
        return new NdArray(dtype, s, allocate(null, null, dtype, s));
    }

    /** @param values the elements @return a 1-d float32 array */
    public static NdArray of(float[] values) {
        long[] shape = {values.length};
        ByteBuffer b = allocateToOverwrite(null, null, DType.FLOAT32, shape);
        b.asFloatBuffer().put(values);
        return new NdArray(DType.FLOAT32, shape, b);
    }

    /** @param rows rows of equal length @return a 2-d float32 array */
    public static NdArray of(float[][] rows) {
        long[] shape = {rows.length, checkRectangular(rows.length, i -> rows[i].length)};
        ByteBuffer b = allocateToOverwrite(null, null, DType.FLOAT32, shape);
        var fb = b.asFloatBuffer();
        for (float[] r : rows) {
            fb.put(r);
        }
        return new NdArray(DType.FLOAT32, shape, b);
    }

    /** @param values the elements @return a 1-d float64 array */
    public static NdArray of(double[] values) {
        long[] shape = {values.length};
        ByteBuffer b = allocateToOverwrite(null, null, DType.FLOAT64, shape);
        b.asDoubleBuffer().put(values);
        return new NdArray(DType.FLOAT64, shape, b);
    }

    /** @param rows rows of equal length @return a 2-d float64 array */
    public static NdArray of(double[][] rows) {
        long[] shape = {rows.length, checkRectangular(rows.length, i -> rows[i].length)};
        ByteBuffer b = allocateToOverwrite(null, null, DType.FLOAT64, shape);
        var db = b.asDoubleBuffer();
        for (double[] r : rows) {
            db.put(r);
        }
        return new NdArray(DType.FLOAT64, shape, b);
    }

    /** @param values the elements @return a 1-d int32 array */
    public static NdArray of(int[] values) {
        long[] shape = {values.length};
        ByteBuffer b = allocateToOverwrite(null, null, DType.INT32, shape);
        b.asIntBuffer().put(values);
        return new NdArray(DType.INT32, shape, b);
    }

    /** @param rows rows of equal length @return a 2-d int32 array */
    public static NdArray of(int[][] rows) {
        long[] shape = {rows.length, checkRectangular(rows.length, i -> rows[i].length)};
        ByteBuffer b = allocateToOverwrite(null, null, DType.INT32, shape);
        var ib = b.asIntBuffer();
        for (int[] r : rows) {
            ib.put(r);
        }
        return new NdArray(DType.INT32, shape, b);
    }

    /** @param values the elements @return a 1-d int64 array */
    public static NdArray of(long[] values) {
        long[] shape = {values.length};
        ByteBuffer b = allocateToOverwrite(null, null, DType.INT64, shape);
        b.asLongBuffer().put(values);
        return new NdArray(DType.INT64, shape, b);
    }

    /** @param values the elements @return a 1-d int16 array */
    public static NdArray of(short[] values) {
        long[] shape = {values.length};
        ByteBuffer b = allocateToOverwrite(null, null, DType.INT16, shape);
        b.asShortBuffer().put(values);
        return new NdArray(DType.INT16, shape, b);
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
        long[] shape = {values.length};
        ByteBuffer b = allocateToOverwrite(null, null, DType.BOOL, shape);
        for (boolean v : values) {
            b.put((byte) (v ? 1 : 0));
        }
        b.clear();
        return new NdArray(DType.BOOL, shape, b);
    }

    private static NdArray ofBytes(DType t, byte[] values) {
        long[] shape = {values.length};
        ByteBuffer b = allocateToOverwrite(null, null, t, shape);
        b.put(values).clear();
        return new NdArray(t, shape, b);
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
        if (byteSize(null, null, dtype, s) != byteSize()) {
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

    /**
     * @return the item size times all but the first dimension
     * @throws InvalidArgumentException if that overflows a {@code long} (possible only when the first
     *     dimension is 0, as an array's bytes are counted in a {@code long})
     */
    static long rowBytes(DType dtype, long[] shape) {
        return rowBytes(null, null, dtype, shape);
    }

    /** As {@link #rowBytes(DType, long[])}, naming the store and the array in the message. */
    static long rowBytes(Path store, String array, DType dtype, long[] shape) {
        long n = dtype.itemSize();
        try {
            for (int i = 1; i < shape.length; i++) {
                n = Math.multiplyExact(n, shape[i]);
            }
        } catch (ArithmeticException e) {
            throw new InvalidArgumentException(store, array, "a row of shape " + Arrays.toString(shape) + " of "
                    + dtype.numpyName() + " has more than " + Long.MAX_VALUE + " bytes", e);
        }
        return n;
    }

    /**
     * @param store the store the array comes from, for the message, or {@code null}
     * @param array the array's name, for the message, or {@code null}
     * @param dtype the element type
     * @param shape the shape (no negative dimension)
     * @return the bytes of an array of that shape
     * @throws InvalidArgumentException if they overflow a {@code long}
     */
    static long byteSize(Path store, String array, DType dtype, long[] shape) {
        for (long d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        long n = dtype.itemSize();
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new InvalidArgumentException(store, array, "shape " + Arrays.toString(shape) + " of "
                    + dtype.numpyName() + " has more than " + Long.MAX_VALUE + " bytes", e);
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

    /**
     * Allocates the direct buffer of an array about to be loaded or built in memory.
     *
     * @param store the store the array comes from, for the message, or {@code null}
     * @param array the array's name, for the message, or {@code null}
     * @param dtype the element type
     * @param shape the shape (no negative dimension)
     * @return a zeroed little-endian direct buffer of exactly the array's bytes
     * @throws InvalidArgumentException naming the store, the array and the bytes needed, if they are more
     *     than the 2 GiB one buffer holds
     * @throws OutOfMemoryError if the JVM has no room for them (not ours to turn into an exception), with a
     *     message naming the store, the array and the bytes needed
     */
    static ByteBuffer allocate(Path store, String array, DType dtype, long[] shape) {
        return allocate(store, array, dtype, shape, false);
    }

    /**
     * Allocates the direct buffer of an array that the caller fills whole before anyone reads it ({@code load},
     * {@code readRows}, {@code gather}, the factories that copy their input): it may hold the bytes of a freed
     * array, which saves zeroing it.
     *
     * @param store the store the array comes from, for the message, or {@code null}
     * @param array the array's name, for the message, or {@code null}
     * @param dtype the element type
     * @param shape the shape (no negative dimension)
     * @return a little-endian direct buffer of exactly the array's bytes, of any content
     * @throws InvalidArgumentException as {@link #allocate(Path, String, DType, long[])}
     * @throws OutOfMemoryError as {@link #allocate(Path, String, DType, long[])}
     */
    static ByteBuffer allocateToOverwrite(Path store, String array, DType dtype, long[] shape) {
        return allocate(store, array, dtype, shape, true);
    }

    private static ByteBuffer allocate(Path store, String array, DType dtype, long[] shape, boolean overwritten) {
        long bytes = byteSize(store, array, dtype, shape);
        if (bytes > Integer.MAX_VALUE) {
            throw new InvalidArgumentException(store, array, "an in-memory array holds at most 2 GiB ("
                    + Integer.MAX_VALUE + " bytes), this needs " + bytes + " bytes: read it in ranges "
                    + "(LazyArray.readRows, scanRows) or stream it");
        }
        try {
            // large arrays: memory reused once freed, where the native layer gives it (a fresh 40 MB direct buffer
            // costs 10,000 page faults, each slow where the VM gave freed memory back to its host); same bytes
            ByteBuffer large = bytes >= NativeIo.LARGE_BYTES && NativeIo.reuseMemoryForArrays()
                    ? NativeIo.get().allocate((int) bytes, !overwritten) : null;
            return large != null ? large : ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (OutOfMemoryError e) {
            // still the JVM's error, but saying whose array needed how much: the JVM's own message says neither
            OutOfMemoryError named = new OutOfMemoryError("store " + store + ", array '" + array + "': an "
                    + "in-memory copy needs " + bytes + " bytes, more than the JVM has free (" + e.getMessage()
                    + "): read it in ranges (LazyArray.readRows, scanRows) or stream it");
            named.initCause(e);
            throw named;
        }
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

    /**
     * @param store the store the rows go to, for a message
     * @param array the array they go to, for a message
     * @return this array's rows as the engine reads them to write (a 0-d array is one row); no copy
     * @throws InvalidArgumentException naming the store and the array if a row's bytes overflow a
     *     {@code long} (an empty array of huge rows)
     */
    RowSource rowSource(Path store, String array) {
        long rows = ndim() == 0 ? 1 : rows();
        long rb = ndim() == 0 ? byteSize() : rowBytes(store, array, dtype, shape);
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
