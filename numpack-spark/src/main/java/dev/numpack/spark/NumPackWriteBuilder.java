package dev.numpack.spark;

import java.nio.file.Path;
import java.util.UUID;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;

/** Builds one write job: an append, or (after {@link #truncate}) an overwrite. Checks the options first. */
final class NumPackWriteBuilder implements WriteBuilder, SupportsTruncate {
    private final Path dataset;
    private final LogicalWriteInfo info;
    private boolean overwrite;

    NumPackWriteBuilder(Path dataset, LogicalWriteInfo info) {
        this.dataset = dataset;
        this.info = info;
    }

    @Override
    public WriteBuilder truncate() {
        overwrite = true;
        return this;
    }

    @Override
    public Write build() {
        WriteJob job = new WriteJob(dataset.toString(), UUID.randomUUID().toString(),
                WriteOptions.columns(dataset, info.schema(), info.options()),
                WriteOptions.chunkBytes(dataset, info.options()));
        boolean ow = overwrite;
        return new Write() {
            @Override
            public BatchWrite toBatch() {
                return new NumPackBatchWrite(job, ow);
            }

            @Override
            public String description() {
                return "numpack " + (ow ? "overwrite " : "append ") + dataset;
            }
        };
    }
}
