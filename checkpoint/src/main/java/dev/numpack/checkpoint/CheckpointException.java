package dev.numpack.checkpoint;

import dev.numpack.NumPackException;
import java.nio.file.Path;

/**
 * A checkpoint could not be written or read. The message names the checkpoint's directory and, where one
 * is concerned, the array.
 */
public class CheckpointException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param checkpoint the checkpoint's directory (or the manager's)
     * @param array the array concerned, or {@code null}
     * @param message what went wrong
     * @param cause the underlying failure, or {@code null}
     */
    public CheckpointException(Path checkpoint, String array, String message, Throwable cause) {
        super(checkpoint, array, message, cause);
    }
}
