package dev.numpack.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;

/** Sent to the executors: makes the writer of one task attempt. */
final class NumPackWriterFactory implements DataWriterFactory {
    private static final long serialVersionUID = 1L;
    private final WriteJob job;

    NumPackWriterFactory(WriteJob job) {
        this.job = job;
    }

    @Override
    public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
        return new NumPackDataWriter(job, partitionId, taskId);
    }
}
