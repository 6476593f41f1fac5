/**
 * Hostile input: damaged metadata, journals and array files, paths and links that lead out of the store,
 * special files, bad API arguments. Each must raise a typed exception naming the store (and array),
 * within a time limit, without changing anything in or outside the store.
 *
 * <p>Test code. Uses the public API and the codecs to build damaged files.
 */
package dev.numpack.hostile;
