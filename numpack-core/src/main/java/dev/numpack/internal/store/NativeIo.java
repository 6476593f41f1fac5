package dev.numpack.internal.store;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The few Linux calls plain Java lacks and that make saving and loading large arrays as fast as numpy: a
 * new data file's blocks reserved before it is written ({@code fallocate} with {@code FALLOC_FL_KEEP_SIZE}),
 * and zeroed memory for a large array that the kernel backs with transparent huge pages (an anonymous
 * {@code mmap} aligned to 2 MiB, {@code madvise(MADV_HUGEPAGE)}).
 *
 * <p>Why they matter (measured on ext4, kernel 6.x; see the README's Performance section): without a
 * reservation ext4 allocates a new file's blocks late (delayed allocation), and renaming the file over an
 * older one ({@code auto_da_alloc}) then starts writing it out inside the rename; a fresh direct buffer is
 * faulted in 4 KiB page by page, 10,000 faults for 40 MB, where 2 MiB pages take 20.
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
 * <p>Memory: a buffer from {@link #allocate} is outside the JVM's direct-memory limit. It is unmapped by a
 * {@link Cleaner} once the buffer and every buffer derived from it ({@code slice}, {@code duplicate},
 * {@code asFloatBuffer}, ...; each keeps its parent reachable) are unreachable; a tensor made from it without a
 * copy must keep a reference to the buffer as long as it uses the memory, as DJL's PyTorch engine does.
 */
public abstract class NativeIo {
    /** Arrays smaller than this get a plain direct buffer: a huge page would not pay for itself. */
    public static final int LARGE_BYTES = 2 << 20;

    /** The system property that turns huge-page memory for in-memory arrays on ({@code true}); off by default. */
    public static final String HUGE_PAGES_PROPERTY = "dev.numpack.hugePages";

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
    private static volatile NativeIo current = select(System.getProperty("dev.numpack.native", "auto"));

    /**
     * Whether large in-memory arrays ({@code NdArray}'s buffer, e.g. what {@code load} reads into) take
     * {@link #allocate}'s huge-page memory: only with {@code -Ddev.numpack.hugePages=true}. Off by default because
     * on the project's 2-vCPU VM a fresh huge-page region was slower than a plain direct buffer (a load of 1M x 10
     * float32 took a median of 262-395 ms against 92-117 ms, the machine under load; in JMH it swung between 15
     * and 258 ms): the kernel zeroes and compacts for each new 2 MiB page, and freed memory returned to the host
     * must be faulted in again. {@code fallocate} before writes is not affected by this switch.
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
     * Allocates zeroed memory for an array of {@code bytes} bytes, backed by huge pages where the kernel
     * gives them: an anonymous mapping aligned to 2 MiB and advised {@code MADV_HUGEPAGE}. The buffer is
     * unmapped by a {@link Cleaner} once no buffer derived from it is reachable.
     *
     * @param bytes the size, at least {@link #LARGE_BYTES}
     * @return a zeroed little-endian direct buffer of exactly {@code bytes} bytes, or {@code null} when this
     *     implementation cannot (plain Java, no memory): then allocate a plain direct buffer
     */
    public ByteBuffer allocate(int bytes) {
        if (bytes < LARGE_BYTES) {
            return null;
        }
        long span = roundUp(bytes, HUGE_PAGE);
        if (!reserveBudget(span)) {
            return null;
        }
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
            adviseHuge(start, span); // advice only: refused, the memory is still good
            ByteBuffer b = bufferAt(start, bytes).order(ByteOrder.LITTLE_ENDIAN);
            CLEANER.register(b, new Unmap(this, start, span));
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

    /** @return bytes of {@link #allocate}d memory not yet freed (for tests and the benchmarks) */
    public static long outstandingBytes() {
        return OUTSTANDING.get();
    }

    /**
     * Counts {@code span} bytes against {@link #BUDGET}; when they do not fit, asks for a GC and waits up
     * to about half a second for the Cleaner to free unreachable buffers.
     *
     * @return whether they were counted
     */
    private static boolean reserveBudget(long span) {
        if (tryReserve(span)) {
            return true;
        }
        System.gc();
        for (long sleep = 1; sleep <= 256; sleep *= 2) {
            if (tryReserve(span)) {
                return true;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return tryReserve(span);
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

    /** The Cleaner's action: it holds the address, never the buffer. */
    private static final class Unmap implements Runnable {
        private final NativeIo io;
        private final long address;
        private final long length;

        Unmap(NativeIo io, long address, long length) {
            this.io = io;
            this.address = address;
            this.length = length;
        }

        @Override
        public void run() {
            io.unmapQuietly(address, length);
            OUTSTANDING.addAndGet(-length);
        }
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
        public ByteBuffer allocate(int bytes) {
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
        protected ByteBuffer bufferAt(long address, int bytes) {
            throw new UnsupportedOperationException("plain Java maps no memory");
        }
    }
}
