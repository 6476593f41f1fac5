package dev.numpack.reliability.crash;

import dev.numpack.Durability;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.model.ArrayModel;
import dev.numpack.model.Op;
import dev.numpack.model.OpFactory;
import dev.numpack.model.Snap;
import dev.numpack.model.StoreChecks;
import dev.numpack.model.StoreFiles;
import dev.numpack.model.StoreModel;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Starts crash children, kills them, and checks the store they leave against the replayed model. */
final class CrashHarness {
    private CrashHarness() {}

    // ------------------------------------------------------------------ child processes

    /**
     * Starts a test program as its own JVM: a small heap, the serial collector and C1 only, so that many
     * children start fast on a small machine; the class path isolated, since a trial runs for minutes.
     */
    static ChildProcess start(Class<?> main, Path stderr, String... args) throws IOException {
        return ChildJvm.main(main, args).jvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .isolatedClasspath().stderrTo(stderr).start();
    }

    /** A running {@link CrashChild} and what it printed. */
    static final class Child implements AutoCloseable {
        final ChildProcess child;
        final Process process;
        private final Thread reader;
        private int acked;
        private int resumed = -1;
        private boolean ready;
        private boolean eof;
        final List<long[]> starts = new ArrayList<>(); // {n, nanoTime}
        final List<long[]> acks = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        Child(Path store, Path stderr, long seed, Durability d, long segmentTarget, Workload.Mix mix, boolean small)
                throws IOException {
            this(store, stderr, seed, d, segmentTarget, mix, small, -1);
        }

        Child(Path store, Path stderr, long seed, Durability d, long segmentTarget, Workload.Mix mix, boolean small,
                int resume) throws IOException {
            List<String> args = new ArrayList<>(List.of(store.toString(), Long.toString(seed), d.name(),
                    Long.toString(segmentTarget), mix.name(), small ? "small" : "normal"));
            if (resume >= 0) {
                args.add("resume=" + resume);
            }
            this.child = start(CrashChild.class, stderr, args.toArray(new String[0]));
            this.process = child.process();
            this.reader = new Thread(this::read, "crash-child-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader br = child.stdout()) {
                String line;
                while ((line = br.readLine()) != null) {
                    String[] f = line.split(" ", 3);
                    synchronized (this) {
                        switch (f[0]) {
                            case "READY":
                                ready = true;
                                break;
                            case "RESUMED":
                                resumed = Integer.parseInt(f[1]);
                                acked = resumed;
                                break;
                            case "START":
                                starts.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                                break;
                            case "ACK":
                                acked = Integer.parseInt(f[1]);
                                acks.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                                break;
                            default:
                                errors.add(line);
                                break;
                        }
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                synchronized (this) {
                    errors.add("reading the child's output failed: " + e);
                }
            } finally {
                synchronized (this) {
                    eof = true;
                    notifyAll();
                }
            }
        }

        /** Waits until the child acknowledged {@code k} operations (k = 0: until it is ready). */
        synchronized boolean awaitAcks(int k, long timeoutMillis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while ((k == 0 ? !ready : acked < k) && !eof && errors.isEmpty()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                wait(left);
            }
            return k == 0 ? ready : acked >= k;
        }

        /** Waits until the child printed {@code START n}: operation {@code n} is running. */
        synchronized boolean awaitStart(int n, long timeoutMillis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (lastStart() < n && !eof && errors.isEmpty()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                wait(left);
            }
            return lastStart() >= n;
        }

        private long lastStart() {
            return starts.isEmpty() ? 0 : starts.get(starts.size() - 1)[0];
        }

        synchronized int acked() {
            return acked;
        }

        /** @return the operation count the resumed child found in the store, or -1 (not resumed yet) */
        synchronized int resumed() {
            return resumed;
        }

        /**
         * Kills the child with SIGKILL and reads what it printed before: {@link ChildProcess#kill} leaves our
         * end of the stdout pipe open, so that acknowledgements still in the pipe are read.
         *
         * @return its exit code
         */
        int kill() throws InterruptedException {
            int code = child.kill();
            reader.join(30_000);
            return code;
        }

        /** @return the start of what the child wrote on stderr, for messages */
        String stderrText() {
            String s = child.stderrText();
            return s.length() > 4000 ? s.substring(0, 4000) + "..." : s;
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                try {
                    kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    child.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------ replay

    /** Replays a workload in memory: the model state after each number of operations. */
    static final class Replay {
        final OpFactory factory;
        final Workload workload;
        final StoreModel model = new StoreModel();
        int done;

        Replay(long seed, Workload.Mix mix, long segmentTarget, boolean small) {
            this.factory = new OpFactory(Workload.config(segmentTarget, small));
            this.workload = new Workload(seed, mix);
        }

        /** Advances to the state after {@code n} operations. @return the last operation applied, or null */
        Op advanceTo(int n) {
            Op last = null;
            while (done < n) {
                last = factory.make(workload.next(), model);
                last.apply(model);
                done++;
            }
            return last;
        }
    }

    // ------------------------------------------------------------------ one kill trial

    /**
     * The parameters of one kill trial: the child is killed {@code extraNanos} after it acknowledged
     * {@code killAfterAcks} operations (single kills: after it printed the start of the next one).
     */
    record Trial(int index, long seed, Workload.Mix mix, Durability durability, long segmentTarget, int killAfterAcks,
            long extraNanos, boolean readOnlyFirst) {
        @Override
        public String toString() {
            return "trial " + index + " [seed " + seed + ", " + mix + ", " + durability + ", segment target "
                    + segmentTarget + ", kill after " + killAfterAcks + " acks + " + extraNanos / 1000 + " us"
                    + (readOnlyFirst ? ", read-only reopen first" : "") + "]";
        }
    }

    /**
     * The operation kinds the figures count kills by, from an operation's description (as {@link OpFactory}
     * writes it): what the child was doing, or about to do, when it was killed.
     *
     * @param op an operation
     * @return its kind, e.g. {@code "save (overwrite)"}
     */
    static String category(Op op) {
        String d = op.toString();
        String[][] byPrefix = {
            {"save {", "save (several arrays)"}, {"save ", "save (new array)"}, {"overwrite ", "save (overwrite)"},
            {"shrink ", "save (overwrite)"}, {"append {", "append (several arrays)"}, {"append ", "append"},
            {"replace ", "replace"}, {"delete ", "delete"}, {"compactAll", "compact (all arrays)"},
            {"compact ", "compact"}, {"drop ", "drop"}, {"reset", "drop"}, {"clone ", "clone"},
            {"reopen", "close and reopen"}, {"batch ", "batch-mode commit"},
            {"writable batch ", "writable-batch commit"}, {"aborted ", "aborted batch"},
        };
        for (String[] p : byPrefix) {
            if (d.startsWith(p[0])) {
                return p[1];
            }
        }
        return d.split(" ", 2)[0];
    }

    /** What a kill trial found. */
    static final class Outcome {
        final Trial trial;
        final List<String> violations = new ArrayList<>(); // contract violations
        final List<String> leftovers = new ArrayList<>();  // files a writable reopen should have removed
        int acked = -1;
        int landed = -1; // m: how many operations the recovered store reflects
        long millis;
        String inFlight = "";
        String inFlightKind = "";
        boolean killedInside; // the in-flight operation was not acknowledged when the kill came
        String secondChild = "";

        Outcome(Trial trial) {
            this.trial = trial;
        }

        @Override
        public String toString() {
            return trial + ": acked " + acked + ", store reflects " + (landed < 0 ? "NO valid state" : landed + " ops")
                    + (inFlight.isEmpty() ? "" : " (op in flight: " + inFlight + ")")
                    + (secondChild.isEmpty() ? "" : ", second child " + secondChild) + ", " + millis + " ms"
                    + (violations.isEmpty() ? "" : "\n    VIOLATIONS: " + String.join("\n      ", violations))
                    + (leftovers.isEmpty() ? "" : "\n    LEFTOVER FILES: " + leftovers);
        }
    }

    static Outcome runKillTrial(Path base, Trial t) throws Exception {
        long t0 = System.nanoTime();
        Outcome out = new Outcome(t);
        Path dir = base.resolve("trial-" + t.index());
        Files.createDirectories(dir);
        Path store = dir.resolve("store");
        try (Child c = new Child(store, dir.resolve("child.err"), t.seed(), t.durability(), t.segmentTarget(), t.mix(),
                false)) {
            if (!c.awaitStart(t.killAfterAcks() + 1, 60_000)) {
                c.kill();
                out.violations.add("the child never started operation " + (t.killAfterAcks() + 1) + " (acked "
                        + c.acked() + "): " + c.errors + " stderr: " + c.stderrText());
                return out;
            }
            spin(t.extraNanos());
            int code = c.kill();
            out.acked = c.acked();
            out.killedInside = out.acked == t.killAfterAcks();
            if (!c.errors.isEmpty()) {
                out.violations.add("the child failed before the kill: " + c.errors + " stderr: " + c.stderrText());
                return out;
            }
            if (code != 137) {
                out.violations.add("the child exited with " + code + " instead of dying of SIGKILL; stderr: "
                        + c.stderrText());
            }
        }
        checkRecovered(store, t.seed(), t.mix(), t.durability(), t.segmentTarget(), t.readOnlyFirst(), out);
        out.millis = (System.nanoTime() - t0) / 1_000_000;
        return out;
    }

    /**
     * Two kills on one store: the first child is killed as in {@link #runKillTrial}; a second child opens
     * the store (recovering what the first left), checks it reflects {@code acked} or {@code acked + 1}
     * operations, continues the sequence, and is killed too: at a random instant after it was spawned
     * (often during its start or the recovery), or after some acknowledgements. Then the usual checks.
     */
    static Outcome runDoubleKillTrial(Path base, Trial t, long secondKillNanos, int secondKillAcks) throws Exception {
        long t0 = System.nanoTime();
        Outcome out = new Outcome(t);
        Path dir = base.resolve("trial-" + t.index());
        Files.createDirectories(dir);
        Path store = dir.resolve("store");
        int acked1;
        try (Child c = new Child(store, dir.resolve("child1.err"), t.seed(), t.durability(), t.segmentTarget(), t.mix(),
                false)) {
            if (!c.awaitAcks(t.killAfterAcks(), 60_000)) {
                c.kill();
                out.violations.add("child 1 never reached " + t.killAfterAcks() + " acks: " + c.errors + " "
                        + c.stderrText());
                return out;
            }
            spin(t.extraNanos());
            c.kill();
            acked1 = c.acked();
            if (!c.errors.isEmpty()) {
                out.violations.add("child 1 failed: " + c.errors + " " + c.stderrText());
                return out;
            }
        }
        try (Child c = new Child(store, dir.resolve("child2.err"), t.seed(), t.durability(), t.segmentTarget(), t.mix(),
                false, acked1)) {
            if (secondKillAcks < 0) {
                spin(secondKillNanos);
            } else {
                if (!c.awaitAcks(acked1 + 1 + secondKillAcks, 60_000)) {
                    c.kill();
                    out.violations.add("child 2 never got going after child 1 acked " + acked1 + ": " + c.errors
                            + " " + c.stderrText());
                    return out;
                }
                spin(secondKillNanos);
            }
            c.kill();
            if (!c.errors.isEmpty()) {
                out.violations.add("child 2 (resuming after " + acked1 + " acks) failed: " + c.errors + " "
                        + c.stderrText());
                return out;
            }
            // child 2 acked up to c.acked() (absolute numbering) once it resumed; before that, child 1's acks count
            out.acked = c.resumed() < 0 ? acked1 : c.acked();
            out.secondChild = c.resumed() < 0 ? "killed before it resumed" : "resumed at " + c.resumed() + ", acked "
                    + c.acked();
        }
        checkRecovered(store, t.seed(), t.mix(), t.durability(), t.segmentTarget(), t.readOnlyFirst(), out);
        out.millis = (System.nanoTime() - t0) / 1_000_000;
        return out;
    }

    static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /**
     * Reopens a killed child's store and checks the contract: it opens, it equals the state after {@code acked}
     * or {@code acked + 1} operations, a read-only and a writable open agree, a writable open leaves no temp
     * file or journal, and further writes work.
     */
    static void checkRecovered(Path store, long seed, Workload.Mix mix, Durability d, long segmentTarget,
            boolean readOnlyFirst, Outcome out) {
        checkRecovered(store, seed, mix, d, segmentTarget, readOnlyFirst, false, out);
    }

    static void checkRecovered(Path store, long seed, Workload.Mix mix, Durability d, long segmentTarget,
            boolean readOnlyFirst, boolean small, Outcome out) {
        int acked = out.acked;
        Replay rp = new Replay(seed, mix, segmentTarget, small);
        rp.advanceTo(acked);
        StoreModel atAcked = rp.model.deepCopy();
        Map<String, Snap> sAcked = atAcked.snaps();
        Op next = rp.advanceTo(acked + 1);
        out.inFlight = String.valueOf(next);
        out.inFlightKind = category(next);
        StoreModel atNext = rp.model.deepCopy();
        Map<String, Snap> sNext = atNext.snaps();

        TreeMap<String, Snap> ro = null;
        if (readOnlyFirst) {
            try (NumPack np = NumPack.openReadOnly(store)) {
                ro = StoreChecks.read(np);
            } catch (RuntimeException e) {
                out.violations.add("read-only open after the kill failed: " + e);
            }
        }
        NumPack.Builder b = NumPack.builder().setPath(store).optDurability(d);
        if (segmentTarget > 0) {
            b.optSegmentTargetBytes(segmentTarget);
        }
        StoreModel landed;
        try (NumPack np = b.build()) {
            TreeMap<String, Snap> got = StoreChecks.read(np);
            String dA = Snap.diff(got, sAcked);
            String dN = Snap.diff(got, sNext);
            if (dA == null) {
                out.landed = acked;
                landed = atAcked;
            } else if (dN == null) {
                out.landed = acked + 1;
                landed = atNext;
            } else {
                out.violations.add("the reopened store matches neither the state after " + acked + " ops (" + dA
                        + ") nor after " + (acked + 1) + " (" + dN + "); in flight: " + next);
                return;
            }
            if (ro != null && Snap.diff(ro, got) != null) {
                out.violations.add("the read-only open saw another state than the writable open: "
                        + Snap.diff(ro, got));
            }
            np.verify();
            out.leftovers.addAll(StoreFiles.leftovers(store, np));
            if (StoreFiles.journalPending(store)) {
                out.violations.add("numpack.journal still holds a committed journal after a writable open");
            }
            // the lock was released by the OS and the journal recovered: further writes work
            NdArray post = NdArray.of(new int[] {acked, out.landed});
            np.save("post", post);
            landed.arrays().put("post", ArrayModel.of(post));
            for (Map.Entry<String, ArrayModel> e : new TreeMap<>(landed.arrays()).entrySet()) {
                ArrayModel a = e.getValue();
                if (!a.zeroD()) {
                    NdArray rows = OpFactory.data(new Random(seed), a.dtype(), a.withRows(2));
                    np.append(e.getKey(), rows);
                    a.append(rows);
                    break;
                }
            }
        } catch (RuntimeException e) {
            out.violations.add("writable reopen / further write after the kill failed: " + e + stackTop(e));
            return;
        }
        try (NumPack np = NumPack.openReadOnly(store)) {
            String diff = Snap.diff(StoreChecks.read(np), landed.snaps());
            if (diff != null) {
                out.violations.add("after writes following recovery: " + diff);
            }
        } catch (RuntimeException e) {
            out.violations.add("read-only open after the further writes failed: " + e);
        }
    }

    private static String stackTop(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(6, st.length); i++) {
            sb.append("\n        at ").append(st[i]);
        }
        if (e.getCause() != null) {
            sb.append("\n      caused by ").append(e.getCause());
        }
        return sb.toString();
    }
}
