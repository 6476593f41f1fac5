/**
 * Real crash tests: child JVMs run seeded workloads and are killed with SIGKILL; the store they leave must
 * open and show a state the replayed model allows, with nothing acknowledged lost. Also the writer lock
 * and read-only readers against a live writer in another process.
 *
 * <p>Test code. Uses the public API, the model in {@code dev.numpack.model}, and the engine's layout and
 * journal to inspect the files a kill left.
 */
package dev.numpack.crash;
