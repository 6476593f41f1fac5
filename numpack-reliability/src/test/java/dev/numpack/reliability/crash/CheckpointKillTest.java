package dev.numpack.reliability.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Model;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;
import dev.numpack.checkpoint.CheckpointInfo;
import dev.numpack.checkpoint.CheckpointManager;
import dev.numpack.checkpoint.Restored;
import dev.numpack.reliability.Mode;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a JVM that saves checkpoints in a loop ({@link CheckpointSaveChild}: keep the last 2, so
 * every save prunes one; even steps saved twice, the second save replacing the first), at a random instant
 * 0-1.5 s after its first acknowledged save. Afterwards: the newest checkpoint is the last acknowledged step
 * or the one after it; every checkpoint listed restores, verifies (the checksums of its arrays) and holds its
 * step's weights whole; every acknowledged step the retention keeps (the newest two up to the acknowledged
 * one) is there; no leftover of a save or a prune survives the reopen. The figures count each kill by the
 * files it interrupted: a save (a {@code .tmp-} checkpoint), the replacement of a step ({@code .old-}), a
 * prune ({@code .del-}), or none.
 *
 * <p>Counts: {@link Mode#CI} 6 kills, {@link Mode#LONG} 100.
 */
class CheckpointKillTest {
    @TempDir
    Path dir;

    @Test
    void aKilledSaveOrPruneNeverLeavesAHalfCheckpointOrLosesAnAcknowledgedOne() throws Exception {
        int trials = Mode.current().pick(6, 100);
        Random random = new Random(20261124);
        List<String> bad = new ArrayList<>();
        int inside = 0;
        long t0 = System.nanoTime();
        for (int trial = 0; trial < trials; trial++) {
            Path ckpt = dir.resolve("ckpt-" + trial);
            String mode = trial % 3 == 2 ? "async" : "sync";
            long ack = killedAt(ckpt, mode, random.nextInt(1500), dir.resolve("child-" + trial + ".log"));
            String kind = interrupted(ckpt);
            inside += kind.equals("checkpoint (no file in flight)") ? 0 : 1;
            List<String> problems = new ArrayList<>();
            int landed = check(ckpt, ack, problems);
            CrashFigures.add("checkpoint", kind, !kind.equals("checkpoint (no file in flight)"), landed,
                    !problems.isEmpty());
            if (!problems.isEmpty()) {
                bad.add("trial " + trial + " (" + mode + ", acked step " + ack + ", " + kind + "): " + problems);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[CheckpointKillTest] " + trials + " kills, " + inside + " with a save or prune in flight");
        CrashFigures.publish(ms);
        if (!bad.isEmpty()) {
            fail(bad.size() + " of " + trials + " checkpoint kills broke the contract:\n  " + String.join("\n  ", bad));
        }
        assertTrue(inside > 0, "no kill landed inside a save or a prune");
    }

    /**
     * Starts a saving child, kills it {@code delayMillis} after its first acknowledged save.
     *
     * @return the last step it acknowledged
     */
    private static long killedAt(Path ckpt, String mode, int delayMillis, Path log) throws Exception {
        AtomicLong acked = new AtomicLong();
        try (ChildProcess p = ChildJvm.main(CheckpointSaveChild.class, ckpt.toString(), mode).heap("512m")
                .quietLogs().stderrTo(log).start()) {
            BufferedReader out = p.stdout();
            String first = out.readLine();
            if (!"ready".equals(first)) {
                throw new AssertionError("the child did not start (" + first + "): " + p.stderrText());
            }
            Thread reader = new Thread(() -> {
                try {
                    for (String l; (l = out.readLine()) != null; ) {
                        if (l.startsWith("acked ")) {
                            acked.set(Long.parseLong(l.substring(6)));
                        }
                    }
                } catch (IOException ignored) {
                    // the child was killed
                }
            });
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (acked.get() == 0 && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (acked.get() == 0) {
                throw new AssertionError("no save acknowledged in 120 s; child log:\n" + p.stderrText());
            }
            Thread.sleep(delayMillis);
            int code = p.kill();
            reader.join(10_000);
            if (code != ChildJvm.KILLED_EXIT) {
                throw new AssertionError("the child exited with " + code + ", not by SIGKILL: " + p.stderrText());
            }
        }
        return acked.get();
    }

    /** @return what the kill interrupted, from the files it left */
    private static String interrupted(Path ckpt) throws IOException {
        Set<String> kinds = new TreeSet<>();
        try (Stream<Path> s = Files.list(ckpt)) {
            for (Path f : s.toList()) {
                String n = f.getFileName().toString();
                if (n.startsWith(".tmp-")) {
                    kinds.add("checkpoint save");
                } else if (n.startsWith(".old-")) {
                    kinds.add("checkpoint save (replacing a step)");
                } else if (n.startsWith(".del-")) {
                    kinds.add("checkpoint pruning");
                }
            }
        }
        return kinds.isEmpty() ? "checkpoint (no file in flight)" : String.join(" + ", kinds);
    }

    /**
     * Reopens the directory and checks the contract.
     *
     * @return the newest step minus the acknowledged one (0 or 1), or -1 when neither
     */
    private static int check(Path ckpt, long ack, List<String> problems) throws IOException {
        int landed = -1;
        try (Model m = CheckpointSaveChild.model(); Trainer t = CheckpointSaveChild.trainer(m);
                CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).build()) {
            Optional<Restored> latest = c.restoreLatest(m, null);
            if (latest.isEmpty()) {
                problems.add("no checkpoint restores");
                return -1;
            }
            long step = latest.get().state().step();
            if (step == ack || step == ack + 1) {
                landed = (int) (step - ack);
            } else {
                problems.add("the newest checkpoint is step " + step);
            }
            whole(m, step, "the newest checkpoint", problems);
            Set<Long> listed = new TreeSet<>();
            for (CheckpointInfo info : c.list()) {
                listed.add(info.step());
                Restored r = c.restore(info.name(), m, null); // checks every array's checksum first
                whole(m, r.state().step(), info.name(), problems);
            }
            for (long s = Math.max(1, step - 1); s <= Math.min(ack, step); s++) {
                if (!listed.contains(s)) {
                    problems.add("acknowledged step " + s + ", which keep-last-2 keeps, is gone: " + listed);
                }
            }
        }
        try (Stream<Path> s = Files.list(ckpt)) {
            List<String> left = s.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(".tmp") || n.startsWith(".del") || n.startsWith(".old")).toList();
            if (!left.isEmpty()) {
                problems.add("leftovers survive the reopen: " + left);
            }
        }
        return landed;
    }

    private static void whole(Model m, long step, String what, List<String> problems) {
        for (Pair<String, Parameter> param : m.getBlock().getParameters()) {
            for (float x : param.getValue().getArray().toFloatArray()) {
                if (x != step) {
                    problems.add(what + ": " + param.getKey() + " holds " + x + ", not " + step);
                    return;
                }
            }
        }
    }
}
