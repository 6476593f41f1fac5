package dev.numpack.reliability.fuzz;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a fuzz run found: cases by kind and outcome, operations run, and the reports of the cases whose outcome
 * is not allowed; printed as a Markdown table.
 */
final class FuzzFigures {
    private final Map<Kind, Map<Outcome, Integer>> table = new EnumMap<>(Kind.class);
    private final Map<Kind, Map<Outcome, Integer>> opTable = new EnumMap<>(Kind.class);
    private final List<String> bad = new ArrayList<>();
    private long operations;
    private long cases;

    /**
     * Adds one case.
     *
     * @param ops its operations by outcome, in the order of {@link Outcome#values()}
     */
    void add(Kind kind, Outcome outcome, long[] ops, String report) {
        table.computeIfAbsent(kind, k -> new EnumMap<>(Outcome.class)).merge(outcome, 1, Integer::sum);
        Map<Outcome, Integer> opRow = opTable.computeIfAbsent(kind, k -> new EnumMap<>(Outcome.class));
        for (int i = 0; i < ops.length; i++) {
            opRow.merge(Outcome.values()[i], (int) ops[i], Integer::sum);
            operations += ops[i];
        }
        cases++;
        if (!outcome.allowed()) {
            bad.add(report);
        }
    }

    long cases() {
        return cases;
    }

    /** @return the reports of the cases whose outcome is not allowed */
    List<String> bad() {
        return bad;
    }

    /** @return how many cases ended with {@code o} */
    int count(Outcome o) {
        return table.values().stream().mapToInt(m -> m.getOrDefault(o, 0)).sum();
    }

    /** @return the tables of cases and of operations, with a header line saying how they were made */
    String markdown(String header) {
        return header + "\n\nCases by kind and outcome (a case counts once, under the worst outcome of its operations):\n\n"
                + table(table, cases) + "\nOperations by kind and outcome:\n\n" + table(opTable, operations) + "\n"
                + cases + " cases, " + operations + " operations. Must be zero: unnamed, fault, oom, hang, unopenable,"
                + " outside write.\n";
    }

    private static String table(Map<Kind, Map<Outcome, Integer>> rows, long all) {
        StringBuilder sb = new StringBuilder("| kind |");
        for (Outcome o : Outcome.values()) {
            sb.append(' ').append(o.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).append(" |");
        }
        sb.append(" all |\n|---|");
        sb.append("---:|".repeat(Outcome.values().length + 1)).append('\n');
        Map<Outcome, Long> total = new EnumMap<>(Outcome.class);
        for (Map.Entry<Kind, Map<Outcome, Integer>> e : rows.entrySet()) {
            sb.append("| ").append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append(" |");
            long sum = 0;
            for (Outcome o : Outcome.values()) {
                int n = e.getValue().getOrDefault(o, 0);
                total.merge(o, (long) n, Long::sum);
                sum += n;
                sb.append(' ').append(n).append(" |");
            }
            sb.append(' ').append(sum).append(" |\n");
        }
        sb.append("| **all** |");
        for (Outcome o : Outcome.values()) {
            sb.append(" **").append(total.getOrDefault(o, 0L)).append("** |");
        }
        return sb.append(" **").append(all).append("** |\n").toString();
    }
}
