package dev.numpack.examples;

import dev.numpack.NumPack;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark half of the sharded example: Fashion-MNIST's training split becomes a sharded NumPack dataset
 * through the {@code numpack} Spark source, in local mode. The IDX files are imported once into a plain store
 * ({@link FashionMnistData}); Spark reads the training images and labels from a plain store of theirs, spreads
 * the rows over {@code shards} partitions, and writes one shard per partition with the manifest last.
 */
public final class SparkShards {
    private SparkShards() {}

    /**
     * @param runDir where {@code data.npk} (the imported IDX files) and {@code train.npk} (Spark's input) go
     * @param dataDir the IDX directory, or null for Debian's or the bundled split
     * @param dataset the sharded dataset to write (replaced if it exists)
     * @param rows how many training rows to take (0: all)
     * @param shards the number of shards
     * @param log where progress goes
     * @return the dataset's rows
     * @throws IOException if the IDX files cannot be imported
     */
    public static long write(Path runDir, Path dataDir, Path dataset, long rows, int shards, PrintStream log)
            throws IOException {
        Path data = runDir.resolve("data.npk");
        log.println(FashionMnistData.prepare(data, dataDir, log));
        Path train = runDir.resolve("train.npk");
        try (NumPack all = NumPack.openReadOnly(data);
                NumPack input = NumPack.builder().setPath(train).optDropIfExists(true).build()) {
            long n = rows > 0 ? Math.min(rows, all.shape("train_labels")[0]) : all.shape("train_labels")[0];
            // a plain store of equal-length arrays is what the numpack source reads as a table
            input.save(Map.of("image", all.load("train_images").readRows(0, n),
                    "label", all.load("train_labels").readRows(0, n)));
        }
        SparkSession spark = SparkSession.builder().master("local[2]").appName("fashion-mnist-shards")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        try {
            spark.read().format("numpack").load(train.toString())   // image: array<smallint> (uint8 widened)
                    .repartition(shards)
                    .write().format("numpack").mode("overwrite")
                    .option("shape.image", "28,28")                  // rows (28, 28) again
                    .option("dtype.image", "uint8").option("dtype.label", "uint8")
                    .save(dataset.toString());
            long n = spark.read().format("numpack").load(dataset.toString()).count();
            log.println("sharded dataset: " + n + " rows in " + shards + " shards -> " + dataset);
            return n;
        } finally {
            spark.stop();
        }
    }
}
