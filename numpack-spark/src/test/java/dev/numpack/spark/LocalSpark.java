package dev.numpack.spark;

import dev.numpack.NumPack;
import dev.numpack.io.DatasetManifest;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The tests' Spark: local mode inside the test JVM, one session per test class. */
final class LocalSpark {
    private LocalSpark() {}

    /**
     * @param master e.g. {@code local[2]}, or {@code local[2,3]} for up to 3 attempts per task
     * @return a new session (the test class stops it)
     */
    static SparkSession start(String master) {
        return SparkSession.builder().master(master).appName("numpack-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    /** @return the manifest of a dataset directory */
    static DatasetManifest manifest(Path dir) throws IOException {
        return DatasetManifest.read(dir);
    }

    /** @return the rows of array {@code name} in every shard of a dataset, counted through NumPack */
    static long rowsByNumPack(Path dir, String name) throws IOException {
        DatasetManifest m = manifest(dir);
        long n = 0;
        for (DatasetManifest.Shard s : m.shards()) {
            try (NumPack np = NumPack.openReadOnly(m.storePath(dir, s))) {
                n += np.shape(name)[0];
            }
        }
        return n;
    }
}
