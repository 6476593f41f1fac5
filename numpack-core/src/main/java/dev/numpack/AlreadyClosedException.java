package dev.numpack;

import java.nio.file.Path;

/** The store, batch or view was used after it was closed. */
public class AlreadyClosedException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store
     * @param array the array of a closed view, may be {@code null}
     * @param what what was closed
     */
    public AlreadyClosedException(Path store, String array, String what) {
        super(store, array, what + " is closed");
    }
}
