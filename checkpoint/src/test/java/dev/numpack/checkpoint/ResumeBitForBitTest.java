package dev.numpack.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N epochs straight, against k epochs + checkpoint in one JVM and a restore + N-k epochs in a new JVM:
 * identical losses and identical parameters (bit for bit), for every optimizer DJL's PyTorch engine can step
 * (Adam, AdamW, Sgd with momentum; the engine does not implement Nag, RmsProp, Adagrad or Adadelta).
 */
class ResumeBitForBitTest {
    @TempDir
    Path dir;

    private static Map<String, String> lines(List<String> out) {
        Map<String, String> m = new HashMap<>();
        for (String l : out) {
            String[] p = l.split(" ", 3);
            if (p.length == 3) {
                m.put(p[0] + " " + p[1], p[2]);
            }
        }
        return m;
    }

    /** Runs {@link ResumeTrainingChild} in its own JVM (log: {@code <mode>.log}); fails if it fails. */
    private Map<String, String> train(String mode, Path store, Path root, String total, String first)
            throws IOException, InterruptedException {
        ChildResult r = ChildJvm.main(ResumeTrainingChild.class, mode, store.toString(), root.toString(), total, first)
                .heap("512m").quietLogs().stderrTo(dir.resolve(mode + ".log")).run(Duration.ofSeconds(300));
        return lines(r.assertSuccess().lines());
    }

    @Test
    void resumingInANewJvmTrainsExactlyAsIfNeverStopped() throws Exception {
        Path store = TinyTraining.writeStore(dir.resolve("data"));
        Path root = dir.resolve("ckpt");
        String total = "3";
        String first = "1";
        Map<String, String> straight = train("straight", store, dir.resolve("unused"), total, first);
        Map<String, String> part1 = train("first", store, root, total, first);
        Map<String, String> part2 = train("resume", store, root, total, first);
        for (String opt : TinyTraining.TRAINABLE) {
            String all = straight.get(opt + " losses");
            String resumed = part1.get(opt + " losses") + "," + part2.get(opt + " losses");
            assertEquals(3 * 8, all.split(",").length, opt + ": 3 epochs of 8 batches");
            assertEquals(all, resumed, opt + ": the same losses, bit for bit");
            assertEquals(straight.get(opt + " params"), part2.get(opt + " params"), opt + ": the same parameters");
            assertTrue(!straight.get(opt + " params").equals(part1.get(opt + " params")), opt + ": trained on");
        }
    }
}
