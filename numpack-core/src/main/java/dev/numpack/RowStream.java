package dev.numpack;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An array read in chunks of rows, in order: each {@link #next()} reads one chunk into a new
 * {@link NdArray}, so memory is bounded by the chunk size whatever the array's size. Iterate it once;
 * close it (or exhaust it) to release the mapping.
 */
public final class RowStream implements Iterator<NdArray>, Iterable<NdArray>, AutoCloseable {
    private final LazyArray view;
    private final int chunkRows;
    private long next;

    RowStream(LazyArray view, int chunkRows) {
        this.view = view;
        this.chunkRows = chunkRows;
    }

    /** @return the total rows to stream */
    public long rows() {
        return view.rows();
    }

    @Override
    public boolean hasNext() {
        return next < view.rows();
    }

    @Override
    public NdArray next() {
        if (!hasNext()) {
            throw new NoSuchElementException("stream of " + view.name() + " is exhausted");
        }
        long end = Math.min(view.rows(), next + chunkRows);
        NdArray chunk = view.slice(next, end);
        next = end;
        if (!hasNext()) {
            view.close();
        }
        return chunk;
    }

    /** @return this stream (iterable once) */
    @Override
    public Iterator<NdArray> iterator() {
        return this;
    }

    @Override
    public void close() {
        view.close();
    }
}
