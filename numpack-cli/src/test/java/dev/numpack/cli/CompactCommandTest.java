package dev.numpack.cli;

import static dev.numpack.cli.Cli.run;
import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.ArrayInfo;
import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactCommandTest {
    @TempDir
    Path dir;
    Path store;

    @BeforeEach
    void setUp() {
        store = dir.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("a", Cli.longs(0, 100));
            np.save("b", Cli.longs(0, 10));
            np.save("c", Cli.longs(0, 5));
        }
        run("drop", s(store), "a", "--rows", "0-49").assertOk();
        run("drop", s(store), "b", "--rows", "-1").assertOk();
    }

    private ArrayInfo info(String name) {
        try (NumPack np = NumPack.openReadOnly(store)) {
            return np.info(name);
        }
    }

    @Test
    void compactOneArrayRemovesItsDeletedRowsOnly() {
        Cli.Result r = run("compact", s(store), "a").assertOk();
        assertEquals("compacted 'a': removed 50 deleted rows, 800 B -> 400 B", r.out().strip());
        ArrayInfo a = info("a");
        assertEquals(0, a.deletedRows());
        assertEquals(400, a.byteSize());
        assertArrayEquals(new long[] {50}, a.physicalShape());
        assertArrayEquals(LongStream.range(50, 100).toArray(), Cli.load(store, "a").toLongArray());
        assertEquals(1, info("b").deletedRows(), "b untouched");
    }

    @Test
    void compactWithoutNameDoesEveryArrayWithDeletedRows() {
        Cli.Result r = run("compact", s(store)).assertOk();
        assertEquals(List.of("compacted 'a': removed 50 deleted rows, 800 B -> 400 B",
                "compacted 'b': removed 1 deleted row, 80 B -> 72 B"), r.outLines());
        assertEquals(0, info("a").deletedRows());
        assertEquals(0, info("b").deletedRows());
        assertArrayEquals(LongStream.range(0, 9).toArray(), Cli.load(store, "b").toLongArray());
        assertArrayEquals(LongStream.range(0, 5).toArray(), Cli.load(store, "c").toLongArray());
        run("verify", s(store)).assertOk();

        assertEquals(List.of("nothing to compact"), run("compact", s(store)).assertOk().outLines());
        assertEquals(List.of("'c' has no deleted rows"), run("compact", s(store), "c").assertOk().outLines());
    }

    @Test
    void compactOfMissingArrayFails() {
        String line = run("compact", s(store), "zz").assertOneLineError(1);
        assertTrue(line.contains("no such array"), line);
    }

    @Test
    void compactShowsAProgressBarWhenForced() {
        Cli.Result r = run("--progress", "compact", s(store), "a");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("\rcompact a ["), r.err());
        assertTrue(r.err().contains("] 100%  50/50 rows"), r.err());
        assertTrue(r.err().endsWith("\n"), r.err());
    }
}
