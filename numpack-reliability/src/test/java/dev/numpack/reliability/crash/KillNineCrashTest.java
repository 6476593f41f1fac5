package dev.numpack.reliability.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.numpack.Durability;
import dev.numpack.model.Op;
import dev.numpack.reliability.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code kill -9} trials of stores. A child JVM ({@link CrashChild}) runs an endless seeded operation
 * sequence on a store and acknowledges each operation on stdout once it returned; the test picks the
 * operation to kill (replaying the sequence, it finds the next operation of the kind it aims at, round robin
 * over the kinds the mix has), waits until the child printed that operation's start, lets 0-1 or 0-15 ms pass and
 * kills the child with SIGKILL. Then it reopens the store and checks the contract of {@code NumPack}: it
 * opens; it equals the state after exactly {@code m} operations with {@code acked <= m <= acked + 1} (replayed
 * in memory; nothing acknowledged is lost); {@code verify()} passes; a read-only and a writable reopen agree;
 * the writable reopen leaves no temp file, no pending journal and no file no array explains; further writes
 * work. Half of the trials use {@link Durability#FSYNC}, half {@link Durability#NO_FSYNC}.
 *
 * <p>Counts: {@link Mode#CI} 6 trials per mix and 4 double kills; {@link Mode#LONG} 200 per mix (1,200) and
 * 50 double kills. Figures by operation in {@link CrashFigures}.
 */
class KillNineCrashTest {
    private static final Mode MODE = Mode.current();

    @TempDir
    Path tmp;

    @Test
    void killDuringSingleArrayOperations() throws Exception {
        runTrials(Workload.Mix.SINGLE, 0, 0x5EED_0001L, "save (new array)", "save (overwrite)", "append", "replace",
                "delete", "compact", "drop", "save (several arrays)", "append (several arrays)");
    }

    @Test
    void killDuringBatchAndWritableBatchCommits() throws Exception {
        runTrials(Workload.Mix.BATCHES, 0, 0x5EED_0002L, "batch-mode commit", "writable-batch commit",
                "batch-mode commit", "writable-batch commit", "append", "delete", "compact");
    }

    @Test
    void killDuringSegmentedArrayOperations() throws Exception {
        runTrials(Workload.Mix.SEGMENTED, 2048, 0x5EED_0003L, "append", "replace", "delete", "compact",
                "save (overwrite)", "writable-batch commit", "save (new array)");
    }

    @Test
    void killWhileSavingAndDroppingSegmentedArrays() throws Exception {
        runTrials(Workload.Mix.SEGMENTED_SAVES, 512, 0x5EED_0005L, "save (new array)", "drop", "save (overwrite)",
                "clone", "compact", "delete");
    }

    @Test
    void killDuringMixedWorkloadWithReopens() throws Exception {
        runTrials(Workload.Mix.MIXED, 4096, 0x5EED_0004L, "save (new array)", "save (overwrite)", "append",
                "replace", "delete", "compact", "compact (all arrays)", "batch-mode commit", "writable-batch commit",
                "clone", "close and reopen");
    }

    /**
     * Small appends commit through the append log ({@code numpack.appends}) and reach the metadata later: a
     * kill leaves acknowledged appends in the log only, which the read-only open (a third of the trials,
     * first) or the writable open must apply.
     */
    @Test
    void killDuringStreamsOfSmallAppends() throws Exception {
        runTrials(Workload.Mix.APPENDS, 0, 0x5EED_0007L, "append", "append (several arrays)", "append",
                "replace", "append", "save (new array)", "delete", "compact");
    }

    @Test
    void killTwiceWithTheSecondKillDuringRecoveryOrResumedWork() throws Exception {
        Random r = new Random(0x5EED_0006L);
        List<CrashHarness.Outcome> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        int trials = MODE.pick(4, 50);
        for (int i = 0; i < trials; i++) {
            CrashHarness.Trial t = new CrashHarness.Trial(i, r.nextLong(), Workload.Mix.MIXED,
                    i % 2 == 0 ? Durability.FSYNC : Durability.NO_FSYNC, i % 4 < 2 ? 0 : 1024, r.nextInt(31),
                    (long) (r.nextDouble() * 20_000_000L), i % 3 == 0);
            // half: kill the second child 20-300 ms after spawning it (during JVM start, open or recovery),
            // half: after it acknowledged 0-10 more operations
            boolean early = i % 2 == 1;
            long nanos = early ? 20_000_000L + (long) (r.nextDouble() * 280_000_000L)
                    : (long) (r.nextDouble() * 20_000_000L);
            CrashHarness.Outcome o = CrashHarness.runDoubleKillTrial(tmp, t, nanos, early ? -1 : r.nextInt(11));
            outcomes.add(o);
            CrashFigures.add("store, killed twice", early ? "recovery (second child killed early)"
                    : "resumed work after recovery", true, o.landed < 0 ? -1 : o.landed - o.acked, bad(o));
            removeIfGood(o);
        }
        report("MIXED, double kill", outcomes, t0);
    }

    /**
     * Runs this mode's trials of one mix, aiming the kills at the given operation kinds in turn.
     */
    private void runTrials(Workload.Mix mix, long segmentTarget, long seed, String... targets) throws Exception {
        Random r = new Random(seed);
        List<CrashHarness.Outcome> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        int trials = MODE.pick(6, 200);
        for (int i = 0; i < trials; i++) {
            long childSeed = r.nextLong();
            int killAfter = firstOf(targets[i % targets.length], childSeed, mix, segmentTarget, r.nextInt(25));
            // a quarter of the kills within 1 ms of the start (most operations are that short), the rest
            // within 15 ms, most of them early
            double u = r.nextDouble();
            long delay = i % 4 == 1 ? (long) (u * 1_000_000L) : (long) (u * u * 15_000_000L);
            CrashHarness.Trial t = new CrashHarness.Trial(i, childSeed, mix,
                    i % 2 == 0 ? Durability.FSYNC : Durability.NO_FSYNC, segmentTarget, killAfter, delay, i % 3 == 0);
            CrashHarness.Outcome o = CrashHarness.runKillTrial(tmp, t);
            outcomes.add(o);
            CrashFigures.add("store", o.inFlightKind, o.killedInside, o.landed < 0 ? -1 : o.landed - o.acked, bad(o));
            removeIfGood(o);
        }
        report(mix.toString(), outcomes, t0);
    }

    /**
     * @return the number of operations before the first operation of kind {@code target} at or after
     *     operation {@code from + 1} of the sequence of {@code seed}; {@code from} if none comes within 300
     */
    private static int firstOf(String target, long seed, Workload.Mix mix, long segmentTarget, int from) {
        CrashHarness.Replay rp = new CrashHarness.Replay(seed, mix, segmentTarget, false);
        for (int n = 1; n <= from + 300; n++) {
            Op op = rp.advanceTo(n);
            if (n > from && CrashHarness.category(op).equals(target)) {
                return n - 1;
            }
        }
        return from;
    }

    private static boolean bad(CrashHarness.Outcome o) {
        return !o.violations.isEmpty() || !o.leftovers.isEmpty();
    }

    /** Deletes a passed trial's store: a long run would otherwise keep a thousand of them. */
    private void removeIfGood(CrashHarness.Outcome o) throws IOException {
        if (bad(o)) {
            return;
        }
        try (Stream<Path> s = Files.walk(tmp.resolve("trial-" + o.trial.index()))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void report(String what, List<CrashHarness.Outcome> outcomes, long t0) {
        int trials = outcomes.size();
        int maxAcked = 0;
        List<String> bad = new ArrayList<>();
        for (CrashHarness.Outcome o : outcomes) {
            maxAcked = Math.max(maxAcked, o.acked);
            if (bad(o)) {
                bad.add(o.toString());
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("%s: %d trials in %d ms, most acks %d%n", what, trials, ms, maxAcked);
        CrashFigures.publish(ms);
        if (!bad.isEmpty()) {
            fail(bad.size() + " of " + trials + " kill trials (" + what + ") broke the contract or left files:\n  "
                    + String.join("\n  ", bad));
        }
        assertTrue(maxAcked > 0, "no trial got past the first operation");
    }
}
