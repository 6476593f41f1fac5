package dev.numpack.bench;

import dev.numpack.Durability;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.RowStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** numpack-java through its public API, with the given durability. */
final class NumPackLib extends Lib {
    static final String ARRAY = "x";

    private final NumPack np;
    private final NdArray initial;
    private LazyArray view; // for gather: opened once, on first use (a snapshot of that moment)
    private final boolean reuse;
    private ByteBuffer reused; // "numpack-reuse": the caller's buffer, filled again by every load

    NumPackLib(String name, Path dir, NdArray initial, Durability durability) {
        this(name, dir, initial, durability, false);
    }

    /**
     * @param reuse whether {@link #fullLoad} reads into one buffer the caller keeps ({@code LazyArray.readRows}),
     *     as a training loop reusing its memory does, instead of a new array per load ({@code np.load})
     */
    NumPackLib(String name, Path dir, NdArray initial, Durability durability, boolean reuse) {
        super(name);
        this.reuse = reuse;
        this.initial = initial;
        this.np = NumPack.builder().setPath(dir.resolve("store")).optDurability(durability).build();
        np.save(ARRAY, initial);
    }

    @Override
    ByteBuffer fullLoad() {
        if (!reuse) {
            return np.load(ARRAY).buffer();
        }
        LazyArray v = view();
        long bytes = v.rows() * v.rowBytes();
        if (reused == null || reused.capacity() != bytes) {
            reused = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        }
        v.readRows(0, v.rows(), reused.clear());
        return reused.flip();
    }

    private LazyArray view() {
        if (view == null) {
            view = np.lazy(ARRAY);
        }
        return view;
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
        view().gather(indices, dst);
    }

    @Override
    void save(NdArray whole) {
        closeView();
        np.save(ARRAY, whole);
    }

    /**
     * {@code NumPack.stream}: each chunk is a new array read from the mapping; "numpack-reuse" reads every
     * chunk into one buffer it keeps ({@code LazyArray.readRows}), as a loop that needs no chunk afterwards can.
     */
    @Override
    double stream(int chunkRows) {
        if (reuse) {
            LazyArray v = view();
            ByteBuffer chunk = reused != null && reused.capacity() == chunkRows * v.rowBytes() ? reused
                    : ByteBuffer.allocateDirect(Math.toIntExact(chunkRows * v.rowBytes())).order(ByteOrder.LITTLE_ENDIAN);
            reused = chunk;
            double acc = 0;
            for (long start = 0; start < v.rows(); start += chunkRows) {
                long n = Math.min(chunkRows, v.rows() - start);
                v.readRows(start, n, chunk.clear());
                acc = sum(acc, chunk.flip());
            }
            return acc;
        }
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
