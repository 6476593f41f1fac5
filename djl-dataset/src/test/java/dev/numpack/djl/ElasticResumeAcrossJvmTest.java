package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Elastic resume with real processes as ranks: 4 rank JVMs read part of an epoch of a sharded dataset with
 * uneven shards and stop with their positions; then 2 rank JVMs, and separately 8, resume from that
 * position with the same global batch. Over the epoch, the rows all ranks saw are every row exactly once,
 * and within each run every rank got the same number of batches.
 */
class ElasticResumeAcrossJvmTest {
    /** Rows every step consumes, by all ranks together. */
    private static final int GLOBAL = 32;
    /** 1000 rows in uneven shards, one empty: 31 full steps, then 8 rows that divide by 1, 2, 4 and 8. */
    private static final int[] SHARDS = {301, 0, 517, 94, 88};
    private static final int ROWS = 1000;

    @TempDir
    Path dir;

    /** What one rank process saw: the row ids of each batch, and its position at the end. */
    private record Rank(List<long[]> batches, DatasetPosition position) {
        List<Long> rows() {
            List<Long> all = new ArrayList<>();
            batches.forEach(b -> Arrays.stream(b).forEach(all::add));
            return all;
        }
    }

    /** Runs {@code world} rank JVMs at once from {@code from}, each reading {@code max} batches (-1: to the epoch's end). */
    private List<Rank> ranks(Path ds, int world, DatasetPosition from, long max) throws IOException,
            InterruptedException {
        List<ChildProcess> running = new ArrayList<>();
        try {
            for (int rank = 0; rank < world; rank++) {
                String[] args = {ds.toString(), Integer.toString(rank), Integer.toString(world),
                        Integer.toString(GLOBAL / world), Long.toString(from.epoch()), Long.toString(from.batch()),
                        from.sampling() == null ? "-" : from.sampling(), Long.toString(max)};
                // short-lived ranks: the C1 compiler and the serial collector spend the least CPU on their
                // start, which matters with up to 8 of them on a 2-CPU CI machine
                running.add(ChildJvm.main(ElasticChild.class, args).heap("256m")
                        .jvmArgs("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC").quietLogs().noInput()
                        .stderrTo(dir.resolve("rank-" + world + "-" + rank + ".log")).start());
            }
            List<Rank> out = new ArrayList<>();
            for (ChildProcess p : running) {
                List<String> lines = new ArrayList<>(p.finish(Duration.ofSeconds(180)).assertSuccess().lines());
                String[] pos = lines.remove(lines.size() - 1).split(" ", 4);
                assertEquals("position", pos[0]);
                List<long[]> batches = new ArrayList<>();
                for (String l : lines) {
                    assertTrue(l.startsWith("batch "), l);
                    batches.add(Arrays.stream(l.substring(6).split(",")).mapToLong(Long::parseLong).toArray());
                }
                out.add(new Rank(batches, new DatasetPosition(Long.parseLong(pos[1]), Long.parseLong(pos[2]),
                        pos[3])));
            }
            return out;
        } finally {
            running.forEach(ChildProcess::close);
        }
    }

    @Test
    void aRunOfFourRanksResumesWithTwoOrEightAndSeesEveryRowOnce() throws Exception {
        Path ds = Stores.sharded(dir.resolve("ds"), 2, SHARDS);
        int stopAt = 13;
        List<Long> globalOrder = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager();
                NumPackDataset one = ElasticChild.dataset(ds, 0, 1, GLOBAL).build()) {
            Stores.labelsOf(one.getData(manager)).forEach(y -> Arrays.stream(y).forEach(globalOrder::add));
        }

        List<Rank> before = ranks(ds, 4, DatasetPosition.START, stopAt);
        DatasetPosition saved = before.get(0).position();
        Set<Long> consumed = new HashSet<>();
        for (Rank r : before) {
            assertEquals(saved, r.position(), "every rank is at the same global position");
            assertEquals(stopAt, r.batches().size());
            consumed.addAll(r.rows());
        }
        assertEquals(List.of(0L, (long) stopAt), List.of(saved.epoch(), saved.batch()));
        assertEquals(stopAt * GLOBAL, consumed.size(), "4 ranks of 8 rows, disjoint");
        assertEquals(new HashSet<>(globalOrder.subList(0, stopAt * GLOBAL)), consumed,
                "13 steps consumed the first 13 x 32 rows of the epoch's global order");

        for (int world : new int[] {2, 8}) {
            List<Rank> after = ranks(ds, world, saved, -1);
            List<Long> epoch = new ArrayList<>(consumed);
            for (Rank r : after) {
                assertEquals(32 - stopAt, r.batches().size(), world + " ranks: equal batch counts (31 full steps + 1)");
                assertEquals(new DatasetPosition(1, 0, saved.sampling()), r.position(), "the epoch ended");
                epoch.addAll(r.rows());
            }
            assertEquals(ROWS, epoch.size(), "resumed with " + world + " ranks: no row twice");
            assertEquals(ROWS, new HashSet<>(epoch).size(), "resumed with " + world + " ranks: every row");
        }
    }
}
