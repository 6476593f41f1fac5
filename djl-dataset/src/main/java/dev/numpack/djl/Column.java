package dev.numpack.djl;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One array as one {@code NDArray} of each batch: its lazy views (one per store of a sharded dataset, whose
 * rows follow each other), the DJL type it becomes, and how its bytes get there (copied as they are, or
 * widened when the user opted in to conversion).
 */
final class Column {
    /** How stored elements become DJL elements. */
    enum Conversion {
        /** Same bytes: the stored type is a DJL type (complex: its float pairs, one more axis of 2). */
        NONE,
        INT16_TO_INT32,
        UINT16_TO_INT32,
        UINT32_TO_INT64,
        /** Checked: a value of 2^63 or more cannot be held and raises {@link UnsupportedDTypeException}. */
        UINT64_TO_INT64
    }

    private final Path[] stores; // each part's store, for messages
    private final LazyArray[] parts;
    private final long[] ends; // ends[i]: the rows of parts 0..i together
    private final DataType type;
    private final Conversion conversion;
    private final long[] rowShape; // per-row DJL shape
    private final long djlRowBytes;

    private Column(Path store, LazyArray array, DataType type, Conversion conversion, long[] rowShape) {
        this(new Path[] {store}, new LazyArray[] {array}, type, conversion, rowShape);
    }

    private Column(Path[] stores, LazyArray[] parts, DataType type, Conversion conversion, long[] rowShape) {
        this.stores = stores;
        this.parts = parts;
        this.ends = new long[parts.length];
        long total = 0;
        for (int i = 0; i < parts.length; i++) {
            total = Math.addExact(total, parts[i].rows());
            ends[i] = total;
        }
        this.type = type;
        this.conversion = conversion;
        this.rowShape = rowShape;
        long elements = 1;
        for (long d : rowShape) {
            elements *= d;
        }
        this.djlRowBytes = elements * type.getNumOfBytes();
    }

    /**
     * @param store the store's directory, for messages
     * @param array the array's lazy view
     * @param convert whether types without a DJL counterpart may be widened
     * @param engine the DJL engine's name ({@code "PyTorch"}, ...)
     * @return the column
     * @throws UnsupportedDTypeException if the type has no counterpart and {@code convert} is off
     */
    static Column of(Path store, LazyArray array, boolean convert, String engine) {
        long[] shape = array.shape();
        if (shape.length == 0) {
            throw new InvalidArgumentException(store, array.name(), "a 0-d array has no rows to make a dataset of");
        }
        long[] row = storedRowShape(array);
        DType t = array.dtype();
        switch (t) {
            case BOOL:
                return new Column(store, array, DataType.BOOLEAN, Conversion.NONE, row);
            case UINT8:
                return new Column(store, array, DataType.UINT8, Conversion.NONE, row);
            case INT8:
                return new Column(store, array, DataType.INT8, Conversion.NONE, row);
            case INT32:
                return new Column(store, array, DataType.INT32, Conversion.NONE, row);
            case INT64:
                return new Column(store, array, DataType.INT64, Conversion.NONE, row);
            case FLOAT16:
                return new Column(store, array, DataType.FLOAT16, Conversion.NONE, row);
            case FLOAT32:
                return new Column(store, array, DataType.FLOAT32, Conversion.NONE, row);
            case FLOAT64:
                return new Column(store, array, DataType.FLOAT64, Conversion.NONE, row);
            case INT16:
                if (!abortsOnInt16(engine)) {
                    return new Column(store, array, DataType.INT16, Conversion.NONE, row);
                }
                return converted(store, array, convert, engine, DataType.INT32, Conversion.INT16_TO_INT32, row,
                        "DJL's " + engine + " engine has no int16 tensors (creating one aborts the JVM)");
            case UINT16:
                return converted(store, array, convert, engine, DataType.INT32, Conversion.UINT16_TO_INT32, row,
                        "DJL has no usable uint16 tensors");
            case UINT32:
                return converted(store, array, convert, engine, DataType.INT64, Conversion.UINT32_TO_INT64, row,
                        "DJL has no usable uint32 tensors");
            case UINT64:
                return converted(store, array, convert, engine, DataType.INT64, Conversion.UINT64_TO_INT64, row,
                        "DJL has no usable uint64 tensors");
            case COMPLEX64:
                return converted(store, array, convert, engine, DataType.FLOAT32, Conversion.NONE, pairs(row),
                        "DJL has no complex tensors");
            case COMPLEX128:
                return converted(store, array, convert, engine, DataType.FLOAT64, Conversion.NONE, pairs(row),
                        "DJL has no complex tensors");
            default:
                throw new UnsupportedDTypeException(store, array.name(), "unknown element type " + t);
        }
    }

    /**
     * Joins one array's columns from several stores into one column whose rows are theirs, in order.
     *
     * @param shards the same array's column in each store, in row order; at least one
     * @return the joined column
     * @throws InvalidArgumentException naming the store and the array if its element type or row shape
     *     differs from the first store's
     */
    static Column join(List<Column> shards) {
        Column first = shards.get(0);
        if (shards.size() == 1) {
            return first;
        }
        List<Path> stores = new ArrayList<>();
        List<LazyArray> parts = new ArrayList<>();
        for (Column c : shards) {
            LazyArray a = c.parts[0];
            LazyArray f = first.parts[0];
            if (a.dtype() != f.dtype() || !Arrays.equals(storedRowShape(a), storedRowShape(f))) {
                throw new InvalidArgumentException(c.stores[0], a.name(), "element type " + a.dtype().numpyName()
                        + ", row shape " + Arrays.toString(storedRowShape(a)) + ", but store " + first.stores[0]
                        + " has " + f.dtype().numpyName() + ", " + Arrays.toString(storedRowShape(f))
                        + ": an array must have the same element type and row shape in every shard");
            }
            stores.addAll(Arrays.asList(c.stores));
            parts.addAll(Arrays.asList(c.parts));
        }
        return new Column(stores.toArray(Path[]::new), parts.toArray(LazyArray[]::new), first.type,
                first.conversion, first.rowShape);
    }

    /** @return the shape of one stored row (the array's shape without its first axis) */
    static long[] storedRowShape(LazyArray a) {
        long[] shape = a.shape();
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** DJL 0.36's PyTorch JNI maps int16 (and the unsigned wide types) to nothing and calls abort(). */
    static boolean abortsOnInt16(String engine) {
        return "PyTorch".equals(engine);
    }

    private static long[] pairs(long[] row) {
        long[] r = Arrays.copyOf(row, row.length + 1);
        r[row.length] = 2; // (real, imaginary), the layout complex numbers already have on disk
        return r;
    }

    private static Column converted(Path store, LazyArray array, boolean convert, String engine, DataType to,
            Conversion how, long[] row, String why) {
        if (!convert) {
            String into = array.dtype() == DType.COMPLEX64 || array.dtype() == DType.COMPLEX128
                    ? to + " pairs (real, imaginary) on a new last axis of 2"
                    : to.toString();
            throw new UnsupportedDTypeException(store, array.name(), "element type " + array.dtype().numpyName()
                    + ": " + why + "; NumPackDataset.Builder.optConvertTypes(true) reads it as " + into);
        }
        return new Column(store, array, to, how, row);
    }

    /** @return the array's name */
    String name() {
        return parts[0].name();
    }

    /** @return the DJL element type */
    DataType type() {
        return type;
    }

    /** @return how elements are converted */
    Conversion conversion() {
        return conversion;
    }

    /** @return the live rows of the array in all its stores */
    long rows() {
        return ends[ends.length - 1];
    }

    /** @return the lazy views this column reads, one per store */
    List<LazyArray> arrays() {
        return List.of(parts);
    }

    /** @return the DJL shape of {@code n} rows */
    Shape shape(long n) {
        long[] s = new long[rowShape.length + 1];
        s[0] = n;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return new Shape(s);
    }

    /** @return bytes of {@code n} rows as DJL holds them */
    long bytes(long n) {
        return n * djlRowBytes;
    }

    /**
     * Reads rows into a batch buffer: {@code rows[k]} lands in row {@code slots[k]} of {@code dst}.
     *
     * @param rows rows of the joined stores (a store's rows follow the previous store's), best in ascending
     *     order: each run of rows in one store is one gather there
     * @param slots each row's place in the batch
     * @param dst the batch's buffer, from position 0, {@code bytes(batch)} long
     */
    void fill(long[] rows, int[] slots, ByteBuffer dst) {
        if (conversion == Conversion.NONE) {
            gather(rows, slots, dst);
            return;
        }
        // read the stored bytes into a scratch buffer in batch order, then widen into dst
        LazyArray array = parts[0];
        ByteBuffer raw = ByteBuffer.allocate(Math.toIntExact(rows.length * array.rowBytes()))
                .order(ByteOrder.LITTLE_ENDIAN);
        gather(rows, slots, raw);
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int elements = raw.capacity() / array.dtype().itemSize();
        switch (conversion) {
            case INT16_TO_INT32:
                for (int i = 0; i < elements; i++) {
                    out.putInt(i * 4, raw.getShort(i * 2));
                }
                break;
            case UINT16_TO_INT32:
                for (int i = 0; i < elements; i++) {
                    out.putInt(i * 4, Short.toUnsignedInt(raw.getShort(i * 2)));
                }
                break;
            case UINT32_TO_INT64:
                for (int i = 0; i < elements; i++) {
                    out.putLong(i * 8, Integer.toUnsignedLong(raw.getInt(i * 4)));
                }
                break;
            case UINT64_TO_INT64:
                int perRow = Math.max(1, elements / Math.max(1, rows.length));
                for (int i = 0; i < elements; i++) {
                    long v = raw.getLong(i * 8);
                    if (v < 0) {
                        long row = rowAtSlot(rows, slots, i / perRow);
                        int part = partOf(row);
                        throw new UnsupportedDTypeException(stores[part], array.name(), "uint64 value "
                                + Long.toUnsignedString(v) + " in row " + (row - start(part))
                                + " is beyond int64, which optConvertTypes(true) reads uint64 as");
                    }
                    out.putLong(i * 8, v);
                }
                break;
            default:
                throw new AssertionError(conversion);
        }
    }

    /** Gathers each run of rows that one store holds with one call to that store's array. */
    private void gather(long[] rows, int[] slots, ByteBuffer dst) {
        if (parts.length == 1) {
            parts[0].gather(rows, slots, dst);
            return;
        }
        for (int k = 0; k < rows.length;) {
            int part = partOf(rows[k]);
            long start = start(part);
            int end = k + 1;
            while (end < rows.length && rows[end] >= start && rows[end] < ends[part]) {
                end++;
            }
            long[] local = new long[end - k];
            for (int j = 0; j < local.length; j++) {
                local[j] = rows[k + j] - start;
            }
            parts[part].gather(local, Arrays.copyOfRange(slots, k, end), dst);
            k = end;
        }
    }

    /** @return the part holding joined row {@code row}: the first whose end is past it (empty parts never) */
    private int partOf(long row) {
        if (row < 0 || row >= rows()) {
            throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rows() + ") of array '" + name() + "'");
        }
        int lo = 0;
        int hi = ends.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] > row) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** @return the joined row where part {@code part}'s rows start */
    private long start(int part) {
        return part == 0 ? 0 : ends[part - 1];
    }

    private static long rowAtSlot(long[] rows, int[] slots, int slot) {
        for (int k = 0; k < slots.length; k++) {
            if (slots[k] == slot) {
                return rows[k];
            }
        }
        return -1;
    }
}
