package dev.numpack.djl;

/**
 * What sharding does with the rows left over when the row count is not a multiple of the world size,
 * so that every worker gets the same number of rows (data-parallel workers must run the same number of
 * steps, or the collective operations of the slowest one hang). Only the epoch's last, short global step
 * (fewer than {@code worldSize x batchSize} rows) is concerned: its rows are split into equal batches, one
 * per worker.
 */
public enum ShardRemainder {
    /**
     * Every shard gets {@code ceil(rows / worldSize)} rows; in the last step the last workers' batches
     * wrap around to the start of the epoch's order, so {@code worldSize * ceil(rows / worldSize) - rows}
     * rows are seen once more in that epoch (fewer than {@code worldSize} when {@code rows >= worldSize}).
     * The union of the shards covers every row. This is PyTorch's {@code DistributedSampler} default.
     */
    PAD,
    /**
     * Every shard gets {@code floor(rows / worldSize)} rows; the last {@code rows % worldSize} rows of
     * the epoch's order (in its last step) are skipped that epoch (a different set each epoch when
     * shuffled). Shards never overlap.
     */
    DROP
}
