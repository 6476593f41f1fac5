package dev.numpack.examples.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The notebooks in {@code examples/notebooks} run from top to bottom as IJava runs them, with no compile
 * error and no exception, and the committed files carry the outputs of such a run: every code cell ran in
 * order, shows something, and shows the same kinds of output (text, value, image) as the run here, so a
 * notebook changed without being regenerated fails.
 */
class NotebookTest {
    private static final Path NOTEBOOKS = Path.of(System.getProperty("basedir", ".")).resolve("notebooks");
    private static final List<String> ARTIFACTS = List.of(
            "dev.numpack:numpack-core:0.1.0-SNAPSHOT", "dev.numpack:djl-dataset:0.1.0-SNAPSHOT",
            "dev.numpack:checkpoint:0.1.0-SNAPSHOT", "dev.numpack:examples:0.1.0-SNAPSHOT", "ai.djl:api:0.36.0",
            "ai.djl.pytorch:pytorch-engine:0.36.0", "ai.djl.pytorch:pytorch-native-cpu:jar:linux-x86_64:2.7.1");
    private static NotebookRunner runner;

    @BeforeAll
    static void kernel() throws IOException {
        runner = new NotebookRunner(new KernelClasspath(System.getProperty("java.class.path")));
    }

    static List<String> notebooks() {
        return List.of("01-numpack-basics.ipynb", "02-training-fashion-mnist.ipynb", "03-checkpoints.ipynb");
    }

    @Test
    void theDirectoryHoldsTheseNotebooksOnly() throws IOException {
        TreeSet<String> found = new TreeSet<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(NOTEBOOKS, "*.ipynb")) {
            s.forEach(p -> found.add(p.getFileName().toString()));
        }
        assertEquals(new TreeSet<>(notebooks()), found, "a new notebook belongs in notebooks(), so that it is run");
    }

    @ParameterizedTest
    @MethodSource("notebooks")
    void isAnIJavaNotebookWhoseFirstCellLoadsTheProjectAndDjl(String name) throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(NOTEBOOKS.resolve(name))).getAsJsonObject();
        assertEquals(4, json.get("nbformat").getAsInt());
        JsonObject kernel = json.getAsJsonObject("metadata").getAsJsonObject("kernelspec");
        assertEquals("java", kernel.get("name").getAsString());
        assertEquals("Java", kernel.get("display_name").getAsString());
        assertEquals("java", kernel.get("language").getAsString());
        List<String> first = Notebook.read(NOTEBOOKS.resolve(name)).codeCells().get(0).source().lines().toList();
        for (String artifact : ARTIFACTS) {
            assertTrue(first.contains("%maven " + artifact), name + "'s first cell lacks %maven " + artifact);
        }
    }

    @ParameterizedTest
    @MethodSource("notebooks")
    void runsCellByCellAndTheCommittedFileHoldsTheOutputsOfSuchARun(String name) throws IOException {
        Path file = NOTEBOOKS.resolve(name);
        List<Notebook.Cell> committed = Notebook.read(file).codeCells();
        List<Notebook.Cell> fresh = runner.run(file).codeCells(); // throws, naming the cell, if one fails
        assertEquals(fresh.size(), committed.size());
        String regenerate = ": regenerate the notebooks' outputs (examples/notebooks/README.md)";
        for (int i = 0; i < committed.size(); i++) {
            Notebook.Cell c = committed.get(i);
            String cell = name + ", cell " + c.number();
            assertEquals(i + 1, c.executionCount(), cell + " did not run in order, top to bottom" + regenerate);
            assertFalse(c.outputs().isEmpty(), cell + " has no outputs" + regenerate);
            assertEquals(kinds(fresh.get(i).outputs()), kinds(c.outputs()), cell + " shows other kinds of output now"
                    + regenerate);
        }
    }

    /**
     * @return each output's kind ({@code stream:stdout}, {@code display_data:[image/png, text/plain]}, ...), with
     *     stderr left out (the engine's log lines depend on the machine) and the stdout text it split joined
     */
    private static List<String> kinds(JsonArray outputs) {
        List<String> kinds = new ArrayList<>();
        for (var e : outputs) {
            JsonObject o = e.getAsJsonObject();
            String type = o.get("output_type").getAsString();
            String kind = type.equals("stream") ? type + ":" + o.get("name").getAsString()
                    : type + ":" + new TreeSet<>(o.getAsJsonObject("data").keySet());
            boolean continued = kind.startsWith("stream:") && !kinds.isEmpty() && kinds.get(kinds.size() - 1).equals(kind);
            if (!kind.equals("stream:stderr") && !continued) {
                kinds.add(kind);
            }
        }
        return kinds;
    }
}
