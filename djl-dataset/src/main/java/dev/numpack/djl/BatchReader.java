package dev.numpack.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.numpack.InvalidArgumentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reads one whole batch: every column's rows in one gather, in file order, straight into the memory of
 * the {@code NDArray} that the batch hands to the model.
 *
 * <p>Where the batch's tensors live on the CPU and the engine hands out a direct buffer over a tensor's own
 * memory ({@link TensorMemory}, which PyTorch does), the reader makes an uninitialised
 * tensor and gathers into its memory: no copy after the gather, no zeroing, and the memory is freed when
 * the batch is closed rather than when a garbage collection gets to a direct buffer. Otherwise it gathers
 * into a new direct little-endian buffer and lets the engine wrap it ({@code NDManager.create(Buffer, ...)},
 * which PyTorch does without a copy, or copies to the device).
 */
final class BatchReader {
    private final Path store;
    private final List<Column> features;
    private final List<Column> labels;

    BatchReader(Path store, List<Column> features, List<Column> labels) {
        this.store = store;
        this.features = List.copyOf(features);
        this.labels = List.copyOf(labels);
    }

    /**
     * @param manager where the arrays are made
     * @param rows the store rows of the batch, in batch order
     * @return {data, labels}, each with one array of shape {@code (rows.length, ...)} per column
     */
    NDList[] read(NDManager manager, long[] rows) {
        int n = rows.length;
        long[] sorted = new long[n];
        int[] slots = new int[n];
        sortWithSlots(rows, sorted, slots);
        return arrays(manager, c -> c.shape(n), sorted, slots);
    }

    /** @return {data, labels}: one array per column, of the given shape, filled from {@code rows} */
    private NDList[] arrays(NDManager manager, java.util.function.Function<Column, Shape> shape, long[] rows,
            int[] slots) {
        NDList data = new NDList(features.size());
        NDList label = new NDList(labels.size());
        try {
            for (Column c : features) {
                data.add(array(manager, c, shape.apply(c), rows, slots));
            }
            for (Column c : labels) {
                label.add(array(manager, c, shape.apply(c), rows, slots));
            }
        } catch (RuntimeException e) {
            data.close();
            label.close();
            throw e;
        }
        return new NDList[] {data, label};
    }

    /**
     * Sorts rows into ascending file order, remembering where each goes in the batch:
     * {@code sorted[k] = rows[slots[k]]}. Row and slot are packed into one long and sorted as primitives
     * when they fit (rows below 2^(63 - bits of the batch size)), else sorted as boxed indices.
     */
    static void sortWithSlots(long[] rows, long[] sorted, int[] slots) {
        int n = rows.length;
        int bits = n <= 1 ? 1 : 32 - Integer.numberOfLeadingZeros(n - 1);
        long limit = 1L << (63 - bits);
        boolean packable = true;
        for (long r : rows) {
            packable &= r >= 0 && r < limit;
        }
        if (packable) {
            long[] packed = new long[n];
            for (int k = 0; k < n; k++) {
                packed[k] = rows[k] << bits | k;
            }
            Arrays.sort(packed);
            long mask = (1L << bits) - 1;
            for (int k = 0; k < n; k++) {
                sorted[k] = packed[k] >>> bits;
                slots[k] = (int) (packed[k] & mask);
            }
            return;
        }
        Integer[] order = new Integer[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        Arrays.sort(order, Comparator.comparingLong(k -> rows[k]));
        for (int k = 0; k < n; k++) {
            sorted[k] = rows[order[k]];
            slots[k] = order[k];
        }
    }

    /**
     * @return {data, labels} of one row, each array of the row's own shape (no batch axis)
     */
    NDList[] readRow(NDManager manager, long row) {
        return arrays(manager, BatchReader::rowShape, new long[] {row}, new int[] {0});
    }

    private static Shape rowShape(Column c) {
        Shape s = c.shape(1);
        return s.slice(1);
    }

    private NDArray array(NDManager manager, Column c, Shape shape, long[] rows, int[] slots) {
        long bytes = c.bytes(rows.length);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new InvalidArgumentException(store, c.name(), rows.length + " rows take " + bytes
                    + " bytes, more than one buffer holds (2 GiB): use smaller batches");
        }
        String engine = manager.getEngine().getEngineName();
        if (c.type() == DataType.INT16 && Column.abortsOnInt16(engine)) {
            // the dataset was built for another engine; this one would abort the JVM
            throw new UnsupportedDTypeException(store, c.name(), "element type int16: DJL's " + engine
                    + " engine has no int16 tensors (creating one aborts the JVM); build the dataset with "
                    + "optConvertTypes(true) to read it as int32");
        }
        if (bytes == 0) {
            return manager.create(shape, c.type());
        }
        if (!copyPathOnly && TensorMemory.shares(manager)) {
            NDArray nd = manager.create(shape, c.type()); // uninitialised: the gather writes every byte
            try {
                ByteBuffer own = TensorMemory.own(nd);
                if (own != null) {
                    c.fill(rows, slots, own);
                    return nd;
                }
            } catch (RuntimeException e) {
                nd.close();
                throw e;
            }
            nd.close();
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        c.fill(rows, slots, buf);
        return manager.create(buf, shape, c.type());
    }

    /** For tests: {@code true} makes every batch take the path other engines and devices take. */
    static volatile boolean copyPathOnly;
}
