package dev.numpack.crash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.model.Snap;
import dev.numpack.model.StoreChecks;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deterministic companions of {@code dev.numpack.reliability.concurrency.ConcurrentAccessCrashTest} in numpack-reliability: a read-only store and a writer on the same
 * directory (the writer here in this JVM; readers take no lock). The class javadoc of {@code NumPack}
 * promises: "Read-only stores take no lock and keep working while a writer commits; they see the state of
 * the moment they opened or last refreshed."
 */
class ReadOnlySnapshotTest {
    @TempDir
    Path dir;

    private static NdArray rows(int n, float base) {
        float[][] r = new float[n][2];
        for (int i = 0; i < n; i++) {
            r[i][0] = base + 2 * i;
            r[i][1] = base + 2 * i + 1;
        }
        return NdArray.of(r);
    }

    @Test
    void readOnlyStoreKeepsTheStateOfItsOpeningUntilRefresh() {
        try (NumPack w = NumPack.open(dir)) {
            w.save("a", rows(4, 0));
            w.save("c", rows(3, 100));
            try (NumPack ro = NumPack.openReadOnly(dir)) {
                TreeMap<String, Snap> before = StoreChecks.read(ro);
                w.save("a", rows(2, 50));   // overwrite with another shape
                w.save("b", rows(1, 7));    // new array
                w.drop("c");                // dropped array
                w.delete("a", 0);
                // the contract: nothing changes for this reader until refresh()
                assertEquals(Set.of("a", "c"), ro.names(), "names() of a read-only store after a foreign commit");
                assertArrayEquals(new long[] {4, 2}, ro.shape("a"), "shape of a after a foreign overwrite");
                assertEquals(rows(4, 0), ro.load("a"), "content of a after a foreign overwrite");
                assertEquals(rows(3, 100), ro.load("c"), "an array dropped by the writer after the reader opened");
                assertEquals(null, Snap.diff(StoreChecks.read(ro), before));
                ro.refresh();
                assertEquals(Set.of("a", "b"), ro.names());
                assertEquals(rows(2, 50).readRows(1, 1), ro.load("a"));
            }
        }
    }

    @Test
    void readOnlyCallsAfterForeignCommitsNeverMixStatesOrFail() {
        // Whatever the reader sees (its snapshot or the newest state), consecutive calls must agree:
        // names() then load() of each name must not fail, and shape/info must match the loaded content.
        try (NumPack w = NumPack.open(dir)) {
            w.save("a", rows(4, 0));
            w.save("e", rows(2, 9));
            try (NumPack ro = NumPack.openReadOnly(dir)) {
                Set<String> names = ro.names();
                w.drop("e");
                w.save("a", rows(3, 30));
                w.delete("a", 1);
                for (String n : names) {
                    NdArray a = ro.load(n); // ArrayNotFoundException here would mean names() and load() disagree
                    assertArrayEquals(a.shape(), ro.shape(n), "shape and content of " + n + " from different states");
                    assertEquals(a.rows(), ro.info(n).rows());
                }
            }
        }
    }
}
