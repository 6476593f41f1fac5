package dev.numpack.checkpoint;

import java.nio.file.Path;

/** A checkpoint's bytes are not what was written: a checksum, an array or its description is wrong. */
public class CorruptCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /**
     * @param checkpoint the checkpoint's directory
     * @param array the damaged array, or {@code null}
     * @param message what is wrong
     * @param cause the underlying failure, or {@code null}
     */
    public CorruptCheckpointException(Path checkpoint, String array, String message, Throwable cause) {
        super(checkpoint, array, message, cause);
    }
}
