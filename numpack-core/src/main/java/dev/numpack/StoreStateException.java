package dev.numpack;

import java.nio.file.Path;

/**
 * The call does not fit the store's or object's current state: a write while a batch mode is open, a
 * second batch mode, a store whose last commit must be completed by reopening it, a one-pass
 * {@link RowStream} iterated twice. Nothing was changed.
 */
public class StoreStateException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store (or file) concerned, may be {@code null}
     * @param array the array concerned, may be {@code null}
     * @param message what state forbids the call, and what to do
     * @param cause the underlying failure, may be {@code null}
     */
    public StoreStateException(Path store, String array, String message, Throwable cause) {
        super(store, array, message, cause);
    }

    /**
     * @param store the store (or file) concerned, may be {@code null}
     * @param array the array concerned, may be {@code null}
     * @param message what state forbids the call, and what to do
     */
    public StoreStateException(Path store, String array, String message) {
        this(store, array, message, null);
    }

    @Override
    StoreStateException reframe(Path store, String array, String context) {
        return new StoreStateException(store, array, context + detail(), this);
    }
}
