package dev.numpack.reliability.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.Durability;
import dev.numpack.NumPack;
import dev.numpack.reliability.Mode;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildProcess;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer thread ({@link MutationWriter}: every kind of mutation), 8 reader threads in this JVM and 2
 * reader processes ({@link ReaderChild}) on one store. Half of the reader threads read the stable arrays
 * through the writer's own {@code NumPack}, half through read-only stores of their own (refreshed, and now
 * and then reopened); the processes open the store read-only. They read through {@code load}, {@code lazy}
 * (gather and range), {@code gather} and {@code stream} in turn. No read may fail, and every row read must
 * be one the writer wrote ({@link Cells}: whole, of a registered generation, in range, in an array it may
 * be in). Halfway, a second writer process ({@link LockProbe}) must be refused with
 * {@code StoreLockedException}.
 *
 * <p>Counts: {@link Mode#CI} 1,000 mutations, {@link Mode#LONG} 10,000. Figures printed and written to
 * {@code target/concurrency-figures.md}.
 */
class ConcurrentReadersTest {
    private static final int THREADS = 8;
    private static final int PROCESSES = 2;

    @TempDir
    Path tmp;

    @Test
    void readersNeverFailNorSeeBytesThatWereNeverWritten() throws Exception {
        int ops = Mode.current().pick(1_000, 10_000);
        Path store = tmp.resolve("store");
        Files.createDirectories(tmp.resolve("scratch"));
        long t0 = System.nanoTime();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicLongArray reads = new AtomicLongArray(THREADS);
        AtomicBoolean stop = new AtomicBoolean();
        String lock;
        MutationWriter w;
        List<ChildProcess> children = new ArrayList<>();
        List<String> childReports = new ArrayList<>();
        try (NumPack np = NumPack.builder().setPath(store).optDurability(Durability.NO_FSYNC).build()) {
            w = new MutationWriter(np, 0xC0C0L, tmp.resolve("scratch"));
            w.setUp();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int id = i;
                Thread t = new Thread(() -> readLoop(id, np, store, w.written(), stop, reads, failed, failures),
                        "reader-" + i);
                t.start();
                threads.add(t);
            }
            try {
                for (int p = 0; p < PROCESSES; p++) {
                    ChildProcess c = ChildJvm.main(ReaderChild.class, store.toString(), Long.toString(p))
                            .jvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1").isolatedClasspath()
                            .stderrTo(tmp.resolve("reader-" + p + ".err")).start();
                    children.add(c);
                    assertEquals("READY", c.stdout().readLine(), c::stderrText);
                }
                lock = "";
                for (int i = 0; i < ops; i++) {
                    w.step();
                    if (i == ops / 2) {
                        lock = probeLock(store);
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : threads) {
                    t.join(60_000);
                }
                for (ChildProcess c : children) {
                    c.process().getOutputStream().close(); // the child's signal to finish and report
                }
            }
            for (int p = 0; p < children.size(); p++) {
                try (ChildProcess c = children.get(p)) {
                    childReports.add(checkChild(p, c, w.written(), failures));
                    c.await(Duration.ofSeconds(60));
                }
            }
            np.verify();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String figures = figures(ops, ms, w.done(), reads, childReports, failed.get(), failures, lock);
        System.out.print(figures);
        Path out = Path.of(System.getProperty("basedir", "."), "target", "concurrency-figures.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, figures);
        assertTrue(lock.startsWith("LOCKED"), "a second writer process was not refused: " + lock);
        assertTrue(failures.isEmpty() && failed.get() == 0, () -> failed.get() + " reads failed or saw bytes never "
                + "written:\n  " + String.join("\n  ", failures));
        for (int i = 0; i < THREADS; i++) {
            assertTrue(reads.get(i) > 0, "reader thread " + i + " read nothing");
        }
    }

    /**
     * A reader thread: even ones read the stable arrays through the writer's store, odd ones every array
     * through a read-only store of their own, refreshed each round and reopened every tenth.
     */
    private static void readLoop(int id, NumPack writer, Path store, Map<Long, long[]> written, AtomicBoolean stop,
            AtomicLongArray reads, AtomicInteger failed, ConcurrentLinkedQueue<String> failures) {
        Random r = new Random(id);
        ReadRound.Path[] paths = ReadRound.Path.values();
        boolean shared = id % 2 == 0;
        List<String> stable = List.of(Cells.NAMES).subList(0, Cells.STABLE);
        NumPack np = shared ? writer : NumPack.openReadOnly(store);
        try {
            for (int round = 0; !stop.get(); round++) {
                try {
                    if (!shared) {
                        if (round % 10 == 9) {
                            np.close();
                            np = NumPack.openReadOnly(store);
                        } else {
                            np.refresh();
                        }
                    }
                    for (String name : shared ? stable : new ArrayList<>(np.names())) {
                        reads.addAndGet(id, ReadRound.run(np, List.of(name), paths[round % paths.length], r,
                                (tag, gen, row) -> registered(written, name, tag, gen, row)));
                    }
                    Thread.sleep(1); // ten readers on two CPUs: leave the writer some
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException | AssertionError e) {
                    failed.incrementAndGet();
                    if (failures.size() < 20) {
                        failures.add("reader thread " + id + (shared ? " (writer's store)" : " (read-only)") + ": "
                                + e);
                    }
                }
            }
        } finally {
            if (!shared) {
                np.close();
            }
        }
    }

    /** @return {@code null} if the writer wrote this row, else why not */
    private static String registered(Map<Long, long[]> written, String name, long tag, long gen, long row) {
        long[] w = written.get(gen);
        if (w == null) {
            return "generation " + gen + " was never written";
        }
        if (w[0] != tag || row < 0 || row >= w[1]) {
            return "(" + tag + ", " + gen + ", " + row + ") was never written: generation " + gen + " wrote "
                    + w[1] + " rows of tag " + w[0];
        }
        return Cells.tagProblem(name, tag);
    }

    /** Runs a second writer process while this JVM holds the store. @return the line it printed */
    private String probeLock(Path store) throws Exception {
        try (ChildProcess probe = ChildJvm.main(LockProbe.class, store.toString()).heap("128m")
                .stderrTo(tmp.resolve("probe.err")).start()) {
            String line = probe.stdout().readLine();
            probe.await(Duration.ofSeconds(60));
            return String.valueOf(line);
        }
    }

    /** Reads a reader process's report and checks what it saw against the writer's registry. */
    private static String checkChild(int p, ChildProcess c, Map<Long, long[]> written,
            ConcurrentLinkedQueue<String> failures) throws Exception {
        BufferedReader in = c.stdout();
        long reads = -1;
        long generations = 0;
        boolean end = false;
        for (String l; (l = in.readLine()) != null; ) {
            String[] f = l.split(" ", 2);
            switch (f[0]) {
                case "READS":
                    reads = Long.parseLong(f[1]);
                    break;
                case "FAILURES":
                    if (Long.parseLong(f[1]) != 0) {
                        failures.add("reader process " + p + ": " + f[1] + " failed rounds");
                    }
                    break;
                case "FAIL":
                    failures.add("reader process " + p + ": " + f[1]);
                    break;
                case "GEN": {
                    String[] g = f[1].split(" ");
                    long gen = Long.parseLong(g[0]);
                    long[] w = written.get(gen);
                    generations++;
                    if (w == null || w[0] != Long.parseLong(g[1]) || Long.parseLong(g[2]) >= w[1]) {
                        failures.add("reader process " + p + " saw generation " + f[1] + " (tag, max row), written: "
                                + (w == null ? "never" : w[1] + " rows of tag " + w[0]));
                    }
                    break;
                }
                case "END":
                    end = true;
                    break;
                default:
                    failures.add("reader process " + p + " printed: " + l);
            }
        }
        if (!end || reads <= 0) {
            failures.add("reader process " + p + " did not report (reads " + reads + "): " + c.stderrText());
        }
        return "process " + p + ": " + reads + " reads, rows of " + generations + " writes seen";
    }

    private static String figures(int ops, long ms, Map<MutationWriter.Kind, Integer> done, AtomicLongArray reads,
            List<String> children, int failed, ConcurrentLinkedQueue<String> failures, String lock) {
        StringBuilder sb = new StringBuilder();
        sb.append("# concurrency (mode ").append(Mode.current().name().toLowerCase(java.util.Locale.ROOT))
                .append(", JDK ").append(Runtime.version().feature()).append(", ").append(ms / 1000).append(" s)\n\n")
                .append("writer: ").append(ops).append(" mutations: ").append(done).append("\n\n");
        for (int i = 0; i < reads.length(); i++) {
            sb.append("- reader thread ").append(i).append(i % 2 == 0 ? " (writer's store)" : " (read-only)")
                    .append(": ").append(reads.get(i)).append(" reads\n");
        }
        for (String c : children) {
            sb.append("- reader ").append(c).append('\n');
        }
        sb.append("\nfailed reader rounds in this JVM: ").append(failed).append("; problems reported in all: ")
                .append(failures.size()).append("; second writer process: ")
                .append(lock.split(" ", 2)[0]).append('\n');
        return sb.toString();
    }
}
