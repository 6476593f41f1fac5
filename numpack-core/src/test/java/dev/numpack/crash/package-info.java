/**
 * Crash reproductions: the exact files a {@code kill -9} left in a store (found by the kill trials of
 * numpack-reliability), recreated by hand, and read-only snapshots beside a writer in this JVM. The kill
 * trials themselves, with their child JVMs, live in numpack-reliability.
 *
 * <p>Test code. Uses the public API, the model in {@code dev.numpack.model}, and the engine's layout and
 * journal to inspect the files a crash left.
 */
package dev.numpack.crash;
