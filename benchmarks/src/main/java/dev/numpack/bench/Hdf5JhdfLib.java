package dev.numpack.bench;

import dev.numpack.NdArray;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Peer {@code hdf5-jhdf}: jHDF ({@code io.jhdf:jhdf}, pure Java), the array as dataset {@code /x} of an
 * HDF5 file {@code x.h5}, written with jHDF's defaults: contiguous layout (no chunks, no filters),
 * little-endian IEEE float32.
 *
 * <ul>
 *   <li>full load: {@code new HdfFile(path)}, {@code getDatasetByPath("x").getDataFlat()}, close: jHDF maps
 *       the dataset's bytes and copies them into a new {@code float[]}, which is the load
 *       ({@code getData()} would build a {@code float[rows][10]} instead, one small array per row).
 *   <li>lazy open: {@code new HdfFile(path)} (reads the superblock and root group),
 *       {@code getDatasetByPath("x").getDimensionsAsLong()[0]}, close: no element data.
 *   <li>gather: one sliced read {@code getData(new long[] {row, 0}, new int[] {1, 10})} per row on a file
 *       opened once (reopened after a save), copied into {@code dst}; each slice is a positional
 *       FileChannel read into a new heap buffer and a new {@code float[1][10]}.
 *   <li>stream: {@code getData(new long[] {first, 0}, new int[] {n, 10})} per chunk of {@code n} rows on a
 *       newly opened file: a new {@code float[n][10]} per chunk (jHDF reads a contiguous 2-D slice with one
 *       positional read per row).
 *   <li>save: {@code HdfFile.write(tmp)} ({@code WritableHdfFile}), {@code putDataset("x", float[][])},
 *       close (which writes the file: one 40-byte FileChannel write per row), then an atomic rename; no
 *       fsync. {@link #prepareSave} builds the {@code float[][]} jHDF writes, once and untimed.
 *   <li>replace, append: {@link #rewriteReplace rewrite} (full load, patch, save): jHDF cannot modify an
 *       existing file. The rewrite goes through bytes, so it adds copies ({@code float[]} to bytes,
 *       bytes to {@code float[][]}) a user holding the arrays would not make.
 *   <li>truncateToInitial: save of the initial array.
 * </ul>
 *
 * <p>Logging: jHDF logs through slf4j at info level on every full load and save, and warns on every save
 * ("Writing files is in alpha") and once per JVM ("Using development version of jHDF": the shaded jar has
 * no jHDF manifest, so its version reads as null). Those lines would land in JMH's output and the timed
 * loop, so this class sets {@code -Dorg.slf4j.simpleLogger.log.io.jhdf=error} itself unless the JVM was
 * given a level for {@code io.jhdf} (slf4j-simple reads it when jHDF's loggers are created, after this).
 */
final class Hdf5JhdfLib extends RewritingLib<float[][]> {
    static final String DATASET = "x";

    static {
        String key = "org.slf4j.simpleLogger.log.io.jhdf";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "error");
        }
    }

    private final Path file;
    private final Path tmp;
    private HdfFile view; // for gather: opened on first use, closed by save
    private Dataset viewDataset;

    Hdf5JhdfLib(String name, Path dir, NdArray initial) throws IOException {
        super(name, initial);
        this.file = dir.resolve("x.h5");
        this.tmp = dir.resolve("x.h5.tmp");
        save(initial);
    }

    /** {@code getDataFlat()}: the whole dataset into a new {@code float[]}. */
    @Override
    float[] fullLoad() {
        try (HdfFile f = new HdfFile(file)) {
            return (float[]) f.getDatasetByPath(DATASET).getDataFlat();
        }
    }

    @Override
    ByteBuffer bytesOf(Object loaded) {
        float[] v = (float[]) loaded;
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }

    /** Opens the file and the dataset, reads its row count, closes. */
    @Override
    long lazyOpen() {
        try (HdfFile f = new HdfFile(file)) {
            return f.getDatasetByPath(DATASET).getDimensionsAsLong()[0];
        }
    }

    /** One {@code getData(offset, {1, cols})} slice per row. */
    @Override
    void gather(long[] indices, ByteBuffer dst) {
        if (view == null) {
            view = new HdfFile(file);
            viewDataset = view.getDatasetByPath(DATASET);
        }
        int[] sliceDims = {1, viewDataset.getDimensions()[1]};
        long[] offset = new long[2];
        for (long idx : indices) {
            offset[0] = idx;
            float[] row = ((float[][]) viewDataset.getData(offset, sliceDims))[0];
            for (float v : row) {
                dst.putFloat(v);
            }
        }
    }

    /** {@code getData(offset, {n, cols})} per chunk, each row of the {@code float[n][cols]} summed in order. */
    @Override
    double stream(int chunkRows) {
        double acc = 0;
        try (HdfFile f = new HdfFile(file)) {
            Dataset ds = f.getDatasetByPath(DATASET);
            long[] dims = ds.getDimensionsAsLong();
            int cols = Math.toIntExact(dims[1]);
            for (long first = 0; first < dims[0]; first += chunkRows) {
                int n = (int) Math.min(chunkRows, dims[0] - first);
                float[][] chunk = (float[][]) ds.getData(new long[] {first, 0}, new int[] {n, cols});
                for (float[] row : chunk) {
                    acc = sum(acc, row, 0, cols);
                }
            }
        }
        return acc;
    }

    @Override
    float[][] toForm(NdArray whole) {
        return whole.toFloatMatrix();
    }

    /** {@code putDataset("x", float[][])} into a new file, renamed over the old one. */
    @Override
    void write(NdArray whole, float[][] rows) throws IOException {
        closeView();
        Files.deleteIfExists(tmp); // WritableHdfFile opens with CREATE, not TRUNCATE_EXISTING
        try (WritableHdfFile w = HdfFile.write(tmp)) {
            w.putDataset(DATASET, rows);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void closeView() {
        if (view != null) {
            view.close();
        }
        view = null;
        viewDataset = null;
    }

    @Override
    public void close() {
        closeView();
        freePrepared();
    }
}
