package dev.numpack.reliability.fuzz;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fuzz loop, run in a child JVM with {@code -Xmx64m} so that an out-of-memory error or a hang of one case
 * cannot take the test JVM down. Runs cases {@code first .. first+count-1} of a run, each on its own daemon
 * thread with a time limit, and prints one line per case for {@link FuzzTest}:
 *
 * <pre>
 * START index                       before the case (so that a case that kills the JVM is known)
 * CASE index KIND OUTCOME ops,by,outcome millis | worst operation | description
 * DETAIL ...                        the throwable of a case whose outcome is not allowed, then its stack
 * </pre>
 *
 * A case that outlives its limit is reported as {@link Outcome#HANG} with its thread's stack, and the JVM then
 * halts with {@link #HALTED_ON_HANG} (the thread cannot be stopped; what it holds must not leak into the next
 * cases): the test starts a new child after it.
 *
 * <p>Arguments: work directory, run seed, first case, case count, time limit per case in seconds; or
 * {@code replay} work directory, seed, kind, time limit.
 */
public final class FuzzChild {
    /** The exit code after a hang. */
    static final int HALTED_ON_HANG = 3;

    private FuzzChild() {}

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        boolean replay = args[0].equals("replay");
        int a = replay ? 1 : 0;
        Path work = Path.of(args[a]);
        Path template = work.resolve("template");
        if (!Files.isDirectory(template)) {
            Path building = work.resolve("template-building-" + ProcessHandle.current().pid());
            TemplateStore.build(building);
            try {
                Files.move(building, template);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another child of the same run built it first
                CaseDir.deleteTree(building);
            }
        }
        if (replay) {
            FuzzCase c = new FuzzCase(-1, Long.parseLong(args[2]), Kind.valueOf(args[3]));
            runCase(c, work, template, Long.parseLong(args[4]) * 1000, out, true);
            return;
        }
        long runSeed = Long.parseLong(args[1]);
        long first = Long.parseLong(args[2]);
        long count = Long.parseLong(args[3]);
        long limitMillis = Long.parseLong(args[4]) * 1000;
        for (long i = first; i < first + count; i++) {
            runCase(FuzzCase.of(runSeed, i), work, template, limitMillis, out, false);
        }
        if (Recorder.PROFILE != null) {
            Recorder.PROFILE.entrySet().stream().sorted(java.util.Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
                    .limit(40).forEach(e -> out.println("PROFILE " + e.getValue() / 1_000_000 + " ms " + e.getKey()));
        }
        out.println("END");
        out.flush();
    }

    private static void runCase(FuzzCase c, Path work, Path template, long limitMillis, PrintStream out, boolean all)
            throws InterruptedException {
        out.println("START " + c.index());
        out.flush();
        CaseDir dir = new CaseDir(work.resolve("case-" + c.index()));
        CaseRun run = new CaseRun(c, dir, template);
        Thread t = new Thread(run, "fuzz-case-" + c.index());
        t.setDaemon(true);
        long start = System.nanoTime();
        t.start();
        t.join(limitMillis);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (!run.done) {
            out.println(line(c, Outcome.HANG, run.rec, millis, run.rec.current, run.description));
            out.println("DETAIL " + c.index() + " " + c.replay() + " thread stack at the limit:");
            for (StackTraceElement e : t.getStackTrace()) {
                out.println("\tat " + e);
            }
            out.flush();
            Runtime.getRuntime().halt(HALTED_ON_HANG);
        }
        Recorder rec = run.rec;
        out.println(line(c, rec.worst, rec, millis, rec.worstOp, run.description));
        if (!rec.worst.allowed() || all) {
            out.println("DETAIL " + c.index() + " " + c.replay() + " " + rec.counts + "\n"
                    + Recorder.stack(rec.worstThrowable, 14).stripTrailing());
        }
        out.flush();
        dir.delete();
    }

    private static String line(FuzzCase c, Outcome o, Recorder rec, long millis, String op, String description) {
        StringBuilder ops = new StringBuilder();
        for (Outcome x : Outcome.values()) {
            ops.append(ops.length() == 0 ? "" : ",").append(rec.counts.getOrDefault(x, 0));
        }
        return "CASE " + c.index() + " " + c.kind() + " " + o + " " + ops + " " + millis + " | " + oneLine(op) + " | "
                + oneLine(description);
    }

    static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ').replace('|', '/');
    }
}
