package dev.numpack.reliability.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.DType;
import dev.numpack.NdArray;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The concurrency test's row check finds what it must: torn rows, zeros, foreign tags, other shapes. */
class CellsTest {
    @Test
    void wholeRowsPassAndAreDecoded() {
        List<long[]> seen = new ArrayList<>();
        assertNull(Cells.check("s0", Cells.rows(0, 7, 3), (tag, gen, row) -> {
            seen.add(new long[] {tag, gen, row});
            return Cells.tagProblem("s0", tag);
        }));
        assertEquals(3, seen.size());
        assertEquals(7, seen.get(2)[1]);
        assertEquals(2, seen.get(2)[2]);
    }

    @Test
    void aTornRowOrZerosFailTheCheck() {
        byte[] bytes = new byte[2 * Cells.ROW_BYTES];
        Cells.rows(1, 9, 2).buffer().duplicate().get(bytes);
        bytes[Cells.ROW_BYTES + 8] ^= 1; // one bit of row 1's generation
        NdArray a = NdArray.copyOf(DType.INT64, new long[] {2, Cells.WIDTH}, ByteBuffer.wrap(bytes));
        String torn = Cells.check("s1", a, (tag, gen, row) -> null);
        assertTrue(torn != null && torn.contains("row 1"), torn);
        assertNotNull(Cells.check("s1", NdArray.zeros(DType.INT64, 2, Cells.WIDTH), (tag, gen, row) -> null));
        assertNotNull(Cells.check("s1", NdArray.zeros(DType.INT32, 2, Cells.WIDTH), (tag, gen, row) -> null),
                "a dtype never written");
    }

    @Test
    void aStableArrayRefusesAnotherArraysRows() {
        assertNotNull(Cells.check("s0", Cells.rows(3, 1, 1), (tag, gen, row) -> Cells.tagProblem("s0", tag)));
        assertNull(Cells.check("v1", Cells.rows(0, 1, 1), (tag, gen, row) -> Cells.tagProblem("v1", tag)),
                "a volatile array may hold a clone of a stable one");
    }
}
