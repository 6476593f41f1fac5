package dev.numpack.djl;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.LazyArray;
import dev.numpack.NumPack;
import dev.numpack.StoreIOException;
import dev.numpack.io.DatasetManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stores a {@link NumPackDataset} reads, in row order: one store, a list of stores, or the shards of a
 * sharded dataset that its {@link DatasetManifest} lists (and only those: the manifest is the dataset's
 * commit point). Their rows follow each other, store after store, as one dataset. It opens the stores it
 * was given paths to and closes them again; stores handed over open stay the caller's.
 */
final class StoreSet implements AutoCloseable {
    private final Path source; // what the user named: the dataset directory, the store, or the first store
    private final DatasetManifest manifest; // or null when the stores were named one by one
    private final List<NumPack> stores;
    private final boolean owned;
    private final List<LazyArray> opened = new ArrayList<>();

    private StoreSet(Path source, DatasetManifest manifest, List<NumPack> stores, boolean owned) {
        this.source = source;
        this.manifest = manifest;
        this.stores = List.copyOf(stores);
        this.owned = owned;
    }

    /**
     * @param path a store, or a sharded dataset's directory (one holding a {@link DatasetManifest#FILE_NAME})
     * @return its stores, opened read-only
     * @throws CorruptStoreException if the manifest is damaged
     * @throws InvalidArgumentException if the dataset lists no shard
     */
    static StoreSet open(Path path) {
        if (!DatasetManifest.isDataset(path)) {
            return openAll(List.of(path));
        }
        DatasetManifest m;
        try {
            m = DatasetManifest.read(path);
        } catch (IOException e) {
            throw new StoreIOException(path, null, "cannot read the dataset manifest: " + e, e);
        }
        if (m.shards().isEmpty()) {
            throw new InvalidArgumentException(path, null, "the sharded dataset lists no shard: no rows to train on");
        }
        List<NumPack> stores = new ArrayList<>();
        try {
            for (DatasetManifest.Shard s : m.shards()) {
                stores.add(NumPack.openReadOnly(m.storePath(path, s)));
            }
        } catch (RuntimeException e) {
            stores.forEach(NumPack::close);
            throw e;
        }
        return new StoreSet(path, m, stores, true);
    }

    /**
     * @param paths stores (not dataset directories), at least one
     * @return them, opened read-only
     * @throws IllegalArgumentException if there is none, or one is a sharded dataset's directory
     */
    static StoreSet openAll(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("NumPackDataset needs at least one store");
        }
        for (Path p : paths) {
            if (paths.size() > 1 && DatasetManifest.isDataset(p)) {
                throw new IllegalArgumentException(p + " is a sharded dataset, not a store: pass it alone to "
                        + "setStore(Path)");
            }
        }
        List<NumPack> stores = new ArrayList<>();
        try {
            for (Path p : paths) {
                stores.add(NumPack.openReadOnly(p));
            }
        } catch (RuntimeException e) {
            stores.forEach(NumPack::close);
            throw e;
        }
        return new StoreSet(paths.get(0), null, stores, true);
    }

    /**
     * @param stores open stores, at least one; the caller closes them
     * @return them
     */
    static StoreSet borrow(List<NumPack> stores) {
        if (stores.isEmpty()) {
            throw new IllegalArgumentException("NumPackDataset needs at least one store");
        }
        return new StoreSet(stores.get(0).path(), null, stores, false);
    }

    /** @return the dataset directory, the single store, or the first of the stores named: for messages */
    Path source() {
        return source;
    }

    /** @return the manifest, or {@code null} when the stores were named one by one */
    DatasetManifest manifest() {
        return manifest;
    }

    /** @return the stores, in row order */
    List<NumPack> stores() {
        return stores;
    }

    /**
     * Maps the named arrays in every store and joins each across the stores.
     *
     * @param names the arrays
     * @param convert whether types without a DJL counterpart are converted
     * @param engine the DJL engine's name
     * @return one joined column per name
     * @throws dev.numpack.ArrayNotFoundException if a store lacks an array
     * @throws IllegalArgumentException if a name is not a column of the manifest
     * @throws CorruptStoreException naming the store and array if a shard disagrees with the manifest
     * @throws InvalidArgumentException naming the store and array if the stores disagree on its type or row
     *     shape
     */
    List<Column> columns(List<String> names, boolean convert, String engine) {
        List<Column> out = new ArrayList<>(names.size());
        for (String name : names) {
            DatasetManifest.Column declared = declared(name);
            List<Column> perStore = new ArrayList<>(stores.size());
            for (int i = 0; i < stores.size(); i++) {
                NumPack np = stores.get(i);
                LazyArray a = np.lazy(name);
                opened.add(a);
                if (declared != null) {
                    checkAgainstManifest(np.path(), a, declared, manifest.shards().get(i));
                }
                perStore.add(Column.of(np.path(), a, convert, engine));
            }
            out.add(Column.join(perStore));
        }
        return out;
    }

    /**
     * Checks that every store holds the same number of rows in each of the columns.
     *
     * @param columns joined columns from {@link #columns}
     * @throws InvalidArgumentException naming the store and array whose row count differs from the first
     *     column's in that store
     */
    void checkSameRows(List<Column> columns) {
        Column first = columns.get(0);
        for (int i = 0; i < stores.size(); i++) {
            long count = first.arrays().get(i).rows();
            for (Column c : columns) {
                long rows = c.arrays().get(i).rows();
                if (rows != count) {
                    throw new InvalidArgumentException(stores.get(i).path(), c.name(), rows + " rows, but '"
                            + first.name() + "' has " + count + ": features and labels must have the same rows");
                }
            }
        }
    }

    private DatasetManifest.Column declared(String name) {
        if (manifest == null) {
            return null;
        }
        for (DatasetManifest.Column c : manifest.columns()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a column of the sharded dataset " + source
                + " (its manifest lists " + manifest.columns().stream().map(DatasetManifest.Column::name).toList()
                + ")");
    }

    private static void checkAgainstManifest(Path store, LazyArray a, DatasetManifest.Column declared,
            DatasetManifest.Shard shard) {
        long[] row = a.shape().length == 0 ? null : Column.storedRowShape(a);
        if (a.dtype() != declared.dtype() || !Arrays.equals(row, declared.rowShape())) {
            throw new CorruptStoreException(store, a.name(), "element type " + a.dtype().numpyName()
                    + ", shape " + Arrays.toString(a.shape()) + ", but the dataset's manifest declares "
                    + declared + " for every shard");
        }
        if (a.rows() != shard.rows()) {
            throw new CorruptStoreException(store, a.name(), a.rows() + " rows, but the dataset's manifest says the "
                    + "shard holds " + shard.rows() + ": the store was changed after the dataset was written");
        }
    }

    /** Closes the arrays mapped here and the stores, if this set opened them; borrowed ones stay open. */
    @Override
    public void close() {
        if (owned) {
            discard();
        }
    }

    /** After a failed build: closes the arrays mapped here, and the stores if this set opened them. */
    void discard() {
        opened.forEach(LazyArray::close);
        if (owned) {
            stores.forEach(NumPack::close);
        }
    }
}
