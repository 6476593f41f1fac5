package dev.numpack.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The class path of the running tests, for child JVMs that run test programs. */
public final class TestClasspath {
    private static String isolated;

    private TestClasspath() {}

    /**
     * @return the test class path: Surefire's {@code surefire.test.class.path} (under Surefire,
     *     {@code java.class.path} may be only its booter jar), else {@code java.class.path}; preceded by
     *     {@code jdk.module.path} when the tests run on the module path (numpack-core's do, where
     *     {@code target/classes} is there and not on the class path), so that a child gets every class on
     *     its plain class path, as the adapters' users load the jars
     */
    public static String get() {
        String cp = System.getProperty("surefire.test.class.path");
        cp = cp == null || cp.isBlank() ? System.getProperty("java.class.path") : cp;
        String modulePath = System.getProperty("jdk.module.path");
        return modulePath == null || modulePath.isBlank() ? cp : modulePath + File.pathSeparator + cp;
    }

    /**
     * The test class path with its directories ({@code target/classes}, {@code target/test-classes})
     * copied once per JVM to a private temporary directory, deleted when this JVM exits, so that a
     * concurrent rebuild cannot pull classes from under a child that runs for minutes. Jars are used
     * where they are.
     *
     * @return the class path
     * @throws UncheckedIOException if the copy fails
     */
    public static synchronized String isolated() {
        if (isolated == null) {
            try {
                isolated = copyDirectories(get());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the test class path", e);
            }
        }
        return isolated;
    }

    private static String copyDirectories(String classpath) throws IOException {
        Path copy = Files.createTempDirectory("numpack-test-classpath");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(copy)));
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : classpath.split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.isDirectory(from)) {
                out.add(entry);
                continue;
            }
            Path to = copy.resolve(Integer.toString(i++));
            try (Stream<Path> s = Files.walk(from)) {
                for (Path f : s.toList()) {
                    Path t = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(f, t);
                    }
                }
            }
            out.add(to.toString());
        }
        return String.join(File.pathSeparator, out);
    }

    private static void deleteTree(Path root) {
        try {
            TestFiles.deleteTree(root);
        } catch (UncheckedIOException ignored) {
            // a temporary directory: what is left is harmless
        }
    }
}
