package dev.numpack.cli;

import static dev.numpack.cli.Cli.run;
import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NumPack;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
    @TempDir
    Path dir;

    private Path storeWithTwoArrays() {
        Path store = dir.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("a", Cli.floats(50, 4, 0));
            np.save("b", Cli.longs(0, 30));
            np.delete("b", 3, 4);
        }
        return store;
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Test
    void consistentStoreIsOk() {
        Path store = storeWithTwoArrays();
        Cli.Result r = run("verify", s(store)).assertOk();
        assertEquals(List.of("OK: 2 arrays"), r.outLines());
    }

    @Test
    void emptyStoreIsOk() {
        Path store = dir.resolve("store");
        NumPack.open(store).close();
        assertEquals(List.of("OK: 0 arrays"), run("verify", s(store)).assertOk().outLines());
    }

    @Test
    void truncatedDataFileFailsWithOneLine() throws IOException {
        Path store = storeWithTwoArrays();
        Path data = store.resolve("data_a.npkd");
        assertTrue(Files.exists(data));
        truncate(data, Files.size(data) - 7);

        Cli.Result r = run("verify", s(store));
        String line = r.assertOneLineError(1);
        assertEquals("", r.out());
        assertTrue(line.contains("data_a.npkd"), line);
        assertFalse(line.contains("Exception"), line);
    }

    @Test
    void truncatedSegmentFileFails() throws IOException {
        Path store = dir.resolve("store");
        try (NumPack np = NumPack.builder().setPath(store).optSegmentTargetBytes(1024).build()) {
            np.save("seg", Cli.longs(0, 1000));
        }
        run("verify", s(store)).assertOk();
        Path segment;
        try (Stream<Path> files = Files.walk(store)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("seg_")).sorted().reduce((x, y) -> y)
                    .orElseThrow();
        }
        truncate(segment, 3);
        String line = run("verify", s(store)).assertOneLineError(1);
        assertTrue(line.contains("'seg'") || line.contains(segment.getFileName().toString()), line);
    }

    @Test
    void missingStoreFails() {
        String line = run("verify", s(dir.resolve("nope"))).assertOneLineError(1);
        assertTrue(line.contains("no store directory"), line);
    }

    @Test
    void verifyDoesNotNeedTheWriterLock() {
        Path store = storeWithTwoArrays();
        try (NumPack writer = NumPack.open(store)) {
            assertEquals(List.of("OK: 2 arrays"), run("verify", s(store)).assertOk().outLines());
            assertTrue(writer.contains("a"));
        }
    }
}
