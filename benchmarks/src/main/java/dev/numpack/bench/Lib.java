package dev.numpack.bench;

import dev.numpack.NdArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * One way of storing the benchmark array: numpack-java, a baseline that moves the same bytes with plain
 * {@code java.nio}, or a peer library (NPY, HDF5, Arrow, Parquet, Chronicle Map).
 *
 * <p>The array is {@code rows x 10} float32, little-endian, C order. Not every library can do every
 * operation: an operation a library lacks throws {@link UnsupportedOperationException} naming both, so a
 * benchmark run with such a {@code lib} fails loudly instead of timing nothing. Each benchmark state lists
 * in its {@code @Param} exactly the libraries that can do its operation ({@link Libs} is the factory; the
 * README's lib table is the matrix).
 *
 * <p>Libraries that cannot change a file in place implement replace and append by
 * {@link #rewriteReplace rewriting} the whole file ({@link RewritingLib}), which is what their users do.
 */
abstract class Lib implements AutoCloseable {
    /** The lib's {@code @Param} name, for messages. */
    final String name;

    Lib(String name) {
        this.name = name;
    }

    /**
     * The whole array into memory, in the library's own in-memory form (a direct buffer, a
     * {@code float[]}, vectors, tensors...): converting it further is not part of a load.
     *
     * @return the loaded array; {@link #bytesOf} turns it into bytes for the self-checks
     */
    Object fullLoad() throws IOException {
        throw unsupported("full load");
    }

    /**
     * @param loaded what {@link #fullLoad} returned
     * @return its bytes, little-endian C order, position 0 (untimed; for the self-checks)
     */
    ByteBuffer bytesOf(Object loaded) {
        return ((ByteBuffer) loaded).duplicate().order(ByteOrder.LITTLE_ENDIAN).rewind();
    }

    /**
     * Frees what {@link #fullLoad} returned, where the garbage collector would not (native tensors).
     * Called untimed before the next load.
     */
    void release(Object loaded) {
        // heap and direct buffers: the garbage collector's
    }

    /**
     * Opens the array for lazy access and closes it again, reading no element data.
     *
     * @return something derived from the open view (rows or bytes), for the blackhole and self-check
     */
    long lazyOpen() throws IOException {
        throw unsupported("lazy open");
    }

    /**
     * Overwrites rows.
     *
     * @param indices distinct row indices, in any order
     * @param rows one row per index, in index order
     */
    void replace(long[] indices, NdArray rows) throws IOException {
        throw unsupported("replace");
    }

    /** @param rows rows appended at the end */
    void append(NdArray rows) throws IOException {
        throw unsupported("append");
    }

    /** Drops every appended row, back to the initial row count (untimed; between iterations). */
    void truncateToInitial() throws IOException {
        throw unsupported("append");
    }

    /**
     * Copies rows at arbitrary indices into {@code dst} at its position, advancing it.
     *
     * @param indices row indices
     * @param dst a little-endian buffer with room for the rows
     */
    void gather(long[] indices, ByteBuffer dst) throws IOException {
        throw unsupported("random access");
    }

    /**
     * Called once, untimed, with the array the benchmark will {@link #save}: a library that keeps arrays
     * in another in-memory form ({@code float[][]}, vectors) converts it here, as its users hold data in
     * that form already.
     */
    void prepareSave(NdArray whole) throws IOException {
        // the NdArray's buffer is the form
    }

    /** @param whole the array written over the existing one, as the library's users replace a file */
    void save(NdArray whole) throws IOException {
        throw unsupported("save");
    }

    /**
     * One full pass over the array in chunks of {@code chunkRows} rows (the last may be shorter), holding
     * about one chunk in memory at a time, and reading every element of every chunk: the pass adds them
     * up with {@link #sum(double, ByteBuffer)} or {@link #sum(double, float[], int, int)}, chunk after chunk, so that every
     * library does the same arithmetic in the same order.
     *
     * @return the sum of all elements, added in row order
     */
    double stream(int chunkRows) throws IOException {
        throw unsupported("stream");
    }

    /** @return {@code acc} plus every float of {@code chunk} (position to limit), in order */
    static double sum(double acc, ByteBuffer chunk) {
        ByteBuffer b = chunk.order() == ByteOrder.LITTLE_ENDIAN ? chunk : chunk.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = b.position(), end = b.limit() - Float.BYTES + 1; i < end; i += Float.BYTES) {
            acc += b.getFloat(i);
        }
        return acc;
    }

    /** @return {@code acc} plus {@code v[from, to)}, in order */
    static double sum(double acc, float[] v, int from, int to) {
        for (int i = from; i < to; i++) {
            acc += v[i];
        }
        return acc;
    }

    /** @return the expected {@link #stream} result for {@code a} */
    static double streamChecksum(NdArray a) {
        return sum(0, a.buffer());
    }

    /**
     * Replace for a library with no in-place update: load the whole array, patch the rows, save it all.
     */
    final void rewriteReplace(long[] indices, NdArray rows) throws IOException {
        Object loaded = fullLoad();
        ByteBuffer all = copyOf(bytesOf(loaded));
        release(loaded);
        int rb = Math.toIntExact(rows.rowBytes());
        ByteBuffer src = rows.buffer();
        for (int i = 0; i < indices.length; i++) {
            all.put(Math.toIntExact(indices[i] * rb), src, i * rb, rb);
        }
        save(NdArray.wrap(rows.dtype(), shapeWithRows(rows, all.capacity() / rb), all));
    }

    /** Append for a library with no in-place append: load the whole array, add the rows, save it all. */
    final void rewriteAppend(NdArray rows) throws IOException {
        Object loaded = fullLoad();
        ByteBuffer old = bytesOf(loaded);
        int n = old.remaining();
        ByteBuffer all = ByteBuffer.allocateDirect(Math.toIntExact(n + rows.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        all.put(0, old, old.position(), n);
        release(loaded);
        all.put(n, rows.buffer(), 0, Math.toIntExact(rows.byteSize()));
        int rb = Math.toIntExact(rows.rowBytes());
        save(NdArray.wrap(rows.dtype(), shapeWithRows(rows, all.capacity() / rb), all));
    }

    private static ByteBuffer copyOf(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocateDirect(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        c.put(0, b, b.position(), b.remaining());
        return c;
    }

    private static long[] shapeWithRows(NdArray like, long rows) {
        long[] s = like.shape().clone();
        s[0] = rows;
        return s;
    }

    final UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException("lib '" + name + "' has no " + op
                + ": leave it out of this benchmark's lib list (see Libs)");
    }

    @Override
    public abstract void close() throws IOException;
}
