package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BatchMode#delete} means what {@link NumPack#delete} means: a logical delete. */
class BatchModeDeleteTest {
    @TempDir
    Path dir;

    private static NdArray rows(int n) {
        int[] v = new int[n * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return NdArray.of(v).reshape(n, 2);
    }

    @Test
    void aDeleteInABatchCommitsAsNumPackDeleteDoes() {
        try (NumPack viaBatch = NumPack.open(dir.resolve("batch")); NumPack direct = NumPack.open(dir.resolve("direct"))) {
            viaBatch.save("a", rows(10));
            direct.save("a", rows(10));
            try (BatchMode b = viaBatch.batchMode()) {
                b.delete("a", 0, -1);
                assertArrayEquals(new long[] {8, 2}, b.shape("a"), "the batch sees the rows gone");
                b.delete("a", 0); // row 0 of the batch's view: committed row 1
                assertEquals(direct.load("a").readRows(2, 7), b.load("a"));
            }
            direct.delete("a", 0, -1);
            direct.delete("a", 0);
            ArrayInfo batched = viaBatch.info("a");
            assertEquals(3, batched.deletedRows(), "marked in the bitmap, not rewritten");
            assertArrayEquals(new long[] {10, 2}, batched.physicalShape());
            assertEquals(direct.info("a").deletedRows(), batched.deletedRows());
            assertEquals(direct.load("a"), viaBatch.load("a"));
            viaBatch.compact("a");
            assertEquals(0, viaBatch.info("a").deletedRows());
            assertEquals(direct.load("a"), viaBatch.load("a"));
        }
    }

    @Test
    void anArrayTheBatchRewritesIsWrittenWithoutTheDeletedRows() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(6));
            try (BatchMode b = np.batchMode()) {
                b.delete("a", 1);
                b.append("a", rows(1));
                b.delete("a", 0);
            }
            assertEquals(0, np.info("a").deletedRows(), "the batch wrote the array whole");
            NdArray expected = NdArray.of(new int[] {4, 5, 6, 7, 8, 9, 10, 11, 0, 1}).reshape(5, 2);
            assertEquals(expected, np.load("a"));
        }
    }

    @Test
    void aRefusedIndexRecordsNothingAndAnAbortCommitsNothing() {
        try (NumPack np = NumPack.open(dir)) {
            np.save("a", rows(4));
            try (BatchMode b = np.batchMode()) {
                InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> b.delete("a", 0, 4));
                assertEquals("a", e.array());
                assertArrayEquals(new long[] {4, 2}, b.shape("a"), "row 0 was not deleted by the refused call");
                b.delete("a", 2);
                b.abort();
            }
            assertEquals(rows(4), np.load("a"));
            assertEquals(0, np.info("a").deletedRows());
            np.save("z", NdArray.of(new int[] {7}).reshape());
            try (BatchMode b = np.batchMode()) {
                assertThrows(InvalidArgumentException.class, () -> b.delete("z", 0), "a 0-d array has no rows");
                assertThrows(ArrayNotFoundException.class, () -> b.delete("missing", 0));
            }
        }
    }
}
