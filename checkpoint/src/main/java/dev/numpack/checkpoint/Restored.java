package dev.numpack.checkpoint;

/**
 * What a restore put back: which checkpoint, and the training state saved with it (epoch, step, metrics,
 * dataset position, seeds), to continue from.
 *
 * @param checkpoint the checkpoint restored
 * @param state its training state
 */
public record Restored(CheckpointInfo checkpoint, TrainingState state) {}
