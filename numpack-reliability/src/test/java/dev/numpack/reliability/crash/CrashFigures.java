package dev.numpack.reliability.crash;

import dev.numpack.reliability.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of the kill trials of this JVM, by what was killed: trials, kills that landed inside the
 * operation (before its acknowledgement), which state the store showed afterwards (the prefix of the
 * acknowledged operations, or that prefix plus the operation in flight) and contract violations. Every
 * test class of the package adds its trials; the whole table is printed and rewritten to
 * {@code target/crash-figures.md} after each addition, so the file holds every trial of the run.
 */
final class CrashFigures {
    /** One row of the table. */
    private static final class Row {
        int trials;
        int inside;
        int prefixAcked;
        int prefixNext;
        int violations;
    }

    private static final Map<String, Row> ROWS = new TreeMap<>();
    private static long millis;

    private CrashFigures() {}

    /**
     * Adds one trial.
     *
     * @param group what was tortured ({@code store} or {@code checkpoint})
     * @param kind the operation in flight at the kill
     * @param inside whether the kill came before that operation's acknowledgement
     * @param landed how many operations past the acknowledged ones the reopened state reflects (0 or 1), or
     *     -1 if it matched no allowed state
     * @param violated whether the trial broke the contract
     */
    static synchronized void add(String group, String kind, boolean inside, int landed, boolean violated) {
        Row r = ROWS.computeIfAbsent(group + "\t" + kind, k -> new Row());
        r.trials++;
        r.inside += inside ? 1 : 0;
        r.prefixAcked += landed == 0 ? 1 : 0;
        r.prefixNext += landed == 1 ? 1 : 0;
        r.violations += violated ? 1 : 0;
    }

    /**
     * Prints the table and rewrites {@code target/crash-figures.md}.
     *
     * @param elapsedMillis the time the trials just added took
     */
    static synchronized void publish(long elapsedMillis) {
        millis += elapsedMillis;
        String table = table();
        System.out.print(table);
        Path out = Path.of(System.getProperty("basedir", "."), "target", "crash-figures.md");
        try {
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    /** @return the markdown table of every trial so far, with totals */
    static synchronized String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("# kill -9 trials (mode ").append(Mode.current().name().toLowerCase(java.util.Locale.ROOT))
                .append(", JDK ").append(Runtime.version().feature()).append(", ").append(millis / 1000)
                .append(" s)\n\n")
                .append("| what | operation in flight | trials | killed before its ack | state = acked prefix"
                        + " | state = acked prefix + in-flight op | violations |\n")
                .append("|---|---|---:|---:|---:|---:|---:|\n");
        Row total = new Row();
        for (Map.Entry<String, Row> e : ROWS.entrySet()) {
            String[] k = e.getKey().split("\t");
            Row r = e.getValue();
            sb.append(String.format("| %s | %s | %d | %d | %d | %d | %d |%n", k[0], k[1], r.trials, r.inside,
                    r.prefixAcked, r.prefixNext, r.violations));
            total.trials += r.trials;
            total.inside += r.inside;
            total.prefixAcked += r.prefixAcked;
            total.prefixNext += r.prefixNext;
            total.violations += r.violations;
        }
        sb.append(String.format("| **all** | | **%d** | **%d** | **%d** | **%d** | **%d** |%n", total.trials,
                total.inside, total.prefixAcked, total.prefixNext, total.violations));
        return sb.toString();
    }
}
