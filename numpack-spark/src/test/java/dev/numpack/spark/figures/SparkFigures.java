package dev.numpack.spark.figures;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import dev.numpack.io.IdxReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The figures of the README's "Preparing data with Spark": write and read throughput of the {@code numpack}
 * source against Spark's own Parquet writer and reader on the same cached DataFrame, in local mode, and the
 * size on disk. Not a test: run it through the {@code figures} profile (see the README for the command).
 *
 * <p>The DataFrame: {@code rows} rows of (image: 784 pixels, label: int), the pixels being Fashion-MNIST's
 * training images (cycled) as {@code array<tinyint>} (kind {@code int8}) or scaled to {@code array<float>}
 * (kind {@code float32}). It is cached first so that both writers read the same rows from memory. Each
 * write and read runs {@value #RUNS} times; the best run counts. Reads go to Spark's {@code noop} sink, which
 * materializes every column of every row.
 */
public final class SparkFigures {
    private static final int RUNS = 2;
    private static final int PIXELS = 784;

    private SparkFigures() {}

    /**
     * @param args rows (default 1000000), kind (int8 or float32, default int8), partitions (default 8), the
     *     Fashion-MNIST directory (default /usr/share/datasets/fashion-mnist), the work directory (default
     *     target/figures)
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        String kind = args.length > 1 ? args[1] : "int8";
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path idx = Path.of(args.length > 3 ? args[3] : "/usr/share/datasets/fashion-mnist");
        Path work = Path.of(args.length > 4 ? args[4] : "target/figures").toAbsolutePath();
        SparkSession spark = SparkSession.builder().master("local[2]").appName("numpack-figures")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        try {
            Dataset<Row> df = frame(spark, idx, rows, kind, partitions).cache();
            long n = df.count();
            System.out.printf(Locale.ROOT, "rows %d, image %s[%d] + label int32, %d partitions, local[2], %s%n",
                    n, kind, PIXELS, partitions, System.getProperty("java.version"));
            Path np = work.resolve("numpack-" + kind);
            Path pq = work.resolve("parquet-" + kind);
            double wNp = best(() -> df.write().format("numpack").mode("overwrite").save(np.toString()));
            double wPq = best(() -> df.write().mode("overwrite").parquet(pq.toString()));
            double rNp = best(() -> spark.read().format("numpack").load(np.toString()).write().format("noop")
                    .mode("overwrite").save());
            double rPq = best(() -> spark.read().parquet(pq.toString()).write().format("noop").mode("overwrite")
                    .save());
            long sNp = size(np);
            long sPq = size(pq);
            System.out.println("| format | write s | write rows/s | read s | read rows/s | size on disk MiB |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            line("numpack", n, wNp, rNp, sNp);
            line("parquet (snappy)", n, wPq, rPq, sPq);
        } finally {
            spark.stop();
        }
    }

    private static void line(String name, long n, double write, double read, long bytes) {
        System.out.printf(Locale.ROOT, "| %s | %.1f | %,.0f | %.1f | %,.0f | %.0f |%n", name, write, n / write, read,
                n / read, bytes / 1048576.0);
    }

    private static Dataset<Row> frame(SparkSession spark, Path idx, long rows, String kind, int partitions) {
        byte[] pixels;
        byte[] labels;
        try (IdxReader images = IdxReader.open(idx.resolve("train-images-idx3-ubyte.gz"));
                IdxReader lab = IdxReader.open(idx.resolve("train-labels-idx1-ubyte.gz"))) {
            pixels = images.load().toByteArray();
            labels = lab.load().toByteArray();
        }
        int count = labels.length;
        boolean floats = kind.equals("float32");
        List<Row> base = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Object[] image = new Object[PIXELS];
            for (int k = 0; k < PIXELS; k++) {
                int p = pixels[i * PIXELS + k] & 0xFF;
                image[k] = floats ? (Object) (p / 255f) : (Object) (byte) p;
            }
            base.add(RowFactory.create(i, image, labels[i] & 0xFF));
        }
        StructType schema = new StructType().add("idx", DataTypes.IntegerType)
                .add("image", DataTypes.createArrayType(floats ? DataTypes.FloatType : DataTypes.ByteType, false))
                .add("label", DataTypes.IntegerType);
        Dataset<Row> images = spark.createDataFrame(base, schema);
        return spark.range(0, rows, 1, partitions).withColumn("idx", expr("cast(id % " + count + " as int)"))
                .join(broadcast(images), "idx").select(col("image"), col("label"));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static double best(Step step) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < RUNS; i++) {
            long t = System.nanoTime();
            step.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

}
