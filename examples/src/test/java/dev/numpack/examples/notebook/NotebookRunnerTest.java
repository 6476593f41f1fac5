package dev.numpack.examples.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.imageio.ImageIO;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner itself, on small notebooks: what it captures, what it resolves and how it fails. */
class NotebookRunnerTest {
    private static final String CORE = "%maven dev.numpack:numpack-core:0.1.0-SNAPSHOT";
    private static NotebookRunner runner;

    @TempDir
    Path tmp;

    @BeforeAll
    static void kernel() throws IOException {
        runner = new NotebookRunner(new KernelClasspath(System.getProperty("java.class.path")));
    }

    @Test
    void capturesPrintsDisplaysAndTheFinalValueInOrder() throws IOException {
        Path nb = notebook("ok.ipynb",
                "md:# a title",
                CORE + "\nimport dev.numpack.*;\nint x = 40;\nSystem.out.println(\"hello \" + DType.FLOAT32);\nx + 2",
                "int twice(int v) {\n    return 2 * v;\n}\n// a comment between snippets\ntwice(21)",
                "var img = new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);\n"
                        + "System.out.print(\"before \");\ndisplay(img);\nSystem.out.println(\"after\");\n"
                        + "System.err.println(\"to stderr\");",
                "display(new org.knowm.xchart.XYChartBuilder().width(40).height(30).build());\n\"a string\"",
                "String s = \"declared, not shown\";");
        List<Notebook.Cell> cells = runner.run(nb).codeCells();

        assertEquals(List.of(1, 2, 3, 4, 5), cells.stream().map(Notebook.Cell::executionCount).toList());
        JsonArray first = cells.get(0).outputs();
        assertEquals(2, first.size(), first.toString());
        assertStream(first.get(0).getAsJsonObject(), "stdout", "hello FLOAT32\n");
        assertResult(first.get(1).getAsJsonObject(), 1, "42");
        assertResult(cells.get(1).outputs().get(0).getAsJsonObject(), 2, "42");

        JsonArray third = cells.get(2).outputs();
        assertEquals(4, third.size(), third.toString());
        assertStream(third.get(0).getAsJsonObject(), "stdout", "before ");
        BufferedImage shown = png(third.get(1).getAsJsonObject());
        assertEquals(3, shown.getWidth());
        assertEquals(2, shown.getHeight());
        assertStream(third.get(2).getAsJsonObject(), "stdout", "after\n");
        assertStream(third.get(3).getAsJsonObject(), "stderr", "to stderr\n");

        JsonArray fourth = cells.get(3).outputs();
        assertEquals(40, png(fourth.get(0).getAsJsonObject()).getWidth(), "an XChart chart is shown as PNG");
        assertResult(fourth.get(1).getAsJsonObject(), 4, "a string"); // as IJava: toString(), no quotes
        assertEquals(0, cells.get(4).outputs().size(), "a declaration shows nothing");
    }

    @Test
    void textPrintedThroughAStreamTakenEarlierShowsInTheCellRunningNow() throws IOException {
        Path nb = notebook("later.ipynb", "java.io.PrintStream saved = System.out;\nsaved.println(\"first\");",
                "saved.println(\"second\");");
        List<Notebook.Cell> cells = runner.run(nb).codeCells();
        assertStream(cells.get(0).outputs().get(0).getAsJsonObject(), "stdout", "first\n");
        assertStream(cells.get(1).outputs().get(0).getAsJsonObject(), "stdout", "second\n");
    }

    @Test
    void writesTheOutputsBackAsJupyterDoes() throws IOException {
        Path nb = notebook("write.ipynb", "System.out.println(\"one\");\nSystem.out.println(\"two\");\n1 + 1");
        Notebook ran = runner.run(nb);
        ran.write(nb);
        String text = Files.readString(nb);
        assertTrue(text.matches("(?s).*\n {6}\"one\\\\n\",\n {6}\"two\\\\n\"\n.*"),
                "one-space indent, text as a list of lines:\n" + text);
        assertTrue(text.indexOf("\"execution_count\": 1") < text.indexOf("\"outputs\""), "keys sorted:\n" + text);
        Notebook.Cell back = Notebook.read(nb).codeCells().get(0);
        assertEquals(1, back.executionCount());
        assertEquals(ran.codeCells().get(0).outputs(), normalized(back.outputs()));
    }

    @Test
    void aCompileErrorNamesTheNotebookTheCellAndTheDiagnostic() throws IOException {
        assertFailure(failure("broken.ipynb", "md:intro", "int a = 1;", "int b = a +\n    undefinedName;"),
                "broken.ipynb, cell 3 (In [2]): does not compile", "undefinedName",
                "error at snippet line 2: cannot find symbol");
    }

    @Test
    void anExceptionNamesTheCellAndItsType() throws IOException {
        assertFailure(failure("throws.ipynb", "int n = Integer.parseInt(\"twelve\");"),
                "throws.ipynb, cell 1 (In [1]): throws java.lang.NumberFormatException", "twelve");
    }

    @Test
    void aMethodThatCannotBeResolvedIsAFailureNotALaterSurprise() throws IOException {
        assertFailure(failure("unresolved.ipynb", "void f() {\n    Missing m = null;\n}"),
                "unresolved.ipynb, cell 1 (In [1]): refers to what is not defined", "Missing");
    }

    @Test
    void anArtifactMissingFromTheBuildIsNamed() throws IOException {
        assertFailure(failure("missing.ipynb", "%maven org.example:not-here:1.0\nint x = 1;"),
                "missing.ipynb, cell 1 (In [1]): %maven org.example:not-here:1.0 is not on the build's classpath");
    }

    @Test
    void aProjectModuleTheNotebookDoesNotNameIsNotOnItsClasspath() throws IOException {
        assertFailure(failure("unnamed.ipynb", "dev.numpack.DType t = dev.numpack.DType.INT8;"),
                "unnamed.ipynb, cell 1 (In [1]): does not compile", "package dev.numpack");
    }

    @Test
    void mavenCoordinatesResolveToJarsClassifiersAndModules() throws IOException {
        KernelClasspath cp = new KernelClasspath(System.getProperty("java.class.path"));
        assertTrue(cp.maven("ai.djl.pytorch:pytorch-native-cpu:jar:linux-x86_64:2.7.1").toString()
                .endsWith("pytorch-native-cpu-2.7.1-linux-x86_64.jar"));
        assertTrue(cp.maven("ai.djl:api:0.36.0").toString().endsWith("api-0.36.0.jar"));
        Path core = cp.maven("dev.numpack:numpack-core:0.1.0-SNAPSHOT");
        assertTrue(core.endsWith(Path.of("numpack-core", "target", "classes")) || core.toString().endsWith(".jar"), core.toString());
        assertThrows(IllegalArgumentException.class, () -> cp.maven("ai.djl:api:0.35.0"));
        assertThrows(IllegalArgumentException.class, () -> cp.maven("ai.djl.pytorch:pytorch-native-cpu:jar:osx-aarch64:2.7.1"));
        assertThrows(IllegalArgumentException.class, () -> cp.maven("ai.djl:api"));
    }

    @Test
    void jarsLinesAddJarsRelativeToTheNotebook() throws IOException {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        helloJar(lib.resolve("hello.jar"));
        Path nb = notebook("jars.ipynb", "%jars lib/*.jar\nhello.Hi.hi()");
        assertResult(runner.run(nb).codeCells().get(0).outputs().get(0).getAsJsonObject(), 1, "hi");

        assertFailure(failure("nojars.ipynb", "%jars nothing/*.jar"), "nojars.ipynb, cell 1 (In [1]): %jars nothing/*.jar matches no file");
    }

    @Test
    void anotherMagicIsRefusedByName() throws IOException {
        assertFailure(failure("magic.ipynb", "%%loadFromPOM\n<dependencies/>"), "magic.ipynb, cell 1 (In [1]): magic %%loadFromPOM is not supported");
    }

    /** @return the message of the failure a notebook of these cells stops with */
    private String failure(String name, String... cells) throws IOException {
        Path nb = notebook(name, cells);
        return assertThrows(NotebookException.class, () -> runner.run(nb)).getMessage();
    }

    /** The message starts with the first part (where) and holds the others. */
    private static void assertFailure(String message, String where, String... holds) {
        assertTrue(message.startsWith(where), message);
        for (String h : holds) {
            assertTrue(message.contains(h), h + " not in: " + message);
        }
    }

    /** Cells prefixed {@code md:} are markdown, the others code. */
    private Path notebook(String name, String... cells) throws IOException {
        JsonArray all = new JsonArray();
        for (String c : cells) {
            JsonObject cell = new JsonObject();
            boolean md = c.startsWith("md:");
            cell.addProperty("cell_type", md ? "markdown" : "code");
            cell.add("metadata", new JsonObject());
            cell.addProperty("source", md ? c.substring(3) : c);
            if (!md) {
                cell.add("outputs", new JsonArray());
                cell.add("execution_count", null);
            }
            all.add(cell);
        }
        JsonObject nb = new JsonObject();
        nb.add("cells", all);
        nb.add("metadata", new JsonObject());
        nb.addProperty("nbformat", 4);
        nb.addProperty("nbformat_minor", 4);
        Path p = tmp.resolve(name);
        Files.writeString(p, nb.toString());
        return p;
    }

    /** A jar holding {@code hello.Hi.hi()}, compiled here. */
    private void helloJar(Path jar) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src/hello")).resolve("Hi.java");
        Files.writeString(src, "package hello; public class Hi { public static String hi() { return \"hi\"; } }");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString()));
        try (OutputStream f = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(f)) {
            j.putNextEntry(new JarEntry("hello/Hi.class"));
            j.write(Files.readAllBytes(classes.resolve("hello/Hi.class")));
            j.closeEntry();
        }
    }

    private static void assertStream(JsonObject o, String name, String text) {
        assertEquals("stream", o.get("output_type").getAsString(), o.toString());
        assertEquals(name, o.get("name").getAsString(), o.toString());
        assertEquals(text, Notebook.text(o.get("text")));
    }

    private static void assertResult(JsonObject o, int count, String text) {
        assertEquals("execute_result", o.get("output_type").getAsString(), o.toString());
        assertEquals(count, o.get("execution_count").getAsInt());
        assertEquals(text, Notebook.text(o.getAsJsonObject("data").get("text/plain")));
    }

    private static BufferedImage png(JsonObject o) throws IOException {
        assertEquals("display_data", o.get("output_type").getAsString(), o.toString());
        byte[] bytes = Base64.getDecoder().decode(o.getAsJsonObject("data").get("image/png").getAsString());
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    /** Outputs read back from a file, with their line lists joined as the runner makes them. */
    private static JsonArray normalized(JsonArray outputs) {
        List<JsonObject> out = new ArrayList<>();
        for (var e : outputs) {
            JsonObject o = e.getAsJsonObject().deepCopy();
            if (o.has("text")) {
                o.addProperty("text", Notebook.text(o.get("text")));
            }
            if (o.has("data") && o.getAsJsonObject("data").has("text/plain")) {
                o.getAsJsonObject("data").addProperty("text/plain", Notebook.text(o.getAsJsonObject("data").get("text/plain")));
            }
            out.add(o);
        }
        JsonArray a = new JsonArray();
        out.forEach(a::add);
        return a;
    }
}
