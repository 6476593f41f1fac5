package dev.numpack.djl;

/**
 * A pseudo-random permutation of {@code [0, n)} computed one element at a time, in O(1) memory.
 *
 * <p>Why not Fisher-Yates: a shuffled index array costs 8 bytes per row (32 GiB for 4 billion rows) and
 * Java arrays stop at 2^31 elements. Instead a balanced Feistel network permutes {@code [0, 4^h)} for the
 * smallest {@code 4^h >= n}, and cycle-walking (apply again until the value falls below {@code n}) turns
 * that into a permutation of {@code [0, n)}: since {@code 4^h < 4n}, fewer than four steps are expected.
 * Each round mixes with a 64-bit finalizer keyed by the seed, the epoch and the round, so every (seed,
 * epoch) pair gives an unrelated order, and the same pair always gives the same one, on any machine.
 */
final class Permutation {
    private static final int ROUNDS = 6;
    /** Up to 2^62 the Feistel domain (at most 4n) fits in a signed long; nobody has more rows. */
    static final long MAX_SIZE = 1L << 62;

    private final long n;
    private final int halfBits;
    private final long halfMask;
    private final long[] keys = new long[ROUNDS];

    /**
     * @param n the domain size, not negative
     * @param seed the user's seed
     * @param stream which permutation of this seed: the epoch, or a fixed tag for splits
     */
    Permutation(long n, long seed, long stream) {
        if (n < 0 || n > MAX_SIZE) {
            throw new IllegalArgumentException("domain " + n + " outside [0, 2^62]");
        }
        this.n = n;
        int bits = n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1);
        bits += bits & 1; // even, so both halves have the same width
        this.halfBits = Math.max(1, bits / 2);
        this.halfMask = (1L << halfBits) - 1;
        long state = mix(seed ^ 0x9E3779B97F4A7C15L) ^ mix(stream + 0x632BE59BD9B4E019L);
        for (int r = 0; r < ROUNDS; r++) {
            state += 0x9E3779B97F4A7C15L;
            keys[r] = mix(state);
        }
    }

    /** @return the domain size */
    long size() {
        return n;
    }

    /**
     * @param i a position in {@code [0, n)}
     * @return the element at that position; distinct positions give distinct elements
     */
    long apply(long i) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("position " + i + " outside [0, " + n + ")");
        }
        if (n == 1) {
            return 0;
        }
        long x = i;
        do {
            x = encrypt(x);
        } while (x >= n);
        return x;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (long key : keys) {
            long next = left ^ (mix(right ^ key) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }

    /** A 64-bit finalizer (Stafford's variant 13 of MurmurHash3's): every input bit flips half the output. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
