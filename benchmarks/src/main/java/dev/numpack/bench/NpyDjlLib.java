package dev.numpack.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.numpack.NdArray;
import dev.numpack.DType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Peer {@code npy-djl}: DJL 0.36's own NumPy codec on the PyTorch engine. DJL's public API writes NumPy
 * data only as NPZ ({@code NDList.encode(OutputStream, NDList.Encoding.NPZ)}; the plain-{@code .npy}
 * writer {@code NDSerializer.encodeAsNumpy} is package-private), so the array lives in {@code x.npz}: a ZIP
 * with one entry {@code arr_0.npy} (the array has no name), <b>deflate-compressed</b> by
 * {@code ZipOutputStream}'s default, which makes it what {@code numpy.savez_compressed} writes;
 * {@code numpy.load(path)["arr_0"]} reads it ({@code '<f4'}, C order, 64-byte aligned header).
 *
 * <ul>
 *   <li>full load: {@code NDList.decode(subManager, BufferedInputStream)}: DJL sees the ZIP magic and
 *       inflates the entry into a direct buffer that becomes a PyTorch tensor; the load is that
 *       {@code NDList}, and {@link #release} closes its sub-{@code NDManager}, which frees the tensor.
 *   <li>save: {@code new NDList(array).encode(BufferedOutputStream, NPZ)} to a temporary file (which
 *       copies the tensor into a {@code byte[]} and deflates it), then an atomic rename; no fsync.
 *       {@link #prepareSave} makes the NDArray once, untimed ({@code NDManager.create(ByteBuffer, Shape,
 *       FLOAT32)}).
 *   <li>replace, append: {@link #rewriteReplace rewrite} (full load, patch, save).
 *   <li>truncateToInitial: save of the initial array.
 *   <li>no lazy open, gather or stream: DJL reads an NPY/NPZ stream only whole.
 * </ul>
 *
 * <p>JVM: {@code -Dai.djl.offline=true} (the engine extracts libtorch from the class path instead of
 * downloading it), {@code -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error} (a no-GPU warning
 * on start), {@code --enable-native-access=ALL-UNNAMED} on JDK 24+.
 */
final class NpyDjlLib extends RewritingLib<NDArray> {
    private static final int IO_BUFFER = 1 << 16;

    private final Path file;
    private final Path tmp;
    private final NDManager manager;

    NpyDjlLib(String name, Path dir, NdArray initial) throws IOException {
        super(name, initial);
        this.file = dir.resolve("x.npz");
        this.tmp = dir.resolve("x.npz.tmp");
        this.manager = NDManager.newBaseManager();
        try {
            save(initial);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** {@code NDList.decode} of the whole file into a tensor of a new sub-manager. */
    @Override
    NDList fullLoad() throws IOException {
        NDManager sub = manager.newSubManager();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), IO_BUFFER)) {
            return NDList.decode(sub, in);
        } catch (IOException | RuntimeException e) {
            sub.close();
            throw e;
        }
    }

    /** The tensor's own memory (no copy), valid until {@link #release}. */
    @Override
    ByteBuffer bytesOf(Object loaded) {
        return ((NDList) loaded).singletonOrThrow().toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN).rewind();
    }

    @Override
    void release(Object loaded) {
        ((NDList) loaded).singletonOrThrow().getManager().close();
    }

    /** A float32 tensor over {@code a}'s direct buffer (PyTorch's from_blob: no copy), in a manager of its own. */
    @Override
    NDArray toForm(NdArray a) {
        if (a.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("float32 only, not " + a.dtype());
        }
        return manager.newSubManager().create(a.buffer(), new Shape(a.shape()), DataType.FLOAT32);
    }

    @Override
    void free(NDArray form) {
        form.getManager().close();
    }

    /** {@code NDList.encode(out, NPZ)} to a temporary file, renamed over the old one. */
    @Override
    void write(NdArray whole, NDArray array) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), IO_BUFFER)) {
            new NDList(array).encode(out, NDList.Encoding.NPZ);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        freePrepared();
        manager.close();
    }
}
