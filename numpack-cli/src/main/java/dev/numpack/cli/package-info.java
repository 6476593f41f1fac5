/**
 * The {@code numpack} command (picocli): info, verify, import and export {@code .npy}, append, drop,
 * compact and demo, with one-line errors and exit codes.
 *
 * <p>May depend on numpack-core's exported packages ({@code dev.numpack}, {@code dev.numpack.io}), never
 * on {@code dev.numpack.internal..}: the command does what a user's program could. Also on picocli and
 * slf4j-simple (the shaded jar's logger).
 */
package dev.numpack.cli;
