package dev.numpack.djl;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The batches of one epoch, as a pure function of (rows, epoch): the order is a seeded permutation
 * ({@link Permutation}) of the rows, or the identity when not shuffled. That order is cut into global
 * steps of {@code worldSize x batchSize} rows (the global batch); in each step the worker with rank
 * {@code r} of {@code w} takes the {@code r}-th of {@code w} consecutive batches. The last, short step's
 * rows are split equally among the workers ({@link ShardRemainder} says how when they don't divide), or
 * dropped with drop-last when they would make a short batch.
 *
 * <p>Why steps and not one contiguous piece of the order per worker: after {@code k} steps the workers
 * together have consumed exactly the first {@code k x globalBatch} rows of the epoch's order, whatever the
 * world size. A position (epoch, step) therefore means the same rows at any world size with the same
 * global batch, which is what lets a run checkpointed with 4 workers resume with 2 or 8 (elastic resume)
 * and still see every row of the epoch once. The description positions carry ({@link #describe}) names the
 * global batch and not the rank or world size for that reason.
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

    /** @return rows of one global step: every worker's batch */
    long globalBatch() {
        return (long) batchSize * worldSize;
    }

    /**
     * @param rows dataset rows
     * @param epoch the epoch
     * @param fromBatch the first batch to return
     * @return the dataset indices of batches {@code fromBatch..} of {@code epoch}, in batch order
     */
    Iterator<List<Long>> batches(long rows, long epoch, long fromBatch) {
        Permutation order = shuffle ? new Permutation(rows, seed, epoch) : null;
        long global = globalBatch();
        long fullSteps = rows / global;
        long tail = rows - fullSteps * global; // rows of the last, short step
        long tailEach = remainder == ShardRemainder.DROP ? tail / worldSize : (tail + worldSize - 1) / worldSize;
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
                long size = next < fullSteps ? batchSize : tailEach;
                long first = next * global + rank * size; // where this batch starts in the epoch's order
                List<Long> indices = new ArrayList<>((int) size);
                for (long j = 0; j < size; j++) {
                    long position = (first + j) % rows; // wraps only when PAD pads the last step
                    indices.add(order == null ? position : order.apply(position));
                }
                next++;
                return indices;
            }
        };
    }

    /**
     * What a resumed run must match for positions to name the same rows: the rows, the global batch, the
     * order (shuffle and seed) and drop-last. Not the rank, world size or remainder: step {@code k} has
     * consumed the first {@code k x globalBatch} rows of the order at any world size (see the class
     * comment), so a position from one world size is valid at another with the same global batch.
     *
     * @param rows dataset rows
     * @return the description
     */
    String describe(long rows) {
        return "rows=" + rows + " global-batch=" + globalBatch() + order() + (dropLast ? " drop-last" : "");
    }

    /**
     * The description positions carried before global steps, which named the rank: for one worker the
     * batches were the same as now, so a position saved by such a run still resumes exactly.
     *
     * @param rows dataset rows
     * @return the former description of a single worker with this sampler's global batch
     */
    String describeSingleWorkerV0(long rows) {
        return "rows=" + rows + " batch=" + globalBatch() + order() + (dropLast ? " drop-last" : "") + " shard=0/1";
    }

    private String order() {
        return shuffle ? " shuffle seed=" + seed : " in order";
    }
}
