/**
 * numpack-spark: a Spark DataSource V2 with the short name {@code numpack}. {@code df.write().format("numpack")}
 * writes a sharded NumPack dataset (one plain store per partition, a manifest written last by the driver as the
 * commit point, {@link dev.numpack.io.DatasetManifest}); {@code spark.read().format("numpack")} reads such a
 * dataset, or a single plain store, back. Entry point: {@link dev.numpack.spark.NumPackDataSource}. Uses
 * numpack-core through its exported packages only.
 */
package dev.numpack.spark;
