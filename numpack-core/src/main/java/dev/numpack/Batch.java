package dev.numpack;

import dev.numpack.format.DType;
import dev.numpack.storage.StoreLayout;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Batch mode: arrays are loaded once into memory, changed there, and written back in one atomic commit
 * when the batch closes. Either every change of the batch is committed or none is; shape and dtype
 * changes are allowed. Call {@link #abort()} to discard the batch instead (or use
 * {@link NumPack#batch(java.util.function.Consumer)}, which aborts when the work throws).
 *
 * <pre>{@code
 * try (Batch b = np.batch()) {
 *     for (int i = 0; i < 100; i++) {
 *         NdArray x = b.load("x");
 *         b.save("x", scale(x, 1.1f));   // cached, not yet written
 *     }
 * }                                       // one commit here
 * }</pre>
 *
 * <p>Not thread-safe: use a batch from one thread.
 */
public final class Batch implements AutoCloseable {
    private final NumPack store;
    private final Map<String, NdArray> cache = new LinkedHashMap<>();
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> dropped = new HashSet<>();
    private boolean aborted;
    private boolean closed;

    Batch(NumPack store) {
        this.store = store;
        store.beginBatch(this);
    }

    /** @param name array @return the array as this batch sees it (cached after the first load) */
    public NdArray load(String name) {
        ensureOpen();
        NdArray a = cache.get(name);
        if (a == null) {
            if (dropped.contains(name)) {
                throw new ArrayNotFoundException(store.path(), name);
            }
            a = store.load(name);
            cache.put(name, a);
        }
        return a;
    }

    /** @param name array @param array its new content (any dtype and shape) */
    public void save(String name, NdArray array) {
        ensureOpen();
        StoreLayout.checkName(store.path(), name);
        cache.put(name, array);
        dirty.add(name);
        dropped.remove(name);
    }

    /** @param name array @param rows rows to append (same dtype and row shape) */
    public void append(String name, NdArray rows) {
        NdArray a = load(name);
        checkRowShape(name, a, rows);
        long[] shape = a.shape();
        shape[0] += rows.rows();
        ByteBuffer b = NdArray.allocate(a.byteSize() + rows.byteSize());
        b.put(a.buffer()).put(rows.buffer()).clear();
        save(name, NdArray.adopt(a.dtype(), shape, b));
    }

    /**
     * @param name array
     * @param rows new rows, one per index
     * @param indices row indices (negative count from the end)
     */
    public void replace(String name, NdArray rows, long... indices) {
        NdArray a = load(name);
        checkRowShape(name, a, rows);
        if (rows.rows() != indices.length) {
            throw new InvalidArgumentException(store.path(), name, indices.length + " indices for " + rows.rows() + " rows");
        }
        ByteBuffer b = NdArray.allocate(a.byteSize());
        b.put(a.buffer()).clear();
        int rb = (int) a.rowBytes();
        ByteBuffer src = rows.buffer();
        for (int i = 0; i < indices.length; i++) {
            long r = index(name, a, indices[i]);
            b.put((int) r * rb, src, i * rb, rb);
        }
        save(name, NdArray.adopt(a.dtype(), a.shape(), b));
    }

    /** @param name array @param indices rows to remove (negative count from the end) */
    public void delete(String name, long... indices) {
        NdArray a = load(name);
        Set<Long> gone = new HashSet<>();
        for (long i : indices) {
            gone.add(index(name, a, i));
        }
        long[] shape = a.shape();
        shape[0] -= gone.size();
        int rb = (int) a.rowBytes();
        ByteBuffer b = NdArray.allocate(NdArray.byteSize(a.dtype(), shape));
        ByteBuffer src = a.buffer();
        for (long r = 0; r < a.rows(); r++) {
            if (!gone.contains(r)) {
                b.put(b.position(), src, (int) r * rb, rb);
                b.position(b.position() + rb);
            }
        }
        save(name, NdArray.adopt(a.dtype(), shape, b.clear()));
    }

    /** @param name array to remove when the batch commits */
    public void drop(String name) {
        ensureOpen();
        if (!contains(name)) {
            throw new ArrayNotFoundException(store.path(), name);
        }
        cache.remove(name);
        dirty.remove(name);
        dropped.add(name);
    }

    /** @param name array @return whether it exists as this batch sees it */
    public boolean contains(String name) {
        ensureOpen();
        return cache.containsKey(name) || (!dropped.contains(name) && store.contains(name));
    }

    /** @return the array names as this batch sees them */
    public Set<String> names() {
        ensureOpen();
        Set<String> s = new TreeSet<>(store.names());
        s.removeAll(dropped);
        s.addAll(cache.keySet());
        return s;
    }

    /** @param name array @return its shape as this batch sees it */
    public long[] shape(String name) {
        NdArray a = cache.get(name);
        return a != null ? a.shape() : store.shape(notDropped(name));
    }

    private String notDropped(String name) {
        ensureOpen();
        if (dropped.contains(name)) {
            throw new ArrayNotFoundException(store.path(), name);
        }
        return name;
    }

    /** @param name array @return its dtype as this batch sees it */
    public DType dtype(String name) {
        NdArray a = cache.get(name);
        return a != null ? a.dtype() : store.dtype(notDropped(name));
    }

    /** Discards every change of this batch; close then commits nothing. */
    public void abort() {
        aborted = true;
    }

    /** Commits every change of the batch in one atomic commit (unless aborted) and ends the batch. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!aborted && (!dirty.isEmpty() || !dropped.isEmpty())) {
                store.mutateAs(this, c -> {
                    for (String n : dropped) {
                        if (c.current(n) != null) {
                            c.drop(n);
                        }
                    }
                    for (String n : dirty) {
                        NdArray a = cache.get(n);
                        c.save(n, a.dtype(), a.shape(), RowSource.of(a));
                    }
                });
            }
        } finally {
            store.endBatch(this);
        }
    }

    private long index(String name, NdArray a, long idx) {
        long i = idx < 0 ? idx + a.rows() : idx;
        if (i < 0 || i >= a.rows()) {
            throw new InvalidArgumentException(store.path(), name, "row " + idx + " out of range for " + a.rows() + " rows");
        }
        return i;
    }

    private void checkRowShape(String name, NdArray a, NdArray rows) {
        long[] s = a.shape();
        long[] r = rows.shape();
        boolean ok = a.dtype() == rows.dtype() && s.length == r.length && s.length > 0;
        for (int i = 1; ok && i < s.length; i++) {
            ok = s[i] == r[i];
        }
        if (!ok) {
            throw new InvalidArgumentException(store.path(), name, "rows of " + rows + " do not fit " + a);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new AlreadyClosedException(store.path(), null, "batch");
        }
        store.ensureOpen();
    }
}
