package dev.numpack.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.numpack.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code kill -9} crash tests. A child JVM ({@link CrashChild}) runs an endless seeded operation
 * sequence on a store and acknowledges each operation on stdout; the test kills it with SIGKILL after
 * {@code k} acknowledgements plus 0-20 ms (so the kill lands inside an operation), reopens the store and
 * checks the contract of {@code NumPack}: it opens; it equals the state after exactly {@code m} operations
 * with {@code acked <= m <= acked + 1} (replayed in memory); a read-only and a writable reopen agree;
 * the writable reopen leaves no temp file ({@code .tmp-np}), no pending journal and no file that no
 * array explains (stray segments); further writes work. Half of
 * the trials use {@link Durability#FSYNC}, half {@link Durability#NO_FSYNC}.
 */
class KillNineCrashTest {
    @TempDir
    Path tmp;

    @Test
    void killDuringSingleArrayOperations() throws Exception {
        runTrials(Workload.Mix.SINGLE, 15, 0, 0x5EED_0001L);
    }

    @Test
    void killDuringBatchAndWritableBatchCommits() throws Exception {
        runTrials(Workload.Mix.BATCHES, 15, 0, 0x5EED_0002L);
    }

    @Test
    void killDuringSegmentedArrayOperations() throws Exception {
        runTrials(Workload.Mix.SEGMENTED, 15, 2048, 0x5EED_0003L);
    }

    @Test
    void killWhileSavingAndDroppingSegmentedArrays() throws Exception {
        runTrials(Workload.Mix.SEGMENTED_SAVES, 15, 512, 0x5EED_0005L);
    }

    @Test
    void killDuringMixedWorkloadWithReopens() throws Exception {
        runTrials(Workload.Mix.MIXED, 15, 4096, 0x5EED_0004L);
    }

    /**
     * Small appends commit through the append log ({@code numpack.appends}) and reach the metadata later: a
     * kill leaves acknowledged appends in the log only, which the read-only open (a third of the trials,
     * first) or the writable open must apply.
     */
    @Test
    void killDuringStreamsOfSmallAppends() throws Exception {
        runTrials(Workload.Mix.APPENDS, 15, 0, 0x5EED_0007L);
    }

    @Test
    void killTwiceWithTheSecondKillDuringRecoveryOrResumedWork() throws Exception {
        Random r = new Random(0x5EED_0006L);
        List<CrashHarness.Outcome> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        int trials = 12;
        for (int i = 0; i < trials; i++) {
            CrashHarness.Trial t = new CrashHarness.Trial(i, r.nextLong(), Workload.Mix.MIXED,
                    i % 2 == 0 ? Durability.FSYNC : Durability.NO_FSYNC, i % 4 < 2 ? 0 : 1024, r.nextInt(31),
                    (long) (r.nextDouble() * 20_000_000L), i % 3 == 0);
            // half: kill the second child 20-300 ms after spawning it (during JVM start, open or recovery),
            // half: after it acknowledged 0-10 more operations
            boolean early = i % 2 == 1;
            long nanos = early ? 20_000_000L + (long) (r.nextDouble() * 280_000_000L) : (long) (r.nextDouble() * 20_000_000L);
            outcomes.add(CrashHarness.runDoubleKillTrial(tmp, t, nanos, early ? -1 : r.nextInt(11)));
        }
        report("MIXED, double kill", outcomes, t0);
    }

    private void runTrials(Workload.Mix mix, int trials, long segmentTarget, long seed) throws Exception {
        Random r = new Random(seed);
        List<CrashHarness.Outcome> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < trials; i++) {
            CrashHarness.Trial t = new CrashHarness.Trial(i, r.nextLong(), mix,
                    i % 2 == 0 ? Durability.FSYNC : Durability.NO_FSYNC, segmentTarget, r.nextInt(41),
                    (long) (r.nextDouble() * 20_000_000L), i % 3 == 0);
            outcomes.add(CrashHarness.runKillTrial(tmp, t));
        }
        report(mix.toString(), outcomes, t0);
    }

    private static void report(String what, List<CrashHarness.Outcome> outcomes, long t0) {
        int trials = outcomes.size();
        int landed = 0;
        int maxAcked = 0;
        StringBuilder report = new StringBuilder();
        List<String> bad = new ArrayList<>();
        for (CrashHarness.Outcome o : outcomes) {
            report.append("  ").append(o).append('\n');
            if (o.landed == o.acked + 1) {
                landed++;
            }
            maxAcked = Math.max(maxAcked, o.acked);
            if (!o.violations.isEmpty() || !o.leftovers.isEmpty()) {
                bad.add(o.toString());
            }
        }
        System.out.printf("%s: %d trials in %d ms, in-flight op landed in %d, most acks %d%n%s", what, trials,
                (System.nanoTime() - t0) / 1_000_000, landed, maxAcked, report);
        if (!bad.isEmpty()) {
            fail(bad.size() + " of " + trials + " kill trials (" + what + ") broke the contract or left files:\n  "
                    + String.join("\n  ", bad));
        }
        assertTrue(maxAcked > 0, "no trial got past the first operation");
    }
}
