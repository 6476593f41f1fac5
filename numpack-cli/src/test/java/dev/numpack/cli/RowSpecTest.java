package dev.numpack.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPack;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

class RowSpecTest {
    @TempDir
    Path dir;

    /** Resolves against an array "x" of {@code rows} rows in a fresh store (the core applies the index rule). */
    private long[] resolve(String spec, long rows) {
        return withArray(rows, np -> RowSpec.parse(spec).resolve(np, "x"));
    }

    private long[] listed(String spec, long rows) {
        return withArray(rows, np -> RowSpec.parse(spec).listed(np, "x"));
    }

    private long[] withArray(long rows, java.util.function.Function<NumPack, long[]> f) {
        Path store = dir.resolve("s" + rows);
        try (NumPack np = NumPack.open(store)) {
            if (!np.contains("x")) {
                np.save("x", Cli.longs(0, rows));
            }
            return f.apply(np);
        }
    }

    @Test
    void singlesRangesAndNegativesResolveSortedAndDistinct() {
        assertArrayEquals(new long[] {0, 5, 10, 11, 12, 19}, resolve("0,5,10-12,-1", 20));
        assertArrayEquals(new long[] {7, 8, 9}, resolve("-3--1", 10));
        assertArrayEquals(new long[] {1, 2, 3}, resolve("3,1-3,2", 10));
        assertArrayEquals(new long[] {4}, resolve("4-4", 10));
        assertArrayEquals(new long[] {8, 9}, resolve("8--1", 10));
        assertArrayEquals(new long[] {0, 1, 2}, resolve(" 0 , 1 ,2 ", 10));
    }

    @Test
    void listedKeepsTheOrderWrittenAndRepeatsForReplace() {
        assertArrayEquals(new long[] {5, 0, 9, 2, 3, 5}, listed("5,0,-1,2-3,5", 10));
        assertArrayEquals(new long[] {7, 8, 9}, listed("-3--1", 10));
    }

    @Test
    void syntaxErrorsNameTheItem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowSpec.parse("1,a-b"));
        assertTrue(e.getMessage().contains("'a-b'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RowSpec.parse("9-2"));
        assertTrue(e.getMessage().contains("ends before it starts"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RowSpec.parse("1,"));
        assertTrue(e.getMessage().contains("empty item"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RowSpec.parse(""));
        assertTrue(e.getMessage().contains("empty row list"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RowSpec.parse("123456789012345678901"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void converterReportsTypeConversionErrors() {
        RowSpec.Converter c = new RowSpec.Converter();
        assertEquals("1-2", c.convert("1-2").toString());
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> c.convert("x"));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void outOfRangeAndEmptyRangesAreRefusedAgainstTheRowCount() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> resolve("10", 10));
        assertTrue(e.getMessage().contains("row 10 out of range for 10 rows"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> resolve("-11", 10));
        assertTrue(e.getMessage().contains("row -11 out of range"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> resolve("5-10", 10));
        assertTrue(e.getMessage().contains("row range 5-10: row 10 out of range for 10 rows"), e.getMessage());
        assertEquals("x", e.array(), "the core's rule names the array");
        assertEquals(dir.resolve("s10").toAbsolutePath().normalize(), e.store(), "and the store");
        e = assertThrows(InvalidArgumentException.class, () -> resolve("8--5", 10));
        assertTrue(e.getMessage().contains("row range 8--5 is empty for 10 rows"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> resolve("0", 0));
        assertTrue(e.getMessage().contains("for 0 rows"), e.getMessage());
    }
}
