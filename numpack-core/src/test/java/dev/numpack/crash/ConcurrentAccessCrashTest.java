package dev.numpack.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.numpack.Durability;
import dev.numpack.NumPack;
import dev.numpack.StoreLockedException;
import dev.numpack.model.Snap;
import dev.numpack.model.StoreChecks;
import dev.numpack.testkit.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-writer lock and read-only readers against a live writer in another process: a second writer
 * (this JVM, and a third process) gets {@link StoreLockedException} while the child holds the store, and
 * read-only stores opened (or refreshed) in this JVM while the child commits always show a state the
 * child's sequence passed through.
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
        List<String> digests = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        List<TreeMap<String, Snap>> states = new ArrayList<>();
        List<String> ops = new ArrayList<>(); // ops.get(m): the operation that led to state m
        Map<String, Integer> firstState = new HashMap<>();
        for (int m = 0; m <= maxHi; m++) {
            Object op = rp.advanceTo(m);
            ops.add(op == null ? "" : op.toString());
            TreeMap<String, Snap> s = rp.model.snaps();
            states.add(s);
            String dg = Snap.digest(s);
            digests.add(dg);
            summaries.add(Snap.summary(s));
            firstState.putIfAbsent(dg, m);
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
                ok = digests.get(m).equals(o.digest()) || showsThrough(o.state(), m, hi, states, ops);
            }
            if (!ok) {
                Integer any = firstState.get(o.digest());
                StringBuilder sb = new StringBuilder(describe(seed, d, i, o, lo, hi));
                sb.append(any == null ? " matches NO state of the sequence" : " matches only state " + any)
                        .append("\n      saw:   ").append(o.summary());
                for (int m = lo; m <= Math.min(hi, lo + 2); m++) {
                    sb.append("\n      state ").append(m).append(": ").append(summaries.get(m));
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

    /**
     * Whether a snapshot is state {@code m} with rows that later in-place writes wrote showing through, as
     * the contract allows ("rows the writer replaces in place show through", also by a batch commit that
     * keeps an array's dtype and shape): same arrays, each with state m's dtype, shape and deletions, and
     * each row equal to that row in state m or in a later state reached from m by such writes of that array
     * only (a commit in flight may show some of its rows and not others). Appends to the array along the way
     * (alone, or with other arrays' in one call) keep the chain: they write past the snapshot's rows, into the same files. So do logical deletes (by
     * {@code delete} or by a batch that only deletes from the array: a new bitmap, the same data files); after
     * one, the rows of later states sit at other logical indices, so a row of the snapshot may equal any row
     * of those states (still never bytes that no state held).
     */
    private static boolean showsThrough(TreeMap<String, Snap> seen, int m, int hi, List<TreeMap<String, Snap>> states,
            List<String> ops) {
        TreeMap<String, Snap> base = states.get(m);
        if (!seen.keySet().equals(base.keySet())) {
            return false;
        }
        for (Map.Entry<String, Snap> e : seen.entrySet()) {
            String name = e.getKey();
            Snap got = e.getValue();
            if (!got.sameStructure(base.get(name))) {
                return false;
            }
            List<Snap> allowed = new ArrayList<>(List.of(base.get(name)));
            List<Snap> shiftedStates = new ArrayList<>(); // reached through a logical delete: rows moved
            boolean shifted = false;
            for (int k = m + 1; k <= hi; k++) {
                Snap prev = states.get(k - 1).get(name);
                Snap next = states.get(k).get(name);
                if (next == null || prev == null) {
                    break;
                }
                if (next.equals(prev)) {
                    continue;
                }
                String op = ops.get(k);
                boolean appendsTo = op.startsWith("append " + name + " ") // one array, or several in one call:
                        || op.startsWith("append {") && (op.contains("{" + name + "+=") || op.contains(", " + name + "+="));
                if (appendsTo && next.grownFrom(prev)) {
                    // an append writes past the end of the same files: the rows the snapshot maps stay, and
                    // later in-place writes to them still show through
                    continue;
                }
                if (next.deletedMoreOf(prev)) {
                    shifted = true; // a new bitmap over the same data files: later in-place writes show through
                    continue;
                }
                boolean inPlace = op.startsWith("replace " + name + " ") || op.startsWith("batch ")
                        || op.startsWith("writable batch ");
                if (!inPlace || !next.sameStructure(prev)) {
                    // only replace, and a batch commit keeping the array's structure (which writes few changed
                    // rows in place), write rows in place; anything else writes new files: no show-through
                    break;
                }
                (shifted ? shiftedStates : allowed).add(next);
            }
            for (int r = 0; r < got.rows(); r++) {
                boolean rowOk = false;
                for (Snap a : allowed) {
                    rowOk |= java.util.Arrays.equals(got.row(r), a.row(r));
                }
                for (Snap a : shiftedStates) {
                    for (int q = 0; !rowOk && q < a.rows(); q++) {
                        rowOk = java.util.Arrays.equals(got.row(r), a.row(q));
                    }
                }
                if (!rowOk) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String describe(long seed, Durability d, int i, Observation o, int lo, int hi) {
        return "[" + d + " writer, seed " + seed + "] snapshot " + i + (o.refreshed() ? " (refresh)" : " (open)")
                + " taken while ops " + lo + ".." + hi + " were done/in flight";
    }
}
