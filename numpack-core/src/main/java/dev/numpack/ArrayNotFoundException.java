package dev.numpack;

import java.nio.file.Path;

/** The store has no array of the requested name. */
public class ArrayNotFoundException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store
     * @param array the missing array
     */
    public ArrayNotFoundException(Path store, String array) {
        super(store, array, "no such array");
    }

    private ArrayNotFoundException(Path store, String array, String message, Throwable cause) {
        super(store, array, message, cause);
    }

    @Override
    ArrayNotFoundException reframe(Path store, String array, String context) {
        return new ArrayNotFoundException(store, array, context + detail(), this);
    }
}
