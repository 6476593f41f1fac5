/**
 * {@link dev.numpack.checkpoint.CheckpointManager}: atomic, durable, checksummed DJL training checkpoints
 * (parameters, optimizer state, training state and dataset position), each one a NumPack store, with
 * retention (last, best, every N), async saves and a {@code TrainingListener}.
 *
 * <p>May depend on numpack-core's exported packages ({@code dev.numpack}, {@code dev.numpack.io}), never
 * on {@code dev.numpack.internal..}; on {@code dev.numpack.djl} for the dataset position; on DJL's api,
 * Gson (which DJL brings) and slf4j.
 */
package dev.numpack.checkpoint;
