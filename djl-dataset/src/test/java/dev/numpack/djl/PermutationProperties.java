package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class PermutationProperties {
    @Property(tries = 300)
    void isABijectionOfZeroToN(@ForAll @IntRange(min = 0, max = 5000) int n, @ForAll long seed,
            @ForAll @LongRange(min = 0, max = 1000) long epoch) {
        Permutation p = new Permutation(n, seed, epoch);
        BitSet seen = new BitSet(n);
        for (int i = 0; i < n; i++) {
            long v = p.apply(i);
            assertTrue(v >= 0 && v < n, "value " + v + " outside [0, " + n + ")");
            assertTrue(!seen.get((int) v), "value " + v + " twice");
            seen.set((int) v);
        }
        assertEquals(n, seen.cardinality());
    }

    @Property(tries = 100)
    void sameSeedAndEpochGiveTheSameOrder(@ForAll @IntRange(min = 1, max = 3000) int n, @ForAll long seed,
            @ForAll @LongRange(min = 0, max = 100) long epoch) {
        Permutation a = new Permutation(n, seed, epoch);
        Permutation b = new Permutation(n, seed, epoch);
        for (int i = 0; i < n; i++) {
            assertEquals(a.apply(i), b.apply(i));
        }
    }

    @Test
    void epochsAndSeedsGiveDifferentOrders() {
        int n = 1000;
        Set<String> orders = new HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            for (long epoch = 0; epoch < 20; epoch++) {
                Permutation p = new Permutation(n, seed, epoch);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 50; i++) {
                    sb.append(p.apply(i)).append(',');
                }
                orders.add(sb.toString());
            }
        }
        assertEquals(100, orders.size(), "100 (seed, epoch) pairs, 100 different orders");
    }

    @Test
    void everyElementLandsEverywhereAboutEquallyOften() {
        // 10 elements, 20000 epochs: each (position, element) cell expects 2000. A chi-square statistic over
        // the 100 cells (81 degrees of freedom) stays under 150 for a fair shuffle (p < 1e-5 otherwise).
        int n = 10;
        int epochs = 20_000;
        long[][] count = new long[n][n];
        for (int e = 0; e < epochs; e++) {
            Permutation p = new Permutation(n, 42, e);
            for (int i = 0; i < n; i++) {
                count[i][(int) p.apply(i)]++;
            }
        }
        double expected = epochs / (double) n;
        double chi = 0;
        for (long[] row : count) {
            for (long c : row) {
                chi += (c - expected) * (c - expected) / expected;
            }
        }
        assertTrue(chi < 150, "chi-square " + chi);
    }

    @Test
    void neighboursAreNotKeptTogether() {
        // In a fair shuffle of n, the elements at positions i and i+1 were neighbours before with
        // probability about 2/n. Count it over a large domain.
        int n = 100_000;
        Permutation p = new Permutation(n, 7, 3);
        int adjacent = 0;
        long prev = p.apply(0);
        for (int i = 1; i < n; i++) {
            long v = p.apply(i);
            if (Math.abs(v - prev) == 1) {
                adjacent++;
            }
            prev = v;
        }
        assertTrue(adjacent < 20, adjacent + " neighbours kept together (about 2 expected)");
    }

    @Test
    void worksBeyondTwoToTheThirtyOneRows() {
        long n = 5_000_000_000L;
        Permutation p = new Permutation(n, 1, 0);
        Set<Long> values = new HashSet<>();
        long above = 0;
        for (long i = 0; i < 100_000; i++) {
            long v = p.apply(i * 49_999 % n);
            assertTrue(v >= 0 && v < n);
            values.add(v);
            if (v >= Integer.MAX_VALUE) {
                above++;
            }
        }
        assertEquals(100_000, values.size(), "distinct positions give distinct rows");
        assertTrue(above > 50_000, "rows beyond 2^31 are drawn: " + above);
        assertEquals(p.apply(n - 1), new Permutation(n, 1, 0).apply(n - 1));
        assertNotEquals(p.apply(n - 1), new Permutation(n, 1, 1).apply(n - 1));
    }

    @Test
    void everySmallDomainExhaustively() {
        for (int n = 0; n <= 64; n++) {
            for (long epoch = 0; epoch < 8; epoch++) {
                Permutation p = new Permutation(n, 5, epoch);
                BitSet seen = new BitSet();
                for (int i = 0; i < n; i++) {
                    seen.set((int) p.apply(i));
                }
                assertEquals(n, seen.cardinality(), "n=" + n + " epoch " + epoch);
                assertTrue(seen.length() <= n);
            }
        }
    }

    @Test
    void theLargestDomainsStayInRange() {
        long n = Permutation.MAX_SIZE;
        Permutation p = new Permutation(n, 3, 1);
        for (long i : new long[] {0, 1, n / 2, n - 2, n - 1}) {
            long v = p.apply(i);
            assertTrue(v >= 0 && v < n, i + " -> " + v);
        }
        assertThrows(IllegalArgumentException.class, () -> new Permutation(n + 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Permutation(Long.MAX_VALUE, 0, 0));
    }

    @Test
    void rejectsPositionsOutsideTheDomain() {
        Permutation p = new Permutation(10, 0, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> p.apply(10));
        assertThrows(IndexOutOfBoundsException.class, () -> p.apply(-1));
        assertThrows(IllegalArgumentException.class, () -> new Permutation(-1, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> new Permutation(0, 0, 0).apply(0));
    }
}
