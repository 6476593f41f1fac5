package dev.numpack.cli;

import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPack;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A selection of logical rows as written after {@code --rows}: comma-separated indices and inclusive
 * ranges, e.g. {@code 0,5,10-20,-1}. Negative numbers count from the end ({@code -1} is the last row),
 * in ranges too ({@code -3--1} is the last three rows).
 */
final class RowSpec {
    private static final Pattern SINGLE = Pattern.compile("-?\\d+");
    private static final Pattern RANGE = Pattern.compile("(-?\\d+)-(-?\\d+)");

    private final String text;
    private final List<long[]> ranges; // inclusive {from, to}; a single index is {i, i}

    private RowSpec(String text, List<long[]> ranges) {
        this.text = text;
        this.ranges = ranges;
    }

    /**
     * @param text the selection
     * @return the parsed selection
     * @throws IllegalArgumentException naming the bad item
     */
    static RowSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty row list (expected e.g. 0,5,10-20,-1)");
        }
        List<long[]> ranges = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            String item = raw.strip();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("empty item in row list '" + text + "'");
            }
            if (SINGLE.matcher(item).matches()) {
                long i = number(item);
                ranges.add(new long[] {i, i});
                continue;
            }
            Matcher m = RANGE.matcher(item);
            if (!m.matches()) {
                throw new IllegalArgumentException("bad row item '" + item + "' (expected an index like 5 or -1, "
                        + "or an inclusive range like 10-20)");
            }
            long from = number(m.group(1));
            long to = number(m.group(2));
            if ((from >= 0) == (to >= 0) && from > to) {
                throw new IllegalArgumentException("row range '" + item + "' ends before it starts");
            }
            ranges.add(new long[] {from, to});
        }
        return new RowSpec(text, ranges);
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("row index '" + s + "' is too large");
        }
    }

    /**
     * Resolves against an array's current rows, in the order written: each index and each end of a range goes
     * through {@link NumPack#rowIndex} (the API's own rule for negative and out-of-range indices), and a range
     * expands ascending. Repeats are kept: for {@code replace}, position {@code k} of the result takes row
     * {@code k} of the input.
     *
     * @param np the open store
     * @param array the array
     * @return the row indices selected, each in {@code [0, rows)}, as listed
     * @throws InvalidArgumentException (naming store and array) if an index is out of range or a range empty
     */
    long[] listed(NumPack np, String array) {
        long count = 0;
        long[][] resolved = new long[ranges.size()][];
        for (int k = 0; k < ranges.size(); k++) {
            long[] r = ranges.get(k);
            long from;
            long to;
            try {
                from = np.rowIndex(array, r[0]);
                to = np.rowIndex(array, r[1]);
            } catch (InvalidArgumentException e) {
                if (r[0] == r[1]) {
                    throw e;
                }
                throw new InvalidArgumentException(np.path(), array, "row range " + r[0] + "-" + r[1] + ": " + e.detail(), e);
            }
            if (from > to) {
                throw new InvalidArgumentException(np.path(), array, "row range " + r[0] + "-" + r[1] + " is empty for "
                        + Formats.count(np.info(array).rows(), "row"));
            }
            resolved[k] = new long[] {from, to};
            count += to - from + 1;
            if (count > Integer.MAX_VALUE - 16) {
                throw new InvalidArgumentException(np.path(), array, "too many rows selected at once");
            }
        }
        long[] out = new long[(int) count];
        int n = 0;
        for (long[] r : resolved) {
            for (long i = r[0]; i <= r[1]; i++) {
                out[n++] = i;
            }
        }
        return out;
    }

    /**
     * @param np the open store
     * @param array the array
     * @return the distinct row indices selected, ascending (see {@link #listed})
     * @throws InvalidArgumentException (naming store and array) if an index is out of range or a range empty
     */
    long[] resolve(NumPack np, String array) {
        long[] out = listed(np, array);
        Arrays.sort(out);
        return Arrays.stream(out).distinct().toArray();
    }

    @Override
    public String toString() {
        return text;
    }

    /** Lets picocli parse {@code --rows}; a bad list is a usage error (exit 2). */
    static final class Converter implements ITypeConverter<RowSpec> {
        @Override
        public RowSpec convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
