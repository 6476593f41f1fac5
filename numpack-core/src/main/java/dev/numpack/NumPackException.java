package dev.numpack;

import java.nio.file.Path;

/**
 * The root of every error this library raises. The message always names the store and, where one is
 * concerned, the array, so that a log line alone tells which resource failed. I/O failures are wrapped
 * in this type (with the {@link java.io.IOException} as cause) so that callers deal with one unchecked
 * hierarchy.
 *
 * <p>Every error raised is one of the subtypes, which say what kind of failure it is:
 * {@link InvalidArgumentException}, {@link ArrayNotFoundException}, {@link CorruptStoreException},
 * {@link StoreIOException}, {@link StoreStateException}, {@link StoreLockedException},
 * {@link ReadOnlyStoreException} and {@link AlreadyClosedException}. Catch this type to handle them all.
 * The constructors are protected so that only a subtype is ever thrown.
 */
public class NumPackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path store;
    private final String array;
    private final String detail;

    /**
     * @param store the store directory (or file) concerned, may be {@code null}
     * @param array the array concerned, may be {@code null}
     * @param message what went wrong
     * @param cause the underlying failure, may be {@code null}
     */
    protected NumPackException(Path store, String array, String message, Throwable cause) {
        super(describe(store, array, message), cause);
        this.store = store;
        this.array = array;
        this.detail = message;
    }

    /**
     * @param store the store directory concerned, may be {@code null}
     * @param array the array concerned, may be {@code null}
     * @param message what went wrong
     */
    protected NumPackException(Path store, String array, String message) {
        this(store, array, message, null);
    }

    /** @return the store this error concerns, or {@code null} */
    public Path store() {
        return store;
    }

    /** @return the array this error concerns, or {@code null} */
    public String array() {
        return array;
    }

    /**
     * @return what went wrong, without the store and array that {@link #getMessage()} puts before it: for a
     *     caller that tells the same failure about another resource (an import into an array that failed on
     *     its input file)
     */
    public String detail() {
        return detail;
    }

    /**
     * The same failure told about another resource: an error of this error's own type (so that a caller's
     * {@code catch} of a subtype still matches), naming {@code store} and {@code array}, with
     * {@code context} before this error's message and this error as its cause. Used where an operation on an
     * array works through a file: a damaged {@code .npy} file met while importing into array {@code x} is a
     * {@link CorruptStoreException} of the store and {@code x} whose message names the file. Each subtype
     * overrides this to return its own type.
     *
     * @param store the store to name
     * @param array the array to name
     * @param context put before this error's message, for instance the file's path and a colon
     * @return the new error
     */
    NumPackException reframe(Path store, String array, String context) {
        return new NumPackException(store, array, context + detail, this);
    }

    private static String describe(Path store, String array, String message) {
        StringBuilder sb = new StringBuilder();
        if (store != null) {
            sb.append("store ").append(store);
        }
        if (array != null) {
            sb.append(sb.length() > 0 ? ", " : "").append("array '").append(array).append('\'');
        }
        if (sb.length() > 0) {
            sb.append(": ");
        }
        return sb.append(message).toString();
    }
}
