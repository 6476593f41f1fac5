package dev.numpack.examples.notebook;

/**
 * IJava's {@code display(...)} for notebooks run by {@link NotebookRunner}: every notebook starts with
 * {@code import static dev.numpack.examples.notebook.Display.display;}, as IJava imports its own.
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

    private static CellOutputs cell() {
        CellOutputs c = current;
        if (c == null) {
            throw new IllegalStateException("display(...) shows output of a notebook cell that NotebookRunner runs");
        }
        return c;
    }
}
