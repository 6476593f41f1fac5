package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.internal.format.ArrayRecord;
import dev.numpack.internal.format.MetadataCodec;
import dev.numpack.internal.format.NpyHeader;
import dev.numpack.internal.store.StoreLayout;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpyWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error contract: every failure a caller can meet is a {@link NumPackException} subtype (never the bare
 * root, nor a JDK {@code IllegalArgumentException}, {@code IllegalStateException}, {@code ArithmeticException}
 * or {@code ReadOnlyBufferException}), with {@link NumPackException#store()} and
 * {@link NumPackException#array()} set where they exist, and a message naming them.
 */
class ErrorContractTest {
    /** 3 GiB: over what one buffer holds, and the array's bytes as the messages must name them. */
    private static final long BIG_BYTES = 3L << 30;
    private static final int BIG_ROW_BYTES = 1024;

    @TempDir
    Path dir;

    /**
     * Runs {@code call}, which must fail with exactly {@code type}, naming {@code store} and {@code array}
     * in the fields and the message, and every fragment in the message.
     */
    private static <T extends NumPackException> T expect(Class<T> type, Path store, String array, Executable call,
            String... fragments) {
        NumPackException e = assertThrows(NumPackException.class, call);
        assertEquals(type, e.getClass(), () -> "wrong type: " + e);
        assertEquals(store, e.store(), () -> "store() of " + e);
        assertEquals(array, e.array(), () -> "array() of " + e);
        String m = e.getMessage();
        if (store != null) {
            assertTrue(m.contains("store " + store), m);
        }
        if (array != null) {
            assertTrue(m.contains("array '" + array + "'"), m);
        }
        for (String f : fragments) {
            assertTrue(m.contains(f), () -> "'" + f + "' missing from: " + m);
        }
        return type.cast(e);
    }

    private static NumPack open(Path root) {
        return NumPack.builder().setPath(root).optDurability(Durability.NO_FSYNC).build();
    }

    private Path npy(String name, NdArray a) {
        Path p = dir.resolve(name);
        NpyWriter.write(p, a);
        return p;
    }

    private Path garbage(String name) throws IOException {
        return Files.write(dir.resolve(name), "not a numpy file at all".getBytes(StandardCharsets.US_ASCII));
    }

    // ------------------------------------------------------------------ DType and NdArray

    @Test
    void dtypeLookupsRefuseUnknownsTyped() {
        expect(InvalidArgumentException.class, null, null, () -> DType.fromCode(14), "unknown dtype code 14");
        expect(InvalidArgumentException.class, null, null, () -> DType.fromCode(-1), "-1");
        expect(InvalidArgumentException.class, null, null, () -> DType.fromNumpyName("float128"), "'float128'",
                "float32");
        assertEquals(DType.FLOAT32, DType.fromNumpyName("FLOAT32"));
        assertEquals(DType.COMPLEX128, DType.fromCode(13));
    }

    @Test
    void ndArrayShapesThatOverflowAreInvalidArguments() {
        expect(InvalidArgumentException.class, null, null, () -> NdArray.zeros(DType.FLOAT64, Long.MAX_VALUE, 2),
                "more than " + Long.MAX_VALUE + " bytes");
        expect(InvalidArgumentException.class, null, null,
                () -> NdArray.copyOf(DType.INT8, new long[] {1L << 40, 1L << 40}, ByteBuffer.allocate(0)));
        expect(InvalidArgumentException.class, null, null,
                () -> NdArray.wrap(DType.INT8, new long[] {1L << 40, 1L << 40}, ByteBuffer.allocateDirect(0)));
        NdArray a = NdArray.of(new int[] {1, 2});
        expect(InvalidArgumentException.class, null, null, () -> a.reshape(Long.MAX_VALUE, 4));
        NdArray empty = NdArray.zeros(DType.INT64, 0, 1L << 62, 4); // no bytes, but a row would overflow
        assertEquals(0, empty.byteSize());
        expect(InvalidArgumentException.class, null, null, empty::rowBytes, "row");
        expect(InvalidArgumentException.class, null, null, () -> NdArray.zeros(DType.INT8, BIG_BYTES),
                "2 GiB", Long.toString(BIG_BYTES));
    }

    @Test
    void adoptRefusesAWrongBufferTyped() {
        long[] shape = {2};
        expect(InvalidArgumentException.class, null, null, () -> NdArray.adopt(DType.INT32, shape,
                ByteBuffer.allocate(8)), "heap buffer");
        expect(InvalidArgumentException.class, null, null, () -> NdArray.adopt(DType.INT32, shape,
                ByteBuffer.allocateDirect(12)), "8 bytes");
        expect(InvalidArgumentException.class, null, null, () -> NdArray.adopt(DType.INT32, shape,
                ByteBuffer.allocateDirect(12).position(4)), "position 4");
        assertArrayEquals(new int[] {0, 0}, NdArray.adopt(DType.INT32, shape, ByteBuffer.allocateDirect(8)).toIntArray());
    }

    // ------------------------------------------------------------------ arrays over 2 GiB

    /**
     * A store whose array {@code big} holds {@link #BIG_BYTES}: its data file is sparse, so building it
     * writes a few bytes, and nothing may read it whole.
     */
    private Path storeWithBigArray() throws IOException {
        Path root = dir.resolve("big-store");
        try (NumPack np = open(root)) {
            np.save("small", NdArray.of(new int[] {1}));
        }
        ArrayRecord big = ArrayRecord.plain("big", new long[] {BIG_BYTES / BIG_ROW_BYTES, BIG_ROW_BYTES},
                StoreLayout.dataFile("big"), DType.UINT8, 1);
        ByteBuffer meta = MetadataCodec.encode(List.of(big));
        try (FileChannel ch = FileChannel.open(root.resolve(StoreLayout.METADATA), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (meta.hasRemaining()) {
                ch.write(meta);
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(root.resolve(StoreLayout.dataFile("big")).toFile(), "rw")) {
            f.setLength(BIG_BYTES);
        }
        return root;
    }

    @Test
    void loadingAnArrayOver2GiBNamesTheStoreTheArrayAndTheBytes() throws IOException {
        Path root = storeWithBigArray();
        String bytes = Long.toString(BIG_BYTES);
        try (NumPack np = open(root)) {
            assertEquals(BIG_BYTES, np.info("big").byteSize());
            expect(InvalidArgumentException.class, root, "big", () -> np.load("big"), "2 GiB", bytes);
            try (LazyArray a = np.lazy("big")) {
                expect(InvalidArgumentException.class, root, "big", a::load, bytes);
                expect(InvalidArgumentException.class, root, "big", () -> a.readRows(0, a.rows()), bytes);
                long[] many = new long[(int) ((Integer.MAX_VALUE + 1L) / BIG_ROW_BYTES)]; // 2 GiB of row 0
                expect(InvalidArgumentException.class, root, "big", () -> a.gather(many),
                        Long.toString((long) many.length * BIG_ROW_BYTES));
                assertEquals(BIG_ROW_BYTES, a.gather(0, -1).byteSize() / 2, "small reads still work");
            }
            try (BatchMode b = np.batchMode()) {
                expect(InvalidArgumentException.class, root, "big", () -> b.load("big"), bytes);
                expect(InvalidArgumentException.class, root, "big", () -> b.edit("big"), bytes);
                b.abort();
            }
        }
    }

    @Test
    void loadingANpyFileOver2GiBNamesTheFileAndTheBytes() throws IOException {
        Path file = dir.resolve("big.npy");
        ByteBuffer header = NpyHeader.encode(DType.UINT8, new long[] {BIG_BYTES});
        long headerBytes = header.remaining();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (header.hasRemaining()) {
                ch.write(header);
            }
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(headerBytes + BIG_BYTES);
        }
        try (NpyReader r = NpyReader.open(file)) {
            expect(InvalidArgumentException.class, file, null, r::load, "2 GiB", Long.toString(BIG_BYTES));
        }
    }

    // ------------------------------------------------------------------ read-only destinations

    @Test
    void readOnlyDestinationsAreRefusedBeforeAnythingIsWritten() {
        Path root = dir.resolve("ro-dst");
        Path file = npy("rows.npy", NdArray.of(new int[][] {{1, 2}, {3, 4}}));
        ByteBuffer ro = ByteBuffer.allocate(64).asReadOnlyBuffer();
        try (NumPack np = open(root)) {
            np.save("a", NdArray.of(new int[][] {{1, 2}, {3, 4}}));
            try (LazyArray a = np.lazy("a")) {
                expect(InvalidArgumentException.class, root, "a", () -> a.gather(new long[] {0, 1}, ro), "read-only");
                expect(InvalidArgumentException.class, root, "a", () -> a.gather(new long[] {0}, new int[] {0}, ro),
                        "read-only");
                expect(InvalidArgumentException.class, root, "a", () -> a.readRows(0, 2, ro), "read-only");
            }
            try (WritableBatchMode wb = np.writableBatchMode()) {
                WritableArray w = wb.open("a");
                expect(InvalidArgumentException.class, root, "a", () -> w.readRows(0, 2, ro), "read-only");
                wb.abort();
            }
        }
        try (NpyReader r = NpyReader.open(file)) {
            expect(InvalidArgumentException.class, file, null, () -> r.readRows(0, 2, ro), "read-only");
        }
        assertEquals(0, ro.position(), "a refused read leaves the buffer as it was");
    }

    // ------------------------------------------------------------------ .npy reader and writer

    @Test
    void npyReaderErrorsAreTyped() throws IOException {
        Path missing = dir.resolve("missing.npy");
        StoreIOException io = expect(StoreIOException.class, missing, null, () -> NpyReader.open(missing),
                "cannot open");
        assertInstanceOf(IOException.class, io.getCause());
        Path bad = garbage("bad.npy");
        expect(CorruptStoreException.class, bad, null, () -> NpyReader.open(bad), "not a .npy file");

        Path file = npy("ok.npy", NdArray.of(new int[] {1, 2, 3}));
        Path cut = dir.resolve("cut.npy");
        byte[] whole = Files.readAllBytes(file);
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 1));
        expect(CorruptStoreException.class, cut, null, () -> NpyReader.open(cut), "truncated");

        NpyReader r = NpyReader.open(file);
        r.close();
        expect(AlreadyClosedException.class, file, null, () -> r.readRows(0, 1, ByteBuffer.allocate(4)),
                "npy reader is closed");
        expect(AlreadyClosedException.class, file, null, r::load);
    }

    @Test
    void npyWriterErrorsAreTyped() {
        Path nowhere = dir.resolve("no-such-dir").resolve("x.npy");
        expect(StoreIOException.class, nowhere, null, () -> NpyWriter.create(nowhere, DType.INT8, new long[] {1}),
                "cannot create temporary file");

        Path bad = dir.resolve("neg.npy");
        InvalidArgumentException neg = expect(InvalidArgumentException.class, bad, null,
                () -> NpyWriter.create(bad, DType.INT8, new long[] {-1}), "negative");
        assertInstanceOf(IllegalArgumentException.class, neg.getCause(), "the codec's refusal is the cause");

        Path target = dir.resolve("once.npy");
        try (NpyWriter w = NpyWriter.create(target, DType.INT8, new long[] {1})) {
            w.write(ByteBuffer.allocate(1));
            w.commit();
            expect(StoreStateException.class, target, null, () -> w.write(ByteBuffer.allocate(0)), "committed");
            expect(StoreStateException.class, target, null, w::commit, "committed");
        }
        NpyWriter closed = NpyWriter.create(dir.resolve("closed.npy"), DType.INT8, new long[] {1});
        closed.close();
        expect(AlreadyClosedException.class, dir.resolve("closed.npy"), null, () -> closed.write(ByteBuffer.allocate(1)),
                "npy writer is closed");
    }

    // ------------------------------------------------------------------ importNpy, appendNpy, exportNpy

    @Test
    void importErrorsNameTheStoreTheArrayAndTheFileAndKeepTheirType() throws IOException {
        Path root = dir.resolve("import");
        Path bad = garbage("bad.npy");
        Path missing = dir.resolve("missing.npy");
        NdArray before = NdArray.of(new int[] {7, 8});
        try (NumPack np = open(root)) {
            np.save("x", before);
            CorruptStoreException corrupt = expect(CorruptStoreException.class, root, "x",
                    () -> np.importNpy("x", bad), bad.toString(), "not a .npy file");
            CorruptStoreException cause = assertInstanceOf(CorruptStoreException.class, corrupt.getCause());
            assertEquals(bad, cause.store(), "the cause is the reader's own error, about the file");
            expect(StoreIOException.class, root, "x", () -> np.importNpy("x", missing), missing.toString(),
                    "cannot open");
            expect(CorruptStoreException.class, root, "x", () -> np.appendNpy("x", bad), bad.toString());
            expect(StoreIOException.class, root, "x", () -> np.appendNpy("x", missing), missing.toString());

            Path floats = npy("floats.npy", NdArray.of(new float[] {1f}));
            expect(InvalidArgumentException.class, root, "x", () -> np.appendNpy("x", floats), "float32");
            expect(ArrayNotFoundException.class, root, "y", () -> np.appendNpy("y", floats), "no such array");
            assertEquals(before, np.load("x"), "a failed import or append leaves the array as it was");
            assertEquals(java.util.Set.of("x"), np.names());
        }
        Path ints = npy("ints.npy", NdArray.of(new int[] {1}));
        try (NumPack np = NumPack.openReadOnly(root)) {
            expect(ReadOnlyStoreException.class, root, "x", () -> np.importNpy("x", ints), "read-only");
        }
    }

    @Test
    void exportErrorsNameTheStoreTheArrayAndTheFile() {
        Path root = dir.resolve("export");
        Path nowhere = dir.resolve("no-such-dir").resolve("out.npy");
        try (NumPack np = open(root)) {
            np.save("a", NdArray.of(new int[] {1, 2}));
            StoreIOException e = expect(StoreIOException.class, root, "a", () -> np.exportNpy("a", nowhere),
                    nowhere.toString(), "cannot create temporary file");
            assertSame(StoreIOException.class, e.getCause().getClass());
            assertEquals(nowhere, ((NumPackException) e.getCause()).store());
            expect(ArrayNotFoundException.class, root, "b", () -> np.exportNpy("b", dir.resolve("b.npy")));
            assertFalse(Files.exists(dir.resolve("b.npy")));
        }
    }

    @Test
    void aReframedErrorKeepsEveryType() {
        Path file = dir.resolve("f.npy");
        Path root = dir.resolve("s");
        List<NumPackException> all = List.of(new InvalidArgumentException(file, null, "m"),
                new StoreIOException(file, null, "m"), new StoreStateException(file, null, "m"),
                new CorruptStoreException(file, null, "m"), new ArrayNotFoundException(file, null),
                new AlreadyClosedException(file, null, "reader"), new ReadOnlyStoreException(file, null),
                new StoreLockedException(file, "m"));
        for (NumPackException e : all) {
            NumPackException r = e.reframe(root, "x", file + ": ");
            assertSame(e.getClass(), r.getClass(), "reframe keeps the type of " + e);
            assertEquals(root, r.store());
            assertEquals("x", r.array());
            assertEquals("store " + root + ", array 'x': " + file + ": " + e.detail(), r.getMessage());
            assertSame(e, r.getCause());
        }
        assertNull(new InvalidArgumentException(null, null, "m").store());
    }

    // ------------------------------------------------------------------ sources

    /** Constructions of errors a caller could not catch as a typed {@link NumPackException}. */
    private static final List<String> UNTYPED = List.of("new NumPackException(", "new IllegalStateException(",
            "new IllegalArgumentException(", "new ArithmeticException(", "new ReadOnlyBufferException(");

    /** @return this module's main sources of package {@code dev.numpack}, found from the compiled tests */
    private static Path mainSources() throws URISyntaxException {
        Path testClasses = Path.of(ErrorContractTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path main = testClasses.getParent().getParent().resolve("src/main/java/dev/numpack");
        assertTrue(Files.isDirectory(main), "the sources are not where the build puts them: " + main);
        return main;
    }

    /** @return "file:line: text" for every line of {@code files} that constructs one of {@code patterns} */
    private static List<String> findIn(Stream<Path> files, List<String> patterns) throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : (Iterable<Path>) files.sorted()::iterator) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                for (String p : patterns) {
                    if (lines.get(i).contains(p)) {
                        found.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        return found;
    }

    /** @return the Java files directly in {@code dir}, but for the named ones */
    private static Stream<Path> javaFiles(Path dir, Set<String> except) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".java") && !except.contains(p.getFileName().toString()))
                    .forEach(out::add);
        }
        return out.stream();
    }

    /**
     * The public packages construct no untyped error. {@code NumPack.java} is checked by
     * {@link #numPackThrowsOnlyTypedErrors}; {@code NumPackException.java} constructs the root once, as the
     * fallback of {@link NumPackException#reframe} for subtypes of other packages.
     */
    @Test
    void publicPackagesThrowOnlyTypedErrors() throws Exception {
        Path main = mainSources();
        List<String> found = findIn(Stream.concat(javaFiles(main, Set.of("NumPack.java", "NumPackException.java")),
                javaFiles(main.resolve("io"), Set.of())), UNTYPED);
        found.addAll(findIn(Stream.of(main.resolve("NumPackException.java")), UNTYPED.subList(1, UNTYPED.size())));
        assertTrue(found.isEmpty(), "untyped errors in dev.numpack or dev.numpack.io:\n  " + String.join("\n  ", found));
    }

    /** No main source (the engine and codecs included) throws the bare root type. */
    @Test
    void noMainSourceConstructsTheBareRoot() throws Exception {
        List<String> found;
        try (Stream<Path> all = Files.walk(mainSources())) {
            found = findIn(all.filter(p -> p.toString().endsWith(".java") && !p.endsWith("NumPack.java")
                    && !p.endsWith("NumPackException.java")), List.of("new NumPackException("));
        }
        assertTrue(found.isEmpty(), "bare NumPackException:\n  " + String.join("\n  ", found));
    }

    @Test
    void numPackThrowsOnlyTypedErrors() throws Exception {
        List<String> found = findIn(Stream.of(mainSources().resolve("NumPack.java")), UNTYPED);
        assertTrue(found.isEmpty(), "untyped errors in NumPack.java:\n  " + String.join("\n  ", found));
    }
}
