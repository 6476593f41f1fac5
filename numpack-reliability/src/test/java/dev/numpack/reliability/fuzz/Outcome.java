package dev.numpack.reliability.fuzz;

import dev.numpack.NumPackException;

/**
 * What one fuzz case (or one operation of it) ended with, from best to worst: a case's outcome is the worst
 * of its operations'. All but {@link #OK} and {@link #TYPED} must never happen.
 */
enum Outcome {
    /** The operation succeeded. */
    OK,
    /**
     * A documented, typed error naming the store (and the array where one is concerned). The readers of
     * {@code dev.numpack.io} document {@code NumPackException} subtypes too (no checked {@code IOException}), so
     * typed means a {@link NumPackException} everywhere; for a reader, the store it names is the file.
     */
    TYPED,
    /** A typed error that does not name the store, or not the array the operation concerned (issue 12 item 6). */
    UNNAMED,
    /** Any other throwable: NullPointerException, IndexOutOfBoundsException, ArithmeticException, ... */
    FAULT,
    /** An OutOfMemoryError at -Xmx64m. */
    OOM,
    /** The case was still running at its time limit; its thread is abandoned, not waited for. */
    HANG,
    /** A store that opened before the case's writes no longer opens after them (issue 12 item 2). */
    UNOPENABLE,
    /** A file outside the store changed, appeared or disappeared. */
    OUTSIDE_WRITE;

    /** @return whether this outcome is allowed */
    boolean allowed() {
        return this == OK || this == TYPED;
    }

    /** @return the worse of this and {@code other} */
    Outcome worst(Outcome other) {
        return other.ordinal() > ordinal() ? other : this;
    }

    /**
     * @param t what an operation threw, or {@code null}
     * @param array the array the operation concerned, or {@code null} for a store-wide one
     * @return its outcome: a {@link NumPackException} is typed when {@link NumPackException#store()} is set and,
     *     for an operation on an array, {@link NumPackException#array()} too
     */
    static Outcome of(Throwable t, String array) {
        if (t == null) {
            return OK;
        }
        if (t instanceof OutOfMemoryError) {
            return OOM;
        }
        if (t instanceof NumPackException e) {
            boolean named = e.store() != null && e.getMessage().contains(e.store().toString())
                    && (array == null || (e.array() != null && e.getMessage().contains("'" + e.array() + "'")));
            return named ? TYPED : UNNAMED;
        }
        return FAULT;
    }
}
