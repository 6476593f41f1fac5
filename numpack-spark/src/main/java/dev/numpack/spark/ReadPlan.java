package dev.numpack.spark;

import dev.numpack.ArrayInfo;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPack;
import dev.numpack.StoreIOException;
import dev.numpack.io.DatasetManifest;
import dev.numpack.io.DatasetManifest.Column;
import dev.numpack.io.DatasetManifest.Shard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a read sees at a path: a sharded dataset (its manifest's columns and shards: only the listed stores,
 * whatever else lies in the directory) or a single plain NumPack store (its arrays, one shard).
 *
 * @param columns the arrays every shard holds
 * @param shards the stores to read, in row order
 */
record ReadPlan(List<Column> columns, List<ShardPartition> shards) {

    /**
     * @param path a dataset directory or a plain store directory
     * @return what to read there
     * @throws StoreIOException if there is neither a manifest nor a store with arrays
     * @throws InvalidArgumentException if a plain store's arrays have different row counts
     */
    static ReadPlan at(Path path) {
        try {
            if (DatasetManifest.isDataset(path)) {
                DatasetManifest m = DatasetManifest.read(path);
                List<ShardPartition> shards = new ArrayList<>();
                for (Shard s : m.shards()) {
                    shards.add(new ShardPartition(m.storePath(path, s).toString(), s.rows()));
                }
                return new ReadPlan(m.columns(), shards);
            }
        } catch (IOException e) {
            throw new StoreIOException(path, null, "cannot read the dataset manifest", e);
        }
        if (!Files.isDirectory(path)) {
            throw new StoreIOException(path, null, "no NumPack dataset or store here");
        }
        try (NumPack np = NumPack.openReadOnly(path)) {
            List<Column> columns = new ArrayList<>();
            long rows = -1;
            String first = null;
            for (ArrayInfo a : np.infos()) {
                long[] shape = a.shape();
                if (shape.length == 0) {
                    throw new InvalidArgumentException(path, a.name(), "array '" + a.name()
                            + "' is 0-d; a Spark read needs arrays of rows");
                }
                if (rows >= 0 && shape[0] != rows) {
                    throw new InvalidArgumentException(path, a.name(), "array '" + a.name() + "' has " + shape[0]
                            + " rows, array '" + first + "' " + rows + ": a Spark read needs equal row counts");
                }
                rows = shape[0];
                first = first == null ? a.name() : first;
                columns.add(new Column(a.name(), a.dtype(), Arrays.copyOfRange(shape, 1, shape.length)));
            }
            if (columns.isEmpty()) {
                throw new StoreIOException(path, null, "no NumPack dataset (no " + DatasetManifest.FILE_NAME
                        + ") and no store with arrays here");
            }
            return new ReadPlan(columns, List.of(new ShardPartition(path.toString(), rows)));
        }
    }

    /**
     * @param path a directory
     * @return whether a dataset (a manifest) or a plain store with arrays is there: something a write in
     *     errorifexists or ignore mode must not touch
     */
    static boolean existsAt(Path path) {
        if (DatasetManifest.isDataset(path)) {
            return true;
        }
        return isPlainStore(path);
    }

    /** @return whether {@code path} is a plain NumPack store holding arrays (and no manifest) */
    static boolean isPlainStore(Path path) {
        if (!Files.isDirectory(path) || DatasetManifest.isDataset(path)) {
            return false;
        }
        try (NumPack np = NumPack.openReadOnly(path)) {
            return !np.names().isEmpty();
        } catch (RuntimeException e) {
            return true; // something store-like but unreadable: not ours to overwrite
        }
    }
}
