package dev.numpack.cli;

import static dev.numpack.cli.Cli.run;
import static dev.numpack.cli.Cli.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NumPack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DropCommandTest {
    @TempDir
    Path dir;
    Path store;

    @BeforeEach
    void setUp() {
        store = dir.resolve("store");
        try (NumPack np = NumPack.open(store)) {
            np.save("x", Cli.longs(0, 20)); // row i holds i
            np.save("y", Cli.longs(0, 3));
        }
    }

    private long[] values() {
        return Cli.load(store, "x").toLongArray();
    }

    private static long[] without(long... gone) {
        Set<Long> g = new java.util.HashSet<>();
        for (long v : gone) {
            g.add(v);
        }
        return LongStream.range(0, 20).filter(v -> !g.contains(v)).toArray();
    }

    @Test
    void rowsWithSinglesRangesAndNegatives() {
        Cli.Result r = run("drop", s(store), "x", "--rows", "0,5,10-12,-1").assertOk();
        assertEquals("deleted 6 rows from 'x': 14 rows left", r.out().strip());
        assertArrayEquals(without(0, 5, 10, 11, 12, 19), values());
        try (NumPack np = NumPack.openReadOnly(store)) {
            assertEquals(6, np.info("x").deletedRows());
        }
    }

    @Test
    void negativeIndexAsSeparateArgument() {
        run("drop", s(store), "x", "--rows", "-1").assertOk();
        run("drop", s(store), "x", "--rows=-2").assertOk();
        assertArrayEquals(without(17, 19), values()); // -2 of the 19 remaining rows is 17
    }

    @Test
    void negativeRangeAndRepeatsCountOnce() {
        Cli.Result r = run("drop", s(store), "x", "--rows", "-3--1, 1,1,0-2").assertOk();
        assertEquals("deleted 6 rows from 'x': 14 rows left", r.out().strip());
        assertArrayEquals(without(0, 1, 2, 17, 18, 19), values());
    }

    @Test
    void indicesAreLogicalAfterEarlierDeletes() {
        run("drop", s(store), "x", "--rows", "0-9").assertOk();
        run("drop", s(store), "x", "--rows", "0").assertOk(); // now row 10
        assertArrayEquals(LongStream.range(11, 20).toArray(), values());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1-x", "abc", "1,,2", "3,", "5-3", "1.5", "--", "1-2-3", "99999999999999999999", " "})
    void badRowSyntaxIsAUsageError(String spec) {
        Cli.Result r = run("drop", s(store), "x", "--rows=" + spec);
        String line = r.assertOneLineError(2);
        assertTrue(line.contains("--rows"), line);
        assertTrue(line.contains("numpack drop --help"), line);
        assertArrayEquals(LongStream.range(0, 20).toArray(), values());
    }

    @Test
    void outOfRangeRowFailsAndDeletesNothing() {
        String line = run("drop", s(store), "x", "--rows", "3,20").assertOneLineError(1);
        assertTrue(line.contains("row 20 out of range for 20 rows"), line);
        line = run("drop", s(store), "x", "--rows", "-21").assertOneLineError(1);
        assertTrue(line.contains("row -21 out of range"), line);
        line = run("drop", s(store), "x", "--rows", "15-25").assertOneLineError(1);
        assertTrue(line.contains("15-25"), line);
        assertArrayEquals(LongStream.range(0, 20).toArray(), values());
    }

    @Test
    void withoutRowsDropsTheWholeArray() {
        Cli.Result r = run("drop", s(store), "x").assertOk();
        assertEquals("dropped 'x'", r.out().strip());
        try (NumPack np = NumPack.openReadOnly(store)) {
            assertEquals(Set.of("y"), np.names());
        }
        assertFalse(Files.exists(store.resolve("data_x.npkd")));
        assertTrue(run("info", s(store)).assertOk().out().contains("1 array"));
    }

    @Test
    void droppingAMissingArrayFails() {
        String line = run("drop", s(store), "z").assertOneLineError(1);
        assertTrue(line.contains("'z'") && line.contains("no such array"), line);
        Path missing = dir.resolve("missing");
        run("drop", s(missing), "x").assertOneLineError(1);
        assertFalse(Files.exists(missing));
    }
}
