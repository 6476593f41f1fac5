package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EpochSamplerTest {
    private static List<List<Long>> epoch(EpochSampler s, long rows, long epoch, long from) {
        List<List<Long>> out = new ArrayList<>();
        s.batches(rows, epoch, from).forEachRemaining(out::add);
        return out;
    }

    private static List<Long> flat(List<List<Long>> batches) {
        List<Long> all = new ArrayList<>();
        batches.forEach(all::addAll);
        return all;
    }

    @Test
    void inOrderWithoutShuffleAndShortLastBatch() {
        EpochSampler s = new EpochSampler(4, false, false, 0, 0, 1, ShardRemainder.PAD);
        assertEquals(List.of(List.of(0L, 1L, 2L, 3L), List.of(4L, 5L, 6L, 7L), List.of(8L, 9L)), epoch(s, 10, 0, 0));
        assertEquals(3, s.batchesPerEpoch(10));
        EpochSampler drop = new EpochSampler(4, false, true, 0, 0, 1, ShardRemainder.PAD);
        assertEquals(2, drop.batchesPerEpoch(10));
        assertEquals(List.of(List.of(0L, 1L, 2L, 3L), List.of(4L, 5L, 6L, 7L)), epoch(drop, 10, 0, 0));
    }

    @Test
    void shuffledEpochIsAPermutationDifferentEachEpochAndRepeatable() {
        EpochSampler s = new EpochSampler(7, true, false, 99, 0, 1, ShardRemainder.PAD);
        List<Long> e0 = flat(epoch(s, 100, 0, 0));
        List<Long> e1 = flat(epoch(s, 100, 1, 0));
        assertEquals(100, new HashSet<>(e0).size());
        assertEquals(new HashSet<>(e0), new HashSet<>(e1));
        assertFalse(e0.equals(e1), "epochs differ");
        assertEquals(e0, flat(epoch(new EpochSampler(7, true, false, 99, 0, 1, ShardRemainder.PAD), 100, 0, 0)));
        assertFalse(e0.equals(flat(epoch(new EpochSampler(7, true, false, 98, 0, 1, ShardRemainder.PAD), 100, 0, 0))));
    }

    @Test
    void startingAtBatchKEqualsSkippingKBatches() {
        EpochSampler s = new EpochSampler(16, true, false, 5, 0, 1, ShardRemainder.PAD);
        List<List<Long>> all = epoch(s, 1000, 3, 0);
        for (int k : new int[] {0, 1, 31, 62, 63, 70}) {
            assertEquals(all.subList(Math.min(k, all.size()), all.size()), epoch(s, 1000, 3, k), "from batch " + k);
        }
    }

    @ParameterizedTest
    @CsvSource({"120, 4, PAD", "120, 4, DROP", "121, 4, PAD", "121, 4, DROP", "3, 4, PAD", "1000, 7, PAD",
        "1000, 7, DROP"})
    void shardsAreEqualSizedAndTogetherCoverTheEpoch(long rows, int world, ShardRemainder remainder) {
        Set<Long> union = new HashSet<>();
        long total = 0;
        long expectedEach = remainder == ShardRemainder.PAD ? (rows + world - 1) / world : rows / world;
        for (int rank = 0; rank < world; rank++) {
            EpochSampler s = new EpochSampler(8, true, false, 11, rank, world, remainder);
            List<Long> mine = flat(epoch(s, rows, 2, 0));
            assertEquals(expectedEach, mine.size(), "rank " + rank);
            assertEquals(mine.size(), new HashSet<>(mine).size(), "no repeats inside a shard");
            union.addAll(mine);
            total += mine.size();
        }
        long covered = remainder == ShardRemainder.PAD ? rows : rows - rows % world;
        assertEquals(covered, union.size(), "the shards cover the epoch (all of it when padding)");
        if (rows % world == 0 || remainder == ShardRemainder.DROP) {
            assertEquals(total, union.size(), "disjoint");
        } else {
            assertEquals(world * expectedEach - rows, total - union.size(), "only the padding repeats");
        }
    }

    @Test
    void dropModeSkipsADifferentRemainderEachEpoch() {
        Set<Long> skippedSomeEpoch = new HashSet<>();
        for (long epoch = 0; epoch < 30; epoch++) {
            Set<Long> seen = new HashSet<>();
            for (int rank = 0; rank < 3; rank++) {
                seen.addAll(flat(epoch(new EpochSampler(5, true, false, 1, rank, 3, ShardRemainder.DROP), 31, epoch, 0)));
            }
            for (long r = 0; r < 31; r++) {
                if (!seen.contains(r)) {
                    skippedSomeEpoch.add(r);
                }
            }
        }
        assertTrue(skippedSomeEpoch.size() > 10, "the dropped row moves: " + skippedSomeEpoch);
    }

    @Test
    void beyondTwoToTheThirtyOneRows() {
        long rows = 3_000_000_000L;
        EpochSampler s = new EpochSampler(128, true, true, 3, 1, 2, ShardRemainder.DROP);
        assertEquals(rows / 2 / 128, s.batchesPerEpoch(rows));
        long last = s.batchesPerEpoch(rows) - 1;
        Iterator<List<Long>> it = s.batches(rows, 4, last);
        List<Long> b = it.next();
        assertEquals(128, b.size());
        assertTrue(b.stream().allMatch(i -> i >= 0 && i < rows));
        assertEquals(128, new HashSet<>(b).size());
        assertFalse(it.hasNext());
        assertTrue(flat(epoch(s, rows, 4, last)).equals(b));
    }

    @Test
    void describesEverythingThatChangesTheRows() {
        EpochSampler a = new EpochSampler(8, true, false, 1, 0, 2, ShardRemainder.PAD);
        Set<String> d = new HashSet<>();
        d.add(a.describe(100));
        d.add(a.describe(101));
        d.add(new EpochSampler(9, true, false, 1, 0, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, false, false, 1, 0, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, true, true, 1, 0, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, true, false, 2, 0, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, true, false, 1, 1, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, true, false, 1, 0, 3, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, true, false, 1, 0, 2, ShardRemainder.DROP).describe(100));
        assertEquals(9, d.size(), d.toString());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new EpochSampler(0, true, false, 0, 0, 1, ShardRemainder.PAD));
        assertThrows(IllegalArgumentException.class, () -> new EpochSampler(1, true, false, 0, 2, 2, ShardRemainder.PAD));
        assertThrows(IllegalArgumentException.class, () -> new EpochSampler(1, true, false, 0, -1, 2, ShardRemainder.PAD));
        assertThrows(IllegalArgumentException.class, () -> new EpochSampler(1, true, false, 0, 0, 0, ShardRemainder.PAD));
    }
}
