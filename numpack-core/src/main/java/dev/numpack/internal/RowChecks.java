package dev.numpack.internal;

import dev.numpack.InvalidArgumentException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The one owner of row-index and row-range checks and their messages, for every layer (facade, engine,
 * {@code .npy} reader): a caller's index, range or buffer that does not fit becomes an
 * {@link InvalidArgumentException} naming the store (or file) and the array. Overflow-safe for any
 * {@code long} input: nothing here multiplies counts by row sizes unchecked.
 */
public final class RowChecks {
    private RowChecks() {}

    /**
     * @param store the store or file, for the message
     * @param array the array, for the message
     * @param index a logical row index; a negative one counts from the end, as in NumPy
     * @param rows the rows there are
     * @return the index in {@code [0, rows)}
     * @throws InvalidArgumentException if it is out of range
     */
    public static long index(Path store, String array, long index, long rows) {
        long i = index < 0 ? index + rows : index;
        if (i < 0 || i >= rows) {
            throw new InvalidArgumentException(store, array, "row " + index + " out of range for " + rows + " rows");
        }
        return i;
    }

    /**
     * @param store the store or file, for the message
     * @param array the array, for the message
     * @param indices logical row indices, negative ones counting from the end
     * @param rows the rows there are
     * @return the indices, each in {@code [0, rows)}, in a new array
     * @throws InvalidArgumentException if one is out of range
     */
    public static long[] indices(Path store, String array, long[] indices, long rows) {
        long[] out = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = index(store, array, indices[i], rows);
        }
        return out;
    }

    /**
     * Checks that a caller gave one item (a new row, a destination slot) per row index.
     *
     * @param store the store or file, for the message
     * @param array the array, for the message
     * @param indices how many row indices there are
     * @param items how many items were given for them
     * @param what what the items are ("rows", "slots"), for the message
     * @throws InvalidArgumentException if the counts differ
     */
    public static void onePerIndex(Path store, String array, int indices, long items, String what) {
        if (items != indices) {
            throw new InvalidArgumentException(store, array, indices + " indices for " + items + " " + what);
        }
    }

    /**
     * Checks a range given as (first row, row count), the one convention for ranges in this library.
     *
     * @param store the store or file, for the message
     * @param array the array, for the message
     * @param start the first row
     * @param count the number of rows
     * @param rows the rows there are
     * @throws InvalidArgumentException unless {@code 0 <= start}, {@code 0 <= count} and
     *     {@code start + count <= rows}
     */
    public static void range(Path store, String array, long start, long count, long rows) {
        if (start < 0 || count < 0 || start > rows || count > rows - start) {
            throw new InvalidArgumentException(store, array, "rows (start " + start + ", count " + count
                    + ") out of range for " + rows + " rows");
        }
    }

    /**
     * Checks that a buffer has room for rows and can be written.
     *
     * @param store the store or file, for the message
     * @param array the array, for the message
     * @param dst the destination
     * @param count rows to write into it
     * @param rowBytes bytes per row
     * @throws InvalidArgumentException if {@code dst} is read-only or has less room than the rows need
     */
    public static void room(Path store, String array, ByteBuffer dst, long count, long rowBytes) {
        writable(store, array, dst);
        holds(store, array, dst, count, rowBytes);
    }

    /**
     * Checks that a destination can be written, before anything is written to it (the JDK's
     * {@link java.nio.ReadOnlyBufferException} would come after a partial write, and name nothing).
     *
     * @param store the store or file, for the message
     * @param array the array, for the message
     * @param dst the destination
     * @throws InvalidArgumentException if {@code dst} is read-only
     */
    public static void writable(Path store, String array, ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new InvalidArgumentException(store, array, "the destination buffer is read-only");
        }
    }

    /**
     * Checks a destination slot: the row of a buffer that one gathered row goes to.
     *
     * @param store the store or file, for the message
     * @param array the array, for the message
     * @param slot the slot
     * @param capacity how many rows the buffer has room for
     * @throws InvalidArgumentException unless {@code 0 <= slot < capacity}
     */
    public static void slot(Path store, String array, int slot, long capacity) {
        if (slot < 0 || slot >= capacity) {
            throw new InvalidArgumentException(store, array, "slot " + slot + " outside a buffer of " + capacity + " rows");
        }
    }

    /**
     * Checks that a buffer holds at least {@code count} rows (a source, or a destination already known to be
     * writable).
     *
     * @param store the store or file, for the message
     * @param array the array, for the message
     * @param buf the buffer
     * @param count rows
     * @param rowBytes bytes per row
     * @throws InvalidArgumentException if it has fewer bytes left than the rows need
     */
    public static void holds(Path store, String array, ByteBuffer buf, long count, long rowBytes) {
        if (count < 0 || (rowBytes > 0 && count > buf.remaining() / rowBytes)) {
            throw new InvalidArgumentException(store, array, "buffer has " + buf.remaining() + " bytes left, "
                    + count + " rows of " + rowBytes + " bytes need more");
        }
    }

    /**
     * The bytes of an array of a shape. As in NumPy, the product of the non-zero dimensions (times the item
     * size) must fit a {@code long} even when a zero dimension makes the array empty, so that no partial
     * product (a row's bytes, say) of an accepted shape can overflow.
     *
     * @param store the store or file, for the message, or {@code null}
     * @param array the array, for the message, or {@code null}
     * @param itemSize the bytes of one element
     * @param typeName the element type's name, for the message
     * @param shape the shape (no negative dimension)
     * @return the bytes, 0 if a dimension is 0
     * @throws InvalidArgumentException if the non-zero dimensions need more than {@link Long#MAX_VALUE} bytes
     */
    public static long shapeBytes(Path store, String array, long itemSize, String typeName, long[] shape) {
        long n = itemSize;
        boolean empty = false;
        try {
            for (long d : shape) {
                if (d == 0) {
                    empty = true;
                } else {
                    n = Math.multiplyExact(n, d);
                }
            }
        } catch (ArithmeticException e) {
            throw new InvalidArgumentException(store, array, "shape " + Arrays.toString(shape) + " of "
                    + typeName + " has more than " + Long.MAX_VALUE + " bytes", e);
        }
        return empty ? 0 : n;
    }

    /**
     * The shape of an array after rows are appended, refused before anything is written if it could not be
     * stored: a row count past {@link Long#MAX_VALUE} would wrap negative and the store would refuse its
     * own metadata.
     *
     * @param store the store, for the message
     * @param array the array, for the message
     * @param itemSize the bytes of one element
     * @param typeName the element type's name, for the message
     * @param shape the array's shape now (at least one dimension)
     * @param add the rows appended (not negative)
     * @return the grown shape, in a new array
     * @throws InvalidArgumentException if the rows or the bytes of the grown array overflow a {@code long}
     */
    public static long[] appended(Path store, String array, long itemSize, String typeName, long[] shape, long add) {
        long[] grown = shape.clone();
        if (add > Long.MAX_VALUE - grown[0]) {
            throw new InvalidArgumentException(store, array, "appending " + add + " rows to " + grown[0]
                    + " rows makes more than " + Long.MAX_VALUE + " rows: nothing changed");
        }
        grown[0] += add;
        shapeBytes(store, array, itemSize, typeName, grown);
        return grown;
    }
}
