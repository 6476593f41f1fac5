package dev.numpack.reliability.fuzz;

import java.util.List;
import java.util.SplittableRandom;

/** Edge values for integer fields, and random choices, shared by the mutators. */
final class Edge {
    private static final long[] LONGS = {0, 1, -1, 2, 3, 7, 8, 63, 64, 65, 255, 256, 4095, 4096, 65535, 1L << 20,
        Integer.MAX_VALUE, 1L << 31, (1L << 31) + 1, 0xFFFFFFFFL, 1L << 32, 1L << 40, 1L << 53, 1L << 62,
        (1L << 62) + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, 1_000_000_000_000L, 1L << 30, 3L << 61};

    private Edge() {}

    /**
     * @param r the case's randomness
     * @param current the field's value now
     * @return an edge value, or one near the current value
     */
    static long value(SplittableRandom r, long current) {
        return switch (r.nextInt(6)) {
            case 0 -> current + 1;
            case 1 -> current - 1;
            case 2 -> current * (2 + r.nextInt(1000));
            case 3 -> r.nextLong();
            default -> LONGS[r.nextInt(LONGS.length)];
        };
    }

    /** @return a random element of {@code list} */
    static <T> T pick(SplittableRandom r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    /** @return a random element of {@code values} */
    @SafeVarargs
    static <T> T pick(SplittableRandom r, T... values) {
        return values[r.nextInt(values.length)];
    }
}
