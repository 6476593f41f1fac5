package dev.numpack.io;

import dev.numpack.CorruptStoreException;
import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPackException;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.format.Json;
import dev.numpack.internal.store.StoreLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

/**
 * The manifest of a sharded dataset: a directory holding one plain NumPack store per shard and this file,
 * {@value #FILE_NAME}, which lists the columns every shard holds and the shards in row order.
 *
 * <p><b>The manifest is the commit point.</b> A writer first completes every shard store (each durable on
 * its own, as a store's commit is), then writes the manifest last through {@link #write}: a temporary file,
 * fsynced, renamed over the manifest atomically, and the directory fsynced ({@link AtomicFiles}). A crash
 * leaves either the previous manifest or the new one, never a part. Readers trust only the manifest: a store
 * directory it does not list (output of a failed, speculative or retried task, a leftover) is ignored, and a
 * directory without a manifest is no dataset.
 *
 * <p>The file is UTF-8 JSON: {@code {"format":"numpack-dataset","version":1,"rows":N,"columns":[{"name":
 * "image","dtype":"uint8","shape":[28,28]}, ...],"shards":[{"store":"part-00000-...","rows":1234}, ...]}},
 * dtypes by their NumPy names ({@link DType#numpyName()}), {@code shape} the shape of one row. Every shard
 * store holds every column as an array of that name with shape {@code (rows, shape...)}. Unknown keys are
 * ignored, so later versions may add some; another {@code format} or a higher major {@code version} is
 * refused.
 *
 * <p>Instances are immutable and validated: column names are valid array names and distinct, store names are
 * single path segments that cannot leave the dataset directory and are distinct.
 */
public final class DatasetManifest {
    /** The manifest's file name inside the dataset directory. */
    public static final String FILE_NAME = "numpack-dataset.json";
    /**
     * The writers' lock file inside the dataset directory: {@link #update} holds an exclusive lock on it while it
     * reads, changes and writes the manifest. Readers never take it.
     */
    public static final String LOCK_FILE_NAME = "numpack-dataset.lock";
    /** Locks of this JVM's updates by dataset directory: a file lock cannot be taken twice in one JVM. */
    private static final ConcurrentMap<Path, Object> UPDATING = new ConcurrentHashMap<>();
    /** The value of the {@code format} key. */
    public static final String FORMAT = "numpack-dataset";
    /** The major version this class writes and the highest it reads. */
    public static final int VERSION = 1;
    /** The largest manifest read, in bytes: far above a million shards, far below a hostile file's size. */
    static final long MAX_BYTES = 256L << 20;

    /**
     * One array every shard holds: its name, dtype and the shape of one row (empty for a 1-D array).
     *
     * @param name the array's name in every shard store
     * @param dtype its element type
     * @param rowShape the shape of one row; a copy is kept and returned
     */
    public record Column(String name, DType dtype, long[] rowShape) {
        /** Checks the name, dtype and dimensions, and copies the shape. */
        public Column {
            String why = StoreLayout.nameProblem(name);
            if (why != null) {
                throw new InvalidArgumentException(null, name, "invalid column name: " + why);
            }
            Objects.requireNonNull(dtype, "dtype");
            rowShape = rowShape.clone();
            for (long d : rowShape) {
                if (d < 0) {
                    throw new InvalidArgumentException(null, name,
                            "negative dimension in row shape " + Arrays.toString(rowShape));
                }
            }
        }

        /** @return a copy of the shape of one row (empty for a 1-D array) */
        @Override
        public long[] rowShape() {
            return rowShape.clone();
        }

        /** @return the shape of the array in a store holding {@code rows} rows of this column */
        public long[] shape(long rows) {
            long[] s = new long[rowShape.length + 1];
            s[0] = rows;
            System.arraycopy(rowShape, 0, s, 1, rowShape.length);
            return s;
        }

        /** @return whether {@code o} is a column of the same name, dtype and row shape */
        @Override
        public boolean equals(Object o) {
            return o instanceof Column c && name.equals(c.name) && dtype == c.dtype
                    && Arrays.equals(rowShape, c.rowShape);
        }

        /** @return a hash of the name, dtype and row shape */
        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(rowShape));
        }

        /** @return e.g. {@code image uint8[28, 28]} */
        @Override
        public String toString() {
            return name + " " + dtype.numpyName() + Arrays.toString(rowShape);
        }
    }

    /**
     * One shard: the store directory's name (a single path segment inside the dataset), its row count.
     *
     * @param store the store directory's name
     * @param rows the rows every column has in that store
     */
    public record Shard(String store, long rows) {
        /** Checks that the name is one safe path segment and the row count is not negative. */
        public Shard {
            String why = segmentProblem(store);
            if (why != null) {
                throw new InvalidArgumentException(null, null, "invalid shard store name '" + store + "': " + why);
            }
            if (rows < 0) {
                throw new InvalidArgumentException(null, null, "shard '" + store + "' has negative rows " + rows);
            }
        }
    }

    private final List<Column> columns;
    private final List<Shard> shards;
    private final long rows;

    private DatasetManifest(List<Column> columns, List<Shard> shards, long rows) {
        this.columns = columns;
        this.shards = shards;
        this.rows = rows;
    }

    /**
     * @param columns the arrays every shard holds, at least one, distinct names
     * @param shards the shards in row order (may be empty: a dataset of no rows), distinct store names
     * @return the manifest
     * @throws InvalidArgumentException if there is no column, two columns or two shards share a name, or the
     *     rows add up beyond {@code Long.MAX_VALUE}
     */
    public static DatasetManifest of(List<Column> columns, List<Shard> shards) {
        List<Column> cs = List.copyOf(columns);
        List<Shard> ss = List.copyOf(shards);
        if (cs.isEmpty()) {
            throw new InvalidArgumentException(null, null, "a dataset needs at least one column");
        }
        Set<String> seen = new HashSet<>();
        for (Column c : cs) {
            if (!seen.add(c.name())) {
                throw new InvalidArgumentException(null, c.name(), "two columns are named '" + c.name() + "'");
            }
        }
        seen.clear();
        long total = 0;
        for (Shard s : ss) {
            if (!seen.add(s.store())) {
                throw new InvalidArgumentException(null, null, "two shards are stored in '" + s.store() + "'");
            }
            try {
                total = Math.addExact(total, s.rows());
            } catch (ArithmeticException e) {
                throw new InvalidArgumentException(null, null, "the shards' rows add up beyond 2^63-1");
            }
        }
        return new DatasetManifest(cs, ss, total);
    }

    /**
     * @param added shards to put after this manifest's shards (an append: new shards, same columns)
     * @return a manifest with this one's columns and the shards of both
     * @throws InvalidArgumentException as {@link #of} does, e.g. if an added store name is already listed
     */
    public DatasetManifest withShards(List<Shard> added) {
        List<Shard> all = new ArrayList<>(shards);
        all.addAll(added);
        return of(columns, all);
    }

    /** @return the arrays every shard holds, in manifest order (unmodifiable) */
    public List<Column> columns() {
        return columns;
    }

    /** @return the shards in row order (unmodifiable) */
    public List<Shard> shards() {
        return shards;
    }

    /** @return the sum of the shards' rows */
    public long rows() {
        return rows;
    }

    /**
     * @param datasetDir the dataset directory
     * @param s a shard (of this manifest or to be added to it)
     * @return the shard's store directory, {@code datasetDir/store}
     * @throws InvalidArgumentException if the resolved path would leave {@code datasetDir}
     */
    public Path storePath(Path datasetDir, Shard s) {
        Path dir = datasetDir.toAbsolutePath().normalize();
        Path p = dir.resolve(s.store()).normalize();
        // the Shard record already refused separators and dot segments; this is the check that does not
        // rely on it, for file systems whose separators differ
        if (!dir.equals(p.getParent())) {
            throw new InvalidArgumentException(datasetDir, null,
                    "shard store '" + s.store() + "' resolves outside the dataset directory: " + p);
        }
        return p;
    }

    /**
     * @param dir a directory
     * @return whether it holds a manifest file (it is a sharded dataset, not a plain store)
     */
    public static boolean isDataset(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE_NAME));
    }

    /**
     * Reads the manifest of a dataset directory.
     *
     * @param datasetDir the dataset directory
     * @return its manifest
     * @throws IOException if the manifest cannot be read (a {@link NoSuchFileException} naming it when absent)
     * @throws CorruptStoreException naming the manifest file if it is not a valid manifest: not JSON, another
     *     format, a higher major version, missing or mistyped keys, invalid names, or a {@code rows} that is
     *     not the sum of the shards' rows
     */
    public static DatasetManifest read(Path datasetDir) throws IOException {
        Path file = datasetDir.resolve(FILE_NAME);
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new CorruptStoreException(file, null, "manifest of " + size + " bytes, more than " + MAX_BYTES);
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        try {
            return decode(text);
        } catch (FormatException e) {
            throw new CorruptStoreException(file, null, "not a dataset manifest: " + e.getMessage(), e);
        } catch (NumPackException e) {
            throw new CorruptStoreException(file, e.array(), "not a valid dataset manifest: " + e.detail(), e);
        }
    }

    /**
     * Writes this manifest into a dataset directory, atomically and durably replacing any manifest there (see
     * the class comment): call it after every shard store is complete.
     *
     * @param datasetDir the dataset directory, which must exist
     * @throws IOException ({@link NoSuchFileException}) if {@code datasetDir} is not a directory
     * @throws dev.numpack.StoreIOException if writing, fsyncing or renaming fails; the previous manifest, if
     *     any, is then unchanged, unless only the directory's fsync failed (the exception says so)
     */
    public void write(Path datasetDir) throws IOException {
        if (!Files.isDirectory(datasetDir)) {
            throw new NoSuchFileException(datasetDir.toString(), null, "not a directory, no dataset manifest written");
        }
        byte[] bytes = toJson().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(datasetDir.resolve(FILE_NAME), out -> out.write(bytes));
    }

    /**
     * The manifests before and after an {@link #update}.
     *
     * @param previous the manifest the update read, or {@code null} if the directory had none
     * @param next the manifest it wrote
     */
    public record Update(DatasetManifest previous, DatasetManifest next) { }

    /**
     * Reads, changes and writes a dataset's manifest as one step for concurrent writers: while {@code change}
     * runs and the new manifest is written (through {@link #write}), this JVM's other updates of the directory
     * wait, and so do other processes' (an exclusive lock on {@value #LOCK_FILE_NAME}). Two jobs appending
     * shards to one dataset at once then both land, one after the other, instead of the later one writing a
     * manifest built from a state that no longer holds and so dropping the other's shards.
     *
     * @param datasetDir the dataset directory, which must exist
     * @param change gets the current manifest ({@code null} if there is none) and returns the one to write
     * @return the manifest read and the one written
     * @throws IOException if the lock, the manifest or the directory cannot be read or written; nothing changed
     *     unless {@link #write} says otherwise
     * @throws CorruptStoreException if the current manifest is damaged (nothing is written then)
     */
    public static Update update(Path datasetDir, UnaryOperator<DatasetManifest> change) throws IOException {
        Objects.requireNonNull(change, "change");
        Path key = datasetDir.toAbsolutePath().normalize();
        synchronized (UPDATING.computeIfAbsent(key, k -> new Object())) {
            try (FileChannel ch = FileChannel.open(lockFile(key),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.lock()) {
                DatasetManifest previous = isDataset(key) ? read(key) : null;
                DatasetManifest next = Objects.requireNonNull(change.apply(previous), "the changed manifest");
                next.write(key);
                return new Update(previous, next);
            }
        }
    }

    /** @return the lock file, refused if something else than a regular file holds its name (a pipe would block) */
    private static Path lockFile(Path datasetDir) throws IOException {
        Path file = datasetDir.resolve(LOCK_FILE_NAME);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CorruptStoreException(file, null, "the dataset's lock file is not a regular file");
        }
        return file;
    }

    /** @return the manifest's JSON text, as {@link #write} stores it */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"format\":").append(Json.quote(FORMAT)).append(",\"version\":").append(VERSION)
                .append(",\"rows\":").append(rows).append(",\n\"columns\":[");
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("{\"name\":").append(Json.quote(c.name()))
                    .append(",\"dtype\":").append(Json.quote(c.dtype().numpyName())).append(",\"shape\":[");
            long[] shape = c.rowShape;
            for (int d = 0; d < shape.length; d++) {
                sb.append(d == 0 ? "" : ",").append(shape[d]);
            }
            sb.append("]}");
        }
        sb.append("],\n\"shards\":[");
        for (int i = 0; i < shards.size(); i++) {
            Shard s = shards.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("{\"store\":").append(Json.quote(s.store()))
                    .append(",\"rows\":").append(s.rows()).append('}');
        }
        return sb.append("]}\n").toString();
    }

    /**
     * @param json a manifest's text
     * @return the manifest
     * @throws FormatException if the text is not JSON or lacks what a manifest holds
     * @throws InvalidArgumentException if names, dtypes or counts are invalid (see {@link #of})
     */
    static DatasetManifest decode(String json) {
        Map<?, ?> root = object(Json.parse(json), "the manifest");
        Object format = root.get("format");
        if (!FORMAT.equals(format)) {
            throw new FormatException("format is " + (format == null ? "missing" : "'" + format + "'")
                    + ", expected '" + FORMAT + "'");
        }
        Object version = root.get("version");
        if (!(version instanceof Number v) || v.doubleValue() < 1) {
            throw new FormatException("version is " + version + ", expected a number from 1");
        }
        if (v.doubleValue() >= VERSION + 1) {
            throw new FormatException("version " + version + " is newer than this reader (major " + VERSION
                    + "); upgrade numpack-java to read it");
        }
        List<Column> columns = new ArrayList<>();
        for (Object o : list(root.get("columns"), "columns")) {
            Map<?, ?> m = object(o, "a column");
            List<?> shapeList = list(m.get("shape"), "a column's shape");
            long[] shape = new long[shapeList.size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = count(shapeList.get(d), "a column's dimension");
            }
            columns.add(new Column(string(m.get("name"), "a column's name"),
                    DType.fromNumpyName(string(m.get("dtype"), "a column's dtype")), shape));
        }
        List<Shard> shards = new ArrayList<>();
        for (Object o : list(root.get("shards"), "shards")) {
            Map<?, ?> m = object(o, "a shard");
            shards.add(new Shard(string(m.get("store"), "a shard's store"), count(m.get("rows"), "a shard's rows")));
        }
        DatasetManifest manifest = of(columns, shards);
        long declared = count(root.get("rows"), "rows");
        if (declared != manifest.rows) {
            throw new FormatException("rows is " + declared + " but the shards hold " + manifest.rows);
        }
        return manifest;
    }

    /** @return what is wrong with {@code name} as a shard's directory name, or {@code null} */
    private static String segmentProblem(String name) {
        if (".".equals(name)) {
            return "is the dataset directory itself";
        }
        if (FILE_NAME.equals(name) || LOCK_FILE_NAME.equals(name)) {
            return "is the name of the manifest or its lock file";
        }
        return StoreLayout.nameProblem(name);
    }

    private static Map<?, ?> object(Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return m;
        }
        throw new FormatException(what + " is " + kind(o) + ", expected an object");
    }

    private static List<?> list(Object o, String what) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw new FormatException(what + " is " + kind(o) + ", expected an array");
    }

    private static String string(Object o, String what) {
        if (o instanceof String s) {
            return s;
        }
        throw new FormatException(what + " is " + kind(o) + ", expected a string");
    }

    private static long count(Object o, String what) {
        if (o instanceof Long n && n >= 0) {
            return n;
        }
        throw new FormatException(what + " is " + kind(o) + ", expected an integer >= 0");
    }

    private static String kind(Object o) {
        return o == null ? "missing" : o instanceof String s ? "'" + s + "'" : String.valueOf(o);
    }

    /** @return whether {@code o} is a manifest of the same columns and shards */
    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetManifest m && columns.equals(m.columns) && shards.equals(m.shards);
    }

    /** @return a hash of the columns and shards */
    @Override
    public int hashCode() {
        return Objects.hash(columns, shards);
    }

    /** @return the columns and shard count, for messages */
    @Override
    public String toString() {
        return "DatasetManifest" + columns + ", " + shards.size() + " shards, " + rows + " rows";
    }
}
