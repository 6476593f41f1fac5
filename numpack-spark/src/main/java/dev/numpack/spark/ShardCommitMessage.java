package dev.numpack.spark;

import java.util.List;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What a task attempt that committed tells the driver.
 *
 * @param partition the partition it wrote
 * @param store its store directory's name, or null if the partition had no rows (no store is written)
 * @param rows the rows it wrote
 * @param rowShapes the shape of one row per column, in the job's column order (null for a column whose row
 *     length the data had to tell and no row did)
 */
record ShardCommitMessage(int partition, String store, long rows, List<long[]> rowShapes)
        implements WriterCommitMessage {
}
