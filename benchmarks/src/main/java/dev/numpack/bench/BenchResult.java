package dev.numpack.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record of a JMH JSON result file (or of {@code numpy_bench.py}'s, which has the same shape), reduced
 * to what {@link Charts} draws.
 *
 * @param group the benchmark class ({@code CoreOpsBenchmark}; {@code numpy} for {@code numpy.fullLoad})
 * @param method the benchmark method ({@code fullLoad})
 * @param params the JMH parameters ({@code rows}, {@code lib}...)
 * @param micros the mean time per op in microseconds
 * @param errorMicros the 99.9% error in microseconds, NaN when JMH had none (one iteration)
 */
record BenchResult(String group, String method, Map<String, String> params, double micros, double errorMicros) {

    /** Microseconds per unit of JMH's average-time units. */
    private static final Map<String, Double> TO_MICROS = Map.of(
            "s/op", 1e6, "ms/op", 1e3, "us/op", 1.0, "ns/op", 1e-3);

    String param(String name) {
        return params.getOrDefault(name, "");
    }

    /** @return every average-time record of the files, in file order (other modes are skipped with a warning) */
    static List<BenchResult> read(List<Path> files) throws IOException {
        List<BenchResult> out = new ArrayList<>();
        for (Path file : files) {
            try (Reader in = Files.newBufferedReader(file)) {
                for (JsonElement e : JsonParser.parseReader(in).getAsJsonArray()) { // lenient: NaN is fine
                    JsonObject r = e.getAsJsonObject();
                    String[] name = r.get("benchmark").getAsString().split("\\.");
                    JsonObject m = r.getAsJsonObject("primaryMetric");
                    Double scale = TO_MICROS.get(m.get("scoreUnit").getAsString());
                    if (scale == null) {
                        System.err.println("skipped (unit " + m.get("scoreUnit") + "): " + r.get("benchmark"));
                        continue;
                    }
                    Map<String, String> params = new LinkedHashMap<>();
                    if (r.has("params")) {
                        r.getAsJsonObject("params").entrySet()
                                .forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
                    }
                    out.add(new BenchResult(name[name.length - 2], name[name.length - 1], params,
                            number(m.get("score")) * scale, number(m.get("scoreError")) * scale));
                }
            }
        }
        return out;
    }

    /** A JSON number, or NaN for a missing value, null, or JMH's {@code "NaN"} string. */
    private static double number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return Double.NaN;
        }
        try {
            return e.getAsDouble();
        } catch (NumberFormatException notANumber) {
            return Double.NaN;
        }
    }
}
