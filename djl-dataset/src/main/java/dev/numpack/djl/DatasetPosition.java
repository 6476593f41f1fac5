package dev.numpack.djl;

import java.util.Objects;

/**
 * Where a {@link NumPackDataset} is in its stream of batches: the next batch it will deliver is batch
 * {@code batch} (0-based) of epoch {@code epoch}.
 *
 * <p>Save it with a checkpoint and hand it back to {@link NumPackDataset#seek(DatasetPosition)} (or
 * {@link NumPackDataset.Builder#optStartPosition(DatasetPosition)}) in a new run: the resumed run then
 * sees exactly the batches the uninterrupted run would have seen. {@code sampling} describes the sampling
 * that produced the position (rows, global batch, shuffle seed, drop-last); resuming under a different
 * sampling is refused, because the same (epoch, batch) would then name other rows. It is {@code null} for
 * a position made by hand with {@link #of(long, long)}, which is not checked.
 *
 * <p>The position is global: with data-parallel workers ({@code optShard(rank, worldSize)}) {@code batch} is
 * the step all workers are at, and the rows of epoch {@code epoch}'s order consumed so far, by all of them
 * together, are the first {@code batch x globalBatchSize} ({@link NumPackDataset#globalBatchSize()}). The
 * rank and world size are not part of it, so a run with another world size and the same global batch
 * resumes from it (elastic resume, see {@link NumPackDataset}).
 *
 * @param epoch the epoch, from 0
 * @param batch the next batch within the epoch, from 0
 * @param sampling the sampling this position belongs to, or {@code null} to skip the check
 */
public record DatasetPosition(long epoch, long batch, String sampling) {
    /** The start of the first epoch. */
    public static final DatasetPosition START = new DatasetPosition(0, 0, null);

    /**
     * @throws IllegalArgumentException if {@code epoch} or {@code batch} is negative
     */
    public DatasetPosition {
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("negative position: epoch " + epoch + ", batch " + batch);
        }
    }

    /**
     * @param epoch the epoch, from 0
     * @param batch the next batch within the epoch, from 0
     * @return a position that resumes under any sampling
     */
    public static DatasetPosition of(long epoch, long batch) {
        return new DatasetPosition(epoch, batch, null);
    }

    /** @return whether a dataset with the given sampling description may resume from here */
    boolean fits(String otherSampling) {
        return sampling == null || Objects.equals(sampling, otherSampling);
    }
}
