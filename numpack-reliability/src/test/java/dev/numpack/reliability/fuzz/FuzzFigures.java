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
    private final List<String> bad = new ArrayList<>();
    private long operations;
    private long cases;

    /** Adds one case. */
    void add(Kind kind, Outcome outcome, long ops, String report) {
        table.computeIfAbsent(kind, k -> new EnumMap<>(Outcome.class)).merge(outcome, 1, Integer::sum);
        operations += ops;
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

    /** @return the table, with a header line saying how it was made */
    String markdown(String header) {
        StringBuilder sb = new StringBuilder(header).append("\n\n| kind |");
        for (Outcome o : Outcome.values()) {
            sb.append(' ').append(o.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).append(" |");
        }
        sb.append(" cases |\n|---|");
        sb.append("---:|".repeat(Outcome.values().length + 1)).append('\n');
        Map<Outcome, Integer> total = new EnumMap<>(Outcome.class);
        for (Map.Entry<Kind, Map<Outcome, Integer>> e : table.entrySet()) {
            sb.append("| ").append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append(" |");
            int sum = 0;
            for (Outcome o : Outcome.values()) {
                int n = e.getValue().getOrDefault(o, 0);
                total.merge(o, n, Integer::sum);
                sum += n;
                sb.append(' ').append(n).append(" |");
            }
            sb.append(' ').append(sum).append(" |\n");
        }
        sb.append("| **all** |");
        for (Outcome o : Outcome.values()) {
            sb.append(" **").append(total.getOrDefault(o, 0)).append("** |");
        }
        sb.append(" **").append(cases).append("** |\n\n");
        sb.append(cases).append(" cases, ").append(operations).append(" operations; a case counts once, under the worst "
                + "outcome of its operations. Must be zero: unnamed, fault, oom, hang, unopenable, outside write.\n");
        return sb.toString();
    }
}
