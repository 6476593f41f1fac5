package dev.numpack.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Python snippets for interoperability tests against NumPy. Tests call {@link #assumeAvailable()}
 * first, so that a machine without {@code python3} and {@code numpy} skips them with a visible reason
 * instead of failing.
 */
public final class Python {
    private static final long TIMEOUT_SECONDS = 120;
    private static final long PROBE_TIMEOUT_SECONDS = 60;

    private static volatile Boolean available;

    private Python() {}

    /** @return whether {@code python3} is on the PATH and can {@code import numpy}; probed once */
    public static boolean available() {
        Boolean a = available;
        if (a == null) {
            synchronized (Python.class) {
                a = available;
                if (a == null) {
                    a = probe();
                    available = a;
                }
            }
        }
        return a;
    }

    private static boolean probe() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false; // no python3 on the PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Skips the calling test, with a reason shown in the report, when Python with NumPy is missing. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(available(), "python3 with numpy not found: interop test skipped");
    }

    /**
     * Runs {@code python3 -c source args...}.
     *
     * @param pythonSource the program; {@code sys.argv[1:]} holds {@code args}
     * @param args the arguments
     * @return what the program printed on standard output
     * @throws AssertionError if the program exits non-zero (with its standard error) or runs longer than
     *     120 seconds
     */
    public static String run(String pythonSource, String... args) {
        List<String> command = new ArrayList<>(List.of("python3", "-c", pythonSource));
        command.addAll(List.of(args));
        Path out = null;
        Path err = null;
        try {
            // Files rather than pipes: a chatty program cannot then block on a full pipe buffer.
            out = Files.createTempFile("python-out", ".txt");
            err = Files.createTempFile("python-err", ".txt");
            Process p = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("python3 ran longer than " + TIMEOUT_SECONDS + " s; stderr:\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("python3 exited with " + p.exitValue() + "; stderr:\n"
                        + Files.readString(err, StandardCharsets.UTF_8) + "\nstdout:\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
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

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }
}
