package dev.numpack;

import java.nio.file.Path;

/**
 * The root of every error this library raises. The message always names the store and, where one is
 * concerned, the array, so that a log line alone tells which resource failed. I/O failures are wrapped
 * in this type (with the {@link java.io.IOException} as cause) so that callers deal with one unchecked
 * hierarchy.
 */
public class NumPackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path store;
    private final String array;

    /**
     * @param store the store directory (or file) concerned, may be {@code null}
     * @param array the array concerned, may be {@code null}
     * @param message what went wrong
     * @param cause the underlying failure, may be {@code null}
     */
    public NumPackException(Path store, String array, String message, Throwable cause) {
        super(describe(store, array, message), cause);
        this.store = store;
        this.array = array;
    }

    /**
     * @param store the store directory concerned, may be {@code null}
     * @param array the array concerned, may be {@code null}
     * @param message what went wrong
     */
    public NumPackException(Path store, String array, String message) {
        this(store, array, message, null);
    }

    /** @return the store this error concerns, or {@code null} */
    public Path store() {
        return store;
    }

    /** @return the array this error concerns, or {@code null} */
    public String array() {
        return array;
    }

    private static String describe(Path store, String array, String message) {
        StringBuilder sb = new StringBuilder();
        if (store != null) {
            sb.append("store ").append(store);
        }
        if (array != null) {
            sb.append(sb.length() > 0 ? ", " : "").append("array '").append(array).append('\'');
        }
        if (sb.length() > 0) {
            sb.append(": ");
        }
        return sb.append(message).toString();
    }
}
