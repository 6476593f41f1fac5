/**
 * Test support shared by the tests of every numpack-java module: starting test programs as child JVMs
 * ({@link dev.numpack.testkit.ChildJvm}), running python3 with numpy ({@link dev.numpack.testkit.Python}),
 * and the repository's second, Python implementation of the NumPack layout
 * ({@link dev.numpack.testkit.NpkLayoutScript}).
 *
 * <p>It depends on the JDK and JUnit only. numpack-core's own tests use it, so it cannot use numpack-core:
 * a Maven reactor allows no dependency cycle.
 */
package dev.numpack.testkit;
