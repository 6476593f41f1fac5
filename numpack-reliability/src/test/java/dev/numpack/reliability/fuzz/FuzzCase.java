package dev.numpack.reliability.fuzz;

import java.util.SplittableRandom;

/**
 * One case: its number, seed and kind, from which the mutation follows; {@link #mutation} is filled in by the
 * mutator with a description a person can read. {@code (seed, kind)} reproduces the case:
 * {@code -Dnumpack.fuzz.replay=SEED:KIND}.
 *
 * @param index the case's number in its run
 * @param seed the seed of every random choice of the case
 * @param kind what is damaged
 */
record FuzzCase(long index, long seed, Kind kind) {
    /**
     * @param runSeed the run's seed
     * @param index the case's number
     * @return the case
     */
    static FuzzCase of(long runSeed, long index) {
        return new FuzzCase(index, new SplittableRandom(runSeed ^ (index * 0x9E3779B97F4A7C15L)).nextLong(),
                Kind.ofCase(index));
    }

    /** @return the random choices of this case, the same on every run */
    SplittableRandom random() {
        return new SplittableRandom(seed);
    }

    /** @return whether the case also runs the write paths (half of the cases, by seed) */
    boolean writes() {
        return (seed & 1) == 0;
    }

    /** @return how to replay it */
    String replay() {
        return "-Dnumpack.fuzz.replay=" + seed + ":" + kind;
    }
}
