package dev.numpack.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A test program to run as its own JVM: the same {@code java} binary as the tests ({@code java.home}),
 * the test class path, a main class (or an executable jar) and its arguments.
 *
 * <p>Every child gets the flags DJL needs: {@code -Dai.djl.offline=true} (DJL would otherwise probe the
 * network for native libraries and model zoos) and, on JDK 24 and later, {@code
 * --enable-native-access=ALL-UNNAMED} (JNI loading of libtorch warns, and will fail, without it). A child
 * that does not use DJL ignores both. Its standard error goes to a log file, its standard output to a pipe
 * that {@link ChildProcess#stdout()} reads as the child writes it.
 *
 * <pre>{@code
 * ChildResult r = ChildJvm.main(Probe.class, store.toString()).heap("256m").stderrTo(log)
 *         .run(Duration.ofSeconds(60)).assertSuccess();
 * try (ChildProcess p = ChildJvm.main(Writer.class).start()) {
 *     p.stdout().readLine();          // "ready"
 *     assertEquals(ChildJvm.KILLED_EXIT, p.kill());
 * }
 * }</pre>
 */
public final class ChildJvm {
    /** The exit code of a process that died of SIGKILL ({@code kill -9}), as {@link Process} reports it: 128 + 9. */
    public static final int KILLED_EXIT = 137;

    private final List<String> target; // main class and arguments, or -jar, the jar and arguments
    private final boolean fromJar;
    private final List<String> jvmArgs = new ArrayList<>();
    private boolean isolatedClasspath;
    private boolean noInput;
    private Path stderr;
    private Path directory;

    private ChildJvm(List<String> target, boolean fromJar) {
        this.target = target;
        this.fromJar = fromJar;
    }

    /**
     * @param mainClass a class with a {@code main} method, on the test class path
     * @param args its arguments
     * @return the child, not started
     */
    public static ChildJvm main(Class<?> mainClass, String... args) {
        return main(mainClass.getName(), args);
    }

    /**
     * @param mainClass the binary name of a class with a {@code main} method, on the test class path
     * @param args its arguments
     * @return the child, not started
     */
    public static ChildJvm main(String mainClass, String... args) {
        List<String> t = new ArrayList<>();
        t.add(mainClass);
        t.addAll(List.of(args));
        return new ChildJvm(t, false);
    }

    /**
     * @param jar an executable jar ({@code java -jar}); it brings its own class path
     * @param args the program's arguments
     * @return the child, not started
     */
    public static ChildJvm jar(Path jar, String... args) {
        List<String> t = new ArrayList<>(List.of("-jar", jar.toString()));
        t.addAll(List.of(args));
        return new ChildJvm(t, true);
    }

    /**
     * @param flags JVM flags, placed before the class path and main class
     * @return this
     */
    public ChildJvm jvmArgs(String... flags) {
        jvmArgs.addAll(List.of(flags));
        return this;
    }

    /**
     * @param max the most heap, as {@code -Xmx} takes it ({@code "512m"})
     * @return this
     */
    public ChildJvm heap(String max) {
        return jvmArgs("-Xmx" + max);
    }

    /**
     * @param key a system property
     * @param value its value in the child
     * @return this
     */
    public ChildJvm systemProperty(String key, String value) {
        return jvmArgs("-D" + key + "=" + value);
    }

    /**
     * Makes slf4j-simple log warnings and errors only ({@code -Dorg.slf4j.simpleLogger.defaultLogLevel=warn}),
     * as the surefire configuration of djl-dataset and checkpoint does for their own test JVMs.
     *
     * @return this
     */
    public ChildJvm quietLogs() {
        return systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    /**
     * Runs the child on {@link TestClasspath#isolated() private copies} of the class directories, for
     * children that run long enough for a concurrent rebuild to change the classes under them.
     *
     * @return this
     */
    public ChildJvm isolatedClasspath() {
        this.isolatedClasspath = true;
        return this;
    }

    /**
     * Gives the child an empty standard input ({@code /dev/null}) instead of a pipe from this process,
     * as a command run from a script without a terminal has.
     *
     * @return this
     */
    public ChildJvm noInput() {
        this.noInput = true;
        return this;
    }

    /**
     * @param log the file that receives the child's standard error (replaced); by default a temporary file,
     *     deleted when the {@link ChildProcess} is closed
     * @return this
     */
    public ChildJvm stderrTo(Path log) {
        this.stderr = log;
        return this;
    }

    /**
     * @param dir the child's working directory (by default this process's)
     * @return this
     */
    public ChildJvm directory(Path dir) {
        this.directory = dir;
        return this;
    }

    /** @return the whole command line: java binary, flags, class path, main class or jar, arguments */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dai.djl.offline=true");
        if (Runtime.version().feature() >= 24) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(jvmArgs);
        if (!fromJar) {
            cmd.add("-cp");
            cmd.add(isolatedClasspath ? TestClasspath.isolated() : TestClasspath.get());
        }
        cmd.addAll(target);
        return cmd;
    }

    /**
     * Starts the child. Close the returned process (try-with-resources): a child still running then is
     * killed, so that no test leaves one behind.
     *
     * @return the running child
     * @throws IOException if it cannot be started
     */
    public ChildProcess start() throws IOException {
        boolean ownLog = stderr == null;
        Path log = ownLog ? Files.createTempFile("child-jvm", ".err") : stderr;
        ProcessBuilder pb = new ProcessBuilder(command()).redirectError(log.toFile());
        if (noInput) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        try {
            return new ChildProcess(pb.start(), log, ownLog);
        } catch (IOException | RuntimeException e) {
            if (ownLog) {
                Files.deleteIfExists(log);
            }
            throw e;
        }
    }

    /**
     * Runs the child to its end.
     *
     * @param timeout how long it may run
     * @return its exit code, standard output and standard error
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted while waiting (the child is killed)
     * @throws AssertionError if it runs longer than {@code timeout} (it is killed; the message holds its
     *     standard error)
     */
    public ChildResult run(Duration timeout) throws IOException, InterruptedException {
        try (ChildProcess p = start()) {
            return p.finish(timeout);
        }
    }
}
