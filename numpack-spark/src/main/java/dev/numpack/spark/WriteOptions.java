package dev.numpack.spark;

import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * The writer's options, checked on the driver before any task runs: {@code shape.<column> = 28,28} (the shape of
 * one row of an array or vector column; its product must be the rows' length) and {@code dtype.<column> = uint8}
 * (the array's element type instead of the column type's own, range-checked per value). Option names are
 * case-insensitive, as Spark's are; column names are matched case-insensitively too. {@code chunk.bytes} (default
 * 16 MiB) is how much a task gathers before each append to its store.
 */
final class WriteOptions {
    /** Prefix of the row-shape option. */
    static final String SHAPE = "shape.";
    /** Prefix of the element-type option. */
    static final String DTYPE = "dtype.";
    /** The option giving the bytes a task gathers before each append to its store. */
    static final String CHUNK_BYTES = "chunk.bytes";
    /** Its default: big enough that the per-append fsyncs cost little, small enough for any executor. */
    static final long DEFAULT_CHUNK_BYTES = 16L << 20;
    private static final String[] VECTOR_UDTS = {
        "org.apache.spark.ml.linalg.VectorUDT", "org.apache.spark.mllib.linalg.VectorUDT"};

    private WriteOptions() {}

    /**
     * @param dataset the dataset directory, named in errors
     * @param options the write options (any case)
     * @return the {@code chunk.bytes} option, or its default
     */
    static long chunkBytes(Path dataset, Map<String, String> options) {
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (e.getKey().equalsIgnoreCase(CHUNK_BYTES)) {
                try {
                    long n = Long.parseLong(e.getValue().trim());
                    if (n > 0) {
                        return n;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
                throw new InvalidArgumentException(dataset, null, "option " + CHUNK_BYTES + " = '" + e.getValue()
                        + "' is not a positive number of bytes");
            }
        }
        return DEFAULT_CHUNK_BYTES;
    }

    /**
     * @param dataset the dataset directory, named in errors
     * @param schema the schema of the rows to write
     * @param options the write options (any case)
     * @return one spec per column, in schema order
     * @throws InvalidArgumentException naming the column for an unsupported type, a bad shape or dtype, or an
     *     option naming no column
     */
    static List<ColumnSpec> columns(Path dataset, StructType schema, Map<String, String> options) {
        Map<String, String> shapes = new HashMap<>();
        Map<String, String> dtypes = new HashMap<>();
        for (Map.Entry<String, String> e : options.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (key.startsWith(SHAPE)) {
                shapes.put(key.substring(SHAPE.length()), e.getValue());
            } else if (key.startsWith(DTYPE)) {
                dtypes.put(key.substring(DTYPE.length()), e.getValue());
            }
        }
        List<ColumnSpec> specs = new ArrayList<>();
        StructField[] fields = schema.fields();
        for (int i = 0; i < fields.length; i++) {
            String name = fields[i].name();
            String key = name.toLowerCase(Locale.ROOT);
            specs.add(column(dataset, name, i, fields[i].dataType(), shapes.remove(key), dtypes.remove(key)));
        }
        for (String left : shapes.keySet()) {
            throw new InvalidArgumentException(dataset, left, "option " + SHAPE + left + " names no column");
        }
        for (String left : dtypes.keySet()) {
            throw new InvalidArgumentException(dataset, left, "option " + DTYPE + left + " names no column");
        }
        if (specs.isEmpty()) {
            throw new InvalidArgumentException(dataset, null, "a dataset needs at least one column");
        }
        return specs;
    }

    private static ColumnSpec column(Path dataset, String name, int ordinal, DataType type, String shape,
            String dtype) {
        ColumnKind kind;
        SourceType source = SourceType.of(type);
        boolean nullableElements = false;
        if (source != null) {
            kind = ColumnKind.SCALAR;
        } else if (type instanceof ArrayType at && SourceType.of(at.elementType()) != null) {
            kind = ColumnKind.ARRAY;
            source = SourceType.of(at.elementType());
            nullableElements = at.containsNull();
        } else if (isVector(type)) {
            kind = ColumnKind.VECTOR;
            source = SourceType.DOUBLE;
        } else {
            throw new InvalidArgumentException(dataset, name, "column '" + name + "' has Spark type "
                    + type.simpleString() + "; numpack writes boolean and numeric columns, fixed-length arrays"
                    + " of them and ML vectors");
        }
        DType target = dtype == null ? defaultDType(source) : parseDType(dataset, name, source, dtype);
        long[] rowShape = kind == ColumnKind.SCALAR ? new long[0] : null;
        if (shape != null) {
            if (kind == ColumnKind.SCALAR) {
                throw new InvalidArgumentException(dataset, name, "option " + SHAPE + name
                        + " applies to array and vector columns; '" + name + "' is " + type.simpleString());
            }
            rowShape = parseShape(dataset, name, shape);
        }
        return new ColumnSpec(name, ordinal, kind, source, nullableElements, target, rowShape);
    }

    private static boolean isVector(DataType type) {
        if (type instanceof UserDefinedType<?> udt) {
            for (String n : VECTOR_UDTS) {
                if (udt.getClass().getName().equals(n)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return the array dtype a Spark type maps to when no {@code dtype.} option is given */
    static DType defaultDType(SourceType s) {
        return switch (s) {
            case BOOLEAN -> DType.BOOL;
            case BYTE -> DType.INT8;
            case SHORT -> DType.INT16;
            case INT -> DType.INT32;
            case LONG -> DType.INT64;
            case FLOAT -> DType.FLOAT32;
            case DOUBLE -> DType.FLOAT64;
        };
    }

    private static DType parseDType(Path dataset, String name, SourceType source, String text) {
        DType d;
        try {
            d = DType.fromNumpyName(text.trim().toLowerCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new InvalidArgumentException(dataset, name, "option " + DTYPE + name + " = '" + text
                    + "' is no NumPy dtype name", e);
        }
        boolean ok = switch (d) {
            case BOOL -> source == SourceType.BOOLEAN;
            case FLOAT32, FLOAT64 -> source != SourceType.BOOLEAN;
            case FLOAT16, COMPLEX64, COMPLEX128 -> false;
            default -> source != SourceType.BOOLEAN && !source.isFloating();
        };
        if (!ok) {
            throw new InvalidArgumentException(dataset, name, "option " + DTYPE + name + " = " + d.numpyName()
                    + " does not take " + source.name().toLowerCase(Locale.ROOT) + " values (integral values go"
                    + " to any integer or float dtype, floating ones to float32/float64, booleans to bool)");
        }
        return d;
    }

    private static long[] parseShape(Path dataset, String name, String text) {
        String[] parts = text.split(",");
        long[] shape = new long[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                shape[i] = Long.parseLong(parts[i].trim());
                if (shape[i] <= 0) {
                    throw new NumberFormatException("dimension " + shape[i]);
                }
            }
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InvalidArgumentException(dataset, name, "option " + SHAPE + name + " = '" + text
                    + "' is not a list of positive dimensions such as 28,28", e);
        }
        return shape;
    }
}
