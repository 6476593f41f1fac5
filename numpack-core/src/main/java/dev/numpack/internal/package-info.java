/**
 * What every layer shares: {@link dev.numpack.internal.RowChecks}, the one owner of row-index, row-range
 * and buffer checks and of their messages.
 *
 * <p>Not exported. May depend on {@code java.base} and, of numpack-core, only on the exceptions of
 * {@code dev.numpack} (it raises {@code InvalidArgumentException}), since the facade, the engine, the
 * codecs and {@code dev.numpack.io} all use it.
 */
package dev.numpack.internal;
