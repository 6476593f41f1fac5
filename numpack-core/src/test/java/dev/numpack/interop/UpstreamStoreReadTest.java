package dev.numpack.interop;

import static dev.numpack.interop.NpkLayout.ArraySpec.of;
import static dev.numpack.interop.NpkLayout.assertSameArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.ArrayInfo;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.io.NpyReader;
import dev.numpack.NumPack;
import dev.numpack.interop.NpkLayout.Entry;
import dev.numpack.interop.NpkLayout.Index;
import dev.numpack.interop.NpkLayout.Spec;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores written by the independent Python implementation of the NumPack 0.7 layout (as upstream writes
 * them) must read back in Java with exactly the logical rows NumPy computes: every dtype and rank,
 * deletion bitmaps in both layouts, uneven segments, shuffled metadata records.
 */
class UpstreamStoreReadTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needPython() {
        Python.assumeAvailable();
    }

    /** 14 dtypes x (0-d, 1-d, 2-d, 3-d, empty (0, 4)), plus a non-ASCII name and a block-info record. */
    static Spec everyDtypeAndRank() {
        Spec spec = new Spec().shuffleSeed(11);
        long seed = 100;
        for (String t : NpkLayout.DTYPES) {
            spec.add(of(t + "_0d", t, seed++));
            spec.add(of(t + "_1d", t, seed++, 7));
            spec.add(of(t + "_2d", t, seed++, 5, 3));
            spec.add(of(t + "_3d", t, seed++, 4, 2, 3));
            spec.add(of(t + "_empty", t, seed++, 0, 4));
        }
        spec.add(of("größe_温度", "float32", seed++, 3, 2));
        spec.add(of("with_block_info", "int32", seed, 6, 2).blockInfo());
        return spec;
    }

    @Test
    void everyDtypeAndRankReadsAsNumpyWroteIt() {
        Spec spec = everyDtypeAndRank();
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        Index expected = NpkLayout.expect(spec, dir.resolve("expect"));
        assertEquals(14 * 5 + 2, expected.arrays.size());
        checkStore(store, expected, 1);
        // the .npy files numpy.save wrote hold the same arrays for our .npy reader
        for (Entry e : expected.arrays.values()) {
            try (NpyReader r = NpyReader.open(expected.dir.resolve(e.name + ".npy"))) {
                assertSameArray(e.array(), r.load(), e.name + ".npy");
            }
        }
    }

    @Test
    void pythonReaderAgreesWithPythonWriter() {
        // The second implementation must be consistent with itself before it can judge ours.
        Spec spec = everyDtypeAndRank();
        for (NpkLayout.ArraySpec a : bitmapSpec().arrays()) {
            spec.add(a);
        }
        for (NpkLayout.ArraySpec a : segmentSpec().arrays()) {
            spec.add(a);
        }
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        Index expected = NpkLayout.expect(spec, dir.resolve("expect"));
        Index dumped = NpkLayout.dump(store, dir.resolve("dump"));
        assertEquals(expected.arrays.keySet(), dumped.arrays.keySet());
        assertEquals(expected.totalSize, dumped.totalSize);
        assertEquals(expected.arrays.size(), dumped.arrayCount);
        assertEquals(Set.of(), Set.copyOf(dumped.extras));
        for (Entry e : expected.arrays.values()) {
            Entry d = dumped.get(e.name);
            assertSameArray(e.array(), d.array(), e.name);
            assertArrayEquals(e.physicalShape, d.physicalShape, e.name);
            assertEquals(e.deleted, d.deleted, e.name);
            assertEquals(e.bitmap, d.bitmap, e.name);
            assertArrayEquals(e.segmentRows, d.segmentRows, e.name);
            assertEquals(e.sizeBytes, d.sizeBytes, e.name);
        }
        // upstream 0.7's load() cannot read 0-d arrays (it indexes shape[0]); the reader says so
        Set<String> zeroD = expected.arrays.values().stream().filter(e -> e.shape.length == 0)
                .map(e -> e.name).collect(Collectors.toSet());
        assertEquals(zeroD, dumped.notes.keySet());
    }

    static Spec bitmapSpec() {
        long[] mid = LongStream.of(1, 62, 63, 64, 65, 127, 128, 150, 199).toArray();
        long[] many = new Random(5).longs(120, 0, 1000).toArray();
        return new Spec().shuffleSeed(3)
                // header layout (what NumPack 0.7 writes)
                .add(of("h_first", "float64", 1, 10, 2).deleted("header", 0))
                .add(of("h_last", "int32", 2, 10).deleted("header", 9))
                .add(of("h_first_last", "uint32", 3, 65).deleted("header", 0, 64))
                .add(of("h_all", "uint16", 4, 5, 3).deleted("header", 0, 1, 2, 3, 4))
                .add(of("h_words", "complex64", 5, 200, 2).deleted("header", mid))
                .add(of("h_none_deleted", "float32", 6, 70).bitmapAlways("header"))
                .add(of("h_3d", "int8", 7, 70, 2, 2).deleted("header", 0, 63, 64, 69))
                .add(of("h_exact_words", "float16", 8, 128).deleted("header", 0, 127))
                // legacy layout (words only, from older NumPack versions)
                .add(of("l_first", "float32", 9, 100, 3).deleted("legacy", 0, 5))
                .add(of("l_last", "int64", 10, 130).deleted("legacy", 129))
                .add(of("l_all", "bool", 11, 130, 2).deleted("legacy", LongStream.range(0, 130).toArray()))
                .add(of("l_second_word", "uint8", 12, 128).deleted("legacy", LongStream.range(64, 128).toArray()))
                .add(of("l_many", "float16", 13, 1000).deleted("legacy", many))
                .add(of("l_none_deleted", "complex128", 14, 65, 1).bitmapAlways("legacy"));
    }

    @Test
    void deletionBitmapsInBothLayoutsGiveLogicalRows() {
        Spec spec = bitmapSpec();
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        Index expected = NpkLayout.expect(spec, dir.resolve("expect"));
        assertEquals(0, expected.get("h_all").shape[0]);
        assertEquals(0, expected.get("l_all").shape[0]);
        assertEquals(100 - 2, expected.get("l_first").shape[0]);
        checkStore(store, expected, 2);
    }

    @Test
    void legacyBitmapsThatUpstreamMisreadsStillFollowTheSpec() throws IOException {
        // (a) one word: upstream refuses bitmap files under 16 bytes. (b) two words whose first word is 0
        // (rows 0-63 all deleted): upstream takes that 0 for a header's total_rows and misreads the file.
        // The spec tells the layouts apart by the metadata's row count, so Java reads both; the Python
        // reader, which mirrors upstream, must refuse them.
        Spec small = new Spec().add(of("small", "int32", 1, 10, 2).deleted("legacy", 0, 9));
        Spec zeroWord = new Spec().add(of("zero_word", "float32", 2, 100).deleted("legacy",
                LongStream.concat(LongStream.range(0, 64), LongStream.of(70)).toArray()));
        Path storeA = dir.resolve("small");
        Path storeB = dir.resolve("zero_word");
        NpkLayout.write(storeA, small, dir);
        NpkLayout.write(storeB, zeroWord, dir);
        assertEquals(8, Files.size(storeA.resolve("deleted_small.npkb")));
        assertEquals(16, Files.size(storeB.resolve("deleted_zero_word.npkb")));

        Index expectA = NpkLayout.expect(small, dir.resolve("expectA"));
        Index expectB = NpkLayout.expect(zeroWord, dir.resolve("expectB"));
        assertArrayEquals(new long[] {8, 2}, expectA.get("small").shape);
        assertArrayEquals(new long[] {35}, expectB.get("zero_word").shape);
        checkStore(storeA, expectA, 3);
        checkStore(storeB, expectB, 4);

        String why = NpkLayout.runExpectingFailure("dump", storeA.toString(), dir.resolve("dumpA").toString());
        assertTrue(why.contains("upstream refuses files under 16 bytes"), why);
        why = NpkLayout.runExpectingFailure("dump", storeB.toString(), dir.resolve("dumpB").toString());
        assertTrue(why.contains("legacy bitmap that upstream would read as header"), why);
    }

    @Test
    void bitmapsExtendedByUpstreamAppends() {
        // NumPack 0.7 appends to an array with deleted rows by DeletionBitmap::extend. Crossing into a new
        // word it produces a consistent bitmap, which must read normally.
        Spec good = new Spec()
                .add(of("crossing", "int32", 1, 70).deleted("header", 0, 59).upstreamAppend(10))
                .add(of("crossing_2d", "float32", 2, 140, 2).deleted("header", 3, 64, 119).upstreamAppend(20));
        Path store = dir.resolve("good");
        NpkLayout.write(store, good, dir);
        Index expected = NpkLayout.expect(good, dir.resolve("expect"));
        assertArrayEquals(new long[] {68}, expected.get("crossing").shape);
        checkStore(store, expected, 5);

        // Within the old last word, extend() assigns the tail mask and so revives the deleted rows of that
        // word while the header keeps counting them: rows 0 and 9 of 10 deleted, 5 appended gives a
        // header of (15 rows, 2 deleted) over bits that say 15 live. Upstream itself then copies 15 rows
        // into a 13-row array. A reader must refuse such a bitmap, never guess between the two counts.
        Spec bad = new Spec().add(of("revived", "int32", 3, 15).deleted("header", 0, 9).upstreamAppend(5));
        Path badStore = dir.resolve("bad");
        NpkLayout.write(badStore, bad, dir);
        String why = NpkLayout.runExpectingFailure("dump", badStore.toString(), dir.resolve("dump").toString());
        assertTrue(why.contains("header says 2 deleted, bits say 0"), why);
        assertThrows(dev.numpack.CorruptStoreException.class, () -> {
            try (NumPack np = NumPack.openReadOnly(badStore)) {
                np.load("revived");
            }
        });
    }

    static Spec segmentSpec() {
        return new Spec().shuffleSeed(5)
                .add(of("s_uneven", "float64", 21, 11, 2).segments("pretty", 3, 1, 5, 0, 2))
                .add(of("s_deleted", "int32", 22, 20).segments("compact", 1, 19).deleted("header", 0, 1, 19))
                .add(of("s_single", "complex128", 23, 9, 1, 2).segments("pretty", 9))
                .add(of("s_legacy", "uint8", 24, 70, 3).segments("compact", 64, 6).deleted("legacy", 63, 64))
                .add(of("s_bool", "bool", 25, 5, 2).segments("pretty", 2, 2, 1))
                .add(of("s_all_deleted", "float16", 26, 6).segments("pretty", 1, 5)
                        .deleted("header", 0, 1, 2, 3, 4, 5))
                .add(of("plain_neighbour", "int16", 27, 4, 4));
    }

    @Test
    void segmentedArraysWithUnevenSegments() throws IOException {
        Spec spec = segmentSpec();
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        String manifest = Files.readString(store.resolve("data_s_uneven.npkseg"), StandardCharsets.UTF_8);
        assertTrue(manifest.contains("\"file\": \"data_s_uneven_segments/seg_000004.npkd\""), manifest);
        assertTrue(Files.readString(store.resolve("data_s_deleted.npkseg")).startsWith(
                "{\"version\":1,\"segments\":[{\"file\":\"data_s_deleted_segments/seg_000000.npkd\",\"rows\":1,\"bytes\":4}"));
        Index expected = NpkLayout.expect(spec, dir.resolve("expect"));
        checkStore(store, expected, 4);
    }

    @Test
    void recordOrderDoesNotMatter() throws IOException {
        Set<String> firstRecords = new HashSet<>();
        NdArray[] reference = null;
        Index expected = null;
        for (long shuffle : new long[] {1, 2, 3, 4, 5}) {
            Spec spec = new Spec().shuffleSeed(shuffle);
            for (NpkLayout.ArraySpec a : segmentSpec().arrays()) {
                spec.add(a);
            }
            Path store = dir.resolve("store" + shuffle);
            NpkLayout.write(store, spec, dir);
            firstRecords.add(firstRecordName(store));
            if (expected == null) {
                expected = NpkLayout.expect(spec, dir.resolve("expect"));
            }
            checkStore(store, expected, shuffle);
            try (NumPack np = NumPack.openReadOnly(store)) {
                NdArray[] got = np.names().stream().map(np::load).toArray(NdArray[]::new);
                if (reference != null) {
                    assertArrayEquals(reference, got);
                }
                reference = got;
            }
        }
        assertTrue(firstRecords.size() > 1, "the shuffles should put different records first: " + firstRecords);
    }

    @Test
    void readOnlyOpenChangesNothingOnDisk() throws IOException {
        Spec spec = bitmapSpec();
        Path store = dir.resolve("store");
        NpkLayout.write(store, spec, dir);
        Map<String, String> before = snapshot(store);
        try (NumPack np = NumPack.openReadOnly(store)) {
            for (String n : np.names()) {
                np.load(n);
            }
            np.verify();
        }
        assertEquals(before, snapshot(store), "a read-only open must not write, lock or sweep anything");
    }

    // ------------------------------------------------------------------ checks

    /** Java's view of {@code store} must equal the NumPy arrays of {@code expected}, array by array. */
    static void checkStore(Path store, Index expected, long seed) {
        Map<String, long[]> takes = new TreeMap<>();
        try (NumPack np = NumPack.openReadOnly(store)) {
            assertEquals(expected.arrays.keySet(), np.names());
            for (Entry e : expected.arrays.values()) {
                String what = store.getFileName() + "/" + e.name;
                ArrayInfo info = np.info(e.name);
                assertEquals(e.dtype, info.dtype(), what);
                assertArrayEquals(e.shape, info.shape(), what + ": logical shape");
                assertArrayEquals(e.physicalShape, info.physicalShape(), what + ": physical shape");
                assertEquals(e.sizeBytes, info.byteSize(), what + ": size_bytes");
                assertEquals(e.deleted, info.deletedRows(), what + ": deleted rows");
                assertEquals(e.segmentRows != null, info.segmented(), what + ": segmented");
                if (e.segmentRows != null) {
                    assertEquals(e.segmentRows.length, info.dataFiles(), what + ": segment count");
                }
                NdArray want = e.array();
                assertSameArray(want, np.load(e.name), what + ": load");
                try (LazyArray lazy = np.lazy(e.name)) {
                    assertArrayEquals(e.shape, lazy.shape(), what);
                    assertSameArray(want, lazy.load(), what + ": lazy");
                    if (e.shape.length > 0 && e.shape[0] > 1) {
                        assertSameArray(want.readRows(1, e.shape[0] - 1), lazy.readRows(1, e.shape[0] - 1), what + ": slice");
                    }
                }
                if (e.shape.length == 0) {
                    assertThrows(InvalidArgumentException.class, () -> np.gather(e.name, 0), what);
                } else if (e.shape[0] == 0) {
                    assertThrows(InvalidArgumentException.class, () -> np.gather(e.name, 0), what);
                    assertThrows(InvalidArgumentException.class, () -> np.gather(e.name, -1), what);
                } else {
                    long n = e.shape[0];
                    assertThrows(InvalidArgumentException.class, () -> np.gather(e.name, n), what);
                    assertThrows(InvalidArgumentException.class, () -> np.gather(e.name, -n - 1), what);
                    takes.put(e.name, probe(n, seed + e.name.hashCode()));
                }
            }
            Map<String, NdArray> numpy = NpkLayout.take(expected, takes);
            for (Map.Entry<String, long[]> t : takes.entrySet()) {
                String name = t.getKey();
                long[] idx = t.getValue();
                NdArray want = numpy.get(name);
                assertSameArray(want, np.gather(name, idx), name + ": gather");
                try (LazyArray lazy = np.lazy(name)) {
                    assertSameArray(want, lazy.gather(idx), name + ": gather");
                    // the allocation-free path, into a heap buffer at an offset
                    ByteBuffer buf = ByteBuffer.allocate(3 + (int) (idx.length * lazy.rowBytes())).order(ByteOrder.BIG_ENDIAN);
                    buf.position(3);
                    lazy.gather(idx, buf);
                    assertEquals(buf.limit(), buf.position(), name);
                    buf.position(3);
                    assertSameArray(want, NdArray.copyOf(want.dtype(), want.shape(), buf), name + ": gather(buffer)");
                }
            }
        }
    }

    /** Row indices for a gather: ends, both signs, repeats, and random ones. */
    static long[] probe(long n, long seed) {
        Random r = new Random(seed);
        LinkedHashSet<Long> fixed = new LinkedHashSet<>();
        Stream.of(-1L, 0L, n - 1, -n, n / 2, -(n / 2) - 1).forEach(fixed::add);
        LongStream extra = r.longs(Math.min(12, 2 * n), -n, n);
        return LongStream.concat(LongStream.concat(fixed.stream().mapToLong(Long::longValue), LongStream.of(0, 0)),
                extra).toArray();
    }

    static String firstRecordName(Path store) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(store.resolve("metadata.npkm"))).order(ByteOrder.LITTLE_ENDIAN);
        b.position(20);
        byte[] name = new byte[b.getInt()];
        b.get(name);
        return new String(name, StandardCharsets.UTF_8);
    }

    /** @return every file under {@code root} with a digest of its content */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    out.put(root.relativize(p).toString(), Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p)))
                            + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis());
                } else if (Files.isDirectory(p)) {
                    out.put(root.relativize(p) + "/", "dir");
                }
            }
        }
        return out;
    }
}
