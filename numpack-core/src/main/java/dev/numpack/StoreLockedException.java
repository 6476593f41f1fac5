package dev.numpack;

import java.nio.file.Path;

/** Another writer (in this or another process) holds the store's lock. */
public class StoreLockedException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store
     * @param message how long we waited, who holds it if known
     */
    public StoreLockedException(Path store, String message) {
        super(store, null, message);
    }

    private StoreLockedException(Path store, String array, String message, Throwable cause) {
        super(store, array, message, cause);
    }

    @Override
    StoreLockedException reframe(Path store, String array, String context) {
        return new StoreLockedException(store, array, context + detail(), this);
    }
}
