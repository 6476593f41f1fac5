package dev.numpack.examples.notebook;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;

/**
 * Runs IJava notebooks the way IJava does, in this JVM: cell by cell through one JShell per notebook on the
 * local execution engine (so the build's classpath and DJL's native library are shared), each cell split
 * into snippets by JShell's own source analysis, its {@code %maven} and {@code %jars} lines resolved
 * against the build's classpath ({@link KernelClasspath}), {@code display(...)} available ({@link Display}),
 * {@code System.out} and {@code System.err} captured as the cell's stream outputs and its final expression
 * shown as its value. A compile error, an unresolved name or an exception stops the run with a
 * {@link NotebookException} naming the notebook, the cell and the diagnostics.
 *
 * <p>As a program it runs notebooks and, with {@code --write}, stores the outputs in them (see
 * {@code examples/notebooks/README.md}):
 * {@code NotebookRunner [--write] NOTEBOOK.ipynb|DIRECTORY ...}.
 */
public final class NotebookRunner {
    /** What IJava's kernel imports before the first cell, in this runner's terms. */
    private static final String PRELUDE = "import static " + Display.class.getName() + ".display;";
    /** Stack frames of a failing cell's exception worth reading; the rest is JShell's and reflection's. */
    private static final int FRAMES = 12;

    private final KernelClasspath classpath;

    /** @param classpath what {@code %maven} lines resolve to */
    NotebookRunner(KernelClasspath classpath) {
        this.classpath = classpath;
    }

    /**
     * Runs every code cell of a notebook, top to bottom, in a new JShell.
     *
     * @param file the notebook; it is not changed
     * @return the notebook with each code cell's new outputs and execution count
     * @throws NotebookException if a cell does not compile or throws, or a magic does not resolve
     */
    Notebook run(Path file) throws IOException {
        Notebook notebook = Notebook.read(file);
        Thread thread = Thread.currentThread();
        ClassLoader loader = thread.getContextClassLoader(); // JShell's local engine replaces it
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(Display.stream("stdout", out));
        System.setErr(Display.stream("stderr", err));
        try (JShell shell = newShell()) {
            classpath.base().forEach(p -> shell.addToClasspath(p.toString()));
            eval(shell, PRELUDE, notebook.name() + ", before the first cell");
            int count = 0;
            for (Notebook.Cell cell : notebook.codeCells()) {
                count++;
                cell.setOutputs(count, runCell(shell, notebook, cell, count));
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            thread.setContextClassLoader(loader);
        }
        return notebook;
    }

    /**
     * JShell's compiler starts from {@code java.class.path}, which in this JVM holds the whole build; IJava's
     * holds the kernel alone. So it starts from the kernel's own classes here, and a notebook compiles against
     * what its magics name and {@link KernelClasspath#base()}: a forgotten {@code %maven} line fails here too.
     */
    private static JShell newShell() {
        String full = System.getProperty("java.class.path");
        System.setProperty("java.class.path", kernelClasses());
        try {
            return JShell.builder().executionEngine("local").build();
        } finally {
            System.setProperty("java.class.path", full);
        }
    }

    private static String kernelClasses() {
        try {
            return Path.of(Display.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("the kernel's classes are not in a file", e);
        }
    }

    private com.google.gson.JsonArray runCell(JShell shell, Notebook notebook, Notebook.Cell cell, int count)
            throws IOException {
        String where = notebook.name() + ", cell " + cell.number() + " (In [" + count + "])";
        CellOutputs outputs = new CellOutputs(count);
        Display.capture(outputs);
        try {
            String code = applyMagics(shell, notebook.path().toAbsolutePath().getParent(), cell.source(), where);
            SnippetEvent last = null;
            for (String snippet : snippets(shell.sourceCodeAnalysis(), code)) {
                last = eval(shell, snippet, where);
            }
            String value = last == null ? null : valueName(last.snippet());
            if (value != null) { // IJava shows the final expression's value as the cell's result
                eval(shell, Display.class.getName() + ".result(" + value + ");", where);
            }
        } finally {
            System.out.flush();
            System.err.flush();
            Display.capture(null);
        }
        return outputs.toJson();
    }

    /** Applies {@code %maven} and {@code %jars} lines; returns the code with them blanked (line numbers kept). */
    private String applyMagics(JShell shell, Path dir, String source, String where) throws IOException {
        StringBuilder code = new StringBuilder();
        for (String line : source.split("\n", -1)) {
            String s = line.strip();
            if (!s.startsWith("%")) {
                code.append(line).append('\n');
                continue;
            }
            String[] words = s.split("\\s+");
            if (!words[0].equals("%maven") && !words[0].equals("%jars")) {
                throw new NotebookException(where, "magic " + words[0] + " is not supported here (only %maven and "
                        + "%jars lines): " + s, null);
            }
            if (words.length == 1) {
                throw new NotebookException(where, words[0] + " names nothing", null);
            }
            try {
                for (int i = 1; i < words.length; i++) {
                    List<Path> add = words[0].equals("%maven") ? List.of(classpath.maven(words[i]))
                            : KernelClasspath.jars(dir, words[i]);
                    add.forEach(p -> shell.addToClasspath(p.toString()));
                }
            } catch (IllegalArgumentException e) {
                throw new NotebookException(where, e.getMessage(), e);
            }
            code.append('\n');
        }
        return code.toString();
    }

    /** Splits a cell into the snippets JShell evaluates one at a time, as IJava does. */
    static List<String> snippets(SourceCodeAnalysis analysis, String code) {
        List<String> snippets = new ArrayList<>();
        String rest = code;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break; // only comments are left
            }
            if (!info.completeness().isComplete()) {
                snippets.add(rest); // unfinished: JShell's compiler says what is missing
                break;
            }
            snippets.add(info.source());
            rest = info.remaining();
        }
        return snippets;
    }

    /** Evaluates one snippet; anything but a clean run becomes a {@link NotebookException}. */
    private static SnippetEvent eval(JShell shell, String source, String where) {
        SnippetEvent main = shell.eval(source).stream().filter(e -> e.causeSnippet() == null).findFirst()
                .orElseThrow(() -> new NotebookException(where, "JShell made no snippet of:\n" + indent(source), null));
        Snippet snippet = main.snippet();
        switch (main.status()) {
            case REJECTED:
                throw new NotebookException(where, "does not compile:\n" + indent(source) + "\n"
                        + shell.diagnostics(snippet).filter(Diag::isError).map(d -> diagnostic(source, d))
                                .collect(Collectors.joining("\n")), null);
            case RECOVERABLE_DEFINED:
            case RECOVERABLE_NOT_DEFINED:
                throw new NotebookException(where, "refers to what is not defined ("
                        + shell.unresolvedDependencies((jdk.jshell.DeclarationSnippet) snippet)
                                .collect(Collectors.joining(", ")) + "):\n" + indent(source), null);
            default:
                break;
        }
        if (main.exception() != null) {
            throw new NotebookException(where, "throws " + describe(main.exception()) + "\nin:\n" + indent(source),
                    main.exception());
        }
        return main;
    }

    /** @return the name that holds the snippet's value when it is an expression, else {@code null} */
    private static String valueName(Snippet s) {
        if (s instanceof ExpressionSnippet e) {
            return e.name();
        }
        if (s instanceof VarSnippet v && v.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
            return v.name(); // $1, $2, ...: JShell's variable for an expression's value
        }
        return null;
    }

    private static String diagnostic(String source, Diag d) {
        long at = Math.max(0, Math.min(d.getStartPosition(), source.length()));
        int line = 1 + (int) source.substring(0, (int) at).chars().filter(c -> c == '\n').count();
        return "  error at snippet line " + line + ": " + d.getMessage(Locale.ROOT);
    }

    private static String describe(JShellException e) {
        StringBuilder sb = new StringBuilder();
        Throwable t = e;
        String prefix = "";
        while (t != null) {
            String type = t instanceof EvalException ee ? ee.getExceptionClassName() : t.getClass().getName();
            sb.append(prefix).append(type).append(": ").append(t.getMessage());
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
                sb.append("\n\tat ").append(frames[i]);
            }
            prefix = "\nCaused by: ";
            t = t.getCause();
        }
        return sb.toString();
    }

    private static String indent(String code) {
        return code.strip().lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
    }

    /**
     * Runs notebooks; with {@code --write} stores each one's outputs in its file. Exits 0 when every notebook
     * ran, 1 when one failed (the message names it, its cell and the diagnostics), 2 on a usage error.
     *
     * @param args {@code [--write] NOTEBOOK.ipynb|DIRECTORY ...}
     */
    public static void main(String[] args) throws IOException {
        defaultProperty("ai.djl.offline", "true"); // the build's classpath has everything: never probe the network
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        defaultProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda", "error"); // "no GPU" on a CPU machine
        boolean write = false;
        List<Path> notebooks = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--write")) {
                write = true;
            } else if (Files.isDirectory(Path.of(a))) {
                try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of(a), "*.ipynb")) {
                    s.forEach(notebooks::add);
                }
            } else {
                notebooks.add(Path.of(a));
            }
        }
        if (notebooks.isEmpty()) {
            System.err.println("usage: NotebookRunner [--write] NOTEBOOK.ipynb|DIRECTORY ...");
            System.exit(2);
        }
        notebooks.sort(null);
        NotebookRunner runner = new NotebookRunner(new KernelClasspath(System.getProperty("java.class.path")));
        for (Path p : notebooks) {
            long start = System.nanoTime();
            Notebook ran;
            try {
                ran = runner.run(p);
            } catch (NotebookException e) {
                System.err.println(e.getMessage());
                System.exit(1);
                return;
            }
            if (write) {
                ran.write(p);
            }
            System.out.printf(Locale.ROOT, "%s: %d code cells in %.1f s%s%n", p, ran.codeCells().size(),
                    (System.nanoTime() - start) / 1e9, write ? ", outputs written" : "");
        }
        System.exit(0); // DJL's and the notebooks' worker threads must not keep the JVM up
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
