package dev.numpack.spark;

import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.SpecializedGetters;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;

/**
 * The rows of one column that a task has received and not yet appended to its shard store: encodes each row's
 * value(s) into a direct little-endian buffer in the array's dtype, checking nulls, lengths and value ranges
 * (each error names the column, the partition and the row).
 */
final class ColumnChunk {
    /** ML vectors' SQL form: struct(type: 0 sparse / 1 dense, size, indices, values). */
    private static final int VECTOR_FIELDS = 4;

    private final ColumnSpec spec;
    private final Path dataset;
    private final int partition;
    private final long min;
    private final long max;
    private long[] rowShape;
    private int rowElements;
    private ByteBuffer buf;
    private int rows;

    ColumnChunk(ColumnSpec spec, Path dataset, int partition) {
        this.spec = spec;
        this.dataset = dataset;
        this.partition = partition;
        this.min = IntegerRange.min(spec.dtype());
        this.max = IntegerRange.max(spec.dtype());
        this.rowShape = spec.rowShape();
        this.rowElements = rowShape == null ? -1 : Math.toIntExact(spec.rowElements());
    }

    /** @return the shape of one row: the spec's, or learned from the first row (null before one was seen) */
    long[] rowShape() {
        return rowShape == null ? null : rowShape.clone();
    }

    /**
     * Learns the row length from the first row if the spec does not give it.
     *
     * @param row the partition's first row
     * @return the bytes one row takes in the array
     */
    long learn(InternalRow row) {
        if (rowShape == null) {
            int n = elements(row, 0).numElements();
            rowShape = new long[] {n};
            rowElements = n;
        }
        return (long) rowElements * spec.dtype().itemSize();
    }

    /** @param capacity the rows the chunk holds before the writer appends it to the store */
    void allocate(int capacity) {
        buf = ByteBuffer.allocateDirect(Math.multiplyExact(capacity, Math.max(1, rowElements * spec.dtype()
                .itemSize()))).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param row the next row
     * @param index its index in the partition, for errors
     */
    void add(InternalRow row, long index) {
        if (spec.kind() == ColumnKind.SCALAR) {
            if (row.isNullAt(spec.ordinal())) {
                throw error(index, "is null");
            }
            put(row, spec.ordinal(), index);
        } else {
            ArrayData a = elements(row, index);
            if (a.numElements() != rowElements) {
                throw error(index, "has " + a.numElements() + " elements, the column's rows have " + rowElements
                        + (spec.rowShape() == null ? " (its first row's length)"
                                : " (shape " + Arrays.toString(rowShape) + ")"));
            }
            if (spec.elementsNullable()) {
                for (int j = 0; j < rowElements; j++) {
                    if (a.isNullAt(j)) {
                        throw error(index, "has a null element at index " + j);
                    }
                }
            }
            if (!putBulk(a)) {
                for (int j = 0; j < rowElements; j++) {
                    put(a, j, index);
                }
            }
        }
        rows++;
    }

    /** @return the rows held, as an array over the chunk's buffer (valid until {@link #clear}) */
    NdArray take() {
        long[] shape = new long[rowShape.length + 1];
        shape[0] = rows;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        return NdArray.wrap(spec.dtype(), shape, buf.duplicate().flip());
    }

    /** Empties the chunk after its rows were appended. */
    void clear() {
        buf.clear();
        rows = 0;
    }

    /** @return the array's (and the column's) name */
    String name() {
        return spec.name();
    }

    private ArrayData elements(InternalRow row, long index) {
        int i = spec.ordinal();
        if (row.isNullAt(i)) {
            throw error(index, "is null");
        }
        if (spec.kind() == ColumnKind.ARRAY) {
            return row.getArray(i);
        }
        InternalRow v = row.getStruct(i, VECTOR_FIELDS);
        if (v.getByte(0) == 1) {
            return v.getArray(3);
        }
        double[] dense = new double[v.getInt(1)];
        ArrayData idx = v.getArray(2);
        ArrayData val = v.getArray(3);
        for (int k = 0; k < idx.numElements(); k++) {
            dense[idx.getInt(k)] = val.getDouble(k);
        }
        return new GenericArrayData(dense);
    }

    /** Copies a whole row at once where the array's dtype is the column type's own. */
    private boolean putBulk(ArrayData a) {
        if (spec.dtype() != WriteOptions.defaultDType(spec.source())) {
            return false;
        }
        switch (spec.source()) {
            case BYTE -> buf.put(a.toByteArray());
            case FLOAT -> {
                buf.asFloatBuffer().put(a.toFloatArray());
                buf.position(buf.position() + rowElements * Float.BYTES);
            }
            case DOUBLE -> {
                buf.asDoubleBuffer().put(a.toDoubleArray());
                buf.position(buf.position() + rowElements * Double.BYTES);
            }
            case INT -> {
                buf.asIntBuffer().put(a.toIntArray());
                buf.position(buf.position() + rowElements * Integer.BYTES);
            }
            case LONG -> {
                buf.asLongBuffer().put(a.toLongArray());
                buf.position(buf.position() + rowElements * Long.BYTES);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void put(SpecializedGetters g, int i, long index) {
        DType d = spec.dtype();
        switch (d) {
            case FLOAT32 -> buf.putFloat((float) spec.source().floating(g, i));
            case FLOAT64 -> buf.putDouble(spec.source().floating(g, i));
            default -> {
                long v = spec.source().integral(g, i);
                if (v < min || v > max) {
                    throw error(index, "holds " + v + ", outside " + d.numpyName() + "'s range [" + min + ", "
                            + max + "]");
                }
                switch (d.itemSize()) {
                    case 1 -> buf.put((byte) v);
                    case 2 -> buf.putShort((short) v);
                    case 4 -> buf.putInt((int) v);
                    default -> buf.putLong(v);
                }
            }
        }
    }

    private InvalidArgumentException error(long index, String what) {
        return new InvalidArgumentException(dataset, spec.name(), "column '" + spec.name() + "', partition "
                + partition + ": row " + index + " " + what);
    }
}
