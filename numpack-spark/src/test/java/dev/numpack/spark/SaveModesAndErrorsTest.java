package dev.numpack.spark;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.io.DatasetManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save modes errorifexists, ignore, overwrite and append; bad rows and bad options refused with clear errors. */
class SaveModesAndErrorsTest {
    private static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("local[2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Dataset<Row> ids(long from, long to, int partitions) {
        return spark.range(from, to, 1, partitions).withColumn("x", expr("cast(id * 2 as float)"));
    }

    private static long count(Path dir) {
        return spark.read().format("numpack").load(dir.toString()).count();
    }

    private static long sum(Path dir) {
        return spark.read().format("numpack").load(dir.toString()).agg(expr("sum(id)")).first().getLong(0);
    }

    // ------------------------------------------------------------------ save modes

    @Test
    void errorIfExistsIsTheDefaultAndLeavesAnExistingDatasetAlone() throws Exception {
        Path dir = tmp.resolve("ds");
        ids(0, 10, 2).write().format("numpack").save(dir.toString());
        DatasetManifest before = LocalSpark.manifest(dir);
        Exception e = assertThrows(Exception.class,
                () -> ids(0, 5, 1).write().format("numpack").save(dir.toString()));
        assertTrue(Failures.messages(e).contains("already here"), Failures.messages(e));
        assertEquals(before, LocalSpark.manifest(dir));
        assertEquals(10, count(dir));
    }

    @Test
    void errorIfExistsWritesWhereOnlyUnlistedLeftoversLie() throws Exception {
        Path dir = tmp.resolve("leftovers");
        try (NumPack np = NumPack.open(dir.resolve("part-00000-dead-job-t3"))) {
            np.save("id", NdArray.of(new long[] {1}));
        }
        ids(0, 4, 2).write().format("numpack").mode("errorifexists").save(dir.toString());
        assertEquals(4, count(dir));
    }

    @Test
    void ignoreWritesOnlyWhereNothingIs() {
        Path dir = tmp.resolve("ignore");
        ids(0, 10, 2).write().format("numpack").mode("ignore").save(dir.toString());
        ids(100, 105, 1).write().format("numpack").mode("ignore").save(dir.toString());
        assertEquals(10, count(dir));
        assertEquals(45, sum(dir));
    }

    @Test
    void overwriteReplacesTheDatasetAndRemovesTheOldShardsAfterward() throws Exception {
        Path dir = tmp.resolve("over");
        ids(0, 10, 2).write().format("numpack").save(dir.toString());
        List<Path> old = LocalSpark.manifest(dir).shards().stream()
                .map(s -> dir.resolve(s.store())).collect(Collectors.toList());
        spark.range(100, 106, 1, 3).withColumn("other", expr("id % 2 = 0")).write().format("numpack")
                .mode("overwrite").save(dir.toString());

        DatasetManifest m = LocalSpark.manifest(dir);
        assertEquals(3, m.shards().size());
        assertEquals(List.of("id", "other"), m.columns().stream().map(DatasetManifest.Column::name).toList());
        for (Path p : old) {
            assertFalse(Files.exists(p), p + " should have been removed");
        }
        assertEquals(6, count(dir));
        assertEquals(615, sum(dir));
    }

    @Test
    void appendListsTheOldShardsThenTheNewOnes() throws Exception {
        Path dir = tmp.resolve("append");
        ids(0, 10, 2).write().format("numpack").mode("append").save(dir.toString());
        DatasetManifest first = LocalSpark.manifest(dir);
        ids(10, 15, 1).write().format("numpack").mode("append").save(dir.toString());
        DatasetManifest both = LocalSpark.manifest(dir);
        assertEquals(3, both.shards().size());
        assertEquals(first.shards(), both.shards().subList(0, 2));
        assertEquals(15, count(dir));
        assertEquals(105, sum(dir));
        List<Row> rows = spark.read().format("numpack").load(dir.toString()).collectAsList();
        for (int i = 0; i < 15; i++) {
            assertEquals(i, rows.get(i).getLong(0));
        }
    }

    @Test
    void appendOfOtherColumnsIsRefusedAndTheDatasetStays() throws Exception {
        Path dir = tmp.resolve("append-bad");
        ids(0, 10, 2).write().format("numpack").save(dir.toString());
        DatasetManifest before = LocalSpark.manifest(dir);
        Exception e = assertThrows(Exception.class, () -> spark.range(0, 3, 1, 1)
                .withColumn("x", expr("cast(id as double)")).write().format("numpack").mode("append")
                .save(dir.toString()));
        assertTrue(Failures.messages(e).contains("append: the dataset's column x float32[] differs from the"
                + " written x float64[]"), Failures.messages(e));
        assertEquals(before, LocalSpark.manifest(dir));
        assertEquals(10, count(dir));
    }

    @Test
    void overwriteAndAppendRefuseAPlainStore() {
        Path store = tmp.resolve("plain");
        try (NumPack np = NumPack.open(store)) {
            np.save("id", NdArray.of(new long[] {1, 2}));
        }
        for (String mode : List.of("overwrite", "append", "errorifexists")) {
            Exception e = assertThrows(Exception.class,
                    () -> ids(0, 3, 1).write().format("numpack").mode(mode).save(store.toString()));
            assertTrue(Failures.messages(e).contains("store"), Failures.messages(e));
        }
        assertFalse(DatasetManifest.isDataset(store));
        assertEquals(2, count(store));
    }

    // ------------------------------------------------------------------ bad rows and options

    private static String failedWrite(Dataset<Row> df, Path dir, String... options) {
        var w = df.write().format("numpack");
        for (int i = 0; i < options.length; i += 2) {
            w = w.option(options[i], options[i + 1]);
        }
        var writer = w;
        Exception e = assertThrows(Exception.class, () -> writer.save(dir.toString()));
        assertFalse(DatasetManifest.isDataset(dir), "no manifest after a failed write");
        return Failures.messages(e);
    }

    @Test
    void aNullNamesTheColumnThePartitionAndTheRow() {
        // partition 1 holds ids 5..9: id 7 is its row 2
        String m = failedWrite(spark.range(0, 10, 1, 2).withColumn("x", expr("if(id = 7, null, id)")),
                tmp.resolve("null"));
        assertTrue(m.contains("column 'x', partition 1: row 2 is null"), m);
    }

    @Test
    void aNullArrayElementIsRefused() {
        String m = failedWrite(spark.range(0, 10, 1, 2).withColumn("a",
                expr("array(cast(id as int), if(id = 3, null, 1))")), tmp.resolve("null-elem"));
        assertTrue(m.contains("column 'a', partition 0: row 3 has a null element at index 1"), m);
    }

    @Test
    void aDifferingLengthInAPartitionNamesColumnPartitionAndRow() {
        String m = failedWrite(spark.range(0, 10, 1, 2).withColumn("a",
                expr("sequence(0, if(id = 8, 2, 3))")), tmp.resolve("len"));
        assertTrue(m.contains("column 'a', partition 1: row 3 has 3 elements, the column's rows have 4"), m);
    }

    @Test
    void lengthsThatDifferBetweenPartitionsAreRefusedAtCommit() {
        String m = failedWrite(spark.range(0, 10, 1, 2).withColumn("a",
                expr("sequence(0, if(id < 5, 2, 3))")), tmp.resolve("len2"));
        assertTrue(m.contains("column 'a': partition 1 wrote rows of shape [4], partition 0 rows of shape [3]"), m);
    }

    @Test
    void aShapeOptionThatDoesNotFitTheRowsIsRefused() {
        String m = failedWrite(spark.range(0, 4, 1, 2).withColumn("a", expr("sequence(0, 3)")),
                tmp.resolve("shape"), "shape.a", "2,3");
        assertTrue(m.contains("row 0 has 4 elements, the column's rows have 6 (shape [2, 3])"), m);
    }

    @Test
    void valuesOutsideTheDtypeOptionsRangeAreRefused() {
        String m = failedWrite(spark.range(250, 260, 1, 1).withColumn("v", expr("cast(id as int)")),
                tmp.resolve("range"), "dtype.v", "uint8");
        assertTrue(m.contains("column 'v', partition 0: row 6 holds 256, outside uint8's range [0, 255]"), m);
    }

    @Test
    void unsupportedTypesAndOptionsAreRefusedBeforeAnyTaskRuns() {
        Dataset<Row> strings = spark.range(0, 2).withColumn("s", expr("cast(id as string)"));
        assertTrue(failedWrite(strings, tmp.resolve("str")).contains("column 's' has Spark type string"));
        assertTrue(failedWrite(ids(0, 2, 1), tmp.resolve("opt"), "shape.nope", "2")
                .contains("option shape.nope names no column"));
        assertTrue(failedWrite(ids(0, 2, 1), tmp.resolve("opt2"), "shape.id", "2")
                .contains("applies to array and vector columns"));
        assertTrue(failedWrite(ids(0, 2, 1), tmp.resolve("opt3"), "dtype.x", "int32")
                .contains("does not take float values"));
        assertFalse(Files.exists(tmp.resolve("str")));
    }
}
