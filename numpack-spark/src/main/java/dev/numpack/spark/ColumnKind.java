package dev.numpack.spark;

/** How one Spark column becomes one NumPack array. */
enum ColumnKind {
    /** A numeric or boolean column: a 1-D array, one element per row. */
    SCALAR,
    /** A fixed-length array of numbers: a 2-D array (or the shape of option {@code shape.<column>}). */
    ARRAY,
    /** An ML vector ({@code org.apache.spark.ml.linalg.Vector}, dense or sparse): float64 rows of its size. */
    VECTOR
}
