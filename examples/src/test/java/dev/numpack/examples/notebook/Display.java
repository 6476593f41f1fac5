package dev.numpack.examples.notebook;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * IJava's {@code display(...)} for notebooks run by {@link NotebookRunner}: every notebook starts with
 * {@code import static dev.numpack.examples.notebook.Display.display;}, as IJava imports its own. It also
 * knows the cell that is running, where {@code System.out} and {@code System.err} go.
 */
public final class Display {
    /** The cell being run; snippets run on JShell's threads, so the runner's thread is not a key. */
    private static volatile CellOutputs current;

    private Display() {}

    /**
     * Shows a value below the cell, at this point of its output: an image ({@code java.awt.image.RenderedImage})
     * or an XChart chart as PNG, anything else as its {@code toString()}.
     *
     * @param value what to show
     * @throws IllegalStateException outside a cell that {@link NotebookRunner} runs
     */
    public static void display(Object value) {
        cell().display(value);
    }

    /**
     * The runner's hook for a cell's final expression, which it evaluates as {@code result($n)}; notebooks
     * call {@link #display} instead.
     *
     * @param value the expression's value
     */
    public static void result(Object value) {
        cell().result(value);
    }

    /** @param outputs the cell about to run, or {@code null} once it has run */
    static void capture(CellOutputs outputs) {
        current = outputs;
    }

    /**
     * A stream for {@code System.out} or {@code System.err} while a notebook runs: what is printed goes to the
     * cell running at that moment, as in IJava, even through a reference taken in an earlier cell (a
     * listener made with {@code System.out} in one cell prints in the cell that trains).
     *
     * @param name {@code stdout} or {@code stderr}
     * @param between where text printed between cells goes (the stream this one replaces)
     * @return the stream
     */
    static PrintStream stream(String name, PrintStream between) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                route(name, between, new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                route(name, between, b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
    }

    private static void route(String name, PrintStream between, byte[] b, int off, int len) {
        CellOutputs c = current;
        if (c != null) {
            c.append(name, b, off, len);
        } else {
            between.write(b, off, len);
        }
    }

    private static CellOutputs cell() {
        CellOutputs c = current;
        if (c == null) {
            throw new IllegalStateException("display(...) shows output of a notebook cell that NotebookRunner runs");
        }
        return c;
    }
}
