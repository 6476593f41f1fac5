package dev.numpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final long MS = 1_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong(5_000 * MS);

    private ProgressBar bar(String label) {
        return new ProgressBar(out, label, clock::get, 100 * MS, 10);
    }

    private String drawn() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void rendersLabelBarPercentAndCounts() {
        assertEquals("import x [###-------]  30%  300/1000 rows", ProgressBar.render("import x", 300, 1000, 10));
        assertEquals("[----------]   0%  0/7 rows", ProgressBar.render("", 0, 7, 10));
        assertEquals("x [##########] 100%  7/7 rows", ProgressBar.render("x", 7, 7, 10));
        assertEquals("x [##########] 100%  0/0 rows", ProgressBar.render("x", 0, 0, 10));
        assertEquals("x [#########-]  99%  999/1000 rows", ProgressBar.render("x", 999, 1000, 10));
    }

    @Test
    void firstUpdateDrawsThenRedrawsAreThrottled() {
        ProgressBar b = bar("t");
        b.update(10, 100);
        assertEquals("\rt [#---------]  10%  10/100 rows", drawn());
        clock.addAndGet(50 * MS);
        b.update(20, 100); // 50 ms after the last draw: skipped
        clock.addAndGet(49 * MS);
        b.update(30, 100); // 99 ms: still skipped
        assertEquals("\rt [#---------]  10%  10/100 rows", drawn());
        clock.addAndGet(1 * MS);
        b.update(40, 100); // 100 ms: drawn
        assertEquals("\rt [#---------]  10%  10/100 rows\rt [####------]  40%  40/100 rows", drawn());
    }

    @Test
    void completionAlwaysDrawsAndCloseEndsTheLineOnce() {
        ProgressBar b = bar("t");
        b.update(1, 4);
        clock.addAndGet(MS);
        b.update(4, 4); // complete: drawn despite the throttle
        b.update(4, 4); // unchanged: not drawn again
        b.close();
        b.close();
        b.update(2, 4); // after close: ignored
        assertEquals("\rt [##--------]  25%  1/4 rows\rt [##########] 100%  4/4 rows\n", drawn());
    }

    @Test
    void closeDrawsAThrottledFinalState() {
        ProgressBar b = bar("t");
        b.update(1, 10);
        clock.addAndGet(MS);
        b.update(5, 10); // throttled
        b.close(); // e.g. the work failed half way: the line shows where it stopped
        assertEquals("\rt [#---------]  10%  1/10 rows\rt [#####-----]  50%  5/10 rows\n", drawn());
    }

    @Test
    void shorterLineWipesTheLongerOne() {
        ProgressBar b = bar("t");
        b.update(1000, 100000);
        clock.addAndGet(200 * MS);
        b.update(1, 10); // a new, shorter total: the tail of the old line is blanked
        String[] parts = drawn().split("\r");
        assertEquals(3, parts.length);
        assertEquals(parts[1].length(), parts[2].length());
        assertEquals("t [#---------]  10%  1/10 rows", parts[2].strip());
    }

    @Test
    void closeWithoutUpdatesPrintsNothingAndSilentBarNeverPrints() {
        bar("t").close();
        ProgressBar s = ProgressBar.silent();
        s.update(1, 2);
        s.update(2, 2);
        s.close();
        assertEquals("", drawn());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new ProgressBar(out, "x", clock::get, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ProgressBar(out, "x", clock::get, -1, 10));
    }
}
