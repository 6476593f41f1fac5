package dev.numpack.internal.store;

import java.nio.ByteBuffer;

/**
 * Rows to be written, pulled in chunks so that writing a large array (from a {@code .npy} file, another
 * array, a mapping) never holds it whole in memory.
 */
public interface RowSource {
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

    /** Told the rows done after each copy of a {@link #withProgress} source. */
    @FunctionalInterface
    interface Progress {
        /** @param done rows copied so far @param total rows in all */
        void update(long done, long total);
    }
}
