/**
 * Helpers shared by numpack-core's tests: running Python with NumPy, or skipping with a visible reason
 * where it is missing.
 *
 * <p>Test code. Depends on JUnit only.
 */
package dev.numpack.testing;
