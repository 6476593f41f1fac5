package dev.numpack.reliability.fuzz;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.EnumMap;
import java.util.Map;

/**
 * Runs the operations of one case one at a time, classifies what each threw ({@link Outcome#of}) and keeps the
 * worst, with the operation and throwable that caused it. The operation running now is visible to the thread
 * that waits for the case, so that a hang says where it hung.
 */
final class Recorder {
    /** An operation that may throw anything. */
    interface Op<T> {
        T run() throws Throwable;
    }

    /** An operation without a result. */
    interface VoidOp {
        void run() throws Throwable;
    }

    /**
     * Nanoseconds spent per operation (array names folded), when {@code -Dnumpack.fuzz.profile=true}: to find
     * what makes cases slow.
     */
    static final Map<String, Long> PROFILE = Boolean.getBoolean("numpack.fuzz.profile")
            ? new java.util.concurrent.ConcurrentHashMap<>() : null;

    volatile String current = "setup";
    Outcome worst = Outcome.OK;
    String worstOp = "-";
    Throwable worstThrowable;
    final Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);

    /**
     * @param name the operation, for reports
     * @param array the array it concerns (its error must name it), or {@code null}
     * @param op the operation
     * @return its result, or {@code null} if it threw
     */
    <T> T call(String name, String array, Op<T> op) {
        current = name;
        Throwable thrown = null;
        T result = null;
        long start = PROFILE == null ? 0 : System.nanoTime();
        try {
            result = op.run();
        } catch (Throwable t) {
            thrown = t;
        }
        if (PROFILE != null) {
            PROFILE.merge(name.replaceAll("^(read-only|writable|write) \\S+ ", "$1 * "), System.nanoTime() - start, Long::sum);
        }
        note(name, Outcome.of(thrown, array), thrown);
        return result;
    }

    /** As {@link #call}; @return whether it succeeded */
    boolean run(String name, String array, VoidOp op) {
        return call(name, array, () -> {
            op.run();
            return Boolean.TRUE;
        }) != null;
    }

    /** Records an outcome found by other means (an outside write, a store left unopenable). */
    void note(String name, Outcome o, Throwable t) {
        counts.merge(o, 1, Integer::sum);
        if (o.ordinal() > worst.ordinal()) {
            worst = o;
            worstOp = name;
            worstThrowable = t;
        }
    }

    /** @return the throwable's stack, cut to {@code frames} frames per throwable */
    static String stack(Throwable t, int frames) {
        if (t == null) {
            return "";
        }
        StringWriter w = new StringWriter();
        PrintWriter p = new PrintWriter(w);
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            p.println((x == t ? "" : "Caused by: ") + x);
            StackTraceElement[] st = x.getStackTrace();
            for (int i = 0; i < Math.min(frames, st.length); i++) {
                p.println("\tat " + st[i]);
            }
        }
        return w.toString();
    }
}
