/**
 * Interoperability with NumPack 0.7's layout, through {@code interop/npk_layout.py}, an independent
 * Python and NumPy implementation of it: stores written by either side read back on the other, round
 * trips, and damaged stores both refuse.
 *
 * <p>Test code. Uses the public API and {@code dev.numpack.testing}; skipped, with the reason, where
 * {@code python3} with numpy is missing.
 */
package dev.numpack.interop;
