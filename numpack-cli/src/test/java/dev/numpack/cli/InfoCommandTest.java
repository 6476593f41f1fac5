package dev.numpack.cli;

import static dev.numpack.cli.Cli.run;
import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfoCommandTest {
    @TempDir
    Path dir;

    @Test
    void listsEveryArrayWithDtypeShapeDeletedRowsAndBytes() {
        Path store = dir.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("weights", Cli.floats(100, 3, 0));
            np.save("ids", Cli.longs(0, 10));
            np.delete("ids", 0, 1, -1);
        }
        Cli.Result r = run("info", s(store)).assertOk();
        List<String> lines = r.outLines();
        assertEquals(3, lines.size(), r.out());
        assertEquals("store " + store.toAbsolutePath().normalize() + ": 2 arrays", lines.get(0));
        // sorted by name, columns padded
        assertEquals("  ids      int64    (7,)      deleted=3  bytes=80  files=1", lines.get(1));
        assertEquals("  weights  float32  (100, 3)  deleted=0  bytes=1200 (1.2 KiB)  files=1", lines.get(2));
    }

    @Test
    void showsSegmentedArraysAndTheirFileCount() {
        Path store = dir.resolve("store");
        try (NumPack np = NumPack.builder().setPath(store).optSegmentTargetBytes(4096).build()) {
            np.save("big", Cli.longs(0, 2000)); // 16000 bytes in 4 KiB segments
        }
        String line = run("info", s(store)).assertOk().outLines().get(1);
        assertTrue(line.contains("(segmented)"), line);
        assertTrue(line.matches(".*files=([2-9]|\\d\\d+) \\(segmented\\)"), line);
        assertTrue(line.contains("bytes=16000 (15.6 KiB)"), line);
    }

    @Test
    void emptyStoreHasHeaderOnly() {
        Path store = dir.resolve("store");
        NumPack.open(store).close();
        Cli.Result r = run("info", s(store)).assertOk();
        assertEquals(List.of("store " + store.toAbsolutePath().normalize() + ": 0 arrays"), r.outLines());
    }

    @Test
    void zeroDimensionalArrayShowsEmptyShape() {
        Path store = dir.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("s", NdArray.of(new double[] {2.5}).reshape());
        }
        String line = run("info", s(store)).assertOk().outLines().get(1);
        assertEquals("  s  float64  ()  deleted=0  bytes=8  files=1", line);
    }

    @Test
    void missingStoreIsAnErrorAndIsNotCreated() {
        Path store = dir.resolve("nope");
        String line = run("info", s(store)).assertOneLineError(1);
        assertTrue(line.contains("nope") && line.contains("no store directory"), line);
        assertFalse(Files.exists(store));
    }

    @Test
    void opensReadOnlyWhileAWriterHoldsTheLock() {
        Path store = dir.resolve("store");
        try (NumPack writer = NumPack.open(store)) {
            writer.save("x", Cli.longs(0, 4));
            Cli.Result r = run("info", s(store)).assertOk();
            assertTrue(r.out().contains("  x  int64  (4,)"), r.out());
        }
    }

    @Test
    void debugAddsTheStackTrace() {
        Cli.Result r = run("info", "--debug", s(dir.resolve("nope")));
        assertEquals(1, r.code());
        assertTrue(r.errLines().get(0).startsWith("numpack: error: "), r.err());
        assertTrue(r.err().contains("\tat dev.numpack."), r.err());
    }
}
