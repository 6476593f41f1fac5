package dev.numpack;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An array read in chunks of rows, in order: each step of the iteration reads one chunk into a new
 * {@link NdArray}, so memory is bounded by the chunk size whatever the array's size.
 *
 * <p>A stream is one pass: {@link #iterator()} may be called once (a second call throws
 * {@link StoreStateException} rather than yield nothing; call {@link NumPack#stream} again for another
 * pass). Close it, or read it to the end, to release the view it reads from.
 */
public final class RowStream implements Iterable<NdArray>, AutoCloseable {
    private final LazyArray view;
    private final long chunkRows;
    private boolean iterated;

    RowStream(LazyArray view, long chunkRows) {
        this.view = view;
        this.chunkRows = chunkRows;
    }

    /** @return the total rows to stream */
    public long rows() {
        return view.rows();
    }

    /** @return the rows per chunk (the last chunk may hold fewer) */
    public long chunkRows() {
        return chunkRows;
    }

    /**
     * @return the one pass over the chunks
     * @throws StoreStateException if called a second time
     */
    @Override
    public Iterator<NdArray> iterator() {
        if (iterated) {
            throw new StoreStateException(view.storePath(), view.name(),
                    "a RowStream is one pass: call NumPack.stream again to read the array again");
        }
        iterated = true;
        return new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
                return next < view.rows();
            }

            @Override
            public NdArray next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("stream of " + view.name() + " is exhausted");
                }
                long n = Math.min(chunkRows, view.rows() - next);
                NdArray chunk = view.readRows(next, n);
                next += n;
                if (!hasNext()) {
                    view.close();
                }
                return chunk;
            }
        };
    }

    /** Releases the view the stream reads from. */
    @Override
    public void close() {
        view.close();
    }

    @Override
    public String toString() {
        return "RowStream(" + view + ", " + chunkRows + " rows per chunk)";
    }
}
