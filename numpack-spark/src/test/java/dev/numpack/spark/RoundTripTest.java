package dev.numpack.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.DType;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.io.DatasetManifest;
import dev.numpack.io.DatasetManifest.Column;
import dev.numpack.testkit.NpkLayoutScript;
import dev.numpack.testkit.Python;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes DataFrames of every supported column type, reads them back, and opens the shards without Spark. */
class RoundTripTest {
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

    /** 1000 rows in 3 ordered partitions, one column per supported scalar type and three array columns. */
    private static Dataset<Row> everyType() {
        return spark.range(0, 1000, 1, 3)
                .withColumn("flag", expr("id % 3 = 0"))
                .withColumn("i8", expr("cast(id % 100 - 50 as tinyint)"))
                .withColumn("i16", expr("cast(id * 7 - 3000 as smallint)"))
                .withColumn("i32", expr("cast(id * 100003 as int)"))
                .withColumn("f32", expr("cast(id / 7.0 as float)"))
                .withColumn("f64", expr("cast(id / 3.0 - 100 as double)"))
                .withColumn("floats", array(expr("cast(id as float)"), expr("cast(-id as float)"),
                        expr("cast(id / 2.0 as float)")))
                .withColumn("pixels", expr("transform(sequence(0, 15), k -> cast((id + k) % 256 as int))"))
                .withColumn("bytes", expr("transform(sequence(0, 4), k -> cast((id * k) % 128 as tinyint))"));
    }

    @Test
    void everyTypeComesBackWithTheSameValuesOneInputPartitionPerShard() throws Exception {
        Path dir = tmp.resolve("ds");
        Dataset<Row> df = everyType();
        df.write().format("numpack").option("shape.pixels", "4,4").save(dir.toString());

        DatasetManifest m = LocalSpark.manifest(dir);
        assertEquals(3, m.shards().size());
        assertEquals(1000, m.rows());
        assertEquals(new Column("pixels", DType.INT32, new long[] {4, 4}), m.columns().get(8));
        assertEquals(new Column("floats", DType.FLOAT32, new long[] {3}), m.columns().get(7));
        assertEquals(new Column("id", DType.INT64, new long[0]), m.columns().get(0));

        Dataset<Row> back = spark.read().format("numpack").load(dir.toString());
        assertEquals(3, back.rdd().getNumPartitions());
        assertEquals(df.schema().simpleString(), back.schema().asNullable().simpleString().replace(
                "containsNull = false", "containsNull = true"));
        assertEquals(sorted(df), sorted(back));
    }

    @Test
    void readsKeepTheWriteOrderAcrossShards() {
        Path dir = tmp.resolve("ordered");
        spark.range(0, 500, 1, 4).write().format("numpack").save(dir.toString());
        List<Row> rows = spark.read().format("numpack").load(dir.toString()).collectAsList();
        for (int i = 0; i < 500; i++) {
            assertEquals(i, rows.get(i).getLong(0));
        }
    }

    @Test
    void mlVectorsDenseAndSparseBecomeFloat64RowsAndComeBackAsDoubleArrays() throws Exception {
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label",
                DataTypes.IntegerType);
        List<Row> rows = List.of(
                RowFactory.create(Vectors.dense(1, 2, 3, 4), 0),
                RowFactory.create(Vectors.sparse(4, new int[] {1, 3}, new double[] {5, 6}), 1),
                RowFactory.create(Vectors.dense(-1, 0, 0.5, 9), 2),
                RowFactory.create(Vectors.sparse(4, new int[0], new double[0]), 3));
        Path dir = tmp.resolve("vec");
        spark.createDataFrame(rows, schema).write().format("numpack").save(dir.toString());

        DatasetManifest m = LocalSpark.manifest(dir);
        assertEquals(new Column("features", DType.FLOAT64, new long[] {4}), m.columns().get(0));
        List<Row> back = spark.read().format("numpack").load(dir.toString()).orderBy("label").collectAsList();
        assertEquals(DataTypes.createArrayType(DataTypes.DoubleType, false),
                spark.read().format("numpack").load(dir.toString()).schema().apply("features").dataType());
        for (int i = 0; i < rows.size(); i++) {
            double[] expected = ((Vector) rows.get(i).get(0)).toArray();
            List<Double> got = back.get(i).getList(0);
            assertArrayEquals(expected, got.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    @Test
    void dtypeOptionStoresNarrowerUnsignedTypesAndReadsThemWidened() throws Exception {
        Path dir = tmp.resolve("uint8");
        Dataset<Row> df = spark.range(0, 300, 1, 2)
                .withColumn("image", expr("transform(sequence(0, 5), k -> cast((id + k) % 256 as int))"))
                .withColumn("label", expr("cast(id % 10 as int)"));
        df.write().format("numpack").option("dtype.image", "uint8").option("shape.image", "2,3")
                .option("dtype.label", "uint16").save(dir.toString());
        DatasetManifest m = LocalSpark.manifest(dir);
        assertEquals(new Column("image", DType.UINT8, new long[] {2, 3}), m.columns().get(1));
        assertEquals(new Column("label", DType.UINT16, new long[0]), m.columns().get(2));

        Dataset<Row> back = spark.read().format("numpack").load(dir.toString());
        assertEquals(DataTypes.createArrayType(DataTypes.ShortType, false), back.schema().apply("image").dataType());
        assertEquals(DataTypes.IntegerType, back.schema().apply("label").dataType());
        Dataset<Row> widened = back.select(col("id"), expr("transform(image, v -> cast(v as int))").as("image"),
                col("label"));
        assertEquals(sorted(df), sorted(widened));
    }

    @Test
    void pruningReadsOnlyTheSelectedArrays() {
        Path dir = tmp.resolve("prune");
        everyType().write().format("numpack").save(dir.toString());
        Dataset<Row> two = spark.read().format("numpack").load(dir.toString()).select("f64", "id");
        String plan = two.queryExecution().executedPlan().toString();
        assertTrue(plan.contains("columns struct<id:bigint,f64:double>"), plan);
        assertEquals(1000, two.count());
        assertEquals(1000, spark.read().format("numpack").load(dir.toString()).count());
        assertEquals(499500L, two.agg(expr("sum(id)")).first().getLong(0));
    }

    @Test
    void unlistedStoreDirectoriesAreNotRead() throws Exception {
        Path dir = tmp.resolve("stray");
        spark.range(0, 10, 1, 2).write().format("numpack").save(dir.toString());
        // a leftover of a killed attempt: a complete store the manifest does not list
        try (NumPack np = NumPack.open(dir.resolve("part-00000-leftover-t99"))) {
            np.save("id", NdArray.of(new long[] {7, 7, 7}));
        }
        assertEquals(10, spark.read().format("numpack").load(dir.toString()).count());
        assertEquals(45L, spark.read().format("numpack").load(dir.toString()).agg(expr("sum(id)")).first()
                .getLong(0));
    }

    @Test
    void readsASinglePlainStore() {
        Path store = tmp.resolve("plain");
        try (NumPack np = NumPack.open(store)) {
            np.save("x", NdArray.of(new float[][] {{1, 2}, {3, 4}, {5, 6}}));
            np.save("y", NdArray.of(new long[] {10, 20, 30}));
            np.save("u", NdArray.ofUint8(new byte[] {(byte) 200, 1, 2}));
        }
        Dataset<Row> df = spark.read().format("numpack").load(store.toString());
        assertEquals(1, df.rdd().getNumPartitions());
        List<Row> rows = df.orderBy("y").collectAsList();
        assertEquals(3, rows.size());
        assertEquals(List.of(3f, 4f), rows.get(1).getList(df.schema().fieldIndex("x")));
        assertEquals(30L, rows.get(2).getLong(df.schema().fieldIndex("y")));
        assertEquals((short) 200, rows.get(0).getShort(df.schema().fieldIndex("u")));
    }

    @Test
    void shardsAreStoresThatNumPackAndThePythonLayoutOpen() throws Exception {
        Path dir = tmp.resolve("open");
        spark.range(0, 100, 1, 2).withColumn("v", array(expr("cast(id as float)"), expr("cast(id * 2 as float)")))
                .write().format("numpack").save(dir.toString());
        DatasetManifest m = LocalSpark.manifest(dir);
        long first = 0;
        for (DatasetManifest.Shard s : m.shards()) {
            try (NumPack np = NumPack.openReadOnly(m.storePath(dir, s))) {
                long[] ids = np.load("id").toLongArray();
                assertEquals(s.rows(), ids.length);
                assertEquals(first, ids[0]);
                assertArrayEquals(new long[] {s.rows(), 2}, np.shape("v"));
                assertEquals(2f * first, np.load("v").toFloatMatrix()[0][1]);
                first += ids.length;
            }
        }
        assertEquals(100, LocalSpark.rowsByNumPack(dir, "v"));

        Python.assumeAvailable();
        DatasetManifest.Shard s = m.shards().get(1);
        Path out = Files.createDirectories(tmp.resolve("dump"));
        NpkLayoutScript.run("dump", m.storePath(dir, s).toString(), out.toString());
        try (NumPack np = NumPack.openReadOnly(m.storePath(dir, s))) {
            NdArray v = np.load("v");
            byte[] expected = new byte[(int) v.byteSize()];
            v.buffer().duplicate().get(expected);
            assertArrayEquals(expected, Files.readAllBytes(out.resolve("v.raw")));
        }
    }

    /** @return the rows as strings, sorted by id (the first column), so two frames compare by value */
    private static List<String> sorted(Dataset<Row> df) {
        List<String> out = new ArrayList<>();
        for (Row r : df.orderBy("id").collectAsList()) {
            out.add(r.toString());
        }
        return out;
    }

}
