/**
 * The project's main job as a program: Fashion-MNIST training with {@code NumPackDataset}, DJL's
 * {@code EasyTrain} and {@code CheckpointManager} ({@link dev.numpack.examples.FashionMnistTraining}).
 *
 * <p>May depend on numpack-core's exported packages ({@code dev.numpack}, {@code dev.numpack.io}), djl-dataset,
 * checkpoint, DJL, picocli and XChart; nothing depends on it.
 */
package dev.numpack.examples;
