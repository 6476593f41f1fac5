package dev.numpack.spark;

import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.io.DatasetManifest.Column;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How one array is read back as one Spark column: a 1-D array as a column of its type, an array with a row
 * shape as an array column of the row's elements in C order (the row shape itself is in the manifest).
 * Unsigned types widen to the next signed Spark type (uint8 as short, uint16 as int, uint32 as long); uint64,
 * float16 and the complex types have no Spark type here and are refused by name.
 *
 * @param name the array's name
 * @param dtype its element type
 * @param rowElements the elements of one row, -1 for a 1-D array (a scalar column)
 */
record ReadColumn(String name, DType dtype, long rowElements) implements Serializable {

    /**
     * @param store the dataset or store, named in errors
     * @param c a manifest column
     * @return how to read it
     * @throws InvalidArgumentException for a dtype without a Spark type
     */
    static ReadColumn of(Path store, Column c) {
        elementType(store, c.name(), c.dtype());
        long n = -1;
        if (c.rowShape().length > 0) {
            n = 1;
            for (long d : c.rowShape()) {
                n = Math.multiplyExact(n, d);
            }
            if (n > Integer.MAX_VALUE - 15) {
                throw new InvalidArgumentException(store, c.name(), "rows of " + n + " elements exceed a Spark array");
            }
        }
        return new ReadColumn(c.name(), c.dtype(), n);
    }

    /** @return the Spark type of the column */
    DataType sparkType() {
        DataType e = elementType(null, name, dtype);
        return rowElements < 0 ? e : DataTypes.createArrayType(e, false);
    }

    /** @return the column as a non-nullable field */
    StructField field() {
        return DataTypes.createStructField(name, sparkType(), false);
    }

    /** @return the schema of these columns */
    static StructType schema(Iterable<ReadColumn> columns) {
        StructType s = new StructType();
        for (ReadColumn c : columns) {
            s = s.add(c.field());
        }
        return s;
    }

    private static DataType elementType(Path store, String name, DType d) {
        return switch (d) {
            case BOOL -> DataTypes.BooleanType;
            case INT8 -> DataTypes.ByteType;
            case UINT8, INT16 -> DataTypes.ShortType;
            case UINT16, INT32 -> DataTypes.IntegerType;
            case UINT32, INT64 -> DataTypes.LongType;
            case FLOAT32 -> DataTypes.FloatType;
            case FLOAT64 -> DataTypes.DoubleType;
            default -> throw new InvalidArgumentException(store, name, "array '" + name + "' has dtype "
                    + d.numpyName() + ", which a Spark read does not convert (uint64, float16 and complex"
                    + " have no lossless Spark type here)");
        };
    }

    /**
     * Reads one value (a scalar column's) at the buffer's position and advances it.
     *
     * @param b little-endian rows
     * @return the boxed Spark value
     */
    Object scalar(ByteBuffer b) {
        return switch (dtype) {
            case BOOL -> b.get() != 0;
            case INT8 -> b.get();
            case UINT8 -> (short) (b.get() & 0xFF);
            case INT16 -> b.getShort();
            case UINT16 -> b.getShort() & 0xFFFF;
            case INT32 -> b.getInt();
            case UINT32 -> b.getInt() & 0xFFFF_FFFFL;
            case INT64 -> b.getLong();
            case FLOAT32 -> b.getFloat();
            case FLOAT64 -> b.getDouble();
            default -> throw new IllegalStateException(dtype.numpyName());
        };
    }

    /**
     * Reads one row of an array column at the buffer's position and advances it.
     *
     * @param b little-endian rows
     * @return the row as a Spark array
     */
    UnsafeArrayData row(ByteBuffer b) {
        int n = (int) rowElements;
        switch (dtype) {
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.get() != 0;
                }
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case INT8 -> {
                byte[] v = new byte[n];
                b.get(v);
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case UINT8 -> {
                short[] v = new short[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (short) (b.get() & 0xFF);
                }
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case INT16 -> {
                short[] v = new short[n];
                b.asShortBuffer().get(v);
                b.position(b.position() + n * Short.BYTES);
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case UINT16 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.getShort() & 0xFFFF;
                }
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case INT32 -> {
                int[] v = new int[n];
                b.asIntBuffer().get(v);
                b.position(b.position() + n * Integer.BYTES);
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case UINT32 -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.getInt() & 0xFFFF_FFFFL;
                }
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case INT64 -> {
                long[] v = new long[n];
                b.asLongBuffer().get(v);
                b.position(b.position() + n * Long.BYTES);
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case FLOAT32 -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                b.position(b.position() + n * Float.BYTES);
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            case FLOAT64 -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                b.position(b.position() + n * Double.BYTES);
                return UnsafeArrayData.fromPrimitiveArray(v);
            }
            default -> throw new IllegalStateException(dtype.numpyName());
        }
    }

    /** @return the bytes of one row */
    long rowBytes() {
        return Math.max(1, rowElements) * dtype.itemSize();
    }
}
