package dev.numpack.interop;

import static dev.numpack.interop.NpkLayout.assertSameArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.interop.NpkLayout.Entry;
import dev.numpack.interop.NpkLayout.Index;
import dev.numpack.interop.NpkLayout.Op;
import dev.numpack.interop.NpkLayout.Ops;
import dev.numpack.interop.NpkLayout.Spec;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores written by Java must be readable by the independent Python implementation of the NumPack 0.7
 * layout (which refuses what upstream would choke on), with the logical rows Java itself loads and
 * those a NumPy model of the same operations computes.
 */
class JavaStoreReadByPythonTest {
    @TempDir
    Path dir;

    private int step;

    @BeforeEach
    void needPython() {
        Python.assumeAvailable();
    }

    private Path out(String what) {
        return dir.resolve("out-" + (step++) + "-" + what);
    }

    @Test
    void saveEveryDtypeAndRank() throws IOException {
        Spec spec = UpstreamStoreReadTest.everyDtypeAndRank();
        Index expected = NpkLayout.expect(spec, out("expect"));
        Path store = dir.resolve("store");
        Map<String, NdArray> all = new LinkedHashMap<>();
        for (Entry e : expected.arrays.values()) {
            all.put(e.name, e.array());
        }
        try (NumPack np = NumPack.open(store)) {
            np.save(all); // one atomic commit
        }
        Index dumped = NpkLayout.dumpAndCompareWithJava(store, out("dump"));
        assertEquals(expected.arrays.keySet(), dumped.arrays.keySet());
        for (Entry e : expected.arrays.values()) {
            assertSameArray(e.array(), dumped.get(e.name).array(), e.name + ": NumPy's values after a Java save");
            assertEquals("none", dumped.get(e.name).bitmap, e.name);
        }
        assertEquals(expected.totalSize, dumped.totalSize);
        // A fact about upstream, not about us: NumPack 0.7's load() panics on 0-d arrays.
        Set<String> zeroD = expected.arrays.values().stream().filter(e -> e.shape.length == 0).map(e -> e.name)
                .collect(Collectors.toSet());
        assertEquals(zeroD, dumped.notes.keySet());

        // saving the same arrays one by one gives the same store content
        Path store2 = dir.resolve("store2");
        try (NumPack np = NumPack.open(store2)) {
            all.forEach(np::save);
        }
        Index dumped2 = NpkLayout.dumpAndCompareWithJava(store2, out("dump2"));
        for (Entry e : dumped.arrays.values()) {
            assertSameArray(e.array(), dumped2.get(e.name).array(), e.name);
        }
    }

    /**
     * Replays {@code ops} through Java one at a time, closing the store after each, and checks after every
     * step that Python reads what Java loads and what the NumPy model of the steps so far computes.
     */
    private Index replayChecked(Path store, Ops ops, Function<Path, NumPack> opener, Spec initial,
            Map<Integer, java.util.function.Consumer<Index>> after) {
        Index model = NpkLayout.model(initial, ops, out("model"));
        Index dumped = null;
        for (int i = 0; i < ops.ops.size(); i++) {
            Op op = ops.ops.get(i);
            try (NumPack np = opener.apply(store)) {
                op.apply(np, model.operands.get(i));
            }
            dumped = NpkLayout.dumpAndCompareWithJava(store, out("after-" + i));
            Index prefix = NpkLayout.model(initial, ops.prefix(i + 1), out("model-" + i));
            assertEquals(prefix.arrays.keySet(), dumped.arrays.keySet(), "after op " + i + " (" + op + ")");
            for (Entry e : prefix.arrays.values()) {
                assertSameArray(e.array(), dumped.get(e.name).array(), "after op " + i + " (" + op + "): " + e.name);
            }
            if (after.containsKey(i)) {
                after.get(i).accept(dumped);
            }
        }
        for (Entry e : model.arrays.values()) {
            assertSameArray(e.array(), dumped.get(e.name).array(), "final " + e.name);
        }
        return dumped;
    }

    @Test
    void appendReplaceDeleteCompactDrop() {
        Ops ops = new Ops()
                .save("a", "float32", 1, 6, 3)
                .append("a", 4, 2)
                .replace("a", 3, 1, -1)
                .delete("a", 0, 2, -1)                    // first, a middle row, last
                .append("a", 2, 4)                        // appends after deletes extend the bitmap
                .save("b", "int64", 5, 60)
                .delete("b", 59, 0)
                .append("b", 10, 6)                       // the bitmap grows from one word to two
                .replace("b", 7, 0, 57, -1, 60)           // logical rows, mapped past deleted ones
                .save("c", "complex64", 8, 5, 2, 2)
                .delete("c", LongStream.range(0, 5).toArray()) // every row: shape (0, 2, 2)
                .append("c", 1, 9)
                .save("d", "bool", 10, 4)
                .compact("a")
                .drop("d")
                .save("e", "uint16", 11, 0, 3)
                .append("e", 2, 12)
                .save("f", "float16", 13)                 // 0-d
                .compact("b")
                .save("a", "int8", 14, 3, 2, 2);          // replace an array with another dtype and shape
        Path store = dir.resolve("store");
        Map<Integer, java.util.function.Consumer<Index>> after = Map.of(
                3, ix -> {
                    assertEquals("header", ix.get("a").bitmap);
                    assertEquals(3, ix.get("a").deleted);
                    assertArrayEquals(new long[] {10, 3}, ix.get("a").physicalShape);
                },
                7, ix -> {
                    assertArrayEquals(new long[] {70}, ix.get("b").physicalShape);
                    assertEquals(2, ix.get("b").deleted);
                },
                10, ix -> assertArrayEquals(new long[] {0, 2, 2}, ix.get("c").shape),
                13, ix -> {
                    assertEquals("none", ix.get("a").bitmap);
                    assertArrayEquals(ix.get("a").shape, ix.get("a").physicalShape);
                },
                14, ix -> assertFalse(ix.arrays.containsKey("d")));
        Index last = replayChecked(store, ops, NumPack::open, new Spec(), after);
        assertFalse(Files.exists(store.resolve("data_d.npkd")), "dropped array's data file");
        assertFalse(Files.exists(store.resolve("deleted_a.npkb")), "bitmap after the array was saved over");
        assertFalse(Files.exists(store.resolve("deleted_b.npkb")), "bitmap after compaction");
        assertTrue(Files.exists(store.resolve("deleted_c.npkb")));
        assertEquals(Set.of("a", "b", "c", "e", "f"), last.arrays.keySet());
    }

    @Test
    void segmentedArraysWithSmallTarget() throws IOException {
        // 32-byte rows and a 256-byte target: 8 rows per segment, as upstream would split them.
        Function<Path, NumPack> open = p -> NumPack.builder().setPath(p).optSegmentTargetBytes(256).build();
        Ops ops = new Ops()
                .save("s", "float64", 1, 50, 4)           // 6 full segments and one of 2 rows
                .save("small", "uint8", 2, 3, 5)          // under the target: a plain file
                .append("s", 11, 3)                       // fills the last segment, then starts one
                .delete("s", 0, 7, 8, -1)
                .replace("s", 4, 5, 6, 7, 8)              // logical rows spanning a segment boundary
                .append("s", 20, 5)
                .save("t", "complex128", 6, 40, 1)        // 16-byte rows: 16 per segment
                .delete("t", LongStream.range(0, 16).toArray()) // the whole first segment
                .compact("s")                             // rewritten segments, bitmap gone
                .save("s", "float64", 7, 30, 4)           // saved over a segmented array
                .compact("t")
                .drop("t");
        Path store = dir.resolve("store");
        Map<Integer, java.util.function.Consumer<Index>> after = Map.of(
                0, ix -> assertArrayEquals(new long[] {8, 8, 8, 8, 8, 8, 2}, ix.get("s").segmentRows),
                1, ix -> assertNull(ix.get("small").segmentRows),
                2, ix -> assertArrayEquals(new long[] {8, 8, 8, 8, 8, 8, 8, 5}, ix.get("s").segmentRows),
                3, ix -> assertEquals("header", ix.get("s").bitmap),
                5, ix -> assertArrayEquals(new long[] {8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 1}, ix.get("s").segmentRows),
                8, ix -> {
                    assertEquals("none", ix.get("s").bitmap);
                    assertArrayEquals(new long[] {8, 8, 8, 8, 8, 8, 8, 8, 8, 5}, ix.get("s").segmentRows);
                },
                9, ix -> assertArrayEquals(new long[] {8, 8, 8, 6}, ix.get("s").segmentRows),
                10, ix -> assertArrayEquals(new long[] {16, 8}, ix.get("t").segmentRows));
        replayChecked(store, ops, open, new Spec(), after);
        assertFalse(Files.exists(store.resolve("data_t.npkseg")));
        assertFalse(Files.exists(store.resolve("data_t_segments")), "a dropped array's segment directory");
    }

    @Test
    void oddShapesAndNames() {
        Spec spec = new Spec()
                .add(NpkLayout.ArraySpec.of("zero_cols", "int32", 1, 3, 0))
                .add(NpkLayout.ArraySpec.of("empty1d", "float32", 2, 0))
                .add(NpkLayout.ArraySpec.of("empty3d", "uint8", 3, 0, 0, 2))
                .add(NpkLayout.ArraySpec.of("five_d", "complex64", 4, 1, 1, 1, 1, 1))
                .add(NpkLayout.ArraySpec.of("tall", "int16", 5, 1000, 7))
                .add(NpkLayout.ArraySpec.of("温度 q\"uote", "float64", 6, 20))
                .add(NpkLayout.ArraySpec.of("with space", "bool", 7, 9, 3));
        Index expected = NpkLayout.expect(spec, out("expect"));
        Path store = dir.resolve("store");
        // 64-byte segments: "tall" (14-byte rows) gets 250 segments of 4 rows, the quoted name 3 segments
        Function<Path, NumPack> open = p -> NumPack.builder().setPath(p).optSegmentTargetBytes(64)
                .optDurability(dev.numpack.Durability.NO_FSYNC).build();
        try (NumPack np = open.apply(store)) {
            for (Entry e : expected.arrays.values()) {
                np.save(e.name, e.array());
            }
        }
        Index dumped = NpkLayout.dumpAndCompareWithJava(store, out("dump"));
        for (Entry e : expected.arrays.values()) {
            assertSameArray(e.array(), dumped.get(e.name).array(), e.name);
        }
        assertEquals(250, dumped.get("tall").segmentRows.length);
        assertArrayEquals(new long[] {8, 8, 4}, dumped.get("温度 q\"uote").segmentRows);
        assertNull(dumped.get("zero_cols").segmentRows);

        NdArray tall = expected.get("tall").array();
        try (NumPack np = open.apply(store)) {
            np.delete("zero_cols", 1);                   // rows of zero bytes still have a bitmap
            np.replace("zero_cols", NdArray.zeros(dev.numpack.DType.INT32, 1, 0), 0);
            np.append("tall", tall.readRows(0, 3));          // the last segment was full: a new one
            np.delete("tall", LongStream.range(0, 500).map(i -> 2 * i).toArray()); // every even row
            np.replace("温度 q\"uote", expected.get("温度 q\"uote").array().readRows(0, 2), 7, 8); // across segments
        }
        dumped = NpkLayout.dumpAndCompareWithJava(store, out("dump2"));
        assertArrayEquals(new long[] {2, 0}, dumped.get("zero_cols").shape);
        assertArrayEquals(new long[] {503, 7}, dumped.get("tall").shape);
        assertEquals(251, dumped.get("tall").segmentRows.length);
        assertEquals(3, dumped.get("tall").segmentRows[250]);
        NdArray quoted = dumped.get("温度 q\"uote").array();
        NdArray original = expected.get("温度 q\"uote").array();
        assertEquals(original.readRows(0, 2), quoted.readRows(7, 2));
        assertEquals(original.readRows(0, 7), quoted.readRows(0, 7));
        assertEquals(original.readRows(9, 11), quoted.readRows(9, 11));
    }

    @Test
    void ourExtraFilesDoNotDisturbThePythonReader() throws IOException {
        Path store = dir.resolve("store");
        Index expected = NpkLayout.expect(new Spec()
                .add(NpkLayout.ArraySpec.of("x", "float32", 1, 20, 3))
                .add(NpkLayout.ArraySpec.of("y", "int16", 2, 9)), out("expect"));
        try (NumPack np = NumPack.open(store)) {
            np.save("x", expected.get("x").array());
            np.save("y", expected.get("y").array());
            np.delete("y", 0);
            // while the writer is open and holds its lock, the store is already readable
            Index live = NpkLayout.dumpAndCompareWithJava(store, out("while-open"));
            assertSameArray(expected.get("x").array(), live.get("x").array(), "x while open");
            assertEquals(8, live.get("y").shape[0]);
        }
        assertFalse(Files.exists(store.resolve("numpack.journal")), "a clean close removes the cleared journal");
        Index closed = NpkLayout.dumpAndCompareWithJava(store, out("closed"));
        assertEquals(List.of(), closed.extras.stream().filter(f -> !f.equals(".numpack.lock")).toList());
        assertEquals(20 * 3 * 4 + 9 * 2, closed.totalSize);
        assertEquals(metadataTotalSize(store), closed.totalSize);
        try (NumPack np = NumPack.openReadOnly(store)) {
            assertEquals(np.info("x").byteSize() + np.info("y").byteSize(), metadataTotalSize(store));
        }
    }

    /** total_size straight from the file header (u32 magic, u32 version, u64 total_size). */
    static long metadataTotalSize(Path store) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(store.resolve("metadata.npkm"))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x424B504E, b.getInt(0));
        assertEquals(1, b.getInt(4));
        return b.getLong(8);
    }
}
