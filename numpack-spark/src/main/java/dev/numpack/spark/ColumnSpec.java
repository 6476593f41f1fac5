package dev.numpack.spark;

import dev.numpack.DType;
import java.io.Serializable;
import java.util.Arrays;

/**
 * How the writer turns one Spark column into one array of every shard store.
 *
 * @param name the column's name, which is the array's name
 * @param ordinal the column's position in the rows the writer receives
 * @param kind scalar, array or ML vector
 * @param source the Spark type of the values (of the elements, for arrays; double for vectors)
 * @param elementsNullable whether the Spark array type admits null elements (they are then checked)
 * @param dtype the array's element type
 * @param rowShape the shape of one row: empty for a scalar column, given by option {@code shape.<column>},
 *     or null when the rows' length is learned from the data
 */
record ColumnSpec(String name, int ordinal, ColumnKind kind, SourceType source, boolean elementsNullable,
        DType dtype, long[] rowShape) implements Serializable {

    /** @return the number of elements in one row, or -1 while it is to be learned from the data */
    long rowElements() {
        if (rowShape == null) {
            return -1;
        }
        long n = 1;
        for (long d : rowShape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnSpec c && name.equals(c.name) && ordinal == c.ordinal && kind == c.kind
                && source == c.source && elementsNullable == c.elementsNullable && dtype == c.dtype
                && Arrays.equals(rowShape, c.rowShape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + ordinal;
    }
}
