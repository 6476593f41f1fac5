package dev.numpack.reliability.power;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulation's figures: per operation, the instants recorded (fsyncs, and the moment after it returned), the
 * distinct crash states checked and the failures among them; the first failures' descriptions.
 */
final class Figures {
    /** How many failure descriptions are kept. */
    static final int KEPT = 10;

    private final Map<String, long[]> byOperation = new LinkedHashMap<>(); // instants, states, failures
    private final List<String> failures = new ArrayList<>();

    synchronized void instant(String operation) {
        row(operation)[0]++;
    }

    synchronized void state(String operation, String failure) {
        long[] r = row(operation);
        r[1]++;
        if (failure != null) {
            r[2]++;
            if (failures.size() < KEPT) {
                failures.add(operation + ": " + failure);
            }
        }
    }

    private long[] row(String operation) {
        return byOperation.computeIfAbsent(operation, k -> new long[3]);
    }

    synchronized long states() {
        return byOperation.values().stream().mapToLong(r -> r[1]).sum();
    }

    synchronized long failures() {
        return byOperation.values().stream().mapToLong(r -> r[2]).sum();
    }

    /** @return the first failures, one a line */
    synchronized String failureList() {
        return String.join("\n", failures);
    }

    /**
     * @param title the table's heading
     * @return a Markdown table of the figures with a total row
     */
    synchronized String table(String title) {
        StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n")
                .append("| operation | instants | states checked | failures |\n|---|---:|---:|---:|\n");
        long[] total = new long[3];
        for (Map.Entry<String, long[]> e : byOperation.entrySet()) {
            long[] r = e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d |%n", e.getKey(), r[0], r[1], r[2]));
            for (int i = 0; i < 3; i++) {
                total[i] += r[i];
            }
        }
        sb.append(String.format(Locale.ROOT, "| **total** | %,d | %,d | %,d |%n", total[0], total[1], total[2]));
        return sb.toString();
    }

    /** Writes {@code markdown} to {@code file}, creating its directory. */
    static void write(Path file, String markdown) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, markdown);
    }
}
