package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume across processes: a run that stops, saves its position and is continued by a new JVM sees
 * the same batches, byte for byte, as a run that never stopped.
 */
class ResumeAcrossJvmTest {
    @TempDir
    Path dir;

    private static List<String> child(Path store, DatasetPosition from, long max, long epochs, Path log)
            throws IOException, InterruptedException {
        String[] args = {store.toString(), Long.toString(from.epoch()), Long.toString(from.batch()),
                from.sampling() == null ? "-" : from.sampling(), Long.toString(max), Long.toString(epochs)};
        ChildResult r = ChildJvm.main(ResumeChild.class, args).heap("512m").quietLogs().stderrTo(log)
                .run(Duration.ofSeconds(120));
        return new ArrayList<>(r.assertSuccess().lines());
    }

    @Test
    void aNewJvmResumesWhereTheOldOneStopped() throws Exception {
        Path store = Stores.rowNumbered(dir.resolve("store"), 500, 7);
        List<String> straight;
        try (NDManager manager = NDManager.newBaseManager();
                NumPackDataset ds = ResumeChild.dataset(store).build()) {
            straight = ResumeChild.read(ds, manager, -1, 3);
        }
        assertEquals(3 * 32, straight.size());
        for (long stopAfter : new long[] {10, 32, 45}) {
            List<String> first = child(store, DatasetPosition.START, stopAfter, 3, dir.resolve("first.log"));
            String[] pos = first.remove(first.size() - 1).split(" ", 4);
            assertEquals("position", pos[0]);
            DatasetPosition saved = new DatasetPosition(Long.parseLong(pos[1]), Long.parseLong(pos[2]), pos[3]);
            List<String> second = child(store, saved, -1, 3, dir.resolve("second.log"));
            assertEquals("position 3 0 " + saved.sampling(), second.remove(second.size() - 1));
            List<String> resumed = new ArrayList<>(first);
            resumed.addAll(second);
            assertEquals(straight, resumed, "stopped after " + stopAfter);
        }
    }
}
