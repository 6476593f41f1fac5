package dev.numpack.internal.format;

/**
 * A {@link FormatException} that more bytes could cure: the bytes end where the format needs more. A
 * reader that decodes a file's first bytes only (so that its memory follows what the records need, not
 * what the file's size claims) reads further on this and fails on any other.
 */
public class TruncatedException extends FormatException {
    private static final long serialVersionUID = 1L;

    /** @param message what the bytes end before */
    public TruncatedException(String message) {
        super(message);
    }
}
