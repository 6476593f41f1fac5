package dev.numpack.checkpoint;

import java.nio.file.Path;

/**
 * An intact checkpoint that does not fit the model or optimizer it is restored into: other parameter
 * names, shapes or types, or another optimizer. Nothing was changed.
 */
public class CheckpointMismatchException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /**
     * @param checkpoint the checkpoint's directory
     * @param message every difference found
     */
    public CheckpointMismatchException(Path checkpoint, String message) {
        super(checkpoint, null, message, null);
    }
}
