package dev.numpack;

import java.nio.file.Path;

/** The store, batch, view, {@code .npy} reader or writer was used after it was closed. */
public class AlreadyClosedException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store (or file)
     * @param array the array of a closed view, may be {@code null}
     * @param what what was closed
     */
    public AlreadyClosedException(Path store, String array, String what) {
        super(store, array, what + " is closed");
    }

    private AlreadyClosedException(Path store, String array, String message, Throwable cause) {
        super(store, array, message, cause);
    }

    @Override
    AlreadyClosedException reframe(Path store, String array, String context) {
        return new AlreadyClosedException(store, array, context + detail(), this);
    }
}
