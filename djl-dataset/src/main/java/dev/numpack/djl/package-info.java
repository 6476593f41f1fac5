/**
 * {@link dev.numpack.djl.NumPackDataset}: a DJL {@code RandomAccessDataset} over arrays of a NumPack
 * store, shuffled by a seeded O(1)-memory permutation, lazy, read a whole batch at a time straight into
 * tensor memory, shardable and resumable ({@link dev.numpack.djl.DatasetPosition}).
 *
 * <p>May depend on numpack-core's exported packages ({@code dev.numpack}, {@code dev.numpack.io}), never
 * on {@code dev.numpack.internal..}, and on DJL's api only (the engine is the application's choice).
 */
package dev.numpack.djl;
