package dev.numpack.bench;

import ai.djl.engine.Engine;
import ai.djl.training.dataset.Batch;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What an epoch of each dataset of {@link DatasetEpochBenchmark} costs in memory, seen from the process:
 * resident anonymous memory ({@code RssAnon} of {@code /proc/self/status}, which holds the JVM heap, direct
 * buffers and libtorch's tensors alike), file-backed resident memory ({@code RssFile}: mapped files such as the
 * store and the native libraries, page cache that the kernel can drop), the JVM heap in use, the direct
 * buffer pool, and the number of NDArrays the base manager holds.
 *
 * <pre>
 * java -cp benchmarks.jar dev.numpack.bench.DatasetMemoryProbe write /tmp/probe-store [rows]
 * java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -Dai.djl.offline=true \
 *      -cp benchmarks.jar dev.numpack.bench.DatasetMemoryProbe numpack /tmp/probe-store [epochs] [prefetch]
 * </pre>
 *
 * The store is written by a separate process so that writing it leaves nothing in the measured one. With
 * {@code -Xms} equal to {@code -Xmx} and {@code -XX:+AlwaysPreTouch} the heap is resident in full from the
 * start, so growth of {@code RssAnon} is memory outside the heap: tensors and direct buffers. Every line is
 * taken after a {@code System.gc()} (which also frees direct buffers no longer referenced), except the
 * "peak in epoch" figures, sampled every 25 batches without a GC.
 */
public final class DatasetMemoryProbe {
    private DatasetMemoryProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DatasetMemoryProbe write DIR [rows] | DatasetMemoryProbe LIB DIR [epochs] [prefetch]");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        if (args[0].equals("write")) {
            int rows = args.length > 2 ? Integer.parseInt(args[2]) : 60000;
            Files.createDirectories(dir);
            DatasetEpochBenchmark.writeStore(dir, rows);
            System.out.println("wrote " + rows + " x " + DatasetEpochBenchmark.COLS + " float32 x, int64 y to " + dir);
            return;
        }
        String lib = args[0];
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        boolean prefetch = args.length > 3 && args[3].equals("prefetch");
        System.out.printf(Locale.ROOT, "%-28s %11s %11s %11s %11s %11s %8s%n", "stage", "VmRSS MiB", "RssAnon MiB",
                "RssFile MiB", "heap MiB", "direct MiB", "NDArrays");
        line("start", -1);
        Engine.getInstance();
        line("engine loaded", -1);
        ExecutorService executor = prefetch
                ? Executors.newFixedThreadPool(2) : null;
        try (DatasetEpochBenchmark.Fixture f = DatasetEpochBenchmark.Fixture.open(lib, dir, 128)) {
            line(lib + " built", count(f));
            for (int e = 0; e < epochs; e++) {
                long peakAnon = 0;
                long peakArrays = 0;
                int n = 0;
                long rows = 0;
                long t0 = System.nanoTime();
                Iterable<Batch> pass = executor == null ? f.dataset.getData(f.manager)
                        : f.dataset.getData(f.manager, executor);
                for (Batch b : pass) {
                    try {
                        rows += b.getSize();
                        if (n++ % 25 == 0) {
                            peakAnon = Math.max(peakAnon, status("RssAnon"));
                            peakArrays = Math.max(peakArrays, count(f));
                        }
                    } finally {
                        b.close();
                    }
                }
                long t1 = System.nanoTime();
                System.out.printf(Locale.ROOT, "  epoch %d: %d rows in %d batches, %.0f ms; peak in epoch: RssAnon"
                        + " %.1f MiB, %d NDArrays%n", e, rows, n, (t1 - t0) / 1e6, peakAnon / 1024.0, peakArrays);
                line("after epoch " + e, count(f));
            }
        } finally {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
        line("closed", -1);
    }

    private static long count(DatasetEpochBenchmark.Fixture f) {
        return f.manager.getManagedArrays().size();
    }

    private static void line(String stage, long arrays) throws IOException {
        System.gc();
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long direct = 0;
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) {
                direct = p.getMemoryUsed();
            }
        }
        System.out.printf(Locale.ROOT, "%-28s %11.1f %11.1f %11.1f %11.1f %11.1f %8s%n", stage,
                status("VmRSS") / 1024.0, status("RssAnon") / 1024.0, status("RssFile") / 1024.0,
                heap.getUsed() / 1048576.0, direct / 1048576.0, arrays < 0 ? "-" : Long.toString(arrays));
    }

    /** @return a "kB" field of /proc/self/status, in kB */
    private static long status(String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith(field + ":")) {
                return Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(field + " not in /proc/self/status");
    }
}
