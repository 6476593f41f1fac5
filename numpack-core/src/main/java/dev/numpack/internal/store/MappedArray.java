package dev.numpack.internal.store;

/**
 * A committed entry and the mapping made of its files: used only together, so that a view never reads a
 * shape of one commit over the data file of another.
 *
 * @param entry the array as committed
 * @param data the mapping of that entry's files
 */
public record MappedArray(ArrayEntry entry, ArrayData data) {
}
