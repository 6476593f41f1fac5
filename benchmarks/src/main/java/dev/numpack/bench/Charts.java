package dev.numpack.bench;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * PNG bar charts of JMH JSON results, and of {@code numpy_bench.py}'s JSON (same shape), one chart per table
 * of {@code table.py}:
 *
 * <ul>
 *   <li>{@code CoreOpsBenchmark} (merged with {@code numpy.*}): per rows value, x = operation, one bar per lib,
 *       time per op on a log scale ({@code coreops-<rows>.png});
 *   <li>{@code BatchModeBenchmark}: normal / batch / writable per parameter set (rows), log scale
 *       ({@code batchmode.png});
 *   <li>{@code DatasetEpochBenchmark} and {@code CheckpointBenchmark}, when present: time per epoch / per save or
 *       restore by lib, linear scale with the 99.9% error bars ({@code dataset-epoch.png}, {@code checkpoint.png}).
 * </ul>
 *
 * <p>Log-scale charts have no error bars (XChart draws them wrong on a log axis); bars are labelled with their
 * time instead. A missing value leaves a gap; a missing error counts as none.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.numpack.bench.Charts --out benchmarks/charts \
 *     [--title-suffix "2 vCPU AMD EPYC, JDK 17"] results.json numpy.json
 * </pre>
 */
public final class Charts {
    /** Operation order on the x axis; other operations follow in name order. */
    static final List<String> OPS = List.of(
            "fullLoad", "lazyOpen", "gather1000", "replace100", "append100", "save", "stream");
    /**
     * Lib order (as in table.py): numpack, baselines, peers, numpy, numpy_bench.py's system-call floor
     * ({@code raw-write}, {@code raw-write-fsync}, ...). A lib not listed follows the listed name it
     * starts with ("parquet-rewrite" after "parquet"), or else comes just before numpy.
     */
    static final List<String> LIB_ORDER = List.of("numpack", "numpack-nofsync", "filechannel", "filechannel-fsync",
            "mmap", "mmap-fsync", "npy-jetbrains", "npy-djl", "hdf5-jhdf", "arrow", "parquet", "chronicle", "numpy",
            "raw-write");
    /** Tableau 20: pairs of a dark and a light shade, so "x" and "x-fsync" side by side look related. */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xaec7e8), new Color(0xff7f0e), new Color(0xffbb78),
        new Color(0x2ca02c), new Color(0x98df8a), new Color(0xd62728), new Color(0xff9896),
        new Color(0x9467bd), new Color(0xc5b0d5), new Color(0x8c564b), new Color(0xc49c94),
        new Color(0xe377c2), new Color(0xf7b6d2), new Color(0x7f7f7f), new Color(0xc7c7c7),
        new Color(0xbcbd22), new Color(0xdbdb8d), new Color(0x17becf), new Color(0x9edae5),
    };

    private final Path out;
    private final String suffix;
    /** A color per lib, the same in every chart. */
    private final Map<String, Color> libColors = new LinkedHashMap<>();

    private Charts(Path out, String suffix) {
        this.out = out;
        this.suffix = suffix.isEmpty() ? "" : " | " + suffix;
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true"); // no display needed, even without the -D flag
        Path out = Path.of("charts");
        String suffix = "";
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--title-suffix" -> suffix = args[++i];
                default -> files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: Charts [--out DIR] [--title-suffix TEXT] result.json...");
            System.exit(2);
        }
        Files.createDirectories(out);
        new Charts(out, suffix).draw(BenchResult.read(files));
    }

    private void draw(List<BenchResult> all) throws IOException {
        Function<BenchResult, String> lib = r -> r.param("lib");
        List<BenchResult> coreOps = all.stream()
                .filter(r -> r.group().equals("CoreOpsBenchmark") || r.group().equals("numpy")).toList();
        coreOps.stream().map(lib).distinct().sorted(Charts::byLib).forEach(l -> color(libColors, l));
        Map<Integer, List<BenchResult>> byRows = new TreeMap<>(Comparator.reverseOrder());
        coreOps.forEach(r -> byRows.computeIfAbsent(Integer.parseInt(r.param("rows")), k -> new ArrayList<>()).add(r));
        for (var e : byRows.entrySet()) {
            String title = String.format("Core ops, %,d x 10 float32 (%,.0f MB): mean time per op",
                    e.getKey(), e.getKey() * 40 / 1e6);
            bars("coreops-" + e.getKey(), title, "operation", e.getValue(), BenchResult::method, lib,
                    byList(OPS), Charts::byLib, libColors, true);
        }
        bars("batchmode", "100 x (load, multiply 10 rows by 1.1, save): mean time", "parameters",
                of(all, "BatchModeBenchmark"), r -> paramText(r.params()), BenchResult::method,
                Comparator.naturalOrder(), byList(List.of("normal", "batch", "writable")), new LinkedHashMap<>(), true);
        bars("dataset-epoch", "One shuffled epoch (DatasetEpochBenchmark): mean time per epoch", "pass",
                of(all, "DatasetEpochBenchmark"), r -> r.method() + " (" + paramText(without(r.params(), "lib")) + ")",
                lib, Comparator.naturalOrder(), byList(List.of("numpack", "arraydataset", "rowbyrow")), libColors,
                false);
        bars("checkpoint", "Checkpoint save and restore (CheckpointBenchmark): mean time", "operation",
                of(all, "CheckpointBenchmark"),
                r -> r.method() + (r.param("cache").isEmpty() ? "" : " (" + r.param("cache") + ")"), lib,
                byList(List.of("save", "restore (warm)", "restore (cold)")),
                byList(List.of("numpack", "numpack-nofsync", "numpack-weights", "numpack-weights-of-full",
                        "djl", "djl-fsync", "raw")),
                libColors, false);
    }

    /**
     * Writes one grouped bar chart, {@code <name>.png}: a group of bars per category, a bar per series.
     * Does nothing without results.
     */
    private void bars(String name, String title, String xTitle, List<BenchResult> results,
            Function<BenchResult, String> category, Function<BenchResult, String> series,
            Comparator<String> categoryOrder, Comparator<String> seriesOrder, Map<String, Color> colors, boolean log)
            throws IOException {
        if (results.isEmpty()) {
            return;
        }
        List<String> cats = results.stream().map(category).distinct().sorted(categoryOrder).toList();
        Map<String, List<BenchResult>> bySeries = results.stream()
                .collect(Collectors.groupingBy(series, () -> new TreeMap<>(seriesOrder), Collectors.toList()));
        int bars = cats.size() * bySeries.size(); // about 16 px per bar, so the labels above them do not overlap
        int width = Math.max(log ? 1500 : 1100, Math.min(3000, 400 + 16 * bars));
        CategoryChart chart = new CategoryChartBuilder().width(width).height(log ? 800 : 650)
                .title(title + (log ? ", log scale" : "") + suffix).xAxisTitle(xTitle).yAxisTitle("time").build();
        style(chart, log, results);
        for (var s : bySeries.entrySet()) {
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            for (String c : cats) {
                BenchResult r = s.getValue().stream().filter(x -> category.apply(x).equals(c)).findFirst().orElse(null);
                y.add(r == null ? null : r.micros()); // null: no bar
                err.add(r == null || Double.isNaN(r.errorMicros()) ? 0.0 : r.errorMicros());
            }
            chart.addSeries(s.getKey(), cats, y, log ? null : err).setFillColor(color(colors, s.getKey()));
        }
        Path file = out.resolve(name + ".png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
        System.out.println("wrote " + file);
    }

    private static void style(CategoryChart chart, boolean log, List<BenchResult> results) {
        var st = chart.getStyler();
        st.setLegendPosition(LegendPosition.OutsideE);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotGridVerticalLinesVisible(false);
        st.setAvailableSpaceFill(0.85);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setYAxisTickLabelsFormattingFunction(Charts::human); // also formats the bar labels
        st.setLabelsVisible(log); // linear charts have error bars instead
        st.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        st.setLabelsFontColorAutomaticEnabled(false);
        st.setLabelsFontColor(Color.DARK_GRAY);
        st.setLabelsRotation(90);
        st.setLabelsPosition(1.05); // just above the bar
        double max = results.stream()
                .mapToDouble(r -> r.micros() + (log || Double.isNaN(r.errorMicros()) ? 0 : r.errorMicros()))
                .max().orElse(1);
        if (log) {
            // whole decades, one spare at the top for the labels above the bars
            double min = results.stream().mapToDouble(BenchResult::micros).filter(v -> v > 0).min().orElse(1);
            st.setYAxisLogarithmic(true);
            st.setYAxisLogarithmicDecadeOnly(true);
            st.setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
            st.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max)) + 1));
        } else {
            st.setYAxisMin(0.0);
            st.setYAxisMax(max * 1.1);
        }
    }

    /** @return a time given in microseconds, in the unit that keeps it between 1 and 1000, 3 digits at most */
    static String human(double micros) {
        if (micros == 0) {
            return "0";
        }
        String[] units = {"s", "ms", "µs", "ns"};
        double[] scale = {1e6, 1e3, 1, 1e-3};
        int i = 0;
        while (i < units.length - 1 && micros < scale[i] * 0.9995) {
            i++;
        }
        double v = micros / scale[i];
        String digits = String.format(Locale.ROOT, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
        if (digits.contains(".")) {
            digits = digits.replaceAll("\\.?0+$", ""); // 10.0 -> 10, 2.50 -> 2.5
        }
        return digits + " " + units[i];
    }

    private static Color color(Map<String, Color> colors, String series) {
        return colors.computeIfAbsent(series, k -> PALETTE[colors.size() % PALETTE.length]);
    }

    private static List<BenchResult> of(List<BenchResult> all, String group) {
        return all.stream().filter(r -> r.group().equals(group)).toList();
    }

    private static Map<String, String> without(Map<String, String> params, String name) {
        Map<String, String> m = new LinkedHashMap<>(params);
        m.remove(name);
        return m;
    }

    /** "rows=1,000,000, batch=128": numbers with thousands separators. */
    private static String paramText(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue().matches("\\d{4,}")
                        ? String.format("%,d", Long.parseLong(e.getValue())) : e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** Orders by position in {@code order}; names not in it come after, by name. */
    static Comparator<String> byList(List<String> order) {
        return Comparator.<String>comparingInt(s -> order.contains(s) ? order.indexOf(s) : order.size())
                .thenComparing(Comparator.naturalOrder());
    }

    static int byLib(String a, String b) {
        return Comparator.<String, Double>comparing(Charts::libRank).thenComparing(Comparator.naturalOrder())
                .compare(a, b);
    }

    /** The position of {@code lib} in {@link #LIB_ORDER} (see there), as a number to sort by. */
    private static double libRank(String lib) {
        int best = -1;
        for (int i = 0; i < LIB_ORDER.size(); i++) {
            String known = LIB_ORDER.get(i);
            boolean matches = lib.equals(known) || lib.startsWith(known + "-");
            if (matches && (best < 0 || known.length() > LIB_ORDER.get(best).length())) {
                best = i;
            }
        }
        if (best < 0) {
            return LIB_ORDER.indexOf("numpy") - 0.5;
        }
        return lib.equals(LIB_ORDER.get(best)) ? best : best + 0.25;
    }
}
