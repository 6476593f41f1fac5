package dev.numpack.spark;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.io.DatasetManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failed and retried tasks, with up to 3 attempts per task ({@code local[2,3]}): a job that fails leaves no
 * dataset a reader would take (and a failed append leaves the previous one), a task retried after it had
 * appended rows to its store leaves no duplicate.
 */
class FailedJobTest {
    private static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("local[2,3]");
        // fails every attempt at id 77
        spark.udf().register("alwaysFailAt77", (UDF1<Long, Long>) id -> {
            if (id == 77) {
                throw new IllegalStateException("injected failure at id 77");
            }
            return id;
        }, DataTypes.LongType);
        // fails the first attempt of partition 1 at its 40th row, after several appends to its store
        spark.udf().register("failFirstAttempt", (UDF1<Long, Long>) id -> {
            TaskContext t = TaskContext.get();
            if (t.partitionId() == 1 && t.attemptNumber() == 0 && id == 89) {
                throw new IllegalStateException("injected failure of the first attempt");
            }
            return id;
        }, DataTypes.LongType);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<Path> storeDirs(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("part-")).toList();
        }
    }

    @Test
    void aFailedJobLeavesNoDatasetAndNoStores() throws Exception {
        Path dir = tmp.resolve("failed");
        Exception e = assertThrows(Exception.class, () -> spark.range(0, 100, 1, 2)
                .withColumn("id", callUDF("alwaysFailAt77", col("id"))).write().format("numpack")
                .option("chunk.bytes", "64").save(dir.toString()));
        assertTrue(Failures.messages(e).contains("injected failure at id 77"), Failures.messages(e));
        assertFalse(DatasetManifest.isDataset(dir));
        assertEquals(List.of(), storeDirs(dir));
        Exception read = assertThrows(Exception.class, () -> spark.read().format("numpack").load(dir.toString())
                .count());
        assertTrue(Failures.messages(read).contains("no NumPack dataset"), Failures.messages(read));
    }

    @Test
    void aFailedAppendLeavesThePreviousDataset() throws Exception {
        Path dir = tmp.resolve("kept");
        spark.range(0, 10, 1, 2).write().format("numpack").save(dir.toString());
        DatasetManifest before = LocalSpark.manifest(dir);
        assertThrows(Exception.class, () -> spark.range(70, 100, 1, 2)
                .withColumn("id", callUDF("alwaysFailAt77", col("id"))).write().format("numpack")
                .option("chunk.bytes", "64").mode("append").save(dir.toString()));
        assertEquals(before, LocalSpark.manifest(dir));
        assertEquals(10, spark.read().format("numpack").load(dir.toString()).count());
        assertEquals(2, storeDirs(dir).size());
    }

    @Test
    void aRetriedTaskLeavesNoDuplicates() throws Exception {
        Path dir = tmp.resolve("retried");
        // 8-byte rows, 64-byte chunks: the failing attempt has appended 4 chunks to its store when it fails
        spark.range(0, 100, 1, 2).withColumn("id", callUDF("failFirstAttempt", col("id"))).write()
                .format("numpack").option("chunk.bytes", "64").save(dir.toString());
        DatasetManifest m = LocalSpark.manifest(dir);
        assertEquals(100, m.rows());
        assertEquals(2, m.shards().size());
        assertEquals(2, storeDirs(dir).size(), "the failed attempt's store is removed: " + storeDirs(dir));
        List<Row> rows = spark.read().format("numpack").load(dir.toString()).collectAsList();
        Set<Long> ids = new HashSet<>();
        for (Row r : rows) {
            assertTrue(ids.add(r.getLong(0)), "duplicate id " + r.getLong(0));
        }
        assertEquals(100, ids.size());
        assertEquals(100, LocalSpark.rowsByNumPack(dir, "id"));
    }
}
