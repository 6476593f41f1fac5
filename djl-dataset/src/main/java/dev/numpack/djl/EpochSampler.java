package dev.numpack.djl;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The batches of one epoch, as a pure function of (rows, epoch): the order is a seeded permutation
 * ({@link Permutation}) of the rows, or the identity when not shuffled; the worker with rank {@code r}
 * of {@code w} takes the {@code r}-th of {@code w} equal, contiguous pieces of that order
 * ({@link ShardRemainder} says how the pieces are made equal); the piece is cut into batches, the last
 * one shorter or dropped.
 *
 * <p>Nothing is stored per row, so any batch of any epoch is computed directly: resuming at batch
 * {@code k} costs nothing, and more than 2^31 rows work.
 */
final class EpochSampler implements Sampler {
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final int rank;
    private final int worldSize;
    private final ShardRemainder remainder;

    EpochSampler(int batchSize, boolean shuffle, boolean dropLast, long seed, int rank, int worldSize,
            ShardRemainder remainder) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (worldSize <= 0 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("shard rank " + rank + " of world size " + worldSize
                    + ": need 0 <= rank < worldSize");
        }
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
        this.rank = rank;
        this.worldSize = worldSize;
        this.remainder = remainder;
    }

    /** @return a sampler with the same seed and shard, and the given batching */
    EpochSampler with(int newBatchSize, boolean newShuffle, boolean newDropLast) {
        return new EpochSampler(newBatchSize, newShuffle, newDropLast, seed, rank, worldSize, remainder);
    }

    /** {@inheritDoc} */
    @Override
    public int getBatchSize() {
        return batchSize;
    }

    /**
     * Batches of the dataset's current epoch from its current batch, for a {@link NumPackDataset};
     * epoch 0 from the start for another dataset.
     */
    @Override
    public Iterator<List<Long>> sample(RandomAccessDataset dataset) {
        if (dataset instanceof NumPackDataset) {
            DatasetPosition p = ((NumPackDataset) dataset).position();
            return batches(dataset.size(), p.epoch(), p.batch());
        }
        return batches(dataset.size(), 0, 0);
    }

    /** @return rows of each shard in one epoch */
    long shardRows(long rows) {
        if (remainder == ShardRemainder.DROP) {
            return rows / worldSize;
        }
        return (rows + worldSize - 1) / worldSize;
    }

    /** @return batches per epoch for this shard */
    long batchesPerEpoch(long rows) {
        long m = shardRows(rows);
        return dropLast ? m / batchSize : (m + batchSize - 1) / batchSize;
    }

    /**
     * @param rows dataset rows
     * @param epoch the epoch
     * @param fromBatch the first batch to return
     * @return the dataset indices of batches {@code fromBatch..} of {@code epoch}, in batch order
     */
    Iterator<List<Long>> batches(long rows, long epoch, long fromBatch) {
        Permutation order = shuffle ? new Permutation(rows, seed, epoch) : null;
        long shard = shardRows(rows);
        long first = rank * shard; // position in the epoch's order where this shard starts
        long total = batchesPerEpoch(rows);
        return new Iterator<>() {
            private long next = Math.min(fromBatch, total);

            @Override
            public boolean hasNext() {
                return next < total;
            }

            @Override
            public List<Long> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("epoch " + epoch + " has " + total + " batches");
                }
                long start = next * batchSize;
                long end = Math.min(start + batchSize, shard);
                List<Long> indices = new ArrayList<>((int) (end - start));
                for (long j = start; j < end; j++) {
                    long position = (first + j) % rows; // wraps only when PAD pads the last shards
                    indices.add(order == null ? position : order.apply(position));
                }
                next++;
                return indices;
            }
        };
    }

    /**
     * @param rows dataset rows
     * @return what a resumed run must match for positions to name the same rows
     */
    String describe(long rows) {
        return "rows=" + rows + " batch=" + batchSize + (shuffle ? " shuffle seed=" + seed : " in order")
                + (dropLast ? " drop-last" : "") + " shard=" + rank + "/" + worldSize
                + (worldSize > 1 ? " " + remainder.name().toLowerCase(java.util.Locale.ROOT) : "");
    }
}
