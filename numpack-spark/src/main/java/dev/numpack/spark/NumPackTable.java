package dev.numpack.spark;

import dev.numpack.InvalidArgumentException;
import dev.numpack.io.DatasetManifest.Column;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * A dataset directory as a Spark table. It reads in batches always; it offers batch writes (append, and
 * overwrite through truncation) only to the writes {@link NumPackDataSource} starts itself after handling the
 * save mode, so that every {@code df.write()} goes through that check first.
 */
final class NumPackTable implements SupportsRead, SupportsWrite {
    private final Path dataset;
    private final StructType schema;
    private final boolean writable;

    NumPackTable(Path dataset, StructType schema, boolean writable) {
        this.dataset = dataset;
        this.schema = schema;
        this.writable = writable;
    }

    @Override
    public String name() {
        return "numpack:" + dataset;
    }

    @Override
    public StructType schema() {
        return schema;
    }

    @Override
    public Set<TableCapability> capabilities() {
        return writable
                ? EnumSet.of(TableCapability.BATCH_READ, TableCapability.BATCH_WRITE, TableCapability.TRUNCATE)
                : EnumSet.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
        ReadPlan plan = ReadPlan.at(dataset);
        List<ReadColumn> columns = new ArrayList<>();
        for (Column c : plan.columns()) {
            columns.add(ReadColumn.of(dataset, c));
        }
        StructType actual = ReadColumn.schema(columns);
        if (!sameColumns(actual, schema)) {
            throw new InvalidArgumentException(dataset, null, "the schema given, " + schema.simpleString()
                    + ", is not the dataset's, " + actual.simpleString() + " (read without .schema(...))");
        }
        return new NumPackScan(plan, columns);
    }

    private static boolean sameColumns(StructType a, StructType b) {
        if (a.fields().length != b.fields().length) {
            return false;
        }
        for (int i = 0; i < a.fields().length; i++) {
            StructField x = a.fields()[i];
            StructField y = b.fields()[i];
            if (!x.name().equals(y.name()) || !x.dataType().sameType(y.dataType())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
        return new NumPackWriteBuilder(dataset, info);
    }
}
