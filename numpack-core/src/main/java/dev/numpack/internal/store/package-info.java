/**
 * The engine: the store's files and layout, memory mapping, the writer lock, the journal, and the
 * stage, validate, journal, apply commit, with the sweep that removes what a crash left behind.
 *
 * <p>Not exported. May depend on {@code java.base}, the codecs in {@code dev.numpack.internal.format} and
 * {@code dev.numpack.internal}; of {@code dev.numpack}, only on {@code DType} and the exceptions (never on
 * {@code NumPack}, its arrays, views or batch modes), and never on {@code dev.numpack.io}.
 */
package dev.numpack.internal.store;
