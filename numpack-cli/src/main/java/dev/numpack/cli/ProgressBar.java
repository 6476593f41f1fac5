package dev.numpack.cli;

import dev.numpack.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar redrawn in place with {@code \r}:
 * {@code import x [###########-------------------]  37%  370/1000 rows}.
 *
 * <p>Redraws are throttled to one per interval, except that the first update and completion always
 * draw; {@link #close()} ends the line with a newline if anything was drawn. A {@link #silent()} bar
 * draws nothing. Updates may come from any thread.
 */
final class ProgressBar implements ProgressListener, AutoCloseable {
    /** Default minimum time between two redraws. */
    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Default number of cells in the bar. */
    static final int DEFAULT_WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final int width;

    private boolean drawn;
    private boolean closed;
    private long lastDrawNanos;
    private int lastLength;
    private long done = -1;
    private long total = -1;
    private long drawnDone = -1;
    private long drawnTotal = -1;

    /**
     * @param out where to draw ({@code null}: draw nothing)
     * @param label text before the bar
     * @param nanoClock a monotonic clock in nanoseconds
     * @param intervalNanos minimum time between redraws
     * @param width cells in the bar
     */
    ProgressBar(PrintStream out, String label, LongSupplier nanoClock, long intervalNanos, int width) {
        if (width < 1 || intervalNanos < 0) {
            throw new IllegalArgumentException("width " + width + ", interval " + intervalNanos);
        }
        this.out = out;
        this.label = label;
        this.nanoClock = nanoClock;
        this.intervalNanos = intervalNanos;
        this.width = width;
    }

    /**
     * A bar with the system clock, at most ten redraws a second.
     *
     * @param out where to draw
     * @param label text before the bar
     */
    ProgressBar(PrintStream out, String label) {
        this(out, label, System::nanoTime, DEFAULT_INTERVAL_NANOS, DEFAULT_WIDTH);
    }

    /** @return a bar that draws nothing */
    static ProgressBar silent() {
        return new ProgressBar(null, "", () -> 0L, 0, 1);
    }

    @Override
    public synchronized void update(long done, long total) {
        if (out == null || closed) {
            return;
        }
        this.done = done;
        this.total = total;
        long now = nanoClock.getAsLong();
        boolean complete = done >= total;
        if (drawn && (done == drawnDone && total == drawnTotal
                || !complete && now - lastDrawNanos < intervalNanos)) {
            return;
        }
        draw(now);
    }

    /** Draws the last state if it was throttled away, then ends the line. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (out == null || closed) {
            return;
        }
        closed = true;
        if (drawn) {
            if (done != drawnDone || total != drawnTotal) {
                draw(nanoClock.getAsLong());
            }
            out.print('\n');
            out.flush();
        }
    }

    private void draw(long now) {
        String line = render(label, done, total, width);
        StringBuilder sb = new StringBuilder(line.length() + 8).append('\r').append(line);
        for (int i = line.length(); i < lastLength; i++) {
            sb.append(' '); // wipe the tail of a longer previous line
        }
        out.print(sb);
        out.flush();
        lastLength = line.length();
        lastDrawNanos = now;
        drawn = true;
        drawnDone = done;
        drawnTotal = total;
    }

    /**
     * @param label text before the bar
     * @param done rows done
     * @param total rows in all (0 or less counts as complete)
     * @param width cells in the bar
     * @return the line, without {@code \r}
     */
    static String render(String label, long done, long total, int width) {
        double fraction = total <= 0 ? 1.0 : Math.max(0.0, Math.min(1.0, (double) done / total));
        int filled = (int) Math.floor(fraction * width);
        int percent = (int) Math.floor(fraction * 100);
        StringBuilder sb = new StringBuilder();
        if (!label.isEmpty()) {
            sb.append(label).append(' ');
        }
        sb.append('[');
        for (int i = 0; i < width; i++) {
            sb.append(i < filled ? '#' : '-');
        }
        sb.append("] ").append(String.format(Locale.ROOT, "%3d%%", percent));
        sb.append("  ").append(Math.max(0, done)).append('/').append(Math.max(0, total)).append(" rows");
        return sb.toString();
    }
}
