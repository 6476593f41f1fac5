package dev.numpack;

import java.nio.file.Path;

/**
 * A caller's input does not fit: a wrong dtype or shape, a row index out of range, a hostile array name
 * (with {@code /}, {@code ..}, control characters), a buffer too small or read-only, an array too large to
 * load into memory. The store is unchanged.
 */
public class InvalidArgumentException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store, may be {@code null}
     * @param array the array, may be {@code null}
     * @param message what is wrong
     * @param cause the failure that showed it, may be {@code null}
     */
    public InvalidArgumentException(Path store, String array, String message, Throwable cause) {
        super(store, array, message, cause);
    }

    /**
     * @param store the store, may be {@code null}
     * @param array the array, may be {@code null}
     * @param message what is wrong
     */
    public InvalidArgumentException(Path store, String array, String message) {
        super(store, array, message);
    }

    @Override
    InvalidArgumentException reframe(Path store, String array, String context) {
        return new InvalidArgumentException(store, array, context + detail(), this);
    }
}
