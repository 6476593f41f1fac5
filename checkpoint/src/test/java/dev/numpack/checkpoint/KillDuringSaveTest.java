package dev.numpack.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.util.Pair;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildProcess;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a JVM that is saving checkpoints, at random instants: the directory must always give
 * back an intact checkpoint, the newest acknowledged one or the one after it, and nothing half written.
 */
class KillDuringSaveTest {
    private static final int TRIALS = 12;

    @TempDir
    Path dir;

    @Test
    void aKilledSaveNeverLeavesAHalfCheckpointOrLosesAnAcknowledgedOne() throws Exception {
        Random random = new Random(20261124);
        int midSave = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            Path ckpt = dir.resolve("ckpt-" + trial);
            String mode = trial % 3 == 2 ? "async" : "sync";
            AtomicLong acked = new AtomicLong();
            try (ChildProcess p = ChildJvm.main(SaveLoopChild.class, ckpt.toString(), mode).heap("512m").quietLogs()
                    .stderrTo(dir.resolve("child-" + trial + ".log")).start()) {
                BufferedReader out = p.stdout();
                assertEquals("ready", out.readLine(), p::stderrText);
                Thread reader = new Thread(() -> {
                    try {
                        for (String l; (l = out.readLine()) != null; ) {
                            if (l.startsWith("acked ")) {
                                acked.set(Long.parseLong(l.substring(6)));
                            }
                        }
                    } catch (java.io.IOException ignored) {
                        // the child was killed
                    }
                });
                reader.start();
                // the kill lands at a random instant after the first acknowledged save (however slow the machine)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (acked.get() == 0 && p.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                int tr = trial;
                assertTrue(acked.get() > 0, () -> "trial " + tr + ": no save acknowledged in 120 s; child log:\n"
                        + p.stderrText());
                Thread.sleep(random.nextInt(1500));
                assertEquals(ChildJvm.KILLED_EXIT, p.kill(), "SIGKILL");
                reader.join(10_000);
            }
            long ack = acked.get();
            boolean leftovers;
            try (Stream<Path> s = Files.list(ckpt)) {
                leftovers = s.anyMatch(f -> f.getFileName().toString().startsWith(".tmp"));
            }
            if (leftovers) {
                midSave++;
            }
            try (Model m = SaveLoopChild.model(); Trainer t = SaveLoopChild.trainer(m);
                    CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).build()) {
                Restored r = c.restoreLatest(m, null).orElseThrow();
                long step = r.state().step();
                assertTrue(step == ack || step == ack + 1, "trial " + trial + ": restored step " + step
                        + ", acknowledged " + ack);
                for (Pair<String, Parameter> param : m.getBlock().getParameters()) {
                    float[] v = param.getValue().getArray().toFloatArray();
                    for (float x : v) {
                        assertEquals((float) step, x, "trial " + trial + ": " + param.getKey() + " is whole");
                    }
                }
                try (Stream<Path> s = Files.list(ckpt)) {
                    assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".tmp")
                            || f.getFileName().toString().startsWith(".del")
                            || f.getFileName().toString().startsWith(".old")), "leftovers removed on open");
                }
            }
        }
        System.out.println("[KillDuringSaveTest] " + TRIALS + " kills, " + midSave + " landed inside a save");
        assertTrue(midSave > 0, "at least one kill landed inside a save");
    }
}
