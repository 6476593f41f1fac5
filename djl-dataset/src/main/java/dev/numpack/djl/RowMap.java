package dev.numpack.djl;

/**
 * Maps a dataset index to a logical row of the store's arrays. The whole store is the identity;
 * {@code subDataset} and {@code randomSplit} views compose a range, a seeded permutation or an explicit
 * index list on top of their parent's map, so a view of a view still reads whole batches from the store.
 */
abstract class RowMap {
    /** @return how many dataset indices this map has */
    abstract long size();

    /** @return the store row of dataset index {@code i}, for {@code 0 <= i < size()} */
    abstract long row(long i);

    /**
     * @return which rows these are, in words a position can carry: two maps with the same description
     *     map every index to the same row
     */
    abstract String describe();

    /** @return the identity over {@code rows} rows */
    static RowMap all(long rows) {
        return new RowMap() {
            @Override
            long size() {
                return rows;
            }

            @Override
            long row(long i) {
                return check(i);
            }

            @Override
            String describe() {
                return "all";
            }
        };
    }

    /** @return indices {@code [from, to)} of this map */
    RowMap range(long from, long to) {
        if (from < 0 || to < from || to > size()) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") outside [0, " + size() + ")");
        }
        RowMap parent = this;
        return new RowMap() {
            @Override
            long size() {
                return to - from;
            }

            @Override
            long row(long i) {
                return parent.row(from + check(i));
            }

            @Override
            String describe() {
                return parent.describe() + "[" + from + ":" + to + "]";
            }
        };
    }

    /**
     * @param order a permutation of this map's indices
     * @param tag what {@code order} is, for {@link #describe()} (e.g. its seed)
     * @return this map's indices in the order of {@code order}; take a {@link #range} of it for a part
     */
    RowMap permuted(Permutation order, String tag) {
        if (order.size() != size()) {
            throw new IllegalArgumentException("a permutation of " + order.size() + " for " + size() + " indices");
        }
        RowMap parent = this;
        return new RowMap() {
            @Override
            long size() {
                return parent.size();
            }

            @Override
            long row(long i) {
                return parent.row(order.apply(check(i)));
            }

            @Override
            String describe() {
                return parent.describe() + "{" + tag + "}";
            }
        };
    }

    /** @return the given indices of this map, in the given order (repeats allowed) */
    RowMap pick(long[] indices) {
        for (long i : indices) {
            if (i < 0 || i >= size()) {
                throw new IndexOutOfBoundsException("index " + i + " outside [0, " + size() + ")");
            }
        }
        RowMap parent = this;
        long[] own = indices.clone();
        return new RowMap() {
            @Override
            long size() {
                return own.length;
            }

            @Override
            long row(long i) {
                return parent.row(own[(int) check(i)]);
            }

            @Override
            String describe() {
                return parent.describe() + "<" + own.length + " picked, hash "
                        + Integer.toHexString(java.util.Arrays.hashCode(own)) + ">";
            }
        };
    }

    final long check(long i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("dataset index " + i + " outside [0, " + size() + ")");
        }
        return i;
    }
}
