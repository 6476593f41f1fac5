package dev.numpack;

import java.nio.ByteBuffer;
import java.util.function.Predicate;

/**
 * Where {@link LazyArray#scanRows} takes its pieces from, in the order it meets them: from the mapping (no
 * copy) while every piece so far was in memory, and from the file, through positional reads, from the first
 * piece found not in memory to the end of the scan. A piece without a view (deleted rows, a piece across
 * files) is always copied, and says nothing of the pieces after it.
 *
 * <p>Why the switch is for good: once a piece comes from disk, the kernel reads ahead of that file read, so the
 * next pieces soon look resident; taking them from the mapping would leave the file read's read-ahead behind
 * and have the mapping's page faults, which read ahead far less, fetch the rest: strace of a cold checkpoint
 * verify showed single 1 MiB reads waiting 10-12 ms after such pieces. As one sequential stream, the checksum
 * pass of a cold 40 MB weights-only restore took 28.0-35.9 ms (medians of 12, eight runs) against 34.9-38.5 ms
 * (four runs) before, on the project's 2-vCPU VM while other jobs ran: a small gain, within that machine's noise
 * for the restore as a whole.
 */
final class ScanSource {
    private final Predicate<ByteBuffer> resident;
    private boolean fromFile;

    /** @param resident tells whether a view's pages are in memory */
    ScanSource(Predicate<ByteBuffer> resident) {
        this.resident = resident;
    }

    /**
     * @param view the next piece as a view of the mapping, or {@code null} when it has none (deleted rows,
     *     a piece across files)
     * @return whether to pass the view itself; {@code false}: copy the piece (from the file)
     */
    boolean fromMapping(ByteBuffer view) {
        if (view == null || fromFile) {
            return false;
        }
        fromFile = !resident.test(view);
        return !fromFile;
    }
}
