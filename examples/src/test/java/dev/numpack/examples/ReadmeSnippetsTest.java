package dev.numpack.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of the project's README compiles as written, against every module and DJL:
 * each block becomes a class of its own, its {@code import} lines at the top and the rest the body of a
 * method that may throw. Nothing is declared for a block: what it uses, it declares or imports itself.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of(System.getProperty("basedir", ".")).resolve("../README.md").normalize();

    /** A {@code ```java} block: its lines, and the README line of the first one. */
    private record Block(int firstLine, List<String> lines) {}

    @TempDir
    Path tmp;

    @Test
    void everyJavaBlockCompilesAsWritten() throws IOException {
        List<Block> blocks = javaBlocks(Files.readAllLines(README, StandardCharsets.UTF_8));
        assertTrue(blocks.size() >= 3, "the API, NumPackDataset and checkpoint sections each have a java block: " + blocks.size());
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Path src = tmp.resolve("ReadmeBlock" + i + ".java");
            Files.writeString(src, asClass("ReadmeBlock" + i, blocks.get(i).lines()), StandardCharsets.UTF_8);
            sources.add(src);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            Files.createDirectories(tmp.resolve("classes"));
            List<String> options = List.of("--release", "17", "-proc:none", "-classpath",
                    System.getProperty("java.class.path"), "-d", tmp.resolve("classes").toString());
            javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
        }
        String errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> describe(d, blocks)).collect(Collectors.joining("\n"));
        assertEquals("", errors, "README.md's java blocks must compile as written");
    }

    @Test
    void theResumeSnippetUsesTheOneCallAndZeroPaddedNames() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String checkpoints = readme.substring(readme.indexOf("## Training with checkpoints"));
        checkpoints = checkpoints.substring(0, checkpoints.indexOf("\n## ", 1));
        assertTrue(checkpoints.contains(".resume(model)"), "## Training with checkpoints resumes with CheckpointListener.resume(model)");
        assertTrue(checkpoints.contains("checkpoint-000000000141"), "## Training with checkpoints names a checkpoint as it is written");
    }

    private static List<Block> javaBlocks(List<String> readme) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            if (readme.get(i).strip().equals("```java")) {
                int first = i + 1;
                int end = first;
                while (end < readme.size() && !readme.get(end).strip().equals("```")) {
                    end++;
                }
                blocks.add(new Block(first + 1, readme.subList(first, end)));
                i = end;
            }
        }
        return blocks;
    }

    /**
     * The block as a class whose lines are the block's lines, so that a diagnostic's line is the block's:
     * the imports stay where they are, the class and method open on the first line after them.
     */
    private static String asClass(String name, List<String> lines) {
        StringBuilder sb = new StringBuilder();
        boolean inBody = false;
        for (String line : lines) {
            String s = line.strip();
            if (!inBody && !s.isEmpty() && !s.startsWith("import ") && !s.startsWith("//")) {
                sb.append("class ").append(name).append(" { static void snippet() throws Exception { ");
                inBody = true;
            }
            sb.append(line).append('\n');
        }
        return sb.append(inBody ? "} }\n" : "class " + name + " {}\n").toString();
    }

    private static String describe(Diagnostic<? extends JavaFileObject> d, List<Block> blocks) {
        if (d.getSource() == null) {
            return "javac: " + d.getMessage(Locale.ROOT);
        }
        String file = Path.of(d.getSource().toUri()).getFileName().toString();
        int block = Integer.parseInt(file.replaceAll("\\D", ""));
        long line = blocks.get(block).firstLine() + d.getLineNumber() - 1;
        return "README.md line " + line + ": " + d.getMessage(Locale.ROOT);
    }
}
