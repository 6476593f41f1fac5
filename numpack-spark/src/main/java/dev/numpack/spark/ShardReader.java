package dev.numpack.spark;

import dev.numpack.LazyArray;
import dev.numpack.NumPack;
import dev.numpack.StoreStateException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.read.PartitionReader;

/**
 * Reads one shard store: the required columns only, in chunks of about {@value #CHUNK_BYTES} bytes read with
 * {@link LazyArray#readRows} (positional reads of the mapped store), turned into rows.
 */
final class ShardReader implements PartitionReader<InternalRow> {
    /** The bytes (all required columns) read from the store at a time. */
    static final long CHUNK_BYTES = 8L << 20;

    private final List<ReadColumn> columns;
    private final NumPack store;
    private final LazyArray[] arrays;
    private final ByteBuffer[] chunks;
    private final long rows;
    private final int chunkRows;
    private long next;
    private int inChunk;
    private int chunkFilled;
    private InternalRow current;

    ShardReader(ShardPartition shard, List<ReadColumn> columns) {
        this.columns = columns;
        this.rows = shard.rows();
        Path path = Path.of(shard.store());
        this.store = NumPack.openReadOnly(path);
        this.arrays = new LazyArray[columns.size()];
        this.chunks = new ByteBuffer[columns.size()];
        long rowBytes = 0;
        try {
            for (int i = 0; i < arrays.length; i++) {
                arrays[i] = store.lazy(columns.get(i).name());
                if (arrays[i].rows() != rows) {
                    throw new StoreStateException(path, columns.get(i).name(), "array '" + columns.get(i).name()
                            + "' has " + arrays[i].rows() + " rows, the manifest lists " + rows);
                }
                rowBytes += columns.get(i).rowBytes();
            }
            chunkRows = (int) Math.max(1, Math.min(rows, CHUNK_BYTES / Math.max(1, rowBytes)));
            for (int i = 0; i < arrays.length; i++) {
                chunks[i] = ByteBuffer.allocateDirect(Math.toIntExact(chunkRows * columns.get(i).rowBytes()))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public boolean next() {
        if (next == rows) {
            return false;
        }
        if (inChunk == chunkFilled) {
            int n = (int) Math.min(chunkRows, rows - next);
            for (int i = 0; i < arrays.length; i++) {
                chunks[i].clear();
                arrays[i].readRows(next, n, chunks[i]);
                // set the window explicitly: readRows writes at the position, whether it moves it or not
                chunks[i].limit((int) (n * columns.get(i).rowBytes())).position(0);
            }
            chunkFilled = n;
            inChunk = 0;
        }
        Object[] values = new Object[arrays.length];
        for (int i = 0; i < values.length; i++) {
            ReadColumn c = columns.get(i);
            values[i] = c.rowElements() < 0 ? c.scalar(chunks[i]) : c.row(chunks[i]);
        }
        current = new GenericInternalRow(values);
        inChunk++;
        next++;
        return true;
    }

    @Override
    public InternalRow get() {
        return current;
    }

    @Override
    public void close() {
        for (LazyArray a : arrays) {
            if (a != null) {
                a.close();
            }
        }
        store.close();
    }
}
