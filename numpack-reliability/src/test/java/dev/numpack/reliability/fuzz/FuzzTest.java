package dev.numpack.reliability.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.reliability.Mode;
import dev.numpack.testkit.ChildJvm;
import dev.numpack.testkit.ChildResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mutation fuzzer of issue 12: damaged stores (metadata fields and bytes, bitmaps, segment manifests, data
 * and segment files, journals resealed with valid checksums, swapped files, links, named pipes, huge sparse files,
 * directories in place of files) and damaged {@code .npy}, {@code .npz} and IDX inputs, through every public read
 * path and, on half of the cases, the write paths, in child JVMs with {@code -Xmx64m} ({@link FuzzChild}).
 *
 * <p>Every case must end {@link Outcome#OK} or {@link Outcome#TYPED}; the table of cases by kind and outcome is
 * printed and written to {@code target/fuzz-figures.md}. CI mode runs {@value #CI_CASES} cases, long mode
 * ({@code -Dnumpack.reliability=long}) {@value #LONG_CASES}. A failing case is reported with the property that
 * replays it alone: {@code -Dnumpack.fuzz.replay=SEED:KIND}; {@code -Dnumpack.fuzz.seed=N} starts another run.
 */
class FuzzTest {
    static final int CI_CASES = 2100;
    static final int LONG_CASES = 50_000;
    /** Run seed unless {@code numpack.fuzz.seed} is set. */
    static final long DEFAULT_SEED = 20261203L;
    /** A case taking longer than this has hung: on a quiet machine one takes milliseconds. */
    static final int CASE_LIMIT_SECONDS = 30;
    static final String HEAP = "64m";

    @Test
    void damagedStoresAndInputsEndOkOrTypedAndNamed() throws Exception {
        Mode mode = Mode.current();
        String replay = System.getProperty("numpack.fuzz.replay", "").trim();
        long seed = Long.getLong("numpack.fuzz.seed", DEFAULT_SEED);
        int cases = replay.isEmpty() ? Integer.getInteger("numpack.fuzz.cases", mode.pick(CI_CASES, LONG_CASES)) : 1;
        Path work = Files.createTempDirectory(workParent(), "numpack-fuzz");
        FuzzFigures figures = new FuzzFigures();
        long started = System.nanoTime();
        int jobs = replay.isEmpty() ? Integer.getInteger("numpack.fuzz.jobs", mode.pick(1, 2)) : 1;
        java.util.concurrent.atomic.AtomicInteger children = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(jobs);
        try {
            List<java.util.concurrent.Future<?>> slices = new java.util.ArrayList<>();
            for (int j = 0; j < jobs; j++) {
                long from = (long) cases * j / jobs;
                long to = (long) cases * (j + 1) / jobs;
                slices.add(pool.submit(() -> {
                    runSlice(work, seed, from, to, replay, mode, figures, children);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : slices) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception x) {
                        throw x;
                    }
                    throw new AssertionError(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            CaseDir.deleteTree(work);
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        String header = "Fuzz run: mode " + mode.name().toLowerCase(java.util.Locale.ROOT) + ", seed " + seed
                + (replay.isEmpty() ? "" : ", replay " + replay) + ", -Xmx" + HEAP + ", limit " + CASE_LIMIT_SECONDS
                + " s per case, " + children + " child JVM(s) (" + jobs + " at a time), " + seconds + " s, Java " + Runtime.version().feature();
        String table = figures.markdown(header);
        System.out.println(table);
        Path fig = Path.of("target", "fuzz-figures.md");
        Files.createDirectories(fig.getParent());
        Files.writeString(fig, table, StandardCharsets.UTF_8);
        assertTrue(figures.cases() == cases, () -> "ran " + figures.cases() + " of " + cases + " cases");
        List<String> bad = figures.bad();
        assertTrue(bad.isEmpty(), () -> bad.size() + " cases ended badly (replay one with the -D shown):\n"
                + String.join("\n", bad.subList(0, Math.min(25, bad.size()))));
    }

    /** Runs cases {@code from .. to-1} in child JVMs, one after the other, a new one after a child that died. */
    private static void runSlice(Path work, long seed, long from, long to, String replay, Mode mode, FuzzFigures figures,
            java.util.concurrent.atomic.AtomicInteger children) throws Exception {
        long next = from;
        while (next < to) {
            String[] args = replay.isEmpty()
                    ? new String[] {work.toString(), Long.toString(seed), Long.toString(next), Long.toString(to - next),
                        Integer.toString(CASE_LIMIT_SECONDS)}
                    : new String[] {"replay", work.toString(), replay.split(":")[0], replay.split(":")[1],
                        Integer.toString(CASE_LIMIT_SECONDS)};
            ChildResult r = ChildJvm.main(FuzzChild.class, args).heap(HEAP).isolatedClasspath().noInput()
                    .run(Duration.ofMinutes(mode.pick(15, 240)));
            children.incrementAndGet();
            long last;
            synchronized (figures) {
                last = parse(r, figures);
            }
            if (replay.isEmpty() && last < 0) {
                throw new AssertionError("the fuzz child started no case; exit " + r.exitCode() + "\n" + r.err());
            }
            next = replay.isEmpty() ? last + 1 : to;
        }
    }

    /**
     * @return where the cases are built: {@code -Dnumpack.fuzz.dir}, else {@code /dev/shm} where it is a writable
     *     directory (a memory file system: fsync costs nothing there, and the fuzzer tests hostile input, not
     *     durability), else the temporary directory
     */
    private static Path workParent() {
        String dir = System.getProperty("numpack.fuzz.dir");
        if (dir != null) {
            return Path.of(dir);
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Adds the child's cases to the figures; a case that started and never ended killed its JVM (a hang that
     * halted it reports itself first) and counts as a fault.
     *
     * @return the last case the child started, or -1
     */
    private static long parse(ChildResult r, FuzzFigures figures) {
        Map<Long, StringBuilder> reports = new HashMap<>();
        Map<Long, String[]> ended = new HashMap<>();
        long lastStarted = -1;
        StringBuilder current = null;
        for (String line : r.lines()) {
            if (line.startsWith("START ")) {
                lastStarted = Long.parseLong(line.substring(6).trim());
                current = null;
            } else if (line.startsWith("CASE ")) {
                String[] f = line.split(" ", 7);
                long idx = Long.parseLong(f[1]);
                ended.put(idx, f);
                current = reports.computeIfAbsent(idx, k -> new StringBuilder()).append(line);
            } else if (current != null && !line.equals("END")) {
                current.append('\n').append(line);
            }
        }
        for (Map.Entry<Long, String[]> e : ended.entrySet()) {
            String[] f = e.getValue();
            long[] ops = java.util.Arrays.stream(f[4].split(",")).mapToLong(Long::parseLong).toArray();
            figures.add(Kind.valueOf(f[2]), Outcome.valueOf(f[3]), ops, reports.get(e.getKey()).toString());
        }
        if (lastStarted >= 0 && !ended.containsKey(lastStarted)) {
            String err = r.err();
            figures.add(Kind.ofCase(lastStarted), err.contains("OutOfMemoryError") ? Outcome.OOM : Outcome.FAULT,
                    new long[0],
                    "CASE " + lastStarted + " killed its JVM (exit " + r.exitCode() + "); stderr tail:\n"
                            + err.substring(Math.max(0, err.length() - 3000)));
        }
        return lastStarted;
    }
}
