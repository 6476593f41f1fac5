package dev.numpack.internal.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Memory regions that {@link NativeIo#allocate} mapped and whose buffers became unreachable, kept mapped for
 * the next allocation of about the same size instead of unmapped at once.
 *
 * <p>Why: a Java buffer is freed only after a GC finds it unreachable, so regions come back in bursts, long
 * after their last use. Unmapped then, they go back to the kernel, and a virtual machine with free page
 * reporting (common in clouds; this project's VM reports 8 MiB blocks) hands them to the host within seconds:
 * the next region is then faulted in from the host, page by page. Measured on the project's VM (1M x 10 float32,
 * Temurin 25, FFM): reading a file into a fresh huge-page region unmapped right after took 7 ms, as numpy's
 * {@code np.load}; the same with regions unmapped in bursts of 20 after 3 s, as a GC would, 113 ms. A region
 * taken from here is hot: it costs neither faults nor the host.
 *
 * <p>Bounds: the regions kept count against {@link NativeIo}'s budget like live ones (an allocation that does
 * not fit evicts them first), and a region unused for {@link #MAX_IDLE_NANOS} is unmapped by the next call
 * that touches the pool or by a daemon thread that runs while the pool holds any, so an idle JVM gives the
 * memory back within seconds. Thread-safe.
 */
final class RegionPool {
    /** How long a region is kept unused before it is unmapped: longer than a training step, shorter than a user waits. */
    static final long MAX_IDLE_NANOS = 5_000_000_000L;

    /** A region taken from the pool may be at most this much larger than asked for (a quarter), so that little is wasted. */
    private static final int SLACK_SHIFT = 2;

    /** A mapped region: where, how long, who unmaps it and since when it is unused. */
    record Region(NativeIo io, long address, long span, long freedAt) {
    }

    private final TreeMap<Long, ArrayDeque<Region>> bySpan = new TreeMap<>(); // guarded by this
    private long pooledBytes; // guarded by this
    private boolean trimScheduled; // guarded by this
    private final Unmapper unmapper;
    private final LongSupplier clock;
    private final long maxIdleNanos;
    private final boolean trimInBackground;

    /** Unmaps regions the pool lets go, and counts them off the budget. */
    interface Unmapper {
        void unmap(Region r);
    }

    /** @param unmapper what unmaps the regions the pool lets go */
    RegionPool(Unmapper unmapper) {
        this(unmapper, System::nanoTime, MAX_IDLE_NANOS, true);
    }

    /**
     * @param unmapper what unmaps the regions the pool lets go
     * @param clock the time in nanoseconds, as {@link System#nanoTime} (tests pass their own)
     * @param maxIdleNanos how long a region is kept unused
     * @param trimInBackground whether a daemon thread trims the pool while it holds regions (tests call
     *     {@link #trim} themselves)
     */
    RegionPool(Unmapper unmapper, LongSupplier clock, long maxIdleNanos, boolean trimInBackground) {
        this.unmapper = unmapper;
        this.clock = clock;
        this.maxIdleNanos = maxIdleNanos;
        this.trimInBackground = trimInBackground;
    }

    /** @return the time now on this pool's clock, which {@link Region#freedAt} is measured on */
    long now() {
        return clock.getAsLong();
    }

    /**
     * @param span the bytes wanted, a multiple of the huge page
     * @return a region of at least {@code span} and at most a quarter more, the most recently freed of the
     *     smallest such size (its pages are the likeliest to be hot), or {@code null}
     */
    Region take(long span) {
        List<Region> expired;
        Region found = null;
        synchronized (this) {
            expired = expiredLocked(clock.getAsLong());
            Map.Entry<Long, ArrayDeque<Region>> e = bySpan.ceilingEntry(span);
            if (e != null && e.getKey() <= span + (span >> SLACK_SHIFT)) {
                found = e.getValue().pollLast();
                if (e.getValue().isEmpty()) {
                    bySpan.remove(e.getKey());
                }
                pooledBytes -= found.span();
            }
        }
        expired.forEach(unmapper::unmap);
        return found;
    }

    /**
     * Keeps a region whose buffer became unreachable (called by the {@link java.lang.ref.Cleaner}).
     *
     * @param r the region
     */
    void put(Region r) {
        List<Region> expired;
        boolean schedule;
        synchronized (this) {
            bySpan.computeIfAbsent(r.span(), k -> new ArrayDeque<>()).addLast(r);
            pooledBytes += r.span();
            expired = expiredLocked(clock.getAsLong());
            schedule = trimInBackground && !trimScheduled && pooledBytes > 0;
            trimScheduled |= schedule;
        }
        expired.forEach(unmapper::unmap);
        if (schedule) {
            Trimmer.schedule(this);
        }
    }

    /**
     * Unmaps the region freed longest ago, to make room in the budget.
     *
     * @return whether there was one
     */
    boolean evictOne() {
        Region oldest = null;
        synchronized (this) {
            for (ArrayDeque<Region> q : bySpan.values()) {
                Region r = q.peekFirst();
                if (oldest == null || r.freedAt() < oldest.freedAt()) {
                    oldest = r;
                }
            }
            if (oldest != null) {
                removeLocked(oldest);
            }
        }
        if (oldest == null) {
            return false;
        }
        unmapper.unmap(oldest);
        return true;
    }

    /** Unmaps every region kept, e.g. before a test counts outstanding memory. */
    void clear() {
        List<Region> all = new ArrayList<>();
        synchronized (this) {
            bySpan.values().forEach(all::addAll);
            bySpan.clear();
            pooledBytes = 0;
        }
        all.forEach(unmapper::unmap);
    }

    /** @return the bytes of the regions kept now */
    synchronized long pooledBytes() {
        return pooledBytes;
    }

    /**
     * Unmaps the regions unused for longer than this pool keeps them (the daemon thread's run).
     *
     * @return whether regions remain, so that the thread runs again
     */
    boolean trim() {
        List<Region> expired;
        boolean more;
        synchronized (this) {
            expired = expiredLocked(clock.getAsLong());
            more = pooledBytes > 0;
            trimScheduled = more;
        }
        expired.forEach(unmapper::unmap);
        return more;
    }

    private List<Region> expiredLocked(long now) {
        List<Region> expired = new ArrayList<>(0);
        for (ArrayDeque<Region> q : bySpan.values()) {
            for (Region r : q) {
                if (now - r.freedAt() >= maxIdleNanos) {
                    expired.add(r);
                }
            }
        }
        expired.forEach(this::removeLocked);
        return expired;
    }

    private void removeLocked(Region r) {
        ArrayDeque<Region> q = bySpan.get(r.span());
        q.remove(r);
        if (q.isEmpty()) {
            bySpan.remove(r.span());
        }
        pooledBytes -= r.span();
    }

    /** The daemon thread that trims pools while they hold regions, and ends when none does. */
    private static final class Trimmer {
        private static final ScheduledThreadPoolExecutor EXECUTOR = executor();

        private static ScheduledThreadPoolExecutor executor() {
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "numpack-region-trimmer");
                t.setDaemon(true);
                return t;
            });
            e.setKeepAliveTime(MAX_IDLE_NANOS, TimeUnit.NANOSECONDS);
            e.allowCoreThreadTimeOut(true); // no thread is left behind while no pool holds a region
            return e;
        }

        static void schedule(RegionPool pool) {
            EXECUTOR.schedule(() -> {
                if (pool.trim()) {
                    schedule(pool);
                }
            }, pool.maxIdleNanos / 2, TimeUnit.NANOSECONDS);
        }
    }
}
