package dev.numpack.model;

import dev.numpack.DType;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/** The observable state of one array: dtype, logical shape, deleted-row count and logical bytes. */
public final class Snap {
    final DType dtype;
    final long[] shape;
    final long deletedRows;
    final byte[] bytes;

    /**
     * @param dtype dtype
     * @param shape logical shape
     * @param deletedRows rows deleted but not compacted
     * @param bytes logical content
     */
    public Snap(DType dtype, long[] shape, long deletedRows, byte[] bytes) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.deletedRows = deletedRows;
        this.bytes = bytes;
    }

    /** @return whether dtype, shape and deleted rows equal {@code o}'s (content aside) */
    public boolean sameStructure(Snap o) {
        return dtype == o.dtype && Arrays.equals(shape, o.shape) && deletedRows == o.deletedRows;
    }

    /**
     * @return whether this is {@code o} with rows appended: the same dtype, row shape and deletions, at least
     *     as many rows
     */
    public boolean grownFrom(Snap o) {
        return dtype == o.dtype && shape.length == o.shape.length && shape.length > 0 && shape[0] >= o.shape[0]
                && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), Arrays.copyOfRange(o.shape, 1, o.shape.length))
                && deletedRows == o.deletedRows;
    }

    /**
     * @return whether this is {@code o} after a logical delete: the same dtype, row shape and physical rows,
     *     more of them deleted
     */
    public boolean deletedMoreOf(Snap o) {
        return dtype == o.dtype && shape.length == o.shape.length && shape.length > 0 && deletedRows > o.deletedRows
                && shape[0] + deletedRows == o.shape[0] + o.deletedRows
                && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), Arrays.copyOfRange(o.shape, 1, o.shape.length));
    }

    /** @return the bytes of logical row {@code r} (the whole content for a 0-d array) */
    public byte[] row(int r) {
        if (shape.length == 0 || shape[0] == 0) {
            return bytes;
        }
        int rowBytes = (int) (bytes.length / shape[0]);
        return Arrays.copyOfRange(bytes, r * rowBytes, (r + 1) * rowBytes);
    }

    /** @return logical rows (1 for a 0-d array) */
    public int rows() {
        return shape.length == 0 ? 1 : (int) shape[0];
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Snap)) {
            return false;
        }
        Snap s = (Snap) o;
        return dtype == s.dtype && Arrays.equals(shape, s.shape) && deletedRows == s.deletedRows
                && Arrays.equals(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), deletedRows, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return dtype.numpyName() + Arrays.toString(shape) + (deletedRows > 0 ? " (" + deletedRows + " deleted)" : "")
                + " #" + Integer.toHexString(Arrays.hashCode(bytes));
    }

    /**
     * @param actual a store's state
     * @param expected a model state
     * @return a description of the first difference, or {@code null} if equal
     */
    public static String diff(Map<String, Snap> actual, Map<String, Snap> expected) {
        if (!actual.keySet().equals(expected.keySet())) {
            return "names " + actual.keySet() + " != " + expected.keySet();
        }
        for (Map.Entry<String, Snap> e : expected.entrySet()) {
            Snap a = actual.get(e.getKey());
            if (!a.equals(e.getValue())) {
                return "array " + e.getKey() + ": store " + a + " != model " + e.getValue()
                        + firstByteDiff(a.bytes, e.getValue().bytes);
            }
        }
        return null;
    }

    /**
     * @param state a store or model state
     * @return a SHA-256 digest of everything observable in it
     */
    public static String digest(Map<String, Snap> state) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64);
            for (Map.Entry<String, Snap> e : state.entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                Snap s = e.getValue();
                b.clear();
                b.putInt(0).putInt(s.dtype.code()).putInt(s.shape.length).putLong(s.deletedRows).putInt(s.bytes.length);
                md.update(b.array(), 0, b.position());
                for (long d : s.shape) {
                    b.clear();
                    b.putLong(d);
                    md.update(b.array(), 0, 8);
                }
                md.update(s.bytes);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** @param state a state @return its names, dtypes, shapes and deleted counts */
    public static String summary(Map<String, Snap> state) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Snap> e : state.entrySet()) {
            sb.append(sb.length() > 1 ? ", " : "").append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.append('}').toString();
    }

    private static String firstByteDiff(byte[] a, byte[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return " (first differing byte " + i + ": " + a[i] + " vs " + b[i] + ")";
            }
        }
        return a.length == b.length ? "" : " (lengths " + a.length + " vs " + b.length + ")";
    }
}
