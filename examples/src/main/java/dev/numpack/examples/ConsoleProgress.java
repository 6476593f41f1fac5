package dev.numpack.examples;

import dev.numpack.ProgressListener;
import java.io.PrintStream;

/** Reports an import's rows on one line of the console, every 10 per cent, so logs stay short. */
final class ConsoleProgress implements ProgressListener {
    private final PrintStream out;
    private final String what;
    private long lastTenth = -1;

    ConsoleProgress(PrintStream out, String what) {
        this.out = out;
        this.what = what;
    }

    @Override
    public void update(long done, long total) {
        long tenth = total <= 0 ? 10 : done * 10 / total;
        if (tenth != lastTenth) {
            out.print((lastTenth < 0 ? what + ": " : " ") + tenth * 10 + "%");
            lastTenth = tenth;
            if (tenth >= 10) {
                out.println();
            }
            out.flush();
        }
    }
}
