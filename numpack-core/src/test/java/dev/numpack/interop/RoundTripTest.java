package dev.numpack.interop;

import static dev.numpack.interop.NpkLayout.ArraySpec.of;
import static dev.numpack.interop.NpkLayout.assertSameArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.numpack.NumPack;
import dev.numpack.interop.NpkLayout.Entry;
import dev.numpack.interop.NpkLayout.Index;
import dev.numpack.interop.NpkLayout.Ops;
import dev.numpack.interop.NpkLayout.Spec;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python writes a store as NumPack 0.7 would, Java appends, deletes, replaces, compacts, drops and saves
 * in it, and Python reads the result: it must equal a NumPy model of the same operations, and the arrays
 * Java did not touch must keep their files byte for byte.
 */
class RoundTripTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needPython() {
        Python.assumeAvailable();
    }

    static Spec upstreamStore() {
        return new Spec().shuffleSeed(17)
                .add(of("p", "float32", 1, 10, 3).deleted("header", 0, 9))
                .add(of("l", "int16", 2, 130).deleted("legacy", 1, 64, 129))
                .add(of("s", "uint64", 3, 11, 2).segments("pretty", 3, 1, 5, 0, 2).deleted("header", 3))
                .add(of("s0", "float32", 4, 4, 2).segments("compact", 4, 0))
                .add(of("s2", "complex64", 5, 8, 2).segments("pretty", 4, 4))
                .add(of("h", "bool", 6, 5, 2).deleted("header", 0, 1, 2, 3, 4))
                .add(of("u", "float64", 7, 70).deleted("legacy", 3))
                .add(of("z", "complex128", 8))
                .add(of("bi", "int32", 9, 6, 2).blockInfo())
                .add(of("d", "int8", 10, 6))
                .add(of("名前", "uint32", 11, 5))
                .add(of("e", "float16", 12, 0, 4));
    }

    static Ops javaOps() {
        return new Ops()
                .append("p", 3, 101)
                .delete("p", 0, -1)
                .replace("p", 102, 1, -2)
                .append("l", 5, 103)                   // legacy bitmap extended: Java rewrites it with a header
                .delete("l", -1, 100)
                .append("s", 4, 104)                   // into the last upstream segment
                .replace("s", 105, 0, 5, -1)           // rows in three different segments
                .delete("s", 2)
                .append("s0", 3, 106)                  // into a trailing 0-row segment
                .delete("s2", 0, 4)
                .compact("s2")
                .append("h", 2, 107)                   // every row was deleted before
                .drop("d")
                .save("n", "int32", 108, 4, 4)
                .delete("名前", 0)
                .append("名前", 1, 109)
                .append("e", 3, 110);
    }

    @Test
    void pythonWritesJavaModifiesPythonReads() throws IOException {
        Spec spec = upstreamStore();
        Ops ops = javaOps();
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        Map<String, byte[]> untouchedBefore = files(store, "data_u.npkd", "deleted_u.npkb", "data_z.npkd", "data_bi.npkd");
        Index model = NpkLayout.model(spec, ops, dir.resolve("model"));

        // two sessions, so that the second one starts from what the first committed
        int split = 8;
        try (NumPack np = NumPack.open(store)) {
            for (int i = 0; i < split; i++) {
                ops.ops.get(i).apply(np, model.operands.get(i));
            }
        }
        try (NumPack np = NumPack.open(store)) {
            for (int i = split; i < ops.ops.size(); i++) {
                ops.ops.get(i).apply(np, model.operands.get(i));
            }
        }

        Index dumped = NpkLayout.dumpAndCompareWithJava(store, dir.resolve("dump"));
        assertEquals(model.arrays.keySet(), dumped.arrays.keySet());
        for (Entry e : model.arrays.values()) {
            assertSameArray(e.array(), dumped.get(e.name).array(), e.name + ": Python's read vs the NumPy model");
        }
        try (NumPack np = NumPack.openReadOnly(store)) {
            for (Entry e : model.arrays.values()) {
                assertSameArray(e.array(), np.load(e.name), e.name + ": Java's read vs the NumPy model");
            }
        }

        // physical facts
        assertEquals("header", dumped.get("l").bitmap, "Java writes the current bitmap layout");
        assertArrayEquals(new long[] {135}, dumped.get("l").physicalShape);
        assertEquals(5, dumped.get("l").deleted);
        assertEquals("legacy", dumped.get("u").bitmap, "an untouched legacy bitmap stays as it was");
        assertArrayEquals(new long[] {3, 1, 5, 0, 6}, dumped.get("s").segmentRows);
        assertArrayEquals(new long[] {4, 3}, dumped.get("s0").segmentRows);
        assertEquals("none", dumped.get("s2").bitmap);
        assertArrayEquals(new long[] {6, 2}, dumped.get("s2").physicalShape);
        assertArrayEquals(new long[] {2, 2}, dumped.get("h").shape);
        assertArrayEquals(new long[] {7, 2}, dumped.get("h").physicalShape);
        assertFalse(Files.exists(store.resolve("data_d.npkd")));
        Map<String, byte[]> untouchedAfter = files(store, "data_u.npkd", "deleted_u.npkb", "data_z.npkd", "data_bi.npkd");
        for (String f : untouchedBefore.keySet()) {
            assertArrayEquals(untouchedBefore.get(f), untouchedAfter.get(f), f + " changed though its array was not touched");
        }
    }

    @Test
    void deleteEveryRowThenCompactLeavesAnEmptyArray() {
        Spec spec = new Spec()
                .add(of("a", "float64", 1, 70, 2).deleted("legacy", 5))
                .add(of("b", "int8", 2, 9).segments("pretty", 4, 5));
        Ops ops = new Ops()
                .delete("a", LongStream.range(0, 69).toArray())
                .compact("a")
                .delete("b", LongStream.range(0, 9).toArray())
                .compact("b")
                .append("b", 2, 3);
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        Index model = NpkLayout.model(spec, ops, dir.resolve("model"));
        try (NumPack np = NumPack.open(store)) {
            for (int i = 0; i < ops.ops.size(); i++) {
                ops.ops.get(i).apply(np, model.operands.get(i));
            }
        }
        Index dumped = NpkLayout.dumpAndCompareWithJava(store, dir.resolve("dump"));
        assertArrayEquals(new long[] {0, 2}, dumped.get("a").shape);
        assertArrayEquals(new long[] {0, 2}, dumped.get("a").physicalShape);
        assertEquals("none", dumped.get("a").bitmap);
        for (Entry e : model.arrays.values()) {
            assertSameArray(e.array(), dumped.get(e.name).array(), e.name);
        }
    }

    private static Map<String, byte[]> files(Path store, String... names) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        for (String n : names) {
            out.put(n, Files.readAllBytes(store.resolve(n)));
        }
        return out;
    }
}
