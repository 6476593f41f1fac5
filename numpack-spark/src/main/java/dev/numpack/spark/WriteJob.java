package dev.numpack.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * What every task of one write job needs: where the dataset is, the job's id and the columns. Sent to the
 * executors inside the writer factory.
 *
 * @param dataset the dataset directory (a local or shared file system path, the same on every node)
 * @param jobId a fresh id for this job; every store directory it writes carries it
 * @param columns how each column is written
 * @param chunkBytes the bytes (all columns) a task gathers before each append to its store
 */
record WriteJob(String dataset, String jobId, List<ColumnSpec> columns, long chunkBytes) implements Serializable {
    /** @return the dataset directory */
    Path datasetDir() {
        return Path.of(dataset);
    }

    /**
     * One directory per task attempt, so that a retried or speculative attempt never writes where another
     * did; only the attempt whose commit message reaches the driver is listed in the manifest.
     *
     * @param partition the partition
     * @param taskId Spark's id of the task attempt, unique in the application
     * @return the store directory's name
     */
    String storeName(int partition, long taskId) {
        return String.format("part-%05d-%s-t%d", partition, jobId, taskId);
    }

    /** @return whether a directory name is that of a store this job's tasks write */
    boolean owns(String name) {
        return name.startsWith("part-") && name.contains("-" + jobId + "-t");
    }
}
