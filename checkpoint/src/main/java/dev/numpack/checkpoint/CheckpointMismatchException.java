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
        this(checkpoint, message, null);
    }

    /**
     * @param checkpoint the checkpoint's directory
     * @param message what does not fit
     * @param cause the refusal that said so, may be {@code null}
     */
    public CheckpointMismatchException(Path checkpoint, String message, Throwable cause) {
        super(checkpoint, null, message, cause);
    }
}
