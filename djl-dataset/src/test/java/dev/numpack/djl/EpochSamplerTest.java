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
    void describesEverythingThatChangesTheConsumedRowsAndNothingElse() {
        EpochSampler a = new EpochSampler(8, true, false, 1, 0, 2, ShardRemainder.PAD);
        Set<String> d = new HashSet<>();
        d.add(a.describe(100));
        d.add(a.describe(101));
        d.add(new EpochSampler(9, true, false, 1, 0, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, false, false, 1, 0, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, true, true, 1, 0, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, true, false, 2, 0, 2, ShardRemainder.PAD).describe(100));
        d.add(new EpochSampler(8, true, false, 1, 0, 3, ShardRemainder.PAD).describe(100));
        assertEquals(7, d.size(), d.toString());
        // the same global batch of 16 at any rank, world size and remainder: step k consumed the same rows
        for (EpochSampler same : List.of(new EpochSampler(8, true, false, 1, 1, 2, ShardRemainder.PAD),
                new EpochSampler(8, true, false, 1, 0, 2, ShardRemainder.DROP),
                new EpochSampler(16, true, false, 1, 0, 1, ShardRemainder.PAD),
                new EpochSampler(4, true, false, 1, 3, 4, ShardRemainder.PAD),
                new EpochSampler(2, true, false, 1, 7, 8, ShardRemainder.DROP))) {
            assertEquals(a.describe(100), same.describe(100));
        }
    }

    /** The rows all ranks of a world consume in steps {@code [from, to)} of an epoch. */
    private static List<Long> steps(int globalBatch, int world, ShardRemainder remainder, long rows, long epoch,
            long from, long to) {
        List<Long> all = new ArrayList<>();
        for (int rank = 0; rank < world; rank++) {
            EpochSampler s = new EpochSampler(globalBatch / world, true, false, 7, rank, world, remainder);
            Iterator<List<Long>> it = s.batches(rows, epoch, from);
            for (long k = from; k < to && it.hasNext(); k++) {
                all.addAll(it.next());
            }
        }
        return all;
    }

    @ParameterizedTest
    @CsvSource({"4, 2, 1000", "4, 8, 1000", "2, 4, 1000", "8, 1, 1000", "4, 2, 960", "1, 4, 1000", "4, 8, 64"})
    void afterKStepsTheConsumedRowsAreAPrefixOfTheOrderAtAnyWorldSize(int before, int after, long rows) {
        int global = 32;
        EpochSampler one = new EpochSampler(global, true, false, 7, 0, 1, ShardRemainder.PAD);
        List<Long> order = flat(epoch(one, rows, 5, 0));
        long total = one.batchesPerEpoch(rows);
        for (long k : new long[] {0, 1, total / 2, total - 1}) {
            List<Long> first = steps(global, before, ShardRemainder.PAD, rows, 5, 0, k);
            assertEquals(new HashSet<>(order.subList(0, (int) (k * global))), new HashSet<>(first),
                    "the first " + k + " steps of " + before + " ranks are the order's first " + k * global + " rows");
            List<Long> rest = steps(global, after, ShardRemainder.PAD, rows, 5, k, Long.MAX_VALUE);
            List<Long> union = new ArrayList<>(first);
            union.addAll(rest);
            assertEquals(rows, union.size(), "every row once, resumed at step " + k + " with " + after + " ranks");
            assertEquals(rows, new HashSet<>(union).size());
        }
    }

    @Test
    void ranksHaveEqualBatchCountsAndTheLastStepSplitsEvenly() {
        // 100 rows, 3 ranks of 8: 4 full steps (96 rows), then 4 rows for 3 ranks
        for (ShardRemainder r : ShardRemainder.values()) {
            for (int rank = 0; rank < 3; rank++) {
                List<List<Long>> b = epoch(new EpochSampler(8, false, false, 0, rank, 3, r), 100, 0, 0);
                assertEquals(5, b.size(), r + " rank " + rank);
                assertEquals(r == ShardRemainder.PAD ? 2 : 1, b.get(4).size());
                assertEquals(List.of(8L * rank, 24L + 8 * rank), List.of(b.get(0).get(0), b.get(1).get(0)),
                        "step k, rank r starts at k x global + r x batch");
            }
        }
        // PAD: the last rank wraps to the start of the order; DROP: row 99 is skipped
        assertEquals(List.of(0L, 1L), epoch(new EpochSampler(8, false, false, 0, 2, 3, ShardRemainder.PAD), 100, 0, 0)
                .get(4));
        assertEquals(List.of(98L), epoch(new EpochSampler(8, false, false, 0, 2, 3, ShardRemainder.DROP), 100, 0, 0)
                .get(4));
    }

    @Test
    void aSingleWorkerKeepsTheFormerDescriptionToo() {
        EpochSampler s = new EpochSampler(16, true, true, 3, 0, 1, ShardRemainder.PAD);
        assertEquals("rows=100 batch=16 shuffle seed=3 drop-last shard=0/1", s.describeSingleWorkerV0(100));
        assertEquals("rows=100 global-batch=16 shuffle seed=3 drop-last", s.describe(100));
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new EpochSampler(0, true, false, 0, 0, 1, ShardRemainder.PAD));
        assertThrows(IllegalArgumentException.class, () -> new EpochSampler(1, true, false, 0, 2, 2, ShardRemainder.PAD));
        assertThrows(IllegalArgumentException.class, () -> new EpochSampler(1, true, false, 0, -1, 2, ShardRemainder.PAD));
        assertThrows(IllegalArgumentException.class, () -> new EpochSampler(1, true, false, 0, 0, 0, ShardRemainder.PAD));
    }
}
