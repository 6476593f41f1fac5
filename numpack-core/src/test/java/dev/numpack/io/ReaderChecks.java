package dev.numpack.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Test helper: what every {@link ArrayReader} must read back. */
final class ReaderChecks {
    private ReaderChecks() {}

    /**
     * Asserts that {@code load} gives the expected bytes, then reads the rows in ranges from the last to the
     * first (a compressed reader starts over for each step back) into a buffer at a nonzero position.
     *
     * @param r the reader
     * @param expected the array's bytes, little-endian and in C order
     */
    static void assertReads(ArrayReader r, byte[] expected) {
        assertArrayEquals(expected, bytes(r.load().buffer()), "load");
        int rb = (int) r.rowBytes();
        long rows = r.rows();
        long step = Math.max(1, rows / 4);
        for (long start = Math.max(0, rows - step); ; start = Math.max(0, start - step)) {
            long count = Math.min(step, rows - start);
            ByteBuffer dst = ByteBuffer.allocate(1 + (int) count * rb);
            dst.position(1);
            r.readRows(start, count, dst);
            assertEquals(dst.limit(), dst.position(), "readRows must advance the destination");
            assertArrayEquals(Arrays.copyOfRange(expected, (int) start * rb, (int) (start + count) * rb),
                    Arrays.copyOfRange(dst.array(), 1, dst.limit()), "readRows(" + start + ", " + count + ")");
            if (start == 0) {
                return;
            }
        }
    }

    /** @return the bytes from the buffer's position to its limit */
    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
