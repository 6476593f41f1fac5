package dev.numpack.examples.notebook;

import com.google.gson.FormattingStyle;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An IJava notebook file (nbformat 4): its code cells, read, and written back with new outputs the way
 * Jupyter writes a notebook (keys sorted, one-space indent, text as a list of lines), so that a regenerated
 * notebook differs from the committed one only where its outputs do.
 */
final class Notebook {
    /** Output and source fields Jupyter stores as a list of lines. */
    private static final Set<String> MULTILINE = Set.of("source", "text", "text/plain");
    private static final Gson JUPYTER = new GsonBuilder().disableHtmlEscaping()
            .setFormattingStyle(FormattingStyle.PRETTY.withIndent(" ")).create();

    private final Path path;
    private final JsonObject json;

    private Notebook(Path path, JsonObject json) {
        this.path = path;
        this.json = json;
    }

    /**
     * @param path an {@code .ipynb} file
     * @return the notebook
     * @throws IllegalArgumentException if it is not an nbformat 4 notebook
     */
    static Notebook read(Path path) throws IOException {
        JsonElement parsed = JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8));
        if (!parsed.isJsonObject() || !parsed.getAsJsonObject().has("cells")
                || parsed.getAsJsonObject().get("nbformat").getAsInt() != 4) {
            throw new IllegalArgumentException(path + " is not an nbformat 4 notebook");
        }
        return new Notebook(path, parsed.getAsJsonObject());
    }

    /** @return the file it was read from */
    Path path() {
        return path;
    }

    /** @return the file name, which failures name */
    String name() {
        return path.getFileName().toString();
    }

    /** @return the code cells, in order */
    List<Cell> codeCells() {
        List<Cell> cells = new ArrayList<>();
        JsonArray all = json.getAsJsonArray("cells");
        for (int i = 0; i < all.size(); i++) {
            JsonObject c = all.get(i).getAsJsonObject();
            if ("code".equals(c.get("cell_type").getAsString())) {
                cells.add(new Cell(i + 1, c));
            }
        }
        return cells;
    }

    /** @param target where to write this notebook, as Jupyter would */
    void write(Path target) throws IOException {
        Files.writeString(target, JUPYTER.toJson(jupyterStyle(json)) + "\n", StandardCharsets.UTF_8);
    }

    /** Sorts keys and splits multi-line text into lines, as nbformat's writer does. */
    private static JsonElement jupyterStyle(JsonElement e) {
        if (e.isJsonArray()) {
            JsonArray copy = new JsonArray();
            e.getAsJsonArray().forEach(x -> copy.add(jupyterStyle(x)));
            return copy;
        }
        if (!e.isJsonObject()) {
            return e;
        }
        Map<String, JsonElement> sorted = new TreeMap<>(e.getAsJsonObject().asMap());
        JsonObject copy = new JsonObject();
        sorted.forEach((k, v) -> copy.add(k, MULTILINE.contains(k) && v.isJsonPrimitive()
                ? lines(v.getAsString()) : jupyterStyle(v)));
        return copy;
    }

    private static JsonArray lines(String text) {
        JsonArray lines = new JsonArray();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int to = nl < 0 ? text.length() : nl + 1;
            lines.add(text.substring(from, to));
            from = to;
        }
        return lines;
    }

    /** Joins a field Jupyter may store as one string or as a list of lines. */
    static String text(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "";
        }
        if (e.isJsonPrimitive()) {
            return e.getAsString();
        }
        StringBuilder sb = new StringBuilder();
        e.getAsJsonArray().forEach(line -> sb.append(line.getAsString()));
        return sb.toString();
    }

    /**
     * One code cell.
     *
     * @param number its place among all the notebook's cells, from 1, as failures name it
     * @param json the cell, changed in place by {@link #setOutputs}
     */
    record Cell(int number, JsonObject json) {
        /** @return the cell's code, magics included */
        String source() {
            return text(json.get("source"));
        }

        /** @return its outputs (empty when the notebook was saved without them) */
        JsonArray outputs() {
            JsonElement o = json.get("outputs");
            return o == null ? new JsonArray() : o.getAsJsonArray();
        }

        /** @return the {@code In [n]} number, or 0 when it never ran */
        int executionCount() {
            JsonElement n = json.get("execution_count");
            return n == null || n.isJsonNull() ? 0 : n.getAsInt();
        }

        /**
         * @param executionCount its {@code In [n]} number
         * @param outputs what it printed, displayed and evaluated to
         */
        void setOutputs(int executionCount, JsonArray outputs) {
            json.add("execution_count", executionCount > 0 ? new JsonPrimitive(executionCount) : JsonNull.INSTANCE);
            json.add("outputs", outputs);
        }
    }
}
