package dev.numpack.reliability.crash;

import dev.numpack.Durability;
import dev.numpack.model.Op;
import dev.numpack.model.OpFactory;
import dev.numpack.model.Snap;
import dev.numpack.model.StoreChecks;
import dev.numpack.model.StoreModel;
import dev.numpack.model.StoreSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * The child JVM of the crash tests: opens a store and runs the endless {@link Workload} of its seed,
 * printing {@code START n <nanoTime>} before operation {@code n} (1-based) and {@code ACK n <nanoTime>}
 * once it has returned, flushed, until the parent kills it with SIGKILL.
 *
 * <p>Arguments: store directory, seed, durability, segment target bytes (0: default), mix, {@code small} or
 * {@code normal} array sizes, and optionally {@code resume=<acked>}: the store was left by a killed child
 * that acknowledged {@code acked} operations of the same sequence; this child opens it (recovering it),
 * finds whether it reflects {@code acked} or {@code acked + 1} operations, prints {@code RESUMED m} and
 * continues the sequence from there (numbering operations from {@code m + 1}), or prints {@code ERR}.
 */
public final class CrashChild {
    private CrashChild() {}

    /** @param args see the class comment */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        Durability durability = Durability.valueOf(args[2]);
        long segmentTarget = Long.parseLong(args[3]);
        Workload.Mix mix = Workload.Mix.valueOf(args[4]);
        boolean small = args.length > 5 && args[5].equals("small");
        long deadline = System.nanoTime() + 120_000_000_000L; // never outlive a lost parent for long
        try {
            int resume = args.length > 6 && args[6].startsWith("resume=") ? Integer.parseInt(args[6].substring(7)) : -1;
            StoreSession s = new StoreSession(dir, durability, segmentTarget);
            CrashHarness.Replay rp = new CrashHarness.Replay(seed, mix, segmentTarget, small);
            long first = 1;
            if (resume >= 0) {
                TreeMap<String, Snap> got = StoreChecks.read(s.store());
                rp.advanceTo(resume);
                String dA = Snap.diff(got, rp.model.snaps());
                if (dA != null) {
                    rp = new CrashHarness.Replay(seed, mix, segmentTarget, small);
                    rp.advanceTo(resume + 1);
                    String dN = Snap.diff(got, rp.model.snaps());
                    if (dN != null) {
                        throw new IllegalStateException("the store left by the killed child matches neither "
                                + resume + " ops (" + dA + ") nor " + (resume + 1) + " (" + dN + ")");
                    }
                }
                first = rp.done + 1;
                say("RESUMED " + rp.done + " " + System.nanoTime());
            }
            OpFactory f = rp.factory;
            Workload w = rp.workload;
            StoreModel m = rp.model;
            say("READY " + System.nanoTime());
            for (long n = first; System.nanoTime() < deadline; n++) {
                Op op = f.make(w.next(), m);
                say("START " + n + " " + System.nanoTime());
                try {
                    op.run(s);
                } catch (Throwable t) {
                    throw new IllegalStateException("operation " + n + " (" + op + ") failed", t);
                }
                op.apply(m);
                say("ACK " + n + " " + System.nanoTime());
            }
            s.close();
            say("TIMEOUT");
        } catch (Throwable t) {
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            say("ERR " + sw.toString().replace("\n", " | "));
            System.exit(3);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
        if (System.out.checkError()) {
            System.exit(4); // the parent is gone
        }
    }
}
