package dev.numpack.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Whether the process talks to a terminal, to decide if progress bars are drawn. */
final class Terminal {
    private Terminal() {}

    /** @return whether there is a console and standard error is a terminal too */
    static boolean stderrIsTerminal() {
        if (System.console() == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path fd2 = Path.of("/proc/self/fd/2");
        if (!Files.exists(fd2, LinkOption.NOFOLLOW_LINKS)) {
            return true; // no /proc (macOS, Windows): trust the console check
        }
        try {
            String target = Files.readSymbolicLink(fd2).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
