package dev.numpack;

/** Receives the progress of long work (imports, exports, compactions), for a progress bar or a log. */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores all updates. */
    ProgressListener NONE = (done, total) -> { };

    /**
     * Called as work advances, from the working thread.
     *
     * @param done units done so far (rows)
     * @param total units in all
     */
    void update(long done, long total);
}
