package dev.numpack.spark;

import dev.numpack.InvalidArgumentException;
import dev.numpack.io.DatasetManifest.Column;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.CreatableRelationProvider;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The Spark data source {@code numpack} (registered in {@code META-INF/services}).
 *
 * <pre>{@code
 * df.write().format("numpack").mode("overwrite").option("shape.image", "28,28").save("/data/fashion");
 * Dataset<Row> back = spark.read().format("numpack").load("/data/fashion");
 * }</pre>
 *
 * <p>Reads and the write jobs are DataSource V2 ({@link NumPackTable}; the commit protocol is
 * {@link NumPackBatchWrite}'s). Spark hands a V2 source that has no catalog only the append and overwrite
 * modes, so a {@code df.write().save(...)} first arrives here as a V1 {@link CreatableRelationProvider} call,
 * which knows the save mode: errorifexists (the default) and ignore look for a dataset or store at the path,
 * overwrite refuses to replace a plain store, and then the write runs as a V2 append or overwrite job.
 */
public final class NumPackDataSource implements TableProvider, DataSourceRegister, CreatableRelationProvider {
    /** The short name for {@code format(...)}. */
    public static final String SHORT_NAME = "numpack";
    /** Set only on the V2 writes this class starts: the table then offers batch writes. */
    static final String V2_WRITE = "__numpack_v2_write";

    /** For Spark's service loader. */
    public NumPackDataSource() {}

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public boolean supportsExternalMetadata() {
        return true;
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        Path path = path(options);
        List<ReadColumn> columns = new ArrayList<>();
        for (Column c : ReadPlan.at(path).columns()) {
            columns.add(ReadColumn.of(path, c));
        }
        return ReadColumn.schema(columns);
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        CaseInsensitiveStringMap options = new CaseInsensitiveStringMap(properties);
        Path path = path(options);
        if (partitioning.length > 0) {
            throw new InvalidArgumentException(path, null, "numpack datasets are not partitioned by columns"
                    + " (partitionBy); each Spark partition becomes one shard");
        }
        return new NumPackTable(path, schema, options.getBoolean(V2_WRITE, false));
    }

    /**
     * Applies the save mode, then writes {@code data} through the V2 write path.
     *
     * @param sqlContext Spark's context
     * @param mode the save mode
     * @param parameters the writer's options, with the path
     * @param data the rows to write
     * @return the written dataset as a relation (its schema is {@code data}'s)
     */
    @Override
    public BaseRelation createRelation(SQLContext sqlContext, SaveMode mode,
            scala.collection.immutable.Map<String, String> parameters, Dataset<Row> data) {
        Map<String, String> options = javaMap(parameters);
        Path path = path(new CaseInsensitiveStringMap(options));
        boolean exists = ReadPlan.existsAt(path);
        SaveMode v2Mode = SaveMode.Append;
        switch (mode) {
            case ErrorIfExists -> {
                if (exists) {
                    throw new InvalidArgumentException(path, null, "a NumPack dataset or store is already here"
                            + " (save mode errorifexists; use overwrite, append or ignore)");
                }
            }
            case Ignore -> {
                if (exists) {
                    return relation(sqlContext, data.schema());
                }
            }
            case Overwrite -> {
                if (ReadPlan.isPlainStore(path)) {
                    throw new InvalidArgumentException(path, null, "a plain NumPack store is here, not a sharded"
                            + " dataset; overwrite replaces datasets only (remove the store first)");
                }
                v2Mode = SaveMode.Overwrite;
            }
            case Append -> {
                if (ReadPlan.isPlainStore(path)) {
                    throw new InvalidArgumentException(path, null, "a plain NumPack store is here, not a sharded"
                            + " dataset; append adds shards to datasets only");
                }
            }
        }
        options.keySet().removeIf(k -> k.equalsIgnoreCase("path"));
        data.write().format(NumPackDataSource.class.getName()).options(options).option(V2_WRITE, "true")
                .mode(v2Mode).save(path.toString());
        return relation(sqlContext, data.schema());
    }

    /**
     * Copies Spark's Scala map by its iterator, the one map API that is the same from Java in Scala 2.12
     * (Spark 3.5) and 2.13 (Spark 4): the collection converters moved between the two.
     */
    private static Map<String, String> javaMap(scala.collection.Map<String, String> parameters) {
        Map<String, String> options = new HashMap<>();
        scala.collection.Iterator<scala.Tuple2<String, String>> entries = parameters.iterator();
        while (entries.hasNext()) {
            scala.Tuple2<String, String> entry = entries.next();
            options.put(entry._1(), entry._2());
        }
        return options;
    }

    private static BaseRelation relation(SQLContext sqlContext, StructType schema) {
        return new BaseRelation() {
            @Override
            public SQLContext sqlContext() {
                return sqlContext;
            }

            @Override
            public StructType schema() {
                return schema;
            }
        };
    }

    private static Path path(CaseInsensitiveStringMap options) {
        String p = options.get("path");
        if (p == null || p.isBlank()) {
            throw new InvalidArgumentException(null, null, "numpack needs a path: load(dir) or save(dir)");
        }
        if (p.startsWith("file:")) {
            p = java.net.URI.create(p).getPath();
        }
        return Path.of(p).toAbsolutePath();
    }
}
