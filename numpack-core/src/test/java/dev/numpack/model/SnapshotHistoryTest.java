package dev.numpack.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.Durability;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SnapshotHistory} against what the engine really shows: a read-only snapshot taken before a run of
 * commits, read after them in the same JVM (so deterministically), must be accepted, and only with the
 * states whose in-place writes it shows; rows no state held in those files must be refused.
 *
 * <p>The sequence is the one that made {@code ConcurrentAccessCrashTest} fail now and then: rows replaced in
 * place after an append of several arrays in one commit, which the test's former rule (reading operation
 * names) took for a commit that writes new files, so it refused the rows the engine rightly showed through.
 */
class SnapshotHistoryTest {
    @TempDir
    Path dir;

    private final StoreModel model = new StoreModel();
    private final SnapshotHistory history = new SnapshotHistory();
    private TreeMap<String, Snap> seen;

    @BeforeEach
    void runTheSequenceUnderAReadOnlySnapshot() {
        try (NumPack np = NumPack.builder().setPath(dir).optDurability(Durability.NO_FSYNC).build()) {
            history.record(model); // 0: empty
            Map<String, NdArray> two = new LinkedHashMap<>();
            two.put("a", rows(6, 0));
            two.put("b", rows(6, 100));
            np.save(two);
            two.forEach((n, v) -> model.arrays().put(n, ArrayModel.of(v)));
            history.record(model); // 1
            try (NumPack ro = NumPack.openReadOnly(dir)) { // the snapshot of state 1
                Map<String, NdArray> more = new LinkedHashMap<>();
                more.put("a", rows(2, 50));
                more.put("b", rows(3, 150));
                np.append(more); // 2: one commit, past the end of both arrays' files
                more.forEach((n, v) -> model.get(n).append(v));
                history.record(model);
                np.replace("a", rows(1, 200), 1); // 3: in place, into the file the snapshot maps
                replaced("a", 1, rows(1, 200));
                np.delete("b", 0); // 4: a new bitmap, the same data file
                model.get("b").deleted.set(0);
                history.record(model);
                np.replace("b", rows(1, 220), 2); // 5: logical row 2 is physical row 3
                replaced("b", 2, rows(1, 220));
                np.save("a", rows(6, 240)); // 6: a new file; the snapshot keeps the old one
                model.arrays().put("a", ArrayModel.of(rows(6, 240)));
                history.record(model);
                np.replace("a", rows(1, 250), 0); // 7: into the new file, which the snapshot does not map
                replaced("a", 0, rows(1, 250));
                seen = StoreChecks.read(ro);
            }
        }
    }

    @Test
    void theSnapshotShowsRowsWrittenInPlaceAfterAnAppendOfSeveralArrays() {
        assertEquals(8, history.size());
        for (int k = 0; k < history.size(); k++) {
            assertNotEquals(history.digest(k), Snap.digest(seen), "rows showed through: no state equals it, " + k);
        }
        assertTrue(history.shows(seen, 1, 7), () -> "refused: " + Snap.summary(seen));
        assertTrue(history.shows(seen, 1, 5), "op 6 and 7 write files the snapshot does not map");
    }

    @Test
    void rowsShowThroughOnlyOnceTheCommitThatWroteThemMayHaveStarted() {
        assertFalse(history.shows(seen, 1, 2), "a's row 1 was written by op 3");
        assertFalse(history.shows(seen, 1, 4), "b's row 3 was written by op 5");
        assertFalse(history.shows(seen, 2, 7), "state 2 has more rows than the snapshot");
    }

    @Test
    void rowsNoStateHeldInThoseFilesAreRefused() {
        assertFalse(history.shows(withRow(seen, "a", 0, row(seen, "a", 2)), 1, 7),
                "the value of another physical row of the same file");
        assertFalse(history.shows(withRow(seen, "a", 0, new byte[] {(byte) 240, (byte) 241}), 1, 7),
                "a row of the new file written by op 6");
        byte[] torn = row(seen, "a", 1).clone();
        torn[1] = row(history.state(1), "a", 1)[1];
        assertFalse(history.shows(withRow(seen, "a", 1, torn), 1, 7), "half old, half new: a torn row");
        TreeMap<String, Snap> less = new TreeMap<>(seen);
        less.remove("b");
        assertFalse(history.shows(less, 1, 7), "another set of arrays");
    }

    /** {@code n} uint8 rows of 2 bytes: {@code from, from + 1, ...}. */
    private static NdArray rows(int n, int from) {
        byte[] b = new byte[2 * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return NdArray.copyOf(dev.numpack.DType.UINT8, new long[] {n, 2}, java.nio.ByteBuffer.wrap(b));
    }

    private void replaced(String name, int logical, NdArray row) {
        ArrayModel a = model.get(name);
        a.gen.phys.set(a.physical(logical), ArrayModel.bytes(row));
        history.record(model);
    }

    private static byte[] row(Map<String, Snap> state, String name, int r) {
        return state.get(name).row(r);
    }

    private static TreeMap<String, Snap> withRow(Map<String, Snap> state, String name, int r, byte[] row) {
        Snap s = state.get(name);
        byte[] bytes = s.bytes.clone();
        System.arraycopy(row, 0, bytes, r * row.length, row.length);
        TreeMap<String, Snap> out = new TreeMap<>(state);
        out.put(name, new Snap(s.dtype, s.shape, s.deletedRows, bytes));
        assertFalse(Arrays.equals(bytes, s.bytes), "the altered row must differ");
        return out;
    }
}
