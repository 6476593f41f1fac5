package dev.numpack.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Python programs for interoperability tests against NumPy. Tests call {@link #assumeAvailable()}
 * first, so that a machine without {@code python3} and {@code numpy} skips them with a visible reason
 * instead of failing.
 */
public final class Python {
    /** How long a program may run unless the caller says otherwise. */
    public static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final long PROBE_TIMEOUT_SECONDS = 60;

    private static volatile String unavailable; // null: not probed yet; "": available; else the reason

    private Python() {}

    /** @return whether {@code python3} is on the PATH and can {@code import numpy}; probed once */
    public static boolean available() {
        return unavailableReason() == null;
    }

    /** @return why python3 with numpy cannot be used here, or {@code null} when it can; probed once */
    public static String unavailableReason() {
        String u = unavailable;
        if (u == null) {
            synchronized (Python.class) {
                u = unavailable;
                if (u == null) {
                    u = probe();
                    unavailable = u;
                }
            }
        }
        return u.isEmpty() ? null : u;
    }

    private static String probe() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            // the output is one error message at most: it fits the pipe, so reading it after the wait is safe
            if (!p.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "python3 -c 'import numpy' ran longer than " + PROBE_TIMEOUT_SECONDS + " s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? "" : "python3 cannot import numpy: " + out;
        } catch (IOException e) {
            return "python3 is not on the PATH (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while looking for python3";
        }
    }

    /** Skips the calling test, with the reason shown in the report, when python3 with numpy is missing. */
    public static void assumeAvailable() {
        String why = unavailableReason();
        Assumptions.assumeTrue(why == null, () -> why + ": test skipped");
    }

    /**
     * Runs {@code python3 -c source args...} in the current directory, for at most {@link #TIMEOUT}.
     *
     * @param source the program; {@code sys.argv[1:]} holds {@code args}
     * @param args the arguments
     * @return what the program printed on standard output
     * @throws AssertionError if the program exits non-zero or runs too long; the message holds its
     *     standard error and standard output
     */
    public static String run(String source, String... args) {
        return run(null, TIMEOUT, source, args);
    }

    /**
     * Runs {@code python3 -c source args...} in {@code dir}, for at most {@link #TIMEOUT}.
     *
     * @param dir the working directory
     * @param source the program; {@code sys.argv[1:]} holds {@code args}
     * @param args the arguments
     * @return what the program printed on standard output
     * @throws AssertionError as {@link #run(String, String...)}
     */
    public static String runIn(Path dir, String source, String... args) {
        return run(dir, TIMEOUT, source, args);
    }

    /**
     * Runs {@code python3 -c source args...}.
     *
     * @param dir the working directory, or {@code null} for the current one
     * @param timeout how long it may run before it is killed
     * @param source the program; {@code sys.argv[1:]} holds {@code args}
     * @param args the arguments
     * @return what the program printed on standard output
     * @throws AssertionError as {@link #run(String, String...)}
     */
    public static String run(Path dir, Duration timeout, String source, String... args) {
        List<String> command = new ArrayList<>(List.of("python3", "-c", source));
        command.addAll(List.of(args));
        Path out = null;
        Path err = null;
        try {
            // files rather than pipes: a chatty program cannot then block on a full pipe buffer
            out = Files.createTempFile("python-out", ".txt");
            err = Files.createTempFile("python-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS); // its output files are complete once it is gone
                throw new AssertionError("python3 ran longer than " + timeout.toMillis() + " ms" + output(out, err));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("python3 exited with " + p.exitValue() + output(out, err));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run python3: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running python3", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static String output(Path out, Path err) throws IOException {
        return "; stderr:\n" + Files.readString(err, StandardCharsets.UTF_8) + "\nstdout:\n"
                + Files.readString(out, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }
}
