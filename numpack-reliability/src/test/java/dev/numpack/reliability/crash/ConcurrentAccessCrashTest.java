package dev.numpack.reliability.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.numpack.Durability;
import dev.numpack.NumPack;
import dev.numpack.StoreLockedException;
import dev.numpack.model.Op;
import dev.numpack.model.Snap;
import dev.numpack.model.SnapshotHistory;
import dev.numpack.model.StoreChecks;
import dev.numpack.model.StoreSession;
import dev.numpack.reliability.concurrency.LockProbe;
import dev.numpack.testkit.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-writer lock and read-only readers against a live writer in another process: a second writer
 * (this JVM, and a third process) gets {@link StoreLockedException} while the child holds the store, and
 * read-only stores opened (or refreshed) in this JVM while the child commits always show a state the
 * child's sequence passed through, with at most the rows that later commits wrote in place into that state's
 * files showing through ({@link SnapshotHistory} says which).
 */
class ConcurrentAccessCrashTest {
    @TempDir
    Path tmp;

    @Test
    void secondWriterIsLockedOutWhileTheChildHoldsTheStore() throws Exception {
        Path store = tmp.resolve("store");
        long seed = 0x10CCL;
        // a mix without REOPEN: the child must hold its lock the whole time (a reopen releases it for a moment,
        // and a second writer that opens then rightly gets the store)
        CrashHarness.Outcome out = new CrashHarness.Outcome(new CrashHarness.Trial(0, seed, Workload.Mix.BATCHES,
                Durability.FSYNC, 0, 3, 0, false));
        try (CrashHarness.Child c = new CrashHarness.Child(store, tmp.resolve("child.err"), seed, Durability.FSYNC, 0,
                Workload.Mix.BATCHES, false)) {
            assertTrue(c.awaitAcks(3, 60_000), () -> "child did not start: " + c.errors + " " + c.stderrText());
            assertThrows(StoreLockedException.class, () -> NumPack.open(store), "second writer in another process");
            assertThrows(StoreLockedException.class,
                    () -> NumPack.builder().setPath(store).optLockTimeout(Duration.ofMillis(300)).build());
            assertThrows(StoreLockedException.class,
                    () -> NumPack.builder().setPath(store).optDropIfExists(true).build());
            // a third process
            String line;
            try (ChildProcess probe = CrashHarness.start(LockProbe.class, tmp.resolve("probe.err"), store.toString())) {
                line = probe.stdout().readLine();
                probe.await(Duration.ofSeconds(60));
            }
            assertTrue(line != null && line.startsWith("LOCKED"), "probe process: " + line + " "
                    + Files.readString(tmp.resolve("probe.err")));
            // (read-only stores take no lock: readOnlyReadersSeeCommittedStatesWhileTheChildWrites)
            assertTrue(c.process.isAlive(), "the child must still be writing");
            assertEquals(137, c.kill());
            out.acked = c.acked();
            assertTrue(c.errors.isEmpty(), () -> c.errors.toString());
        }
        // the OS released the dead child's lock: a writer opens at once, recovers, and writes
        CrashHarness.checkRecovered(store, seed, Workload.Mix.BATCHES, Durability.FSYNC, 0, false, out);
        assertTrue(out.violations.isEmpty() && out.leftovers.isEmpty(), out::toString);
    }

    @Test
    void readOnlyReadersSeeCommittedStatesWhileTheChildWrites() throws Exception {
        StringBuilder report = new StringBuilder();
        List<String> bad = new ArrayList<>();
        int[] totals = new int[2];
        readersAgainstLiveWriter(0x4EADL, Durability.NO_FSYNC, 0, 300, report, bad, totals);
        readersAgainstLiveWriter(0x4EAEL, Durability.FSYNC, 1024, 60, report, bad, totals);
        System.out.print(report);
        if (!bad.isEmpty()) {
            fail(bad.size() + " of " + totals[0] + " read-only snapshots taken while another process committed match "
                    + "no state the writer passed through (or failed):\n  "
                    + String.join("\n  ", bad.subList(0, Math.min(12, bad.size()))));
        }
        assertTrue(totals[1] > 1, "the readers never saw the store change: " + totals[1]);
    }

    /**
     * The snapshot one run of {@link #readOnlyReadersSeeCommittedStatesWhileTheChildWrites} refused (NO_FSYNC
     * writer, seed 20141, a refresh that read while ops 10..30 ran), rebuilt with the real engine in this JVM:
     * a read-only store opened at state 11 and read after op 30. It shows state 11 with rows that ops 17, 28
     * and 29 replaced in place, after op 15 appended to both arrays in one commit; the former rule refused it,
     * {@link SnapshotHistory} must accept it.
     */
    @Test
    void theSnapshotTheFlakyRunSawIsAccepted() {
        Path store = tmp.resolve("seen-20141");
        CrashHarness.Replay rp = new CrashHarness.Replay(0x4EADL, Workload.Mix.MIXED, 0, true);
        SnapshotHistory history = new SnapshotHistory();
        history.record(rp.model);
        TreeMap<String, Snap> seen;
        StoreSession s = new StoreSession(store, Durability.NO_FSYNC, 0);
        try {
            NumPack ro = null;
            try {
                for (int n = 1; n <= 30; n++) {
                    Op op = rp.factory.make(rp.workload.next(), rp.model);
                    op.run(s);
                    op.apply(rp.model);
                    history.record(rp.model);
                    if (n == 11) {
                        ro = NumPack.openReadOnly(store);
                    }
                }
                seen = StoreChecks.read(ro);
            } finally {
                if (ro != null) {
                    ro.close();
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            s.close();
        }
        // what the failing run printed: a and b as in state 11 but for rows written in place later
        assertEquals("{a=uint8[183, 2, 2] #2a73775a, b=uint8[183, 2, 2] #73558447, e=complex64[7] #6d5fb19d}",
                Snap.summary(seen));
        assertEquals(null, history.firstWith(Snap.digest(seen)), "rows showed through: no state equals it");
        assertTrue(history.shows(seen, 11, 30));
        assertFalse(history.shows(seen, 11, 28), "a's rows come from op 29");
    }

    /** One observation: when it was taken and what it saw. */
    private record Observation(long t0, long t1, boolean refreshed, String digest, String summary, String error,
            TreeMap<String, Snap> state) { }

    /** Reads snapshots until the writer child acknowledged {@code writerOps} operations. */
    private void readersAgainstLiveWriter(long seed, Durability d, long segmentTarget, int writerOps,
            StringBuilder report, List<String> bad, int[] totals) throws Exception {
        Path store = tmp.resolve("readers-" + seed);
        Workload.Mix mix = Workload.Mix.MIXED;
        List<Observation> obs = new ArrayList<>();
        CrashHarness.Outcome out = new CrashHarness.Outcome(new CrashHarness.Trial(1, seed, mix, d, segmentTarget, 1,
                0, false));
        List<long[]> starts;
        List<long[]> acks;
        try (CrashHarness.Child c = new CrashHarness.Child(store, tmp.resolve("readers-" + seed + ".err"), seed, d,
                segmentTarget, mix, true)) {
            assertTrue(c.awaitAcks(1, 60_000), () -> "child did not start: " + c.errors + " " + c.stderrText());
            long safety = System.nanoTime() + 60_000_000_000L; // only if the child stalls
            NumPack longLived = NumPack.openReadOnly(store);
            try {
                for (int i = 0; c.acked() < writerOps && c.process.isAlive() && System.nanoTime() < safety; i++) {
                    boolean refresh = i % 3 == 2;
                    long t0 = System.nanoTime();
                    TreeMap<String, Snap> state = null;
                    String error = null;
                    try {
                        if (refresh) {
                            longLived.refresh();
                            state = StoreChecks.read(longLived);
                        } else {
                            try (NumPack ro = NumPack.openReadOnly(store)) {
                                state = StoreChecks.read(ro);
                            }
                        }
                    } catch (RuntimeException e) {
                        error = e.toString();
                    }
                    long t1 = System.nanoTime();
                    obs.add(new Observation(t0, t1, refresh, state == null ? null : Snap.digest(state),
                            state == null ? null : Snap.summary(state), error, state));
                }
            } finally {
                longLived.close();
            }
            assertTrue(c.process.isAlive(), () -> "the child died: " + c.errors + " " + c.stderrText());
            assertTrue(c.acked() >= writerOps, () -> "the writer stalled at " + c.acked() + " ops");
            assertEquals(137, c.kill());
            assertTrue(c.errors.isEmpty(), () -> c.errors.toString());
            out.acked = c.acked();
            starts = c.starts;
            acks = c.acks;
        }
        // bounds: every op acknowledged before t0 is in the snapshot; none started after t1 is
        int maxHi = 0;
        int[][] bounds = new int[obs.size()][2];
        for (int i = 0; i < obs.size(); i++) {
            Observation o = obs.get(i);
            int lo = 0;
            for (long[] a : acks) {
                if (a[1] < o.t0()) {
                    lo = (int) Math.max(lo, a[0]);
                }
            }
            int hi = 0;
            for (long[] s : starts) {
                if (s[1] < o.t1()) {
                    hi = (int) Math.max(hi, s[0]);
                }
            }
            bounds[i] = new int[] {lo, Math.max(lo, hi)};
            maxHi = Math.max(maxHi, bounds[i][1]);
        }
        CrashHarness.Replay rp = new CrashHarness.Replay(seed, mix, segmentTarget, true);
        SnapshotHistory history = new SnapshotHistory();
        for (int m = 0; m <= maxHi; m++) {
            rp.advanceTo(m);
            history.record(rp.model);
        }
        int changed = 0;
        String prev = null;
        int local = 0;
        for (int i = 0; i < obs.size(); i++) {
            Observation o = obs.get(i);
            int lo = bounds[i][0];
            int hi = bounds[i][1];
            if (o.error() != null) {
                bad.add(describe(seed, d, i, o, lo, hi) + " FAILED: " + o.error());
                local++;
                continue;
            }
            if (!o.digest().equals(prev)) {
                changed++;
            }
            prev = o.digest();
            boolean ok = false;
            for (int m = lo; m <= hi && !ok; m++) {
                ok = history.digest(m).equals(o.digest()) || history.shows(o.state(), m, hi);
            }
            if (!ok) {
                Integer any = history.firstWith(o.digest());
                StringBuilder sb = new StringBuilder(describe(seed, d, i, o, lo, hi));
                sb.append(any == null ? " matches NO state of the sequence" : " matches only state " + any)
                        .append("\n      saw:   ").append(o.summary());
                for (int m = lo; m <= Math.min(hi, lo + 2); m++) {
                    sb.append("\n      state ").append(m).append(": ").append(Snap.summary(history.state(m)));
                }
                bad.add(sb.toString());
                local++;
            }
        }
        totals[0] += obs.size();
        totals[1] += changed;
        report.append(String.format("readers vs %s writer (seed %d): %d snapshots (%d distinct in a row), writer did %d"
                + " ops, %d bad%n", d, seed, obs.size(), changed, out.acked, local));
        CrashHarness.checkRecovered(store, seed, mix, d, segmentTarget, true, true, out);
        if (!out.violations.isEmpty() || !out.leftovers.isEmpty()) {
            bad.add("after killing the writer: " + out);
        }
    }

    private static String describe(long seed, Durability d, int i, Observation o, int lo, int hi) {
        return "[" + d + " writer, seed " + seed + "] snapshot " + i + (o.refreshed() ? " (refresh)" : " (open)")
                + " taken while ops " + lo + ".." + hi + " were done/in flight";
    }
}
