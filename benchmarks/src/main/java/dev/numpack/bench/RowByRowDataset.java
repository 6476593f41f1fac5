package dev.numpack.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import dev.numpack.LazyArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The baseline a user would write first: a {@link RandomAccessDataset} over a float32 feature array and an
 * int64 label array of a NumPack store, one row per {@link #get} call. Each call gathers the row of each
 * array from its {@link LazyArray} into a new direct little-endian buffer and makes an {@code NDArray} of it.
 * Batches come from DJL's default path ({@code DataIterable}): {@code batchSize} calls to {@code get}, then
 * the stacking batchifier. The caller owns the arrays and closes them.
 */
public final class RowByRowDataset extends RandomAccessDataset {
    private final LazyArray features;
    private final LazyArray labels;
    private final Shape featureShape;
    private final Shape labelShape;

    private RowByRowDataset(Builder b) {
        super(b);
        this.features = Objects.requireNonNull(b.features, "features");
        this.labels = Objects.requireNonNull(b.labels, "labels");
        this.featureShape = rowShape(features);
        this.labelShape = rowShape(labels);
        if (features.rows() != labels.rows()) {
            throw new IllegalArgumentException(features.rows() + " feature rows, " + labels.rows() + " label rows");
        }
    }

    private static Shape rowShape(LazyArray a) {
        long[] s = a.shape();
        return new Shape(Arrays.copyOfRange(s, 1, s.length));
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} One row of each array, without a batch axis. */
    @Override
    public Record get(NDManager manager, long index) {
        NDArray x = row(manager, features, index, featureShape, DataType.FLOAT32);
        NDArray y = row(manager, labels, index, labelShape, DataType.INT64);
        return new Record(new NDList(x), new NDList(y));
    }

    private static NDArray row(NDManager manager, LazyArray a, long index, Shape shape, DataType type) {
        ByteBuffer buf = ByteBuffer.allocateDirect((int) a.rowBytes()).order(ByteOrder.LITTLE_ENDIAN);
        a.gather(new long[] {index}, buf);
        buf.flip();
        return manager.create(buf, shape, type);
    }

    /** {@inheritDoc} */
    @Override
    protected long availableSize() {
        return features.rows();
    }

    /** {@inheritDoc} Nothing to prepare: rows are read when asked for. */
    @Override
    public void prepare(Progress progress) {
        // lazy
    }

    /** Builds a {@link RowByRowDataset}; the inherited {@code setSampling} is required. */
    public static final class Builder extends BaseBuilder<Builder> {
        private LazyArray features;
        private LazyArray labels;

        Builder() {}

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * @param features the float32 feature array
         * @param labels the int64 label array, as many rows
         * @return this builder
         */
        public Builder setArrays(LazyArray features, LazyArray labels) {
            this.features = features;
            this.labels = labels;
            return this;
        }

        /** @return the dataset */
        public RowByRowDataset build() {
            return new RowByRowDataset(this);
        }
    }
}
