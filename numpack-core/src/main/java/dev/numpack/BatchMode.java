package dev.numpack;

import dev.numpack.internal.RowChecks;

import dev.numpack.internal.store.CommitRunner;
import dev.numpack.internal.store.StoreLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Batch mode: arrays are loaded once into memory, changed there, and written back in one atomic commit
 * when the batch closes. Either every change of the batch is committed or none is; shape and dtype
 * changes are allowed. An array saved with its dtype and shape unchanged commits only the rows that differ
 * from the file (in place, redo-logged, as {@link NumPack#replace}) when they are at most a quarter of it
 * and fit the commit's 64 MiB budget for such rows; otherwise, and for any other change, the array is
 * written to a new file. {@link #delete} is a logical delete, as {@link NumPack#delete}: an array the batch
 * only deletes rows from gets them marked in its deletion bitmap. {@link #edit} changes an array in place,
 * with no copy per change. Call {@link #abort()} to discard the batch instead (or use
 * {@link NumPack#batchMode(java.util.function.Consumer)}, which aborts when the work throws).
 *
 * <pre>{@code
 * try (BatchMode b = np.batchMode()) {
 *     for (int i = 0; i < 100; i++) {
 *         NdArray x = b.load("x");
 *         b.save("x", scale(x, 1.1f));   // cached, not yet written
 *     }
 * }                                       // one commit here
 * }</pre>
 *
 * <p>Not thread-safe: use a batch from one thread.
 */
public final class BatchMode implements AutoCloseable {
    private final NumPack store;
    private final CommitRunner commits;
    private final Map<String, NdArray> cache = new LinkedHashMap<>();
    private final Set<String> dirty = new HashSet<>();
    private final Map<String, ByteBuffer> edits = new HashMap<>(); // the batch's own writable copies
    private final Set<String> dropped = new HashSet<>();
    /**
     * Rows deleted by this batch, as logical rows of the committed array, for arrays the batch does not
     * rewrite: committed as {@link NumPack#delete} commits them (the deletion bitmap), not as a new file.
     */
    private final Map<String, TreeSet<Long>> deletions = new HashMap<>();
    private boolean aborted;
    private boolean closed;

    BatchMode(NumPack store) {
        this.store = store;
        this.commits = store.writer();
        commits.beginBatch(this);
    }

    /**
     * Reads an array into memory (once; later calls return the cached array). An array that fits the 2 GiB
     * limit but not the JVM's free memory fails with the JVM's {@link OutOfMemoryError}, naming the array and
     * the bytes it needs.
     *
     * @param name array
     * @return the array as this batch sees it (cached after the first load; while an {@link #edit} copy of it
     *     is in use, a copy of that, so that the array returned stays a value)
     * @throws ArrayNotFoundException if there is no such array (or the batch dropped it)
     * @throws InvalidArgumentException naming the store, the array and the bytes needed, if the array is
     *     more than the 2 GiB an {@link NdArray} holds
     */
    public NdArray load(String name) {
        NdArray a = cached(name);
        return edits.containsKey(name) ? NdArray.copyOf(a.dtype(), a.shape(), a.buffer()) : a;
    }

    /** @return the batch's array for {@code name} (its edit copy, when there is one), no copy made */
    private NdArray cached(String name) {
        ensureOpen();
        NdArray a = cache.get(name);
        if (a == null) {
            if (dropped.contains(name)) {
                throw new ArrayNotFoundException(store.path(), name);
            }
            a = store.load(name);
            TreeSet<Long> gone = deletions.get(name);
            if (gone != null && !gone.isEmpty()) {
                a = withoutRows(name, a, gone);
            }
            cache.put(name, a);
        }
        return a;
    }

    /**
     * The array's bytes in this batch, writable, for changing it in place without a copy per change: the
     * batch copies the array once, on the first call, and later calls return views of the same memory until
     * the name is saved, appended to, replaced, deleted from or dropped. Changes are committed with the batch
     * (or discarded by {@link #abort()}). {@link #load} of this name meanwhile returns a copy (an
     * {@code NdArray} is a value), so use this buffer, not {@code load}, in a loop of changes.
     *
     * <pre>{@code
     * try (BatchMode b = np.batchMode()) {
     *     for (int k = 0; k < 100; k++) {
     *         FloatBuffer x = b.edit("x").asFloatBuffer();
     *         for (int i = 0; i < 40; i++) x.put(i, x.get(i) * 1.1f);   // the first 10 rows of 4 floats
     *     }
     * }
     * }</pre>
     *
     * @param name array
     * @return a writable little-endian buffer of the whole array (C order), position 0
     * @throws InvalidArgumentException if the array is larger than one buffer holds (2 GiB)
     */
    public ByteBuffer edit(String name) {
        ensureOpen();
        ByteBuffer w = edits.get(name);
        if (w == null) {
            NdArray a = cached(name);
            if (a.byteSize() > Integer.MAX_VALUE - 8) {
                throw new InvalidArgumentException(store.path(), name, a.byteSize()
                        + " bytes: more than one buffer holds (2 GiB); use a writable batch");
            }
            w = allocate(name, a.dtype(), a.shape());
            w.put(a.buffer()).clear();
            cache.put(name, NdArray.adopt(a.dtype(), a.shape(), w));
            dirty.add(name);
            deletions.remove(name); // written whole now, without the rows deleted before
            edits.put(name, w);
        }
        return w.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** @param name array @param array its new content (any dtype and shape) */
    public void save(String name, NdArray array) {
        ensureOpen();
        StoreLayout.checkName(store.path(), name);
        edits.remove(name);
        cache.put(name, array);
        dirty.add(name);
        dropped.remove(name);
        deletions.remove(name); // the new content is written whole
    }

    /** @param name array @param rows rows to append (same dtype and row shape) */
    public void append(String name, NdArray rows) {
        NdArray a = cached(name);
        checkRowShape(name, a, rows);
        long[] shape = RowChecks.appended(store.path(), name, a.dtype().itemSize(), a.dtype().numpyName(), a.shape(), rows.rows());
        ByteBuffer b = allocate(name, a.dtype(), shape);
        b.put(a.buffer()).put(rows.buffer()).clear();
        save(name, NdArray.adopt(a.dtype(), shape, b));
    }

    /**
     * @param name array
     * @param rows new rows, one per index
     * @param indices row indices (negative count from the end)
     */
    public void replace(String name, NdArray rows, long... indices) {
        NdArray a = cached(name);
        checkRowShape(name, a, rows);
        RowChecks.onePerIndex(store.path(), name, indices.length, rows.rows(), "rows");
        ByteBuffer b = allocate(name, a.dtype(), a.shape());
        b.put(a.buffer()).clear();
        int rb = (int) a.rowBytes();
        ByteBuffer src = rows.buffer();
        for (int i = 0; i < indices.length; i++) {
            long r = index(name, a, indices[i]);
            b.put((int) r * rb, src, i * rb, rb);
        }
        save(name, NdArray.adopt(a.dtype(), a.shape(), b));
    }

    /**
     * Deletes rows logically, as {@link NumPack#delete}: later indices of this batch skip them. An array the
     * batch does not otherwise change gets them marked deleted when the batch commits (the deletion bitmap;
     * {@link NumPack#compact} removes them), exactly as {@code NumPack.delete} would; an array the batch
     * writes anyway (saved, appended to, replaced or edited in it) is written without them.
     *
     * @param name array
     * @param indices logical rows as this batch sees the array (negative count from the end; repeats are
     *     ignored)
     * @throws ArrayNotFoundException if there is no such array (or the batch dropped it)
     * @throws InvalidArgumentException if an index is out of range, or the array is 0-d
     */
    public void delete(String name, long... indices) {
        ensureOpen();
        if (dirty.contains(name)) {
            NdArray a = cached(name);
            Set<Long> gone = new HashSet<>();
            for (long i : indices) {
                gone.add(index(name, a, i));
            }
            save(name, withoutRows(name, a, gone));
            return;
        }
        long[] committed = store.shape(notDropped(name));
        if (committed.length == 0) {
            throw new InvalidArgumentException(store.path(), name, "a 0-d array has no rows to delete");
        }
        TreeSet<Long> gone = deletions.getOrDefault(name, new TreeSet<>());
        long[] rows = new long[indices.length];
        for (int i = 0; i < indices.length; i++) { // every index is checked before any is recorded
            rows[i] = committedRow(gone, RowChecks.index(store.path(), name, indices[i], committed[0] - gone.size()));
        }
        for (long r : rows) {
            gone.add(r);
        }
        deletions.put(name, gone);
        cache.remove(name); // a read copy without these rows is made on the next load
    }

    /** @return the committed logical row that is row {@code row} of the batch's view, which skips {@code gone} */
    private static long committedRow(TreeSet<Long> gone, long row) {
        long r = row;
        for (long g : gone) { // ascending: each deleted row at or before the candidate shifts it by one
            if (g <= r) {
                r++;
            } else {
                break;
            }
        }
        return r;
    }

    /** @return a copy of {@code a} without the rows in {@code gone} (indices of {@code a}) */
    private NdArray withoutRows(String name, NdArray a, Set<Long> gone) {
        long[] shape = a.shape();
        shape[0] -= gone.size();
        int rb = (int) a.rowBytes();
        ByteBuffer b = allocate(name, a.dtype(), shape);
        ByteBuffer src = a.buffer();
        for (long r = 0; r < a.rows(); r++) {
            if (!gone.contains(r)) {
                b.put(b.position(), src, (int) r * rb, rb);
                b.position(b.position() + rb);
            }
        }
        return NdArray.adopt(a.dtype(), shape, b.clear());
    }

    /**
     * Removes arrays when the batch commits, as {@link NumPack#drop}: every name must exist as this batch
     * sees it, or nothing is dropped.
     *
     * @param names arrays
     * @throws ArrayNotFoundException naming the first that does not exist
     */
    public void drop(String... names) {
        ensureOpen();
        for (String name : names) {
            if (!contains(name)) {
                throw new ArrayNotFoundException(store.path(), name);
            }
        }
        for (String name : names) {
            cache.remove(name);
            edits.remove(name);
            dirty.remove(name);
            deletions.remove(name);
            dropped.add(name);
        }
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
        if (a != null) {
            return a.shape();
        }
        long[] s = store.shape(notDropped(name));
        TreeSet<Long> gone = deletions.get(name);
        if (gone != null && s.length > 0) {
            s[0] -= gone.size();
        }
        return s;
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
            if (!aborted && (!dirty.isEmpty() || !dropped.isEmpty() || !deletions.isEmpty())) {
                commits.run(this, c -> {
                    for (Map.Entry<String, TreeSet<Long>> d : deletions.entrySet()) {
                        if (!d.getValue().isEmpty()) { // not dirty, not dropped: save and drop clear the entry
                            store.stageDelete(c, d.getKey(), d.getValue().stream().mapToLong(Long::longValue).toArray());
                        }
                    }
                    for (String n : dropped) {
                        if (c.current(n) != null) {
                            c.drop(n);
                        }
                    }
                    for (String n : dirty) {
                        NdArray a = cache.get(n);
                        commits.stageBatchSave(c, n, a.dtype(), a.shape(), a.rowSource(store.path(), n));
                    }
                });
            }
        } finally {
            commits.endBatch(this);
        }
    }

    /** @return a buffer for array {@code name} in that shape, refused with this store and the array named */
    private ByteBuffer allocate(String name, DType dtype, long[] shape) {
        return NdArray.allocateToOverwrite(store.path(), name, dtype, shape); // every caller fills it whole
    }

    private long index(String name, NdArray a, long idx) {
        return RowChecks.index(store.path(), name, idx, a.rows());
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
