/**
 * The rules of numpack-core's boundaries, checked on its compiled main classes: the module descriptor
 * exports only {@code dev.numpack} and {@code dev.numpack.io}, and the layers (codecs, engine, RowChecks)
 * use only what lies below them.
 *
 * <p>Test code. Uses ArchUnit and {@code java.lang.module}; reads the classes, runs none of them.
 */
package dev.numpack.architecture;
