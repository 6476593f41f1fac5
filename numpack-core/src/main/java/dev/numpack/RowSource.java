package dev.numpack;

import java.nio.ByteBuffer;

/**
 * Rows to be written, pulled in chunks so that writing a large array (from a {@code .npy} file, another
 * array, a mapping) never holds it whole in memory.
 */
interface RowSource {
    /** @return rows available */
    long rows();

    /** @return bytes per row */
    long rowBytes();

    /**
     * Copies rows into {@code dst} at its position, advancing it.
     *
     * @param first first row
     * @param count rows
     * @param dst destination with room for {@code count * rowBytes()}
     */
    void copy(long first, long count, ByteBuffer dst);

    /**
     * @param first first row
     * @param count rows
     * @return the rows' bytes without a copy, when the source holds them in one buffer; else {@code null}
     */
    default ByteBuffer view(long first, long count) {
        return null;
    }

    /**
     * @param progress told the rows done after each copy (copies run in row order)
     * @return this source, reporting to {@code progress}
     */
    default RowSource withProgress(Progress progress) {
        RowSource src = this;
        return new RowSource() {
            @Override
            public long rows() {
                return src.rows();
            }

            @Override
            public long rowBytes() {
                return src.rowBytes();
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                src.copy(first, count, dst);
                progress.update(first + count, src.rows());
            }
        };
    }

    /**
     * @param a an in-memory array (a 0-d array is one row)
     * @return its rows
     */
    static RowSource of(NdArray a) {
        long rows = a.ndim() == 0 ? 1 : a.rows();
        long rb = a.ndim() == 0 ? a.byteSize() : a.rowBytes();
        ByteBuffer data = a.buffer();
        return new RowSource() {
            @Override
            public long rows() {
                return rows;
            }

            @Override
            public long rowBytes() {
                return rb;
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                int p = dst.position();
                dst.put(p, data, (int) (first * rb), (int) (count * rb));
                dst.position(p + (int) (count * rb));
            }

            @Override
            public ByteBuffer view(long first, long count) {
                return data.slice((int) (first * rb), (int) (count * rb));
            }
        };
    }
}
