package dev.numpack;

import java.nio.file.Path;

/**
 * A caller's input does not fit: a wrong dtype or shape, a row index out of range, a hostile array name
 * (with {@code /}, {@code ..}, control characters), a buffer too small. The store is unchanged.
 */
public class InvalidArgumentException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store, may be {@code null}
     * @param array the array, may be {@code null}
     * @param message what is wrong
     */
    public InvalidArgumentException(Path store, String array, String message) {
        super(store, array, message);
    }
}
