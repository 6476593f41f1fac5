package dev.numpack.spark;

import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One input partition: one shard store.
 *
 * @param store the store directory
 * @param rows its rows, as the manifest lists them
 */
record ShardPartition(String store, long rows) implements InputPartition {
}
