package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class BatchOrderProperties {
    private static void check(long[] rows) {
        long[] sorted = new long[rows.length];
        int[] slots = new int[rows.length];
        BatchReader.sortWithSlots(rows, sorted, slots);
        long[] expect = rows.clone();
        Arrays.sort(expect);
        assertEquals(Arrays.toString(expect), Arrays.toString(sorted), "ascending file order");
        boolean[] used = new boolean[rows.length];
        for (int k = 0; k < rows.length; k++) {
            assertEquals(rows[slots[k]], sorted[k], "each row goes back to its slot");
            assertTrue(!used[slots[k]], "slot used twice");
            used[slots[k]] = true;
        }
    }

    @Property(tries = 300)
    void smallRowsArePackedAndSorted(@ForAll @Size(max = 600) List<@LongRange(min = 0, max = 1_000_000) Long> rows) {
        check(rows.stream().mapToLong(Long::longValue).toArray());
    }

    @Property(tries = 100)
    void hugeRowsTakeTheBoxedPath(@ForAll @Size(min = 1, max = 300) List<@LongRange(min = 0, max = 1L << 62) Long> rows) {
        check(rows.stream().mapToLong(Long::longValue).toArray());
    }
}
