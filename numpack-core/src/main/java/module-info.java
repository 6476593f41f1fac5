/**
 * numpack-core: a crash-safe array store, file-compatible with NumPack 0.7.
 *
 * <p>The module is named after its root package, {@code dev.numpack}, the package its public API lives in
 * (the usual convention: a module name is the reverse-DNS prefix of the packages it owns). The adapters
 * ({@code dev.numpack.djl}, {@code dev.numpack.checkpoint}, {@code dev.numpack.cli}) sit under it and would
 * take their own package names as module names.
 *
 * <p>Only two packages are exported: {@link dev.numpack} (the store, its arrays, batch modes and
 * exceptions) and {@link dev.numpack.io} (the {@code .npy} reader and writer). The engine
 * ({@code dev.numpack.internal.store}), the codecs ({@code dev.numpack.internal.format}) and the shared
 * checks ({@code dev.numpack.internal}) are not exported, so they can change without breaking callers.
 *
 * <p>It needs nothing beyond {@code java.base}: files, channels, mapping and CRC32C are all there. JNA
 * ({@code com.sun.jna}) is optional ({@code requires static}): on Java 17 to 21 it serves the few native calls
 * of {@code NativeIo} where it is present (on Java 22+ the FFM API does), and plain Java serves where not. It
 * uses no {@code sun.misc} (so no {@code jdk.unsupported}), no {@code java.management} and does not log
 * (so no {@code org.slf4j}). The jar works the same on the plain class path, where this descriptor is ignored.
 */
module dev.numpack {
    exports dev.numpack;
    exports dev.numpack.io;

    requires static com.sun.jna;
}
