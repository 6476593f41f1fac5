package dev.numpack;

import java.nio.file.Path;

/** A write was attempted on a store opened read-only. */
public class ReadOnlyStoreException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store
     * @param array the array, may be {@code null}
     */
    public ReadOnlyStoreException(Path store, String array) {
        super(store, array, "the store is open read-only");
    }

    private ReadOnlyStoreException(Path store, String array, String message, Throwable cause) {
        super(store, array, message, cause);
    }

    @Override
    ReadOnlyStoreException reframe(Path store, String array, String context) {
        return new ReadOnlyStoreException(store, array, context + detail(), this);
    }
}
