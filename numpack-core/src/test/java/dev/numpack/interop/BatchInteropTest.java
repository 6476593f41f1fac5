package dev.numpack.interop;

import static dev.numpack.interop.NpkLayout.ArraySpec.of;
import static dev.numpack.interop.NpkLayout.assertSameArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.numpack.BatchMode;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.WritableArray;
import dev.numpack.WritableBatchMode;
import dev.numpack.interop.NpkLayout.Entry;
import dev.numpack.interop.NpkLayout.Index;
import dev.numpack.interop.NpkLayout.Ops;
import dev.numpack.interop.NpkLayout.Spec;
import dev.numpack.testkit.Python;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch write paths ({@link BatchMode}, {@link WritableBatchMode}) commit through other code than the plain
 * methods; what they leave in a store written by Python must read back in Python as the NumPy model says.
 */
class BatchInteropTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needPython() {
        Python.assumeAvailable();
    }

    @Test
    void batchesOnAnUpstreamStore() {
        Spec spec = new Spec()
                .add(of("seg", "float32", 1, 12, 3).segments("pretty", 5, 0, 7))
                .add(of("plain", "int64", 2, 9))
                .add(of("bm", "uint8", 3, 10, 2).deleted("legacy", 0))
                .add(of("gone", "int16", 4, 3));
        Ops ops = new Ops()
                .replace("seg", 10, 0, 5, 11)      // 0: through a WritableBatchMode, rows in two segments
                .replace("plain", 11, -1)          // 1: through a WritableBatchMode
                .append("bm", 2, 12)               // 2: through a BatchMode from here on
                .delete("bm", 0, -1)               // 3
                .drop("gone")                      // 4
                .save("fresh", "complex64", 13, 2, 2); // 5
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        Index model = NpkLayout.model(spec, ops, dir.resolve("model"));

        try (NumPack np = NumPack.open(store)) {
            try (WritableBatchMode wb = np.writableBatchMode()) {
                assertThrows(InvalidArgumentException.class, () -> wb.open("bm"), "an array with deleted rows");
                WritableArray seg = wb.open("seg");
                NdArray rows = model.operands.get(0);
                long[] at = {0, 5, 11};
                for (int i = 0; i < at.length; i++) {
                    seg.writeRows(at[i], 1, rows.readRows(i, 1).buffer());
                }
                WritableArray plain = wb.open("plain");
                plain.writeRows(8, 1, model.operands.get(1).buffer());
            }
            try (BatchMode b = np.batchMode()) {
                b.append("bm", model.operands.get(2));
                b.delete("bm", 0, -1);
                b.drop("gone");
                b.save("fresh", model.operands.get(5));
            }
        }
        Index dumped = NpkLayout.dumpAndCompareWithJava(store, dir.resolve("dump"));
        assertEquals(model.arrays.keySet(), dumped.arrays.keySet());
        for (Entry e : model.arrays.values()) {
            assertSameArray(e.array(), dumped.get(e.name).array(), e.name);
        }
    }

    @Test
    void abortedBatchesLeaveTheUpstreamFilesAsTheyWere() throws Exception {
        Spec spec = new Spec()
                .add(of("seg", "float64", 1, 9, 2).segments("compact", 4, 5))
                .add(of("bm", "int32", 2, 70).deleted("legacy", 69));
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        var before = UpstreamStoreReadTest.snapshot(store);
        try (NumPack np = NumPack.open(store)) {
            try (WritableBatchMode wb = np.writableBatchMode()) {
                ByteBuffer junk = ByteBuffer.allocate(16);
                wb.open("seg").writeRows(4, 1, junk);
                wb.abort();
            }
            try (BatchMode b = np.batchMode()) {
                b.delete("bm", 0);
                b.drop("seg");
                b.abort();
            }
        }
        var after = UpstreamStoreReadTest.snapshot(store);
        after.remove(".numpack.lock");
        assertEquals(before, after);
        Index expected = NpkLayout.expect(spec, dir.resolve("expect"));
        Index dumped = NpkLayout.dump(store, dir.resolve("dump"));
        for (Entry e : expected.arrays.values()) {
            assertSameArray(e.array(), dumped.get(e.name).array(), e.name);
        }
    }
}
