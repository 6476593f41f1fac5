package dev.numpack.bench;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one call of a benchmark asks of memory, reported by JMH as secondary metrics (the largest value
 * seen in each iteration, averaged over iterations):
 * <ul>
 *   <li>{@code heapAllocBytes}: Java heap allocated by the benchmark thread during the call (exact,
 *       {@code ThreadMXBean.getThreadAllocatedBytes}); garbage included, as it is what the collector must
 *       clear;</li>
 *   <li>{@code directAllocBytes}: growth of the JVM's direct buffers ({@code BufferPoolMXBean "direct"}) over
 *       the call; a direct buffer is freed only by a GC, so this is about what the call allocated directly;</li>
 *   <li>{@code peakRssGrowthBytes}: the process's peak resident set ({@code VmHWM}, reset by writing 5 to
 *       {@code /proc/self/clear_refs} before the call) above its resident set at the start. It counts native
 *       allocations (Arrow's, libtorch's) and pages touched for the first time, including file pages a
 *       mapping brings in; pages already resident from earlier calls do not count. -1 where Linux's
 *       {@code /proc} is missing.</li>
 * </ul>
 * The probes run untimed, around each call ({@code Level.Invocation}), so use it only for calls of a
 * millisecond or more.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class PassMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
    private static final Pattern KB = Pattern.compile("\\s+(\\d+) kB");
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
            .stream().filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();

    /** Largest heap allocation of one call in this iteration, bytes. */
    public long heapAllocBytes;
    /** Largest direct-buffer growth of one call in this iteration, bytes. */
    public long directAllocBytes;
    /** Largest peak-RSS growth of one call in this iteration, bytes (-1: not measurable here). */
    public long peakRssGrowthBytes;

    private long heap0;
    private long direct0;
    private long rss0;

    @Setup(Level.Iteration)
    public void clear() {
        heapAllocBytes = 0;
        directAllocBytes = 0;
        peakRssGrowthBytes = 0;
    }

    @Setup(Level.Invocation)
    public void before() {
        rss0 = resetPeakRss();
        direct0 = DIRECT.getMemoryUsed();
        heap0 = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @TearDown(Level.Invocation)
    public void after() {
        long heap = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - heap0;
        long direct = DIRECT.getMemoryUsed() - direct0;
        heapAllocBytes = Math.max(heapAllocBytes, heap);
        directAllocBytes = Math.max(directAllocBytes, Math.max(0, direct));
        if (rss0 < 0) {
            peakRssGrowthBytes = -1;
        } else {
            long peak = statusKb("VmHWM");
            peakRssGrowthBytes = Math.max(peakRssGrowthBytes, peak < 0 ? -1 : Math.max(0, peak * 1024 - rss0));
        }
    }

    /** @return the resident set in bytes after resetting the peak to it, or -1 without /proc */
    private static long resetPeakRss() {
        try {
            Files.writeString(CLEAR_REFS, "5");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
        long rss = statusKb("VmRSS");
        return rss < 0 ? -1 : rss * 1024;
    }

    /** @return a {@code kB} field of /proc/self/status, or -1 */
    static long statusKb(String field) {
        try {
            String status = Files.readString(STATUS, StandardCharsets.US_ASCII);
            int at = status.indexOf(field + ":");
            if (at < 0) {
                return -1;
            }
            Matcher m = KB.matcher(status).region(at + field.length() + 1, status.length());
            return m.lookingAt() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
