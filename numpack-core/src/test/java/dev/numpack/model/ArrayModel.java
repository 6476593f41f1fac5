package dev.numpack.model;

import dev.numpack.NdArray;
import dev.numpack.DType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The in-memory model of one stored array: dtype, row shape, the physical rows of its current data file
 * "generation" and which of them are logically deleted.
 *
 * <p>A {@link Generation} stands for one set of data files: {@code replace} overwrites rows of the current
 * generation in place (so lazy views of it see the new rows), {@code append} adds physical rows to it,
 * {@code delete} only marks rows; {@code save}, {@code compact} (with deletions), {@code cloneArray} and
 * batch commits make a new generation, as the store writes new files for them, except a batch commit that
 * changed few rows of an array it kept the shape of ({@link #committedByBatch}).
 */
public final class ArrayModel {
    /** The physical rows of one set of data files; shared with the lazy views opened on it. */
    public static final class Generation {
        final List<byte[]> phys;

        Generation(List<byte[]> phys) {
            this.phys = phys;
        }

        /** @param p physical row @return its bytes (as the files hold them now) */
        public byte[] row(int p) {
            return phys.get(p);
        }
    }

    final DType dtype;
    /** Trailing dimensions; {@code null} for a 0-d array (stored as one physical row). */
    final long[] rowShape;
    Generation gen;
    BitSet deleted = new BitSet();

    ArrayModel(DType dtype, long[] rowShape, List<byte[]> rows) {
        this.dtype = dtype;
        this.rowShape = rowShape == null ? null : rowShape.clone();
        this.gen = new Generation(rows);
    }

    /** @param a an array as saved @return its model */
    public static ArrayModel of(NdArray a) {
        byte[] all = bytes(a);
        long[] shape = a.shape();
        if (shape.length == 0) {
            List<byte[]> one = new ArrayList<>();
            one.add(all);
            return new ArrayModel(a.dtype(), null, one);
        }
        long[] rs = Arrays.copyOfRange(shape, 1, shape.length);
        int rb = (int) a.rowBytes();
        List<byte[]> rows = new ArrayList<>();
        for (int i = 0; i < shape[0]; i++) {
            rows.add(Arrays.copyOfRange(all, i * rb, i * rb + rb));
        }
        return new ArrayModel(a.dtype(), rs, rows);
    }

    /** @param a an array @return its bytes */
    public static byte[] bytes(NdArray a) {
        ByteBuffer b = a.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** @return the dtype */
    public DType dtype() {
        return dtype;
    }

    /** @return whether this is a 0-d array */
    public boolean zeroD() {
        return rowShape == null;
    }

    /** @return a copy of the row shape ({@code null} for 0-d) */
    public long[] rowShape() {
        return rowShape == null ? null : rowShape.clone();
    }

    /** @return bytes per row */
    public int rowBytes() {
        long n = dtype.itemSize();
        if (rowShape != null) {
            for (long d : rowShape) {
                n *= d;
            }
        }
        return (int) n;
    }

    /** @return physical rows */
    public int physicalRows() {
        return gen.phys.size();
    }

    /** @return live rows */
    public int liveRows() {
        return physicalRows() - deleted.cardinality();
    }

    /** @return logically deleted rows not yet compacted */
    public int deletedRows() {
        return deleted.cardinality();
    }

    /** @return whether the store holds a deletion bitmap for it */
    public boolean hasDeleted() {
        return !deleted.isEmpty();
    }

    /** @return the current generation */
    public Generation generation() {
        return gen;
    }

    /** @return the logical shape */
    public long[] shape() {
        return withRows(liveRows());
    }

    /** @return the physical shape */
    public long[] physicalShape() {
        return withRows(physicalRows());
    }

    /** @param n rows @return the shape with {@code n} rows */
    public long[] withRows(long n) {
        if (rowShape == null) {
            return new long[0];
        }
        long[] s = new long[rowShape.length + 1];
        s[0] = n;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }

    /** @return the physical indices of the live rows, in order */
    public int[] livePhysical() {
        int[] out = new int[liveRows()];
        int k = 0;
        for (int p = 0; p < physicalRows(); p++) {
            if (!deleted.get(p)) {
                out[k++] = p;
            }
        }
        return out;
    }

    /** @param logical a live-row index, 0 &lt;= logical &lt; liveRows @return its physical row */
    public int physical(int logical) {
        return livePhysical()[logical];
    }

    /** @param idx a logical index, negative from the end @return it normalized, or -1 if out of range */
    public int normalize(long idx) {
        long n = liveRows();
        long i = idx < 0 ? idx + n : idx;
        return i < 0 || i >= n ? -1 : (int) i;
    }

    /** @return the live rows */
    public List<byte[]> logicalRows() {
        List<byte[]> out = new ArrayList<>();
        for (int p : livePhysical()) {
            out.add(gen.phys.get(p));
        }
        return out;
    }

    /** @param logical live-row index @return the row */
    public byte[] row(int logical) {
        return gen.phys.get(physical(logical));
    }

    /** @return the live rows concatenated */
    public byte[] logicalBytes() {
        return concat(logicalRows(), rowBytes());
    }

    /** @return the array as {@code load} must return it */
    public NdArray load() {
        return NdArray.copyOf(dtype, shape(), ByteBuffer.wrap(logicalBytes()));
    }

    /** @param rows rows to append, of this dtype and row shape */
    public void append(NdArray rows) {
        appendRows(OpFactory.split(rows));
    }

    /** @param rows rows to append (already of this dtype and row shape) */
    void appendRows(List<byte[]> rows) {
        gen.phys.addAll(rows);
    }

    /** @return a new generation holding the live rows, nothing deleted (what save/compact/clone write) */
    public ArrayModel rewritten() {
        return new ArrayModel(dtype, rowShape, new ArrayList<>(logicalRows()));
    }

    /**
     * The array after a batch commits {@code now} over this committed array, as the store does: when the
     * dtype and shape are kept, nothing is deleted and at most a quarter of the rows (and 64 MiB) changed,
     * the changed rows are written into this generation in place (lazy views see them); otherwise the batch
     * writes a new generation.
     *
     * @param now the array as the batch holds it
     * @return this model, changed in place, or a new one
     */
    public ArrayModel committedByBatch(ArrayModel now) {
        List<byte[]> rows = now.logicalRows();
        if (rowShape != null && now.rowShape != null && dtype == now.dtype && Arrays.equals(rowShape, now.rowShape)
                && deleted.isEmpty() && gen.phys.size() == rows.size() && rowBytes() > 0 && !rows.isEmpty()) {
            List<Integer> changed = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (!Arrays.equals(gen.phys.get(i), rows.get(i))) {
                    changed.add(i);
                }
            }
            // the store's budget is 64 MiB per commit, 64 bytes a row counted beyond its bytes; the model's arrays
            // are far too small for it to bind across arrays
            if (changed.size() <= Math.min(rows.size() / 4, (64L << 20) / (rowBytes() + 64))) {
                for (int i : changed) {
                    gen.phys.set(i, rows.get(i).clone());
                }
                return this;
            }
        }
        return now.rewritten();
    }

    /** @return an independent deep copy (for remembering a state) */
    public ArrayModel deepCopy() {
        ArrayModel m = new ArrayModel(dtype, rowShape, new ArrayList<>(gen.phys));
        m.deleted = (BitSet) deleted.clone();
        return m;
    }

    /** @param rows rows @param rowBytes bytes each @return them concatenated */
    public static byte[] concat(List<byte[]> rows, int rowBytes) {
        byte[] out = new byte[rows.size() * rowBytes];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, out, i * rowBytes, rowBytes);
        }
        return out;
    }

    @Override
    public String toString() {
        return dtype.numpyName() + Arrays.toString(shape()) + (hasDeleted() ? " (" + deletedRows() + " deleted)" : "");
    }
}
