package dev.numpack.examples.notebook;

/** A notebook that does not run: a compile error, an exception or an unresolvable magic, named by notebook and cell. */
final class NotebookException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param where the notebook and cell, e.g. {@code 01-numpack-basics.ipynb, cell 4 (In [2])}
     * @param what what went wrong, with the snippet and the compiler's diagnostics or the stack trace
     * @param cause the exception behind it, or {@code null}
     */
    NotebookException(String where, String what, Throwable cause) {
        super(where + ": " + what, cause);
    }
}
