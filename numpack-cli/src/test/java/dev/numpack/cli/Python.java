package dev.numpack.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Test helper: runs python3 with numpy when the machine has them. */
final class Python {
    private static Boolean available;

    private Python() {}

    /** @return whether {@code python3 -c "import numpy"} works */
    static synchronized boolean available() {
        if (available == null) {
            try {
                available = run(Path.of("."), "import numpy").exit == 0;
            } catch (IOException e) {
                available = false;
            }
        }
        return available;
    }

    record Outcome(int exit, String output) {}

    /** Runs a script in {@code dir}; stdout and stderr are merged into the output. */
    static Outcome run(Path dir, String script) throws IOException {
        Process p = new ProcessBuilder("python3", "-c", script).directory(dir.toFile())
                .redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Outcome(-1, output + " (timed out)");
            }
            return new Outcome(p.exitValue(), output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
