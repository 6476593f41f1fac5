package dev.numpack.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.AlreadyClosedException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.StoreStateException;
import dev.numpack.testkit.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzWriterTest {
    @TempDir
    Path dir;

    static NdArray random(DType dtype, long... shape) {
        long n = dtype.itemSize();
        for (long d : shape) {
            n *= d;
        }
        byte[] bytes = new byte[(int) n];
        new Random(dtype.ordinal() * 131L + n).nextBytes(bytes);
        if (dtype == DType.BOOL) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] &= 1;
            }
        }
        return NdArray.copyOf(dtype, shape, ByteBuffer.wrap(bytes));
    }

    /** Every dtype as a matrix, a 0-d array and an empty array. */
    private static Map<String, NdArray> everyDtype() {
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        for (DType t : DType.values()) {
            arrays.put(t.numpyName(), random(t, 7, 3));
            arrays.put(t.numpyName() + "_scalar", random(t));
            arrays.put(t.numpyName() + "_empty", random(t, 0, 4));
        }
        return arrays;
    }

    private static Path write(Path target, boolean zip64, Map<String, NdArray> arrays) {
        try (NpzWriter w = NpzWriter.create(target, zip64)) {
            for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
                w.add(e.getKey(), e.getValue());
            }
            w.commit();
        }
        return target;
    }

    @Test
    void numpyLoadsWhatItWrites() throws IOException {
        Python.assumeAvailable();
        Map<String, NdArray> arrays = everyDtype();
        Path plain = write(dir.resolve("plain.npz"), false, arrays);
        Path zip64 = write(dir.resolve("zip64.npz"), true, arrays);
        Path npys = Files.createDirectory(dir.resolve("npy"));
        for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
            NpyWriter.write(npys.resolve(e.getKey() + ".npy"), e.getValue());
        }
        String out = Python.run(String.join("\n",
                "import os, sys, zipfile, numpy as np",
                "npys = sys.argv[1]",
                "for npz in sys.argv[2:]:",
                "    assert zipfile.ZipFile(npz).testzip() is None, 'CRC'",
                "    with np.load(npz) as z:",
                "        names = sorted(f[:-4] for f in os.listdir(npys))",
                "        assert sorted(z.files) == names, (z.files, names)",
                "        for k in z.files:",
                "            a, b = z[k], np.load(os.path.join(npys, k + '.npy'))",
                "            assert a.dtype == b.dtype and a.shape == b.shape, (k, a.dtype, a.shape, b.dtype, b.shape)",
                "            assert a.tobytes() == b.tobytes(), k",
                "    print('ok', len(names))"),
                npys.toString(), plain.toString(), zip64.toString());
        assertEquals("ok 42\nok 42", out.strip());
    }

    @Test
    void readsBackWhatItWritesWithAndWithoutZip64() {
        Map<String, NdArray> arrays = everyDtype();
        for (boolean zip64 : new boolean[] {false, true}) {
            Path npz = write(dir.resolve("x" + zip64 + ".npz"), zip64, arrays);
            try (NpzReader z = NpzReader.open(npz)) {
                assertEquals(new ArrayList<>(arrays.keySet()), z.members());
                for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
                    try (NpyReader r = z.member(e.getKey())) {
                        assertEquals(e.getValue(), r.load(), e.getKey() + " zip64=" + zip64);
                    }
                }
            }
        }
    }

    @Test
    void sameArraysGiveTheSameBytes() throws IOException {
        Map<String, NdArray> arrays = everyDtype();
        Path a = write(dir.resolve("a.npz"), false, arrays);
        Path b = write(dir.resolve("b.npz"), false, arrays);
        assertEquals(-1L, Files.mismatch(a, b));
    }

    @Test
    void streamsAStoreArraysLiveRowsInPiecesWithProgress() throws IOException {
        NdArray big = random(DType.FLOAT32, 3000, 200); // 2.4 MB: several 1 MiB pieces
        Path npz = dir.resolve("out.npz");
        List<long[]> updates = new ArrayList<>();
        try (NumPack np = NumPack.open(dir.resolve("store"))) {
            np.save("big", big);
            np.delete("big", 0, 2999);
            try (LazyArray a = np.lazy("big"); NpzWriter w = NpzWriter.create(npz)) {
                w.add("big", a, (done, total) -> updates.add(new long[] {done, total}));
                w.commit();
            }
        }
        try (NpzReader z = NpzReader.open(npz); NpyReader r = z.member("big")) {
            assertArrayEquals(new long[] {2998, 200}, r.shape());
            assertEquals(big.readRows(1, 2998), r.load());
        }
        assertTrue(updates.size() > 1, "one update per piece");
        for (int i = 1; i < updates.size(); i++) {
            assertTrue(updates.get(i)[0] > updates.get(i - 1)[0]);
        }
        assertArrayEquals(new long[] {2998, 2998}, updates.get(updates.size() - 1));
    }

    @Test
    void writesAMemberFromChunks() {
        NdArray a = random(DType.INT16, 10, 3);
        Path npz = dir.resolve("chunks.npz");
        try (NpzWriter w = NpzWriter.create(npz)) {
            w.begin("a", DType.INT16, new long[] {10, 3});
            ByteBuffer all = a.buffer();
            for (int at = 0; at < all.limit(); at += 6) {
                assertEquals(60 - at, w.remainingBytes());
                w.write(all.duplicate().position(at).limit(at + 6));
            }
            assertEquals(0, w.remainingBytes());
            assertEquals(List.of("a"), w.members());
            w.commit();
        }
        try (NpzReader z = NpzReader.open(npz); NpyReader r = z.member("a")) {
            assertEquals(a, r.load());
        }
    }

    @Test
    void theTargetAppearsOnlyOnCommit() throws IOException {
        Path npz = dir.resolve("t.npz");
        Files.writeString(npz, "old");
        try (NpzWriter w = NpzWriter.create(npz)) {
            w.add("a", random(DType.INT8, 5));
            assertEquals("old", Files.readString(npz));
        }
        assertEquals("old", Files.readString(npz), "close without commit leaves the target");
        assertEquals(List.of(npz), listDir(), "and deletes the temporary file");
        try (NpzWriter w = NpzWriter.create(npz)) {
            w.add("a", random(DType.INT8, 5));
            w.commit();
        }
        assertEquals(List.of(npz), listDir());
        try (NpzReader z = NpzReader.open(npz)) {
            assertEquals(List.of("a"), z.members());
        }
    }

    @Test
    void refusesBadCalls() throws IOException {
        Path npz = dir.resolve("bad.npz");
        NpzWriter w = NpzWriter.create(npz);
        for (String name : new String[] {"", "../up", "a/../../up", "/abs", "C:x", "tab\there"}) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> w.add(name, random(DType.INT8, 1)), name);
            assertEquals(npz, e.store());
        }
        assertThrows(InvalidArgumentException.class, () -> w.begin("neg", DType.INT8, new long[] {2, -1}));
        assertThrows(StoreStateException.class, () -> w.write(ByteBuffer.allocate(1)), "no member begun");
        w.begin("a", DType.INT32, new long[] {2});
        assertThrows(InvalidArgumentException.class, () -> w.write(ByteBuffer.allocate(9)), "more than the shape");
        assertThrows(StoreStateException.class, () -> w.begin("b", DType.INT8, new long[] {1}), "a incomplete");
        w.write(ByteBuffer.allocate(4));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, w::commit);
        assertTrue(e.getMessage().contains("4 data bytes"), e.getMessage());
        w.write(ByteBuffer.allocate(4));
        assertThrows(InvalidArgumentException.class, () -> w.add("a", random(DType.INT8, 1)), "duplicate");
        w.commit();
        assertThrows(StoreStateException.class, w::commit);
        assertThrows(StoreStateException.class, () -> w.add("c", random(DType.INT8, 1)));
        w.close();
        assertThrows(AlreadyClosedException.class, () -> w.add("c", random(DType.INT8, 1)));
        try (NpzReader z = NpzReader.open(npz)) {
            assertEquals(List.of("a"), z.members());
        }
        assertFalse(Files.exists(dir.resolve("up.npy")));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
