package dev.numpack.internal.format;

/**
 * Raised by the pure codecs of this package when bytes do not hold what the format says. Codecs know no
 * files: the storage and API layers catch this and rethrow it naming the store, file and array.
 */
public class FormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the bytes */
    public FormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with the bytes
     * @param cause the underlying failure
     */
    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
