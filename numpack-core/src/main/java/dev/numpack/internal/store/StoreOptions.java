package dev.numpack.internal.store;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a store is to be opened, every default already resolved (the facade's builder reads the segment
 * size's default from the environment), for {@link StoreSession#open}.
 *
 * @param root the store directory, absolute and normalized
 * @param readOnly open without the writer lock; commits are refused
 * @param create create the directory when missing (writable stores)
 * @param dropIfExists start with an empty store: drop the existing arrays in one commit at open
 * @param durable fsync every commit before it is acknowledged; else only a clean close fsyncs
 * @param lockTimeout how long to wait for another writer's lock; zero fails at once
 * @param segmentTargetBytes the segment size for new large arrays
 */
public record StoreOptions(Path root, boolean readOnly, boolean create, boolean dropIfExists, boolean durable,
        Duration lockTimeout, long segmentTargetBytes) {
}
