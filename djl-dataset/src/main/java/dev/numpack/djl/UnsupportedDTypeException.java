package dev.numpack.djl;

import dev.numpack.NumPackException;
import java.nio.file.Path;

/**
 * An array's element type, or one of its values, has no faithful DJL counterpart on the engine in use.
 * Thrown when the dataset is built (before any tensor is made: DJL's PyTorch engine aborts the whole JVM
 * on an unsupported type), or while a batch is read when an opted-in conversion meets a value it cannot
 * represent.
 */
public class UnsupportedDTypeException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store's directory
     * @param array the array's name
     * @param message what is unsupported and what to do about it
     */
    public UnsupportedDTypeException(Path store, String array, String message) {
        super(store, array, message);
    }
}
