package dev.numpack.bench;

import dev.numpack.Durability;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.RowStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** numpack-java through its public API, with the given durability. */
final class NumPackLib extends Lib {
    static final String ARRAY = "x";

    private final NumPack np;
    private final NdArray initial;
    private LazyArray view; // for gather: opened once, on first use (a snapshot of that moment)

    NumPackLib(String name, Path dir, NdArray initial, Durability durability) {
        super(name);
        this.initial = initial;
        this.np = NumPack.builder().setPath(dir.resolve("store")).optDurability(durability).build();
        np.save(ARRAY, initial);
    }

    @Override
    ByteBuffer fullLoad() {
        return np.load(ARRAY).buffer();
    }

    @Override
    long lazyOpen() {
        try (LazyArray a = np.lazy(ARRAY)) {
            return a.rows();
        }
    }

    @Override
    void replace(long[] indices, NdArray rows) {
        np.replace(ARRAY, rows, indices);
    }

    @Override
    void append(NdArray rows) {
        np.append(ARRAY, rows);
    }

    @Override
    void truncateToInitial() {
        closeView();
        np.save(ARRAY, initial);
    }

    @Override
    void gather(long[] indices, ByteBuffer dst) {
        if (view == null) {
            view = np.lazy(ARRAY);
        }
        view.gather(indices, dst);
    }

    @Override
    void save(NdArray whole) {
        closeView();
        np.save(ARRAY, whole);
    }

    /** {@code NumPack.stream}: each chunk is a new array read from the mapping. */
    @Override
    double stream(int chunkRows) {
        double acc = 0;
        try (RowStream s = np.stream(ARRAY, chunkRows)) {
            for (NdArray chunk : s) {
                acc = sum(acc, chunk.buffer());
            }
        }
        return acc;
    }

    private void closeView() {
        if (view != null) {
            view.close();
            view = null;
        }
    }

    @Override
    public void close() {
        closeView();
        np.close();
    }
}
