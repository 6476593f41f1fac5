/**
 * JMH benchmarks of numpack-java against plain {@code java.nio} baselines and peer libraries (NPY, HDF5,
 * Arrow, Parquet, Chronicle Map), of {@code NumPackDataset} against DJL's datasets, and of checkpoints
 * against DJL's {@code Model.save}/{@code load}, with the charts drawn from their JSON results.
 *
 * <p>May depend on numpack-core's exported packages ({@code dev.numpack}, {@code dev.numpack.io}), never
 * on {@code dev.numpack.internal..} (it measures what users get), on djl-dataset, checkpoint, and the
 * peers' and JMH's libraries.
 */
package dev.numpack.bench;
