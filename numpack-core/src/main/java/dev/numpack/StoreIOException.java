package dev.numpack;

import java.nio.file.Path;

/**
 * Reading or writing a file failed at the operating system (disk full, permission denied, I/O error); the
 * {@link java.io.IOException} is the cause. A write that fails so changes nothing: the store keeps its
 * last committed state.
 */
public class StoreIOException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store (or file) concerned, may be {@code null}
     * @param array the array concerned, may be {@code null}
     * @param message what was being done
     * @param cause the underlying failure, may be {@code null}
     */
    public StoreIOException(Path store, String array, String message, Throwable cause) {
        super(store, array, message, cause);
    }

    /**
     * @param store the store (or file) concerned, may be {@code null}
     * @param array the array concerned, may be {@code null}
     * @param message what was being done
     */
    public StoreIOException(Path store, String array, String message) {
        this(store, array, message, null);
    }

    @Override
    StoreIOException reframe(Path store, String array, String context) {
        return new StoreIOException(store, array, context + detail(), this);
    }
}
