package dev.numpack.model;

/**
 * One step of a random operation sequence, as plain numbers so that jqwik can shrink it: {@link OpFactory}
 * interprets it against the current model state (which array, how many rows, which variant), so every
 * step is meaningful whatever came before.
 *
 * @param kind what to do
 * @param a picks the target array
 * @param b picks sizes and counts
 * @param c picks the variant (dtype, shape, mode)
 * @param seed the data and index lists
 */
public record Step(Kind kind, int a, int b, int c, long seed) {
    /** Operation kinds. */
    public enum Kind {
        SAVE_NEW, SAVE_OVERWRITE, SAVE_MULTI, APPEND, APPEND_BIG, APPEND_MULTI, REPLACE, DELETE, COMPACT,
        COMPACT_ALL, DROP, CLONE, BATCH, WBATCH, REOPEN, VIEW_OPEN, INVALID
    }

    @Override
    public String toString() {
        return kind + "(" + a + "," + b + "," + c + "," + seed + ")";
    }
}
