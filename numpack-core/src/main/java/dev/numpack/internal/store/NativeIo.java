package dev.numpack.internal.store;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The few Linux calls plain Java lacks and that make saving and loading large arrays as fast as numpy: a
 * new data file's blocks reserved before it is written ({@code fallocate} with {@code FALLOC_FL_KEEP_SIZE}),
 * and the memory of large in-memory arrays as anonymous mappings aligned to 2 MiB that are kept for the next
 * array once freed ({@link RegionPool}), optionally advised {@code MADV_HUGEPAGE}.
 *
 * <p>Why they matter (measured on ext4, kernel 6.x; see the README's Performance section): without a
 * reservation ext4 allocates a new file's blocks late (delayed allocation), and renaming the file over an
 * older one ({@code auto_da_alloc}) then starts writing it out inside the rename; a fresh direct buffer is
 * faulted in 4 KiB page by page, 10,000 faults for 40 MB, each slow where a VM gave freed memory back to its
 * host, while a reused region is already in place. numpy gets the same from C's {@code free}: its memory is
 * freed, and taken again, at once; a Java buffer is freed only after a GC.
 *
 * <p>Which implementation serves, chosen once ({@link #get}): on Java 22 and later the FFM API
 * ({@code java.lang.foreign}; the class lives in the jar's {@code META-INF/versions/22}) when native access
 * is enabled for this code ({@code --enable-native-access=ALL-UNNAMED}, or {@code =dev.numpack} on the module
 * path), so that no JVM warning lands in the user's log; on Java 17 to 21 JNA when it is on the class path
 * (DJL's {@code api} brings it); otherwise, and on any OS but Linux on x86-64 or AArch64, plain Java. The
 * system property {@code dev.numpack.native} forces one: {@code ffm}, {@code jna} or {@code java} (then the
 * first that works of the one asked for and plain Java). Every call may be refused (a file system without
 * {@code fallocate}, no memory): the caller then does what plain Java does, so results never depend on the
 * path taken, only the speed.
 *
 * <p>Memory: a buffer from {@link #allocate} is outside the JVM's direct-memory limit. Its region goes back
 * to the pool, by a {@link Cleaner}, once the buffer and every buffer derived from it ({@code slice},
 * {@code duplicate}, {@code asFloatBuffer}, ...; each keeps its parent reachable) are unreachable, and is
 * unmapped when unused for a few seconds or when the budget needs room; a tensor made from it without a
 * copy must keep a reference to the buffer as long as it uses the memory, as DJL's PyTorch engine does.
 */
public abstract class NativeIo {
    /** Arrays smaller than this get a plain direct buffer: C's allocator reuses small blocks at once anyway. */
    public static final int LARGE_BYTES = 2 << 20;

    /** The system property that asks for huge pages for in-memory arrays ({@code true}); off by default. */
    public static final String HUGE_PAGES_PROPERTY = "dev.numpack.hugePages";

    /** The system property that turns the reused memory of in-memory arrays off ({@code false}); on by default. */
    public static final String REUSE_MEMORY_PROPERTY = "dev.numpack.reuseMemory";

    /** The alignment (and page size) that transparent huge pages need. */
    static final long HUGE_PAGE = 2L << 20;

    // Linux's values, the same on x86-64 and AArch64
    static final int O_WRONLY = 1;
    static final int FALLOC_FL_KEEP_SIZE = 1;
    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    static final int MADV_HUGEPAGE = 14;

    private static final Cleaner CLEANER = Cleaner.create();

    /**
     * The most bytes of {@link #allocate}d memory not yet freed: the JVM's heap limit, which is also the
     * default limit of its direct buffers. Past it, a GC is asked for (only a GC finds the unreachable
     * buffers), as the JVM does for direct buffers; if that frees too little, the caller gets a plain direct
     * buffer, and with it the JVM's own limit and {@link OutOfMemoryError}.
     */
    static final long BUDGET = Runtime.getRuntime().maxMemory();

    /** Bytes mapped by {@link #allocate} and not yet unmapped, over all implementations. */
    private static final java.util.concurrent.atomic.AtomicLong OUTSTANDING = new java.util.concurrent.atomic.AtomicLong();
    /** What {@link #acquire} returns when it counted budget for a new region rather than taking a pooled one. */
    private static final RegionPool.Region FRESH = new RegionPool.Region(null, 0, 0, 0);

    /** Freed regions kept for reuse; what it lets go is unmapped and counted off the budget. */
    private static final RegionPool POOL = new RegionPool(r -> {
        r.io().unmapQuietly(r.address(), r.span());
        OUTSTANDING.addAndGet(-r.span());
    });

    private static volatile NativeIo current = select(System.getProperty("dev.numpack.native", "auto"));

    /**
     * Whether large in-memory arrays ({@code NdArray}'s buffer, e.g. what {@code load} reads into) take
     * {@link #allocate}'s memory, reused once freed: yes unless {@code -Ddev.numpack.reuseMemory=false}. On the
     * project's VM a load of 1M x 10 float32 took a median of 5 ms into a reused region against 26-28 ms into
     * a fresh direct buffer (see {@link RegionPool} for why fresh memory is slow).
     *
     * @return whether the property is not {@code false} now (read on each call: tests switch it)
     */
    public static boolean reuseMemoryForArrays() {
        return !"false".equalsIgnoreCase(System.getProperty(REUSE_MEMORY_PROPERTY));
    }

    /**
     * Whether {@link #allocate} advises new regions {@code MADV_HUGEPAGE}: only with
     * {@code -Ddev.numpack.hugePages=true}. Off by default because on the project's VM, which reports free
     * memory to its host, a fresh huge page is faulted in from the host: a load of 1M x 10 float32 into a fresh
     * huge-page region took 110-200 ms against 25-30 ms with 4 KiB pages, with no gain once regions are reused.
     * On a machine without free page reporting, huge pages make the first fill of a region about 4x faster (7
     * ms against 27 ms in a probe that unmapped each region at once, so that the kernel handed it out again hot).
     *
     * @return whether the property is {@code true} now (read on each call: tests switch it)
     */
    public static boolean hugePagesForArrays() {
        return Boolean.getBoolean(HUGE_PAGES_PROPERTY);
    }

    /** @return the implementation in use */
    public static NativeIo get() {
        return current;
    }

    /**
     * Replaces the implementation in use, for tests that force the fallback or one path.
     *
     * @param io the one to use from now on
     * @return the one used before, to restore
     */
    public static NativeIo use(NativeIo io) {
        NativeIo before = current;
        current = io;
        return before;
    }

    /** @return plain Java: nothing reserved, {@link #allocate} always declines */
    public static NativeIo plainJava() {
        return Plain.INSTANCE;
    }

    /**
     * @param choice {@code auto}, {@code ffm}, {@code jna} or {@code java}
     * @return the first of the chosen implementations that loads and works here, else plain Java
     */
    static NativeIo select(String choice) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        boolean linux64 = os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
        if (!linux64 || choice.equals("java")) {
            return Plain.INSTANCE;
        }
        boolean java22 = Runtime.version().feature() >= 22;
        NativeIo io = null;
        if (java22 && !choice.equals("jna")) {
            io = ffm(!choice.equals("ffm"));
        }
        if (io == null && !choice.equals("ffm") && (!java22 || choice.equals("jna"))) {
            io = jna();
        }
        return io != null ? io : Plain.INSTANCE;
    }

    /**
     * @param onlyIfEnabled whether to decline when native access is not enabled for this code (the JVM would
     *     print a warning at the first call)
     * @return the FFM implementation, or {@code null} where it is absent (Java before 22, a class path without
     *     the multi-release classes) or declines
     */
    public static NativeIo ffm(boolean onlyIfEnabled) {
        return probe("dev.numpack.internal.store.FfmIo", onlyIfEnabled);
    }

    /** @return the JNA implementation, or {@code null} where JNA is not on the class path or cannot load */
    public static NativeIo jna() {
        return probe("dev.numpack.internal.store.JnaIo", false);
    }

    private static NativeIo probe(String className, boolean onlyIfEnabled) {
        try {
            Class<?> c = Class.forName(className, true, NativeIo.class.getClassLoader());
            NativeIo io = (NativeIo) c.getDeclaredConstructor(boolean.class).newInstance(onlyIfEnabled);
            return io.works() ? io : null;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null; // absent or refused: plain Java serves
        }
    }

    /** @return a short name of the implementation: {@code ffm}, {@code jna} or {@code java} */
    public abstract String name();

    /**
     * @return whether the native calls are usable here (checked once, when selected): by default, whether a
     *     page can be mapped and unmapped through them
     */
    protected boolean works() {
        long page = map(4096);
        if (page == 0) {
            return false;
        }
        unmap(page, 4096);
        return true;
    }

    /**
     * Reserves a new, empty file's blocks before it is written, without changing its size
     * ({@code fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, bytes)}), so that the file system allocates them at once
     * and in one piece, as numpy does before it writes an array. The reservation survives the descriptor it
     * was made through; a file shorter than its reservation keeps the blocks past its end until it is
     * deleted (the callers write exactly {@code bytes}).
     *
     * @param file a file just created, in the store
     * @param bytes its size once written
     * @return whether the blocks were reserved; {@code false} (plain Java, a file system without
     *     {@code fallocate}, no space: the write that follows then reports it) changes nothing
     */
    public boolean preallocate(Path file, long bytes) {
        if (bytes <= 0) {
            return false;
        }
        try {
            return reserve(file.toAbsolutePath().toString(), bytes);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Allocates memory for an array of {@code bytes} bytes, backed by huge pages where the kernel gives them: an
     * anonymous mapping aligned to 2 MiB and advised {@code MADV_HUGEPAGE}, or a region of about that size freed
     * earlier and kept mapped ({@link RegionPool}). The buffer's region goes back to the pool once no buffer
     * derived from it is reachable (a {@link Cleaner}).
     *
     * @param bytes the size, at least {@link #LARGE_BYTES}
     * @param zeroed whether every byte must be zero; {@code false} only where the caller overwrites every byte
     *     before anyone reads it (a region from the pool still holds the bytes of the array it held before)
     * @return a little-endian direct buffer of exactly {@code bytes} bytes, or {@code null} when this
     *     implementation cannot (plain Java, no memory): then allocate a plain direct buffer
     */
    public ByteBuffer allocate(int bytes, boolean zeroed) {
        if (bytes < LARGE_BYTES) {
            return null;
        }
        long span = roundUp(bytes, HUGE_PAGE);
        RegionPool.Region reused = acquire(span);
        if (reused == FRESH) {
            return mapFresh(span, bytes);
        }
        if (reused == null) {
            return null;
        }
        try {
            return hand(reused.address(), reused.span(), bytes, zeroed);
        } catch (RuntimeException | LinkageError e) {
            POOL.put(reused); // still mapped and counted: the pool keeps it, or unmaps it when idle
            return null;
        }
    }

    /** Maps a new region of {@code span} bytes, already counted against the budget, for a buffer of {@code bytes}. */
    private ByteBuffer mapFresh(long span, int bytes) {
        long base = 0;
        boolean handed = false;
        try {
            base = map(span + HUGE_PAGE);
            if (base == 0) {
                return null;
            }
            long start = roundUp(base, HUGE_PAGE);
            // keep exactly [start, start + span): the head and tail cut off so the region is 2 MiB aligned
            if (start > base) {
                unmap(base, start - base);
            }
            long tail = base + span + HUGE_PAGE - (start + span);
            if (tail > 0) {
                unmap(start + span, tail);
            }
            base = 0;
            if (hugePagesForArrays()) {
                adviseHuge(start, span); // advice only: refused, the memory is still good
            }
            ByteBuffer b = hand(start, span, bytes, false); // a fresh mapping is zeroed by the kernel
            handed = true;
            return b;
        } catch (RuntimeException | LinkageError e) {
            if (base != 0) {
                unmapQuietly(base, span + HUGE_PAGE);
            }
            return null;
        } finally {
            if (!handed) {
                OUTSTANDING.addAndGet(-span);
            }
        }
    }

    /** Wraps a region in a buffer whose unreachability returns the region to the pool. */
    private ByteBuffer hand(long address, long span, int bytes, boolean zero) {
        if (zero) {
            zero(address, bytes);
        }
        ByteBuffer b = bufferAt(address, bytes).order(ByteOrder.LITTLE_ENDIAN);
        CLEANER.register(b, release(this, address, span));
        return b;
    }

    /**
     * Finds room for a region of {@code span} bytes: a pooled one of about that size, else budget for a new one
     * ({@link #FRESH}), evicting pooled regions of other sizes first; when even that is short, asks for a GC
     * and waits up to about half a second for the Cleaner to give unreachable buffers' regions back.
     *
     * @return a pooled region, {@link #FRESH} when {@code span} bytes were counted against the budget, or
     *     {@code null} when neither came
     */
    private static RegionPool.Region acquire(long span) {
        RegionPool.Region r = takeOrReserve(span);
        if (r != null) {
            return r;
        }
        System.gc(); // only a GC finds unreachable buffers: the JVM does the same for its direct buffers
        for (long sleep = 1; sleep <= 256; sleep *= 2) {
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            r = takeOrReserve(span);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** @return a pooled region, {@link #FRESH} when budget for a new one was counted, or {@code null} */
    private static RegionPool.Region takeOrReserve(long span) {
        while (true) {
            RegionPool.Region r = POOL.take(span);
            if (r != null) {
                return r;
            }
            if (tryReserve(span)) {
                return FRESH;
            }
            if (!POOL.evictOne()) { // none pooled fits this size: make room for a new one
                return null;
            }
        }
    }

    /** @return bytes of {@link #allocate}d memory not yet unmapped, in use or kept for reuse (for tests) */
    public static long outstandingBytes() {
        return OUTSTANDING.get();
    }

    /** @return bytes of freed regions kept mapped for reuse (for tests) */
    public static long pooledBytes() {
        return POOL.pooledBytes();
    }

    /**
     * @param address where a buffer from {@link #allocate} starts
     * @return whether its region is kept for reuse now (for tests)
     */
    public static boolean isPooled(long address) {
        return POOL.holds(address);
    }

    /** Unmaps every region kept for reuse (for tests that count outstanding memory). */
    public static void releasePooled() {
        POOL.clear();
    }

    private static boolean tryReserve(long span) {
        long now;
        do {
            now = OUTSTANDING.get();
            if (now + span > BUDGET) {
                return false;
            }
        } while (!OUTSTANDING.compareAndSet(now, now + span));
        return true;
    }

    private void unmapQuietly(long address, long length) {
        try {
            unmap(address, length);
        } catch (RuntimeException | LinkageError ignored) {
            // the mapping leaks; nothing else can be done about it
        }
    }

    /**
     * @return the Cleaner's action for a region: a static method, so that it captures the address and never
     *     the buffer; it gives the region to the pool
     */
    private static Runnable release(NativeIo io, long address, long span) {
        return () -> POOL.put(new RegionPool.Region(io, address, span, POOL.now()));
    }

    static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }

    /**
     * Opens {@code path} for writing, {@code fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, bytes)}, closes it.
     *
     * @return whether the reservation succeeded
     */
    protected abstract boolean reserve(String path, long bytes);

    /** @return the address of a new private anonymous read-write mapping of {@code length} bytes, or 0 */
    protected abstract long map(long length);

    /** Unmaps {@code [address, address + length)}. */
    protected abstract void unmap(long address, long length);

    /** Sets {@code [address, address + length)}, mapped by {@link #map}, to zero. */
    protected abstract void zero(long address, long length);

    /** {@code madvise(address, length, MADV_HUGEPAGE)}; its result is ignored. */
    protected abstract void adviseHuge(long address, long length);

    /** @return a direct buffer over {@code [address, address + bytes)} that does not free it */
    protected abstract ByteBuffer bufferAt(long address, int bytes);

    @Override
    public String toString() {
        return name();
    }

    /** Plain Java: no native call. */
    private static final class Plain extends NativeIo {
        static final Plain INSTANCE = new Plain();

        @Override
        public String name() {
            return "java";
        }

        @Override
        protected boolean works() {
            return true;
        }

        @Override
        public boolean preallocate(Path file, long bytes) {
            return false;
        }

        @Override
        public ByteBuffer allocate(int bytes, boolean zeroed) {
            return null;
        }

        @Override
        protected boolean reserve(String path, long bytes) {
            return false;
        }

        @Override
        protected long map(long length) {
            return 0;
        }

        @Override
        protected void unmap(long address, long length) {
            // nothing was mapped
        }

        @Override
        protected void adviseHuge(long address, long length) {
            // nothing was mapped
        }

        @Override
        protected void zero(long address, long length) {
            // nothing was mapped
        }

        @Override
        protected ByteBuffer bufferAt(long address, int bytes) {
            throw new UnsupportedOperationException("plain Java maps no memory");
        }
    }
}
