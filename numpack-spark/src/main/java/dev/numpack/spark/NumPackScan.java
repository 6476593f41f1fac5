package dev.numpack.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A batch scan of a dataset: one input partition per shard, reading only the columns the query needs
 * (column pruning; an empty selection, as for {@code count()}, reads no array at all).
 */
final class NumPackScan implements ScanBuilder, SupportsPushDownRequiredColumns, Scan, Batch {
    private final ReadPlan plan;
    private List<ReadColumn> columns;

    NumPackScan(ReadPlan plan, List<ReadColumn> columns) {
        this.plan = plan;
        this.columns = columns;
    }

    @Override
    public void pruneColumns(StructType required) {
        List<ReadColumn> kept = new ArrayList<>();
        for (StructField f : required.fields()) {
            for (ReadColumn c : columns) {
                if (c.name().equals(f.name())) {
                    kept.add(c);
                }
            }
        }
        columns = kept;
    }

    @Override
    public Scan build() {
        return this;
    }

    @Override
    public StructType readSchema() {
        return ReadColumn.schema(columns);
    }

    @Override
    public String description() {
        return "numpack " + plan.shards().size() + " shard(s), columns " + readSchema().simpleString();
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
        return plan.shards().toArray(new InputPartition[0]);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        return new ReaderFactory(List.copyOf(columns));
    }

    /** Sent to the executors: opens the reader of one shard. */
    private record ReaderFactory(List<ReadColumn> columns) implements PartitionReaderFactory {
        @Override
        public PartitionReader<InternalRow> createReader(InputPartition partition) {
            return new ShardReader((ShardPartition) partition, columns);
        }
    }
}
