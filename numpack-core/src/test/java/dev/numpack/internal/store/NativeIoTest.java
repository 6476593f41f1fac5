package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native layer: each implementation this JVM can load (JNA on any Java, FFM on 22+), its calls and its
 * memory's life, and plain Java's refusals, which the callers turn into the plain path.
 */
class NativeIoTest {
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    private static final int BYTES = 8 << 20;

    @TempDir
    Path dir;

    /** The native implementations loadable here; the test of each says why one is missing. */
    static Stream<String> paths() {
        return Stream.of("jna", "ffm");
    }

    private static NativeIo load(String path) {
        assumeTrue(LINUX, "the native calls are Linux's; elsewhere plain Java serves (tested below)");
        NativeIo io = path.equals("jna") ? NativeIo.jna() : NativeIo.ffm(false);
        if (path.equals("ffm")) {
            assumeTrue(Runtime.version().feature() >= 22, "FFM needs Java 22+; this is Java " + Runtime.version().feature());
        }
        assertNotNull(io, path + " should load on Linux" + (path.equals("ffm") ? " with Java 22+" : " with JNA on the class path"));
        assertEquals(path, io.name());
        return io;
    }

    @ParameterizedTest
    @MethodSource("paths")
    void preallocateReservesBlocksWithoutChangingTheSize(String path) throws IOException {
        NativeIo io = load(path);
        Path f = Files.createFile(dir.resolve("new.bin"));
        assertTrue(io.preallocate(f, 4 << 20), "ext4, tmpfs and xfs all take fallocate");
        assertEquals(0, Files.size(f), "FALLOC_FL_KEEP_SIZE: the size is the bytes written, not the reservation");
        assertTrue(allocatedBlocks(f) * 512 >= 4 << 20, "the blocks are reserved: " + allocatedBlocks(f) + " x 512 B");
        Files.write(f, new byte[] {1, 2, 3});
        assertEquals(3, Files.size(f));
    }

    @ParameterizedTest
    @MethodSource("paths")
    void preallocateDeclinesWhatItCannotDo(String path) throws IOException {
        NativeIo io = load(path);
        assertFalse(io.preallocate(dir.resolve("missing"), 1 << 20), "no such file");
        assertFalse(io.preallocate(dir, 1 << 20), "a directory");
        Path f = Files.createFile(dir.resolve("empty"));
        assertFalse(io.preallocate(f, 0), "nothing to reserve");
        assertEquals(0, allocatedBlocks(f));
    }

    @ParameterizedTest
    @MethodSource("paths")
    void allocateGivesZeroedWritableLittleEndianMemoryOfExactlyTheSize(String path) {
        NativeIo io = load(path);
        ByteBuffer b = io.allocate(BYTES + 12, true); // not a multiple of the page
        assertNotNull(b);
        assertTrue(b.isDirect());
        assertFalse(b.isReadOnly());
        assertSame(ByteOrder.LITTLE_ENDIAN, b.order());
        assertEquals(BYTES + 12, b.capacity());
        assertEquals(0, b.position());
        for (int i = 0; i < b.capacity(); i += 8) {
            assertEquals(0, b.get(i), "zeroed at " + i);
        }
        b.putInt(BYTES + 8, 0x01020304);
        assertEquals(0x04, b.get(BYTES + 8), "little-endian");
        FloatBuffer f = b.asFloatBuffer();
        f.put(0, 1.5f);
        assertEquals(1.5f, b.getFloat(0));
    }

    @ParameterizedTest
    @MethodSource("paths")
    void smallArraysAreLeftToPlainBuffers(String path) {
        assertNull(load(path).allocate(NativeIo.LARGE_BYTES - 1, true));
    }

    @ParameterizedTest
    @MethodSource("paths")
    void memoryGoesBackToThePoolOnceNoDerivedBufferIsReachable(String path) throws InterruptedException {
        NativeIo io = load(path);
        long before = settled();
        ByteBuffer root = io.allocate(BYTES, true);
        assertNotNull(root);
        assertEquals(before + BYTES, NativeIo.outstandingBytes(), "8 MiB is 4 huge pages: counted exactly");
        root.putLong(BYTES - 8, 42L);
        FloatBuffer view = root.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer(); // as a tensor made without a copy holds it
        root = null;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20); // the Cleaner would run here if the view did not keep the memory alive
        }
        assertEquals(before + BYTES, NativeIo.outstandingBytes(), "the view keeps the memory");
        assertEquals(0, NativeIo.pooledBytes(), "and keeps it out of the pool");
        assertEquals(42L, readLong(view), "still readable");
        WeakReference<FloatBuffer> viewGone = new WeakReference<>(view);
        view = null;
        awaitCollected(viewGone);
        awaitPooled(BYTES); // kept for reuse once nothing refers to it
        assertEquals(before + BYTES, NativeIo.outstandingBytes(), "still mapped, still counted");
        NativeIo.releasePooled();
        assertEquals(before, NativeIo.outstandingBytes(), "unmapped when the pool lets it go");
    }

    @ParameterizedTest
    @MethodSource("paths")
    void aFreedRegionIsReusedZeroedOnlyWhenAsked(String path) throws InterruptedException {
        NativeIo io = load(path);
        long before = settled();
        ByteBuffer first = io.allocate(BYTES, true);
        for (int i = 0; i < BYTES; i += 8) {
            first.putLong(i, 0x5a5a5a5a5a5a5a5aL);
        }
        first = null;
        awaitPooled(BYTES);
        ByteBuffer zeroed = io.allocate(BYTES - 100, true); // a quarter smaller at most: the same region serves
        assertEquals(before + BYTES, NativeIo.outstandingBytes(), "the pooled region, not a new one");
        assertEquals(0, NativeIo.pooledBytes());
        for (int i = 0; i < zeroed.capacity(); i += 4096) {
            assertEquals(0, zeroed.get(i), "zeroed at " + i);
        }
        zeroed.putLong(0, 0x5a5a5a5a5a5a5a5aL);
        zeroed = null;
        awaitPooled(BYTES);
        ByteBuffer raw = io.allocate(BYTES, false);
        assertEquals(before + BYTES, NativeIo.outstandingBytes(), "reused again");
        assertEquals(0x5a5a5a5a5a5a5a5aL, raw.getLong(0), "not zeroed: the caller overwrites every byte");
    }

    /** A load into a reused region holds the array's bytes only, none of the array the region held before. */
    @ParameterizedTest
    @MethodSource("paths")
    void aLoadIntoAReusedRegionHoldsOnlyTheArraysBytes(String path) throws IOException, InterruptedException {
        NativeIo previous = NativeIo.use(load(path));
        try (dev.numpack.NumPack np = dev.numpack.NumPack.open(dir.resolve("store"))) {
            settled();
            int n = BYTES / 4;
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = i;
            }
            np.save("x", dev.numpack.NdArray.of(values));
            float[] minusOnes = new float[n];
            java.util.Arrays.fill(minusOnes, -1f);
            dev.numpack.NdArray junk = dev.numpack.NdArray.of(minusOnes);
            assertEquals(-1f, junk.buffer().getFloat(0));
            junk = null;
            awaitPooled(BYTES);
            dev.numpack.NdArray loaded = np.load("x");
            assertEquals(0, NativeIo.pooledBytes(), "the load took the junk's region");
            for (int i = 0; i < n; i++) {
                assertEquals(i, loaded.buffer().getFloat(4 * i), "at " + i);
            }
        } finally {
            NativeIo.use(previous);
        }
    }

    private static void awaitPooled(long bytes) throws InterruptedException {
        for (int i = 0; i < 200 && NativeIo.pooledBytes() < bytes; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(bytes, NativeIo.pooledBytes(), "the dropped buffer's region is pooled");
    }

    private static long readLong(FloatBuffer view) {
        int lo = Float.floatToRawIntBits(view.get(view.capacity() - 2));
        int hi = Float.floatToRawIntBits(view.get(view.capacity() - 1));
        return (lo & 0xffffffffL) | ((long) hi << 32);
    }

    @Test
    void budgetFullGivesWayToPlainBuffersAfterAGc() {
        NativeIo io = NativeIo.jna() != null ? NativeIo.jna() : NativeIo.ffm(false);
        assumeTrue(LINUX && io != null, "needs a native implementation (Linux, JNA or Java 22+)");
        NativeIo.releasePooled();
        List<ByteBuffer> held = new ArrayList<>();
        long most = NativeIo.BUDGET / BYTES;
        assumeTrue(most < 400, "a heap limit of " + NativeIo.BUDGET + " bytes would take too long to fill");
        ByteBuffer b;
        while ((b = io.allocate(BYTES, false)) != null) { // mapped, never touched: cheap
            held.add(b);
            assertTrue(held.size() <= most, "over the budget of " + NativeIo.BUDGET + " bytes");
        }
        assertTrue(held.size() >= most - 2, "declined early, at " + held.size() + " of " + most);
        assertTrue(NativeIo.outstandingBytes() + BYTES > NativeIo.BUDGET, "declined only when full");
        held.clear();
        assertNotNull(io.allocate(BYTES, false), "the GC it asks for lets the Cleaner give the dropped buffers back");
        assertTrue(NativeIo.outstandingBytes() <= NativeIo.BUDGET, "within the budget, pooled regions included");
        held.add(io.allocate(3 * BYTES, false)); // no pooled region of this size: others are evicted to make room
        assertNotNull(held.get(0), "room made by unmapping pooled regions of another size");
        assertTrue(NativeIo.outstandingBytes() <= NativeIo.BUDGET);
    }

    /** Save and load through the store give the same bytes whichever path serves, the plain one forced. */
    @Test
    void theStoreWorksTheSameOnEveryPath() {
        float[] values = new float[(NativeIo.LARGE_BYTES / 4) * 3 / 2 + 7]; // 6 MiB and a bit: a large array
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f;
        }
        dev.numpack.NdArray x = dev.numpack.NdArray.of(values);
        List<NativeIo> ios = new ArrayList<>(List.of(NativeIo.plainJava()));
        for (NativeIo io : new NativeIo[] {NativeIo.jna(), NativeIo.ffm(false)}) {
            if (io != null) {
                ios.add(io);
            }
        }
        for (NativeIo io : ios) {
            NativeIo before = NativeIo.use(io);
            try (dev.numpack.NumPack np = dev.numpack.NumPack.open(dir.resolve("store-" + io.name()))) {
                np.save("x", x);
                np.save("x", x); // over the old file: the rename path that preallocation speeds up
                dev.numpack.NdArray y = np.load("x");
                assertEquals(x.buffer(), y.buffer(), io.name());
                assertSame(ByteOrder.LITTLE_ENDIAN, y.buffer().order());
                assertEquals(values.length * 4L, Files.size(dir.resolve("store-" + io.name()).resolve(StoreLayout.dataFile("x"))),
                        "the file holds exactly the bytes written, not the reservation");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                NativeIo.use(before);
            }
        }
    }

    @Test
    void plainJavaDeclinesEverything() throws IOException {
        NativeIo plain = NativeIo.plainJava();
        assertEquals("java", plain.name());
        Path f = Files.createFile(dir.resolve("f"));
        assertFalse(plain.preallocate(f, 1 << 20));
        assertEquals(0, allocatedBlocks(f));
        assertNull(plain.allocate(BYTES, true));
    }

    @Test
    void selectionFollowsTheSwitchAndTheJavaVersion() {
        assertEquals("java", NativeIo.select("java").name(), "forced off");
        assumeTrue(LINUX, "elsewhere every choice is plain Java");
        String jna = NativeIo.jna() != null ? "jna" : "java";
        assertEquals(jna, NativeIo.select("jna").name());
        boolean java22 = Runtime.version().feature() >= 22;
        assertEquals(java22 ? "ffm" : "java", NativeIo.select("ffm").name(), "FFM only on Java 22+");
        String auto = NativeIo.select("auto").name();
        if (java22) {
            assertEquals(nativeAccessEnabled() ? "ffm" : "java", auto, "Java 22+: FFM where native access is enabled, else plain");
        } else {
            assertEquals(jna, auto, "Java 17-21: JNA where present");
        }
    }

    /** Module.isNativeAccessEnabled (Java 22+), called by reflection since this compiles for 17. */
    private static boolean nativeAccessEnabled() {
        try {
            return (boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(NativeIo.class.getModule());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the outstanding bytes once the garbage of earlier tests is freed (they change no more) */
    private static long settled() throws InterruptedException {
        NativeIo.releasePooled();
        long last = -1;
        for (int i = 0; i < 50 && NativeIo.outstandingBytes() != last; i++) {
            last = NativeIo.outstandingBytes();
            System.gc();
            Thread.sleep(20);
        }
        NativeIo.releasePooled(); // what the GCs gave back
        return NativeIo.outstandingBytes();
    }

    private static void awaitCollected(WeakReference<?> ref) throws InterruptedException {
        for (int i = 0; i < 200 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), "not collected after 200 GCs");
    }

    /** @return st_blocks (512-byte units) of a file, from stat(1) */
    static long allocatedBlocks(Path f) throws IOException {
        Process p = new ProcessBuilder("stat", "-c", "%b", f.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            assertEquals(0, p.waitFor(), out);
            return Long.parseLong(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** In-memory arrays take the native layer's reused memory unless switched off; huge pages are opt-in. */
    @ParameterizedTest
    @MethodSource("paths")
    void arraysTakeReusedMemoryUnlessSwitchedOff(String path) throws InterruptedException {
        NativeIo io = load(path);
        NativeIo previous = NativeIo.use(io);
        String before = System.getProperty(NativeIo.REUSE_MEMORY_PROPERTY);
        try {
            System.clearProperty(NativeIo.REUSE_MEMORY_PROPERTY);
            long start = settled(); // nothing pooled: the array's region is a new one
            dev.numpack.NdArray on = dev.numpack.NdArray.zeros(dev.numpack.DType.FLOAT32, 1 << 20);
            assertEquals(start + (4 << 20), NativeIo.outstandingBytes(), "on by default: the native layer's memory");
            assertEquals(0f, on.buffer().getFloat((4 << 20) - 4), "zeroed");
            System.setProperty(NativeIo.REUSE_MEMORY_PROPERTY, "false");
            long mid = NativeIo.outstandingBytes();
            long pooled = NativeIo.pooledBytes();
            dev.numpack.NdArray off = dev.numpack.NdArray.zeros(dev.numpack.DType.FLOAT32, 1 << 20);
            assertEquals(mid, NativeIo.outstandingBytes(), "off: a plain direct buffer");
            assertEquals(pooled, NativeIo.pooledBytes(), "off: nothing taken from the pool");
            assertEquals(off.byteSize(), on.byteSize());
        } finally {
            if (before == null) {
                System.clearProperty(NativeIo.REUSE_MEMORY_PROPERTY);
            } else {
                System.setProperty(NativeIo.REUSE_MEMORY_PROPERTY, before);
            }
            NativeIo.use(previous);
        }
    }
}
