/**
 * Plain NumPy {@code .npy} files, for users who read or write them directly:
 * {@link dev.numpack.io.NpyReader} (formats 1.0 to 3.0, any byte order, C or Fortran order, whole or by
 * rows) and {@link dev.numpack.io.NpyWriter} (streamed to a temporary file, committed by rename).
 *
 * <p>Exported by the module {@code dev.numpack}. May depend on {@code dev.numpack} (arrays, DType,
 * exceptions), the {@code .npy} header codec in {@code dev.numpack.internal.format} and
 * {@code dev.numpack.internal}'s RowChecks; nothing of numpack-core depends on it but the facade.
 */
package dev.numpack.io;
