package dev.numpack;

import java.nio.file.Path;

/**
 * A file of the store (or a {@code .npy} file) does not hold what the format says it must: bad magic,
 * truncated records, absurd counts or shapes, unknown dtype codes, sizes that disagree, or paths that
 * would leave the store. Nothing is written when this is raised.
 */
public class CorruptStoreException extends NumPackException {
    private static final long serialVersionUID = 1L;

    /**
     * @param store the store (or file)
     * @param array the array, may be {@code null}
     * @param message what is wrong
     * @param cause the underlying failure, may be {@code null}
     */
    public CorruptStoreException(Path store, String array, String message, Throwable cause) {
        super(store, array, message, cause);
    }

    /**
     * @param store the store (or file)
     * @param array the array, may be {@code null}
     * @param message what is wrong
     */
    public CorruptStoreException(Path store, String array, String message) {
        super(store, array, message);
    }

    @Override
    CorruptStoreException reframe(Path store, String array, String context) {
        return new CorruptStoreException(store, array, context + detail(), this);
    }
}
