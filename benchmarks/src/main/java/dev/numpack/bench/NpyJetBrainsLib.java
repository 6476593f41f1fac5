package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jetbrains.bio.npy.NpyArray;
import org.jetbrains.bio.npy.NpyFile;

/**
 * Peer {@code npy-jetbrains}: JetBrains Research's {@code org.jetbrains.bio:npy} (Kotlin), the array as a
 * plain NumPy {@code x.npy} file ({@code '<f4'}, C order; {@code numpy.load} reads it).
 *
 * <ul>
 *   <li>full load: {@code NpyFile.read(path, Integer.MAX_VALUE)} (the library's default step: it maps the
 *       whole file read-only and copies it into a new {@code float[]}); the load is the returned
 *       {@code NpyArray} ({@code float[]} data plus {@code int[]} shape). The mapping is never unmapped by
 *       the library: the garbage collector frees it.
 *   <li>save: {@code NpyFile.write(tmp, float[], int[] shape, ByteOrder.LITTLE_ENDIAN)} (the order
 *       argument defaults to the native order; it is passed explicitly), then an atomic rename over
 *       {@code x.npy}; no fsync, the library has none. {@link #prepareSave} turns the array into the
 *       {@code float[]} the library writes, once and untimed.
 *   <li>replace, append: {@link #rewriteReplace rewrite} (full load, patch, save), as a user of a plain
 *       {@code .npy} file does. The rewrite goes through bytes, so it adds two copies of the array
 *       ({@code float[]} to bytes and back) that a user patching the {@code float[]} would not make.
 *   <li>truncateToInitial: save of the initial array.
 *   <li>no lazy open, gather or stream: the library has no API that reads part of a file.
 *       {@code read(path, step)} maps the file {@code step} bytes at a time but always merges every chunk
 *       into one whole array, and the chunk-sequence reader behind it is {@code internal}.
 * </ul>
 */
final class NpyJetBrainsLib extends RewritingLib<float[]> {
    private final Path file;
    private final Path tmp;

    NpyJetBrainsLib(String name, Path dir, NdArray initial) throws IOException {
        super(name, initial);
        this.file = dir.resolve("x.npy");
        this.tmp = dir.resolve("x.npy.tmp");
        save(initial);
    }

    /** {@code NpyFile.read}: the whole file into a new {@code float[]}, wrapped in an {@code NpyArray}. */
    @Override
    NpyArray fullLoad() {
        return NpyFile.read(file, Integer.MAX_VALUE);
    }

    @Override
    ByteBuffer bytesOf(Object loaded) {
        float[] v = ((NpyArray) loaded).asFloatArray();
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }

    @Override
    float[] toForm(NdArray whole) {
        return whole.toFloatArray();
    }

    /** {@code NpyFile.write} of a {@code float[]} to a temporary file, renamed over the old one. */
    @Override
    void write(NdArray whole, float[] data) throws IOException {
        int[] shape = new int[whole.ndim()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = Math.toIntExact(whole.shape()[i]);
        }
        Files.deleteIfExists(tmp); // NpyFile.write opens with CREATE (no TRUNCATE), truncating at the end
        NpyFile.write(tmp, data, shape, ByteOrder.LITTLE_ENDIAN);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        freePrepared();
    }
}
