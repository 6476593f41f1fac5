package dev.numpack.reliability.concurrency;

import dev.numpack.NumPack;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reader process of {@link ConcurrentReadersTest}: opens the store read-only and reads every array through
 * every read path in turn (refreshing, and now and then reopening, between rounds) until its standard input
 * closes. Then it prints {@code READS n}, {@code FAILURES f}, up to 20 lines {@code FAIL message}, one line
 * {@code GEN generation tag maxRow} per write whose rows it saw (for the parent to check against what the
 * writer wrote) and {@code END}.
 *
 * <p>Arguments: the store directory, a seed.
 */
public final class ReaderChild {
    private ReaderChild() {}

    /** @param args see the class comment */
    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        Random r = new Random(Long.parseLong(args[1]));
        AtomicBoolean stop = new AtomicBoolean();
        Thread stdin = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // the parent closes our input to stop us
                }
            } catch (IOException ignored) {
                // closed
            }
            stop.set(true);
        });
        stdin.setDaemon(true);
        stdin.start();
        Map<Long, long[]> seen = new TreeMap<>(); // generation -> {tag, max row}
        List<String> failures = new ArrayList<>();
        long reads = 0;
        int failed = 0;
        ReadRound.Path[] paths = ReadRound.Path.values();
        NumPack np = NumPack.openReadOnly(store);
        System.out.println("READY");
        System.out.flush();
        for (int round = 0; !stop.get() && round < 50_000_000; round++) {
            try {
                if (round % 10 == 9) {
                    np.close();
                    np = NumPack.openReadOnly(store);
                } else {
                    np.refresh();
                }
                for (String name : np.names()) {
                    reads += ReadRound.run(np, List.of(name), paths[round % paths.length], r, (tag, gen, row) -> {
                        long[] g = seen.computeIfAbsent(gen, k -> new long[] {tag, row});
                        if (g[0] != tag) {
                            return "generation " + gen + " seen with tags " + g[0] + " and " + tag;
                        }
                        g[1] = Math.max(g[1], row);
                        return Cells.tagProblem(name, tag);
                    });
                }
                Thread.sleep(1); // ten readers on two CPUs: leave the writer some
            } catch (RuntimeException | AssertionError e) {
                failed++;
                if (failures.size() < 20) {
                    failures.add(e.toString().replace('\n', ' '));
                }
            }
        }
        np.close();
        System.out.println("READS " + reads);
        System.out.println("FAILURES " + failed);
        for (String f : failures) {
            System.out.println("FAIL " + f);
        }
        for (Map.Entry<Long, long[]> e : seen.entrySet()) {
            System.out.println("GEN " + e.getKey() + " " + e.getValue()[0] + " " + e.getValue()[1]);
        }
        System.out.println("END");
        System.out.flush();
    }
}
