package dev.numpack.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.numpack.Durability;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.DType;
import dev.numpack.internal.format.MetadataCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A valid store built through the public API, a canary tree beside it, and the checks every hostile-store
 * test needs: the store's bytes before and after, that nothing outside the store changed, and that a
 * failure is a typed {@link NumPackException} naming the store (and array) within a time limit.
 *
 * <p>Layout under the test's temporary directory: {@code store/} (the store), {@code canary/} (files
 * that must never change), and {@code x.npkd} (a file a {@code ../x.npkd} escape would reach; it exists
 * so that an unchecked join would silently succeed instead of failing for another reason).
 */
final class HostileFixture {
    /** Segment target for the standard store: array "s" (1600 bytes) becomes 2 segments. */
    static final long SEGMENT_TARGET = 1000;
    static final Duration OPEN_LIMIT = Duration.ofSeconds(20);
    static final Path PASSWD = Path.of("/etc/passwd");

    final Path base;
    final Path store;
    final Path canary;
    private Map<String, byte[]> pristine;
    private Map<String, NdArray> contents;
    private Map<String, byte[]> canaryBefore;
    private List<String> baseBefore;
    private byte[] passwdDigest;

    HostileFixture(Path base) {
        this.base = base;
        this.store = base.resolve("store").toAbsolutePath().normalize();
        this.canary = base.resolve("canary");
        try {
            Files.createDirectories(canary.resolve("sub"));
            Files.write(canary.resolve("a.txt"), "canary".getBytes(StandardCharsets.UTF_8));
            Files.write(canary.resolve("target.bin"), filled(4096, (byte) 0x5A));
            Files.write(canary.resolve("sub").resolve("b.bin"), filled(300, (byte) 7));
            Files.write(base.resolve("x.npkd"), filled(4096, (byte) 0x33));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        remember();
    }

    static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        Arrays.fill(b, v);
        return b;
    }

    /** Records the outside world as it is now. */
    void remember() {
        canaryBefore = tree(canary);
        baseBefore = listing(base);
        passwdDigest = digest(PASSWD);
    }

    // ------------------------------------------------------------------ the standard store

    static NdArray floats(int rows, int cols, float base) {
        float[][] r = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                r[i][j] = base + i * cols + j;
            }
        }
        return NdArray.of(r);
    }

    static NdArray ints(int rows, int cols, int base) {
        int[][] r = new int[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                r[i][j] = base + i * cols + j;
            }
        }
        return NdArray.of(r);
    }

    static NdArray bytes2d(int rows, int cols) {
        byte[] b = new byte[rows * cols];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return NdArray.ofUint8(b).reshape(rows, cols);
    }

    static NumPack.Builder builder(Path p) {
        return NumPack.builder().setPath(p).optSegmentTargetBytes(SEGMENT_TARGET).optDurability(Durability.NO_FSYNC);
    }

    /**
     * Builds: "a" float32 (10,3); "b" int64 (7); "c" uint8 (100,2) with rows 3, 50, 99 deleted (a bitmap);
     * "s" int32 (100,4) in two segments; "z" a 0-d float64.
     */
    HostileFixture buildStandard() {
        try (NumPack np = builder(store).build()) {
            np.save("a", floats(10, 3, 0));
            np.save("b", NdArray.of(new long[] {1, -2, 3, Long.MAX_VALUE, Long.MIN_VALUE, 0, 42}));
            np.save("c", bytes2d(100, 2));
            np.delete("c", 99, 50, 3);
            np.save("s", ints(100, 4, 1000));
            np.save("z", NdArray.copyOf(DType.FLOAT64, new long[0],
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, Math.PI)));
        }
        contents = loadAll(store);
        assertEquals(List.of("a", "b", "c", "s", "z"), new ArrayList<>(contents.keySet()));
        assertTrue(Files.exists(store.resolve("deleted_c.npkb")), "c has a bitmap");
        assertTrue(Files.exists(store.resolve("data_s.npkseg")), "s is segmented");
        pristine = storeTree();
        remember();
        return this;
    }

    /** Builds a store holding one small float32 array "a" (4,2). */
    HostileFixture buildSmall() {
        try (NumPack np = builder(store).build()) {
            np.save("a", floats(4, 2, 0));
        }
        contents = loadAll(store);
        pristine = storeTree();
        remember();
        return this;
    }

    /** @return every array of the store, loaded read-only */
    static Map<String, NdArray> loadAll(Path store) {
        Map<String, NdArray> out = new TreeMap<>();
        try (NumPack np = NumPack.openReadOnly(store)) {
            for (String n : np.names()) {
                out.put(n, np.load(n));
            }
        }
        return out;
    }

    Map<String, NdArray> contents() {
        return contents;
    }

    /** Asserts the store opens read-only and holds exactly the standard arrays. */
    void assertStoreIntact() {
        Map<String, NdArray> now = loadAll(store);
        assertEquals(contents.keySet(), now.keySet(), "array names");
        for (String n : contents.keySet()) {
            assertEquals(contents.get(n), now.get(n), "content of '" + n + "'");
        }
    }

    /** Puts the store back to its pristine bytes. */
    void restore() {
        deleteTree(store);
        try {
            Files.createDirectories(store);
            for (Map.Entry<String, byte[]> e : pristine.entrySet()) {
                Path p = store.resolve(e.getKey());
                if (e.getValue() == DIR) {
                    Files.createDirectories(p);
                } else {
                    Files.createDirectories(p.getParent());
                    Files.write(p, e.getValue());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ files

    Path file(String relative) {
        return store.resolve(relative);
    }

    byte[] read(String relative) {
        try {
            return Files.readAllBytes(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(String relative, byte[] bytes) {
        try {
            Files.write(file(relative), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(String relative, String text) {
        write(relative, text.getBytes(StandardCharsets.UTF_8));
    }

    void delete(String relative) {
        try {
            Files.delete(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes every file and directory of the store but the given relative paths (and the lock). */
    void removeFilesExcept(String... keep) {
        java.util.Set<String> k = new java.util.HashSet<>(Arrays.asList(keep));
        k.add(".numpack.lock");
        List<String> all = new ArrayList<>(tree(store).keySet());
        all.sort(Comparator.reverseOrder()); // children before their directory
        for (String rel : all) {
            if (!k.contains(rel)) {
                try {
                    Files.delete(store.resolve(rel));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** @return the metadata records of the store as it is on disk */
    List<ArrayRecord> records() {
        return MetadataCodec.decode(ByteBuffer.wrap(read("metadata.npkm")));
    }

    ArrayRecord record(String name) {
        for (ArrayRecord r : records()) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no record " + name);
    }

    /** Rewrites metadata.npkm from raw records (which may be invalid). */
    void writeMetadata(List<RawRecord> recs) {
        write("metadata.npkm", RawRecord.encode(recs));
    }

    /** @return the store's records as raw records, ready to be damaged */
    List<RawRecord> rawRecords() {
        List<RawRecord> out = new ArrayList<>();
        for (ArrayRecord r : records()) {
            out.add(RawRecord.of(r));
        }
        return out;
    }

    /** Replaces the record of {@code name} by {@code change(record)} and rewrites the metadata. */
    void editRecord(String name, java.util.function.Consumer<RawRecord> change) {
        List<RawRecord> recs = rawRecords();
        boolean found = false;
        for (RawRecord r : recs) {
            if (r.name.equals(name)) {
                change.accept(r);
                found = true;
            }
        }
        assertTrue(found, "no record " + name);
        writeMetadata(recs);
    }

    // ------------------------------------------------------------------ opening and asserting

    NumPack openReadOnly() {
        return NumPack.openReadOnly(store);
    }

    NumPack openWritable() {
        return builder(store).build();
    }

    /** Runs {@code action} within the time limit and returns what it threw, or {@code null}. */
    static Throwable outcome(Duration limit, ThrowingRunnable action) {
        return assertTimeoutPreemptively(limit, () -> {
            try {
                action.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, "hung (time limit " + limit.toSeconds() + " s)");
    }

    /**
     * Makes a named pipe at {@code p} with the system's {@code mkfifo}; where there is none, the calling test
     * is aborted (reported as skipped, never silently passed).
     */
    static void mkfifo(Path p) throws Exception {
        Process pr;
        try {
            pr = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("mkfifo not available: " + e);
            return;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(
                pr.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && pr.exitValue() == 0, "mkfifo failed");
    }

    interface ThrowingRunnable {
        void run() throws Throwable;
    }

    /**
     * Opens the store (read-only or writable) and expects a failure of {@code type} whose message names
     * the store and, if given, the array; the store's bytes (but for the lock file) and everything
     * outside it must be unchanged.
     */
    <T extends NumPackException> T expectOpenFails(boolean writable, Class<T> type, String array, String... fragments) {
        Map<String, byte[]> before = storeTree();
        Throwable t = outcome(OPEN_LIMIT, () -> {
            try (NumPack np = writable ? openWritable() : openReadOnly()) {
                np.names();
            }
        });
        String mode = writable ? "writable" : "read-only";
        if (t == null) {
            fail("opening the damaged store " + mode + " succeeded");
        }
        T e = assertTyped(t, type, array, mode, fragments);
        assertStoreUnchanged(before, mode + " open that failed");
        assertOutsideUntouched();
        return e;
    }

    /** Both modes of {@link #expectOpenFails}. */
    <T extends NumPackException> void expectOpenFailsBoth(Class<T> type, String array, String... fragments) {
        expectOpenFails(false, type, array, fragments);
        expectOpenFails(true, type, array, fragments);
    }

    /**
     * For damage confined to one array's files: either the open is refused as by {@link #expectOpenFails},
     * or the store opens and every read of {@code array} raises {@link dev.numpack.CorruptStoreException}
     * naming the store and the array, writes to it are refused with a typed exception, and the other arrays
     * read back intact. In both cases the store's bytes and everything outside are unchanged.
     */
    void expectArrayUnusable(boolean writable, String array, String... fragments) {
        Map<String, byte[]> before = storeTree();
        String mode = writable ? "writable" : "read-only";
        List<String> problems = new ArrayList<>();
        Throwable t = outcome(OPEN_LIMIT, () -> {
            try (NumPack np = writable ? openWritable() : openReadOnly()) {
                List<Object[]> reads = new ArrayList<>();
                reads.add(new Object[] {"load", (ThrowingRunnable) () -> np.load(array)});
                reads.add(new Object[] {"lazy", (ThrowingRunnable) () -> np.lazy(array).close()});
                reads.add(new Object[] {"getRows", (ThrowingRunnable) () -> np.gather(array, 0)});
                reads.add(new Object[] {"exportNpy", (ThrowingRunnable) () -> np.exportNpy(array, base.resolve("export.npy"))});
                if (writable) {
                    reads.add(new Object[] {"delete", (ThrowingRunnable) () -> np.delete(array, 0)});
                    reads.add(new Object[] {"compact", (ThrowingRunnable) () -> np.compact(array)});
                    reads.add(new Object[] {"cloneArray", (ThrowingRunnable) () -> np.cloneArray(array, "clone_of_broken")});
                }
                for (Object[] r : reads) {
                    Throwable e = null;
                    try {
                        ((ThrowingRunnable) r[1]).run();
                    } catch (Throwable x) {
                        e = x;
                    }
                    try {
                        assertTyped(e == null ? new AssertionError("accepted") : e,
                                dev.numpack.CorruptStoreException.class, array, mode + " " + r[0] + " of damaged array",
                                fragments);
                    } catch (AssertionError a) {
                        problems.add(a.getMessage().split("\n")[0]);
                    }
                }
                for (String n : np.names()) {
                    if (!n.equals(array) && contents != null && contents.containsKey(n)) {
                        try {
                            assertEquals(contents.get(n), np.load(n), "other array '" + n + "'");
                        } catch (Throwable x) {
                            problems.add(mode + ": other array '" + n + "' unreadable: " + x);
                        }
                    }
                }
            }
        });
        if (t != null) {
            assertTyped(t, dev.numpack.CorruptStoreException.class, array, mode, fragments);
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " problems:\n  " + String.join("\n  ", problems));
        assertStoreUnchanged(before, mode + " open of a store with a damaged array");
        assertOutsideUntouched();
    }

    void expectArrayUnusableBoth(String array, String... fragments) {
        expectArrayUnusable(false, array, fragments);
        expectArrayUnusable(true, array, fragments);
    }

    <T extends NumPackException> T assertTyped(Throwable t, Class<T> type, String array, String what, String... fragments) {
        if (t == null) {
            throw new AssertionError(what + ": expected " + type.getSimpleName() + " but nothing was thrown");
        }
        if (!type.isInstance(t)) {
            throw new AssertionError(what + ": expected " + type.getSimpleName() + " but got " + t + "\n" + stack(t), t);
        }
        T e = type.cast(t);
        String msg = e.getMessage();
        assertTrue(msg.contains(store.toString()), () -> what + ": message does not name the store " + store + ": " + msg);
        if (array != null) {
            assertTrue(msg.contains("'" + array + "'"), () -> what + ": message does not name array '" + array + "': " + msg);
        }
        for (String f : fragments) {
            assertTrue(msg.contains(f), () -> what + ": message lacks '" + f + "': " + msg);
        }
        return e;
    }

    static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** Asserts nothing outside the store changed since {@link #remember()}. */
    void assertOutsideUntouched() {
        assertTreesEqual(canaryBefore, tree(canary), "canary directory");
        assertEquals(baseBefore, listing(base), "listing of the store's parent directory");
        assertTrue(Arrays.equals(passwdDigest, digest(PASSWD)), "/etc/passwd changed");
    }

    void assertStoreUnchanged(Map<String, byte[]> before, String what) {
        Map<String, byte[]> now = storeTree();
        assertTreesEqual(before, now, "store after " + what);
    }

    /**
     * @return the store's files (and directories) by relative path, but for the lock file and a cleared
     *     journal (one whose magic is zeroed: a writer keeps that file between commits, and it holds nothing)
     */
    Map<String, byte[]> storeTree() {
        Map<String, byte[]> t = tree(store);
        t.remove(".numpack.lock");
        byte[] j = t.get("numpack.journal");
        if (j != null && !(j.length >= 4 && j[0] == 'N' && j[1] == 'P' && j[2] == 'J' && j[3] == '1')) {
            t.remove("numpack.journal");
        }
        return t;
    }

    static final byte[] DIR = new byte[0];

    static Map<String, byte[]> tree(Path root) {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, ("symlink -> " + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, DIR);
                } else {
                    out.put(rel, Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static void assertTreesEqual(Map<String, byte[]> want, Map<String, byte[]> got, String what) {
        List<String> diff = new ArrayList<>();
        for (String k : want.keySet()) {
            if (!got.containsKey(k)) {
                diff.add("removed " + k);
            } else if (!Arrays.equals(want.get(k), got.get(k))) {
                diff.add("changed " + k + " (" + want.get(k).length + " -> " + got.get(k).length + " bytes)");
            }
        }
        for (String k : got.keySet()) {
            if (!want.containsKey(k)) {
                diff.add("added " + k);
            }
        }
        assertTrue(diff.isEmpty(), () -> what + " differs: " + diff);
    }

    static List<String> listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(Comparator.naturalOrder());
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] digest(Path p) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
        } catch (IOException e) {
            return new byte[0];
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path root) {
        dev.numpack.testkit.TestFiles.deleteTree(root);
    }

    // ------------------------------------------------------------------ raw metadata

    /** One metadata record with every field settable, so that invalid ones can be written. */
    static final class RawRecord {
        String name;
        byte[] nameBytes;
        int ndim;
        long[] shape;
        byte[] dataFile;
        long micros;
        long sizeBytes;
        int dtype;
        int compression;
        int hasBlockInfo;
        /** If set, written instead of the name's length. */
        Integer nameLengthOverride;
        /** If set, written instead of the data file's length. */
        Integer dataFileLengthOverride;

        static RawRecord of(ArrayRecord r) {
            RawRecord x = new RawRecord();
            x.name(r.name());
            x.shape = r.shape();
            x.ndim = x.shape.length;
            x.dataFile(r.dataFile());
            x.micros = r.lastModifiedMicros();
            x.sizeBytes = r.sizeBytes();
            x.dtype = r.dtype().code();
            x.compression = r.compression();
            return x;
        }

        static RawRecord plain(String name, DType t, long[] shape, String dataFile) {
            RawRecord x = new RawRecord();
            x.name(name);
            x.dtype = t.code();
            x.shapeAndSize(shape);
            x.dataFile(dataFile);
            return x;
        }

        RawRecord name(String n) {
            this.name = n;
            this.nameBytes = n.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        RawRecord dataFile(String f) {
            this.dataFile = f.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Sets the shape and a matching size_bytes for the current dtype. */
        RawRecord shapeAndSize(long... s) {
            this.shape = s;
            this.ndim = s.length;
            long size = DType.fromCode(dtype).itemSize();
            for (long d : s) {
                size *= d;
            }
            this.sizeBytes = size;
            return this;
        }

        static byte[] encode(List<RawRecord> recs) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            long total = 0;
            for (RawRecord r : recs) {
                total += r.sizeBytes;
            }
            b.putInt(MetadataCodec.MAGIC).putInt(MetadataCodec.VERSION).putLong(total).putInt(recs.size());
            for (RawRecord r : recs) {
                byte[] n = r.nameBytes;
                b.putInt(r.nameLengthOverride != null ? r.nameLengthOverride : n.length).put(n);
                b.putInt(r.ndim);
                for (long d : r.shape) {
                    b.putLong(d);
                }
                b.putInt(r.dataFileLengthOverride != null ? r.dataFileLengthOverride : r.dataFile.length).put(r.dataFile);
                b.putLong(r.micros).putLong(r.sizeBytes).put((byte) r.dtype).put((byte) r.compression).putInt(0)
                        .putLong(0).putLong(0).put((byte) r.hasBlockInfo);
            }
            b.flip();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }

    /** Offsets of one record's fields in an encoded metadata file. */
    static Map<String, Integer> offsetsOfFirstRecord(byte[] meta) {
        ByteBuffer b = ByteBuffer.wrap(meta).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Integer> o = new HashMap<>();
        o.put("array_count", 16);
        int p = 20;
        o.put("name_len", p);
        p += 4 + b.getInt(p);
        o.put("ndim", p);
        int ndim = b.getInt(p);
        p += 4;
        o.put("shape0", p);
        p += 8 * ndim;
        o.put("data_file_len", p);
        p += 4 + b.getInt(p);
        o.put("last_modified", p);
        o.put("size_bytes", p + 8);
        o.put("dtype", p + 16);
        o.put("compression", p + 17);
        return o;
    }
}
