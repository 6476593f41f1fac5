package dev.numpack.spark;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * Writes one partition, in one task attempt, into its own plain NumPack store: rows are gathered per column in
 * chunks of about {@link WriteJob#chunkBytes} bytes (option {@value WriteOptions#CHUNK_BYTES}), each appended
 * to the store in one atomic, durable commit (NumPack's default {@code Durability.FSYNC}), so the store is complete and durable when {@link #commit}
 * returns and the driver may list it. An aborted attempt deletes its store.
 */
final class NumPackDataWriter implements DataWriter<InternalRow> {
    private final WriteJob job;
    private final int partition;
    private final Path storeDir;
    private final List<ColumnChunk> chunks = new ArrayList<>();
    private NumPack store;
    private int capacity;
    private int held;
    private long rows;
    private boolean arraysCreated;

    NumPackDataWriter(WriteJob job, int partition, long taskId) {
        this.job = job;
        this.partition = partition;
        this.storeDir = job.datasetDir().resolve(job.storeName(partition, taskId));
        for (ColumnSpec c : job.columns()) {
            chunks.add(new ColumnChunk(c, job.datasetDir(), partition));
        }
    }

    @Override
    public void write(InternalRow row) throws IOException {
        if (capacity == 0) {
            long rowBytes = 0;
            for (ColumnChunk c : chunks) {
                rowBytes += c.learn(row);
            }
            capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE / 16, job.chunkBytes() / Math.max(1, rowBytes)));
            for (ColumnChunk c : chunks) {
                c.allocate(capacity);
            }
        }
        for (ColumnChunk c : chunks) {
            c.add(row, rows);
        }
        rows++;
        if (++held == capacity) {
            flush();
        }
    }

    private void flush() {
        if (held == 0) {
            return;
        }
        if (store == null) {
            store = NumPack.open(storeDir);
        }
        Map<String, NdArray> arrays = new LinkedHashMap<>();
        for (ColumnChunk c : chunks) {
            arrays.put(c.name(), c.take());
        }
        if (arraysCreated) {
            store.append(arrays);
        } else {
            store.save(arrays);
            arraysCreated = true;
        }
        for (ColumnChunk c : chunks) {
            c.clear();
        }
        held = 0;
    }

    @Override
    public WriterCommitMessage commit() throws IOException {
        flush();
        close();
        List<long[]> shapes = new ArrayList<>();
        for (ColumnChunk c : chunks) {
            shapes.add(c.rowShape());
        }
        return new ShardCommitMessage(partition, rows > 0 ? storeDir.getFileName().toString() : null, rows, shapes);
    }

    @Override
    public void abort() throws IOException {
        close();
        DatasetFiles.deleteTree(storeDir);
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
            store = null;
        }
    }
}
