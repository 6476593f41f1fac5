package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool's rules, on a clock the test moves and with regions that are only numbers (nothing is mapped). */
class RegionPoolTest {
    private static final long MIB2 = NativeIo.HUGE_PAGE;
    private static final long IDLE = 1_000;

    private final AtomicLong clock = new AtomicLong();
    private final List<RegionPool.Region> unmapped = new ArrayList<>();
    private final RegionPool pool = new RegionPool(unmapped::add, clock::get, IDLE, false);

    private RegionPool.Region region(long address, long span) {
        return new RegionPool.Region(null, address, span, pool.now());
    }

    @Test
    void aFreedRegionIsTakenAgainForTheSameSizeAndCounted() {
        RegionPool.Region r = region(1, 4 * MIB2);
        pool.put(r);
        assertEquals(4 * MIB2, pool.pooledBytes());
        assertSame(r, pool.take(4 * MIB2));
        assertEquals(0, pool.pooledBytes());
        assertNull(pool.take(4 * MIB2), "taken once only");
        assertTrue(unmapped.isEmpty());
    }

    @Test
    void aRegionUpToAQuarterLargerServesButNotMoreAndNeverSmaller() {
        pool.put(region(1, 5 * MIB2));
        pool.put(region(2, 3 * MIB2));
        assertNull(pool.take(2 * MIB2), "3 is half as large again as 2: too wasteful");
        assertEquals(1, pool.take(4 * MIB2).address(), "5 for 4: a quarter more");
        assertNull(pool.take(4 * MIB2), "3 is smaller than 4");
        assertEquals(2, pool.take(3 * MIB2).address());
    }

    @Test
    void theMostRecentlyFreedOfASizeComesFirst() {
        pool.put(region(1, MIB2));
        clock.addAndGet(10);
        pool.put(region(2, MIB2));
        assertEquals(2, pool.take(MIB2).address(), "its pages are the likeliest to be hot");
        assertEquals(1, pool.take(MIB2).address());
    }

    @Test
    void regionsUnusedTooLongAreUnmappedByTheNextCallOrTheTrim() {
        pool.put(region(1, MIB2));
        clock.addAndGet(IDLE - 1);
        pool.put(region(2, 2 * MIB2));
        assertTrue(unmapped.isEmpty(), "not yet idle long enough");
        clock.addAndGet(1);
        assertNull(pool.take(4 * MIB2), "nothing of that size");
        assertEquals(List.of(1L), addresses(unmapped), "the first one's time is up: unmapped by that call");
        assertEquals(2 * MIB2, pool.pooledBytes());
        assertTrue(pool.trim(), "one left: the trimmer runs again");
        clock.addAndGet(IDLE);
        assertFalse(pool.trim(), "none left: the trimmer stops");
        assertEquals(List.of(1L, 2L), addresses(unmapped));
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void evictionUnmapsTheRegionFreedLongestAgoOfAnySize() {
        pool.put(region(1, 3 * MIB2));
        clock.addAndGet(5);
        pool.put(region(2, MIB2));
        clock.addAndGet(5);
        pool.put(region(3, 3 * MIB2));
        assertTrue(pool.evictOne());
        assertEquals(List.of(1L), addresses(unmapped));
        assertTrue(pool.evictOne());
        assertEquals(List.of(1L, 2L), addresses(unmapped));
        assertEquals(3 * MIB2, pool.pooledBytes());
        assertTrue(pool.evictOne());
        assertFalse(pool.evictOne(), "empty");
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void clearUnmapsEverything() {
        pool.put(region(1, MIB2));
        pool.put(region(2, 2 * MIB2));
        pool.clear();
        assertEquals(0, pool.pooledBytes());
        assertEquals(2, unmapped.size());
        assertNull(pool.take(MIB2));
    }

    private static List<Long> addresses(List<RegionPool.Region> rs) {
        return rs.stream().map(RegionPool.Region::address).toList();
    }
}
