package dev.numpack;

import dev.numpack.internal.RowChecks;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.store.ArrayEntry;
import dev.numpack.internal.store.Commit;
import dev.numpack.internal.store.CommitRunner;
import dev.numpack.internal.store.DataWriter;
import dev.numpack.internal.store.MappedArray;
import dev.numpack.internal.store.MappedArrays;
import dev.numpack.internal.store.RowSource;
import dev.numpack.internal.store.StoreLayout;
import dev.numpack.internal.store.StoreOptions;
import dev.numpack.internal.store.StoreSession;
import dev.numpack.internal.store.StoreSnapshot;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpyWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A NumPack store: named n-dimensional arrays in a directory, file-compatible with NumPack 0.7.
 *
 * <pre>{@code
 * try (NumPack np = NumPack.open(Path.of("store"))) {
 *     np.save("x", NdArray.of(new float[][] {{1, 2}, {3, 4}}));
 *     np.append("x", NdArray.of(new float[][] {{5, 6}}));
 *     np.delete("x", 0);                       // logical delete: indices now skip row 0
 *     try (LazyArray x = np.lazy("x")) {       // memory-mapped, O(1)
 *         NdArray rows = x.gather(1, 0);        // rows {5,6} and {3,4}
 *     }
 * }
 * }</pre>
 *
 * <h2>Durability and atomicity contract</h2>
 * <ul>
 *   <li><b>Atomic operations.</b> Every write method ({@code save}, {@code append}, {@code replace},
 *       {@code delete}, {@code drop}, {@code compact}, {@code cloneArray}, {@code reset}, {@code importNpy},
 *       and the commit of a {@link BatchMode} or {@link WritableBatchMode}) is all-or-nothing. After a
 *       {@code kill -9} at any instant, the store opens and every array equals the result of some prefix
 *       of the completed operations: never torn metadata, a half-saved array or garbage rows. A
 *       commit goes through a checksummed redo journal ({@code numpack.journal}); opening the store
 *       completes a committed journal and discards an uncommitted one.</li>
 *   <li><b>Small appends: the append log.</b> An {@code append} of at most 1 MiB of rows to an array with
 *       one data file and no deleted rows commits through the append log ({@code numpack.appends}, ours,
 *       ignored by NumPack 0.7): its rows go past the array's end in the data file and, with a checksum,
 *       into the log, whose fsync is the commit point (one write and one fsync per append).
 *       {@code metadata.npkm} receives them at the store's next other write, when the log holds 8 MiB,
 *       and at {@link #close()}. Read-only stores of this library read the log with the metadata and see
 *       every acknowledged append ({@link #refresh()} too). Programs that read only {@code metadata.npkm}
 *       (NumPack 0.7) see, until then, the arrays as the writer's last other commit left them: fewer rows,
 *       a valid store; after a clean close, everything. After a crash, the next writable open, or a
 *       read-only open of this library when no writer holds the store, applies the log.</li>
 *   <li><b>Durable acknowledgements.</b> With {@link Durability#FSYNC} (the default), when a write method
 *       returns, its files and their directory have been fsynced: the change survives a power loss.
 *       {@link Durability#NO_FSYNC} skips fsync for speed and keeps only the crash (kill) guarantee.</li>
 *   <li><b>No in-place overwrite of mapped content by save or compaction.</b> They write new files and
 *       rename them into place, so a {@link LazyArray} opened earlier keeps reading the old content.
 *       {@code replace} writes rows in place (redo-logged): views of that array see the new rows. So
 *       does the commit of a batch for an array whose dtype and shape it kept and of which it changed at
 *       most a quarter (and at most 64 MiB of rows in the whole commit): only the changed rows are written,
 *       as by {@code replace}, so readers may see them before the batch's other arrays.</li>
 *   <li><b>One writer.</b> A writable store holds an OS lock on {@code .numpack.lock} until closed; a second
 *       writer, in this or another process, gets {@link StoreLockedException} (at once, or after
 *       {@link Builder#optLockTimeout}). Read-only stores take no lock (except, briefly, to complete the
 *       commit of a writer that died mid-commit, which needs write permission) and keep working while a
 *       writer commits: each holds one consistent snapshot (every array mapped at the same commit), taken
 *       when it opened or last {@link #refresh() refreshed}. Rows the writer later writes in place into
 *       the snapshot's files ({@code replace}, a batch commit as above) show through, also after appends (to
 *       one array or to several in one commit) and logical deletes, which leave those files where they are
 *       (they write past the snapshot's rows, and a new deletion bitmap). Appended rows, deletions, and
 *       arrays saved, compacted, cloned or dropped after the snapshot do not show.</li>
 *   <li><b>Untrusted files.</b> Corrupt or hostile stores raise {@link CorruptStoreException} naming the
 *       store and array; paths in store files never reach outside the store directory.</li>
 * </ul>
 *
 * <p>Row indices are logical: after rows are deleted, indices count live rows only, as in NumPack.
 * Instances are thread-safe: reads run concurrently, writes are serialized.
 *
 * <p>This class is the facade: it checks what callers pass and turns it into the engine's terms. The
 * engine in {@code dev.numpack.internal.store} keeps the contract above: {@code StoreSession} (open,
 * recovery, the writer lock, close), {@code CommitRunner} (commits and their order), {@code MappedArrays}
 * and {@code SnapshotReader} (what reads see).
 */
public final class NumPack implements AutoCloseable {
    /** NumPack 0.7's default segment size: arrays larger than this are split into segment files. */
    public static final long DEFAULT_SEGMENT_TARGET_BYTES = 256L << 20;

    private final StoreSession session;
    private final Path root;
    private final boolean readOnly;

    private NumPack(StoreOptions options) {
        this.session = StoreSession.open(options);
        this.root = options.root();
        this.readOnly = options.readOnly();
    }

    // ------------------------------------------------------------------ opening

    /**
     * Opens a store for reading and writing, creating the directory if missing.
     *
     * @param path the store directory
     * @return the open store
     * @throws StoreLockedException if another writer has it open
     */
    public static NumPack open(Path path) {
        return builder().setPath(path).build();
    }

    /**
     * Opens an existing store read-only; takes no lock. Every array is mapped at once (one consistent
     * snapshot), and up to 64 data files of at least 1 MiB stay open until
     * {@link #close()} or {@link #refresh()}, so that reads of large ranges ({@link LazyArray#readRows},
     * {@link #load}) into direct buffers use positional reads, which read ahead from disk better than
     * page faults on a mapping.
     *
     * @param path the store directory
     * @return the open store
     */
    public static NumPack openReadOnly(Path path) {
        return builder().setPath(path).optReadOnly(true).build();
    }

    /** @return a builder for the options of {@link #open} */
    public static Builder builder() {
        return new Builder();
    }

    /** Options for opening a store: {@code set*} are required, {@code opt*} optional. */
    public static final class Builder {
        private Path path;
        private boolean readOnly;
        private boolean dropIfExists;
        private boolean create = true;
        private Durability durability = Durability.FSYNC;
        private Duration lockTimeout = Duration.ZERO;
        private OptionalLong segmentTargetBytes = OptionalLong.empty(); // empty: the environment's, see build

        private Builder() {}

        /** @param path the store directory (required) @return this */
        public Builder setPath(Path path) {
            this.path = path;
            return this;
        }

        /** @param readOnly open without the writer lock; writes throw @return this */
        public Builder optReadOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /** @param drop start with an empty store, dropping existing arrays atomically @return this */
        public Builder optDropIfExists(boolean drop) {
            this.dropIfExists = drop;
            return this;
        }

        /** @param create create the directory when missing (default true) @return this */
        public Builder optCreate(boolean create) {
            this.create = create;
            return this;
        }

        /** @param durability {@link Durability#FSYNC} (default) or {@link Durability#NO_FSYNC} @return this */
        public Builder optDurability(Durability durability) {
            this.durability = durability;
            return this;
        }

        /**
         * @param timeout how long to wait for another writer's lock (default: fail at once); a wait beyond
         *     what {@code long} nanoseconds hold (about 292 years) is clamped to that, which is for ever
         * @return this
         * @throws InvalidArgumentException if {@code timeout} is {@code null} or negative
         */
        public Builder optLockTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new InvalidArgumentException(path, null, "lock timeout must be zero or positive: " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * @param bytes the segment size for new large arrays (default: env {@code NUMPACK_SEGMENT_TARGET_BYTES}
         *     or 256 MiB, as NumPack 0.7)
         * @return this
         */
        public Builder optSegmentTargetBytes(long bytes) {
            if (bytes < 0) {
                throw new InvalidArgumentException(path, null, "segment target must not be negative: " + bytes);
            }
            this.segmentTargetBytes = OptionalLong.of(bytes);
            return this;
        }

        /** @return the open store */
        public NumPack build() {
            return build(System.getenv());
        }

        /** {@link #build()} with the environment given, which holds the segment size's default. */
        NumPack build(Map<String, String> env) {
            if (path == null) {
                throw new InvalidArgumentException(null, null, "setPath is required");
            }
            if (readOnly && dropIfExists) {
                throw new InvalidArgumentException(path, null, "optDropIfExists needs a writable store");
            }
            long segment = segmentTargetBytes.orElseGet(() -> segmentTargetFrom(env));
            return new NumPack(new StoreOptions(path.toAbsolutePath().normalize(), readOnly, create, dropIfExists,
                    durability == Durability.FSYNC, lockTimeout, segment));
        }

        /**
         * As NumPack 0.7: {@code NUMPACK_SEGMENT_TARGET_BYTES}, else {@code NPK_SEGMENT_TARGET_BYTES}, else
         * 256 MiB; an unparsable value means the default, a negative one zero.
         */
        static long segmentTargetFrom(Map<String, String> env) {
            String v = env.get("NUMPACK_SEGMENT_TARGET_BYTES");
            if (v == null) {
                v = env.get("NPK_SEGMENT_TARGET_BYTES");
            }
            try {
                return v == null ? DEFAULT_SEGMENT_TARGET_BYTES : Math.max(0, Long.parseLong(v));
            } catch (NumberFormatException e) {
                return DEFAULT_SEGMENT_TARGET_BYTES; // as upstream: an unparsable value means the default
            }
        }
    }

    // ------------------------------------------------------------------ catalog

    /** @return the store directory */
    public Path path() {
        return root;
    }

    /** @return whether this store was opened read-only */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** @return the array names, sorted */
    public Set<String> names() {
        return current().arrays().keySet();
    }

    /** @param name array @return whether the store has it */
    public boolean contains(String name) {
        return current().get(name) != null;
    }

    /** @param name array @return its logical shape */
    public long[] shape(String name) {
        return entry(name).logicalShape();
    }

    /** @param name array @return its dtype */
    public DType dtype(String name) {
        return entry(name).record().dtype();
    }

    /** @param name array @return what the store records about it */
    public ArrayInfo info(String name) {
        return new ArrayInfo(entry(name));
    }

    /**
     * The row a logical index names in an array as it is now, by the rule every call of this API applies:
     * a negative index counts from the end ({@code -1} is the last live row). For tools that take row lists
     * from users (the CLI's {@code --rows}), so that the rule and its message have one owner.
     *
     * @param name array
     * @param index a logical row index, negative from the end
     * @return the index in {@code [0, rows)} of the array's live rows
     * @throws ArrayNotFoundException if there is no such array
     * @throws InvalidArgumentException (naming the store and the array) if the index is out of range
     */
    public long rowIndex(String name, long index) {
        return RowChecks.index(root, name, index, info(name).rows());
    }

    /** @return every array's record, sorted by name */
    public List<ArrayInfo> infos() {
        List<ArrayInfo> out = new ArrayList<>();
        for (ArrayEntry e : current().arrays().values()) {
            out.add(new ArrayInfo(e));
        }
        return out;
    }

    /**
     * Re-reads the store from disk so that a read-only store sees what other processes committed since it
     * opened or last refreshed. Views opened before keep their snapshot. A writable store always sees its
     * own state; for it this does nothing.
     *
     * @return whether the committed state changed
     */
    public boolean refresh() {
        return session.refresh();
    }

    // ------------------------------------------------------------------ reads

    /**
     * Reads a whole array (its logical rows) into memory. A valid array may be larger than the memory the
     * JVM was given: then this fails as {@link LazyArray#load} does, naming the array and the bytes needed
     * (read such arrays in ranges with {@link #lazy} or {@link #stream}).
     *
     * @param name array
     * @return the array
     * @throws InvalidArgumentException naming the store, the array and the bytes needed, if the array is
     *     more than the 2 GiB an {@link NdArray} holds
     * @throws OutOfMemoryError naming the store, the array and the bytes needed, if the JVM has no room for them
     */
    public NdArray load(String name) {
        try (LazyArray a = lazy(name)) {
            return a.load();
        }
    }

    /**
     * Opens a memory-mapped view of an array in O(1): no data is read.
     *
     * @param name array
     * @return the view (close it when done)
     */
    public LazyArray lazy(String name) {
        MappedArray m = session.mapped(name);
        return new LazyArray(this, m.entry(), m.data());
    }

    /**
     * Reads rows at arbitrary logical indices (negative ones count from the end).
     *
     * @param name array
     * @param indices row indices
     * @return the rows, in the given order
     */
    public NdArray gather(String name, long... indices) {
        try (LazyArray a = lazy(name)) {
            return a.gather(indices);
        }
    }

    /**
     * Streams an array in chunks of at most {@code chunkRows} rows; memory is bounded by one chunk.
     *
     * @param name array
     * @param chunkRows rows per chunk (positive)
     * @return the chunks, in row order (one pass)
     */
    public RowStream stream(String name, long chunkRows) {
        if (chunkRows <= 0) {
            throw new InvalidArgumentException(root, name, "chunkRows must be positive, got " + chunkRows);
        }
        return new RowStream(lazy(name), chunkRows);
    }

    /**
     * Checks every array's files against the metadata (sizes, manifests, bitmaps) by reading the store
     * afresh.
     *
     * @throws CorruptStoreException naming the first inconsistency
     */
    public void verify() {
        session.verify();
    }

    // ------------------------------------------------------------------ writes

    /**
     * Saves an array, creating it or replacing it (any dtype and shape).
     *
     * @param name array name (no {@code /}, {@code \}, {@code ..} or control characters)
     * @param array the data
     */
    public void save(String name, NdArray array) {
        save(Map.of(name, array));
    }

    /**
     * Saves several arrays in one atomic commit.
     *
     * @param arrays arrays by name
     */
    public void save(Map<String, NdArray> arrays) {
        for (String n : arrays.keySet()) {
            StoreLayout.checkName(root, n);
        }
        mutate(c -> {
            for (Map.Entry<String, NdArray> en : arrays.entrySet()) {
                NdArray a = en.getValue();
                c.save(en.getKey(), a.dtype(), a.shape(), a.rowSource(root, en.getKey()));
            }
        });
    }

    /**
     * Appends rows at the end of an array; dtype and row shape must match.
     *
     * @param name array
     * @param rows rows of shape {@code (n, ...)}
     */
    public void append(String name, NdArray rows) {
        append(Map.of(name, rows));
    }

    /**
     * Appends rows to several arrays in one atomic commit.
     *
     * @param rows rows by array name
     */
    public void append(Map<String, NdArray> rows) {
        mutate(c -> {
            for (Map.Entry<String, NdArray> en : rows.entrySet()) {
                checkRows(c.current(en.getKey()), en.getKey(), en.getValue(), "append");
                c.append(en.getKey(), en.getValue().rowSource(root, en.getKey()));
            }
        });
    }

    /**
     * Overwrites rows at logical indices (negative count from the end), in place and atomically.
     *
     * @param name array
     * @param rows the new rows, one per index, in index order
     * @param indices logical row indices
     */
    public void replace(String name, NdArray rows, long... indices) {
        mutate(c -> {
            ArrayEntry e = checkRows(c.current(name), name, rows, "replace");
            if (rows.rows() != indices.length) {
                throw new InvalidArgumentException(root, name, indices.length + " indices for " + rows.rows() + " rows");
            }
            c.replace(name, physical(e, indices), rows.rowSource(root, name));
        });
    }

    /**
     * Deletes rows logically (NumPack's deletion bitmap): later indices skip them until {@link #compact}.
     *
     * @param name array
     * @param indices logical row indices (negative count from the end; repeats are ignored)
     */
    public void delete(String name, long... indices) {
        mutate(c -> stageDelete(c, name, indices));
    }

    /** Stages a logical delete of rows at logical {@code indices} (of the committed state) into {@code c}. */
    void stageDelete(Commit c, String name, long[] indices) {
        ArrayEntry e = existing(c.current(name), name);
        if (e.record().ndim() == 0) {
            throw new InvalidArgumentException(root, name, "a 0-d array has no rows to delete");
        }
        try {
            c.delete(name, physical(e, indices));
        } catch (FormatException tooMany) {
            throw new InvalidArgumentException(root, name, tooMany.getMessage());
        }
    }

    /**
     * Removes arrays and their files.
     *
     * @param names arrays (each must exist)
     */
    public void drop(String... names) {
        mutate(c -> {
            for (String n : names) {
                if (c.current(n) == null) {
                    throw new ArrayNotFoundException(root, n);
                }
                c.drop(n);
            }
        });
    }

    /**
     * Rewrites an array without its deleted rows and removes its bitmap (NumPack's {@code update}).
     * Views opened earlier keep reading the old file.
     *
     * @param name array
     */
    public void compact(String name) {
        compact(name, ProgressListener.NONE);
    }

    /**
     * {@link #compact(String)} reporting rows written.
     *
     * @param name array
     * @param progress receives rows done
     */
    public void compact(String name, ProgressListener progress) {
        mutate(c -> compactInto(c, name, progress));
    }

    /** Compacts every array that has deleted rows, in one commit. */
    public void compactAll() {
        mutate(c -> {
            for (ArrayEntry e : session.arrays().snapshot().arrays().values()) {
                compactInto(c, e.name(), ProgressListener.NONE);
            }
        });
    }

    private void compactInto(Commit c, String name, ProgressListener progress) throws IOException {
        ArrayEntry e = existing(c.current(name), name);
        if (e.bitmap() == null) {
            return;
        }
        c.save(name, e.record().dtype(), e.logicalShape(), logicalRows(e).withProgress(progress::update));
    }

    /**
     * Copies an array (its logical rows) under a new name.
     *
     * @param source existing array
     * @param target new name (replaced if it exists)
     */
    public void cloneArray(String source, String target) {
        StoreLayout.checkName(root, target);
        mutate(c -> {
            ArrayEntry e = existing(c.current(source), source);
            c.save(target, e.record().dtype(), e.logicalShape(), logicalRows(e));
        });
    }

    /** @return the committed rows of an array, for a commit that writes them anew (under the write lock) */
    private RowSource logicalRows(ArrayEntry e) {
        return LazyArray.source(e, session.arrays().mapped(e));
    }

    /** Drops every array, atomically. */
    public void reset() {
        mutate(Commit::dropAll);
    }

    // ------------------------------------------------------------------ .npy

    /**
     * Imports a {@code .npy} file (versions 1-3, C or Fortran order, either byte order) as an array,
     * streamed so that files larger than memory import; creates or atomically replaces the array.
     *
     * @param name array name
     * @param npy the file
     * @param progress receives rows done
     * @throws NumPackException naming this store and the array (and the file, when the file is at fault):
     *     a {@link CorruptStoreException} for a damaged or unsupported file, a {@link StoreIOException} when
     *     it cannot be read, an {@link InvalidArgumentException} for a bad name
     */
    public void importNpy(String name, Path npy, ProgressListener progress) {
        FileTransfers.importNpy(this, name, npy, progress);
    }

    /** @param name array name @param npy the file; see {@link #importNpy(String, Path, ProgressListener)} */
    public void importNpy(String name, Path npy) {
        importNpy(name, npy, ProgressListener.NONE);
    }

    /**
     * Appends the rows of a {@code .npy} file to an array (same dtype and row shape), streamed, in one
     * atomic commit.
     *
     * @param name array
     * @param npy the file
     * @param progress receives rows done
     * @throws NumPackException naming this store and the array (and the file, when the file is at fault):
     *     an {@link InvalidArgumentException} if the rows do not fit the array, an
     *     {@link ArrayNotFoundException} if there is no such array, a {@link CorruptStoreException} for a
     *     damaged or unsupported file, a {@link StoreIOException} when it cannot be read
     */
    public void appendNpy(String name, Path npy, ProgressListener progress) {
        FileTransfers.appendNpy(this, name, npy, progress);
    }

    /** @param name array @param npy the file; see {@link #appendNpy(String, Path, ProgressListener)} */
    public void appendNpy(String name, Path npy) {
        appendNpy(name, npy, ProgressListener.NONE);
    }

    /**
     * Exports an array's logical rows to a {@code .npy} file (version 1.0, or 2.0 for huge headers),
     * streamed; the file appears atomically when complete.
     *
     * @param name array
     * @param npy the file to write (replaced if it exists)
     * @param progress receives rows done
     * @throws NumPackException naming this store and the array (and the file, when writing it failed): a
     *     {@link StoreIOException} when the file cannot be written, an {@link ArrayNotFoundException} if
     *     there is no such array
     */
    public void exportNpy(String name, Path npy, ProgressListener progress) {
        FileTransfers.exportNpy(this, name, npy, progress);
    }

    /** @param name array @param npy the file; see {@link #exportNpy(String, Path, ProgressListener)} */
    public void exportNpy(String name, Path npy) {
        exportNpy(name, npy, ProgressListener.NONE);
    }

    // ------------------------------------------------------------------ .npz and IDX

    /**
     * Imports every member of a NumPy {@code .npz} archive ({@code numpy.savez} or {@code savez_compressed})
     * as an array of the member's name ({@code x} for {@code x.npy}), creating or replacing each, all in one
     * atomic commit. Members are streamed, so members larger than memory import. A damaged or hostile
     * archive (see {@link dev.numpack.io.NpzReader}) fails with a {@link CorruptStoreException} and changes
     * nothing.
     *
     * @param npz the archive
     * @param progress receives rows done, over all members
     * @throws InvalidArgumentException if a member's name is not a valid array name
     */
    public void importNpz(Path npz, ProgressListener progress) {
        FileTransfers.importNpz(this, npz, null, progress);
    }

    /** @param npz the archive; see {@link #importNpz(Path, ProgressListener)} */
    public void importNpz(Path npz) {
        importNpz(npz, ProgressListener.NONE);
    }

    /**
     * Imports chosen members of a {@code .npz} archive under chosen names, in one atomic commit; see
     * {@link #importNpz(Path, ProgressListener)}.
     *
     * @param npz the archive
     * @param names the array name for each member to import, by member name (as
     *     {@link dev.numpack.io.NpzReader#members()} lists them)
     * @param progress receives rows done, over all members
     * @throws ArrayNotFoundException if the archive lacks a member
     * @throws InvalidArgumentException if a name is invalid, or two members would get the same name
     */
    public void importNpz(Path npz, Map<String, String> names, ProgressListener progress) {
        FileTransfers.importNpz(this, npz, names, progress);
    }

    /**
     * Imports one member of a {@code .npz} archive as an array, streamed; creates or atomically replaces it.
     *
     * @param name array name
     * @param npz the archive
     * @param member the member ({@code x} for {@code x.npy})
     * @param progress receives rows done
     */
    public void importNpz(String name, Path npz, String member, ProgressListener progress) {
        importNpz(npz, Map.of(member, name), progress);
    }

    /**
     * @param name array name @param npz the archive @param member the member; see
     *     {@link #importNpz(String, Path, String, ProgressListener)}
     */
    public void importNpz(String name, Path npz, String member) {
        importNpz(name, npz, member, ProgressListener.NONE);
    }

    /**
     * Imports an IDX file (the MNIST family's format: uint8, int8, int16, int32, float32 or float64, plain
     * or gzipped) as an array, streamed; creates or atomically replaces it. A damaged file fails with a
     * {@link CorruptStoreException} and changes nothing.
     *
     * @param name array name
     * @param idx the file
     * @param progress receives rows done
     */
    public void importIdx(String name, Path idx, ProgressListener progress) {
        FileTransfers.importIdx(this, name, idx, progress);
    }

    /** @param name array name @param idx the file; see {@link #importIdx(String, Path, ProgressListener)} */
    public void importIdx(String name, Path idx) {
        importIdx(name, idx, ProgressListener.NONE);
    }

    /**
     * Exports arrays' logical rows as the members of a {@code .npz} archive (stored, as {@code numpy.savez}
     * writes it; {@code numpy.load} reads it), streamed; the file appears atomically when complete.
     *
     * @param npz the file to write (replaced if it exists)
     * @param progress receives rows done, over all arrays
     * @param names the arrays; none means every array, in name order
     * @throws ArrayNotFoundException if an array does not exist (the file is not written then)
     */
    public void exportNpz(Path npz, ProgressListener progress, String... names) {
        FileTransfers.exportNpz(this, npz, progress, names);
    }

    /**
     * @param npz the file @param names the arrays, none for all; see
     *     {@link #exportNpz(Path, ProgressListener, String...)}
     */
    public void exportNpz(Path npz, String... names) {
        exportNpz(npz, ProgressListener.NONE, names);
    }

    // ------------------------------------------------------------------ batches

    /**
     * Starts a batch: reads and writes go to an in-memory cache and are committed together, all or
     * nothing, when the batch is closed (or discarded with {@link BatchMode#abort()}). Other writes to this
     * store are refused while a batch is open.
     *
     * @return the batch
     */
    public BatchMode batchMode() {
        return new BatchMode(this);
    }

    /**
     * Runs {@code work} in a batch that commits when it returns and is discarded if it throws.
     *
     * @param work what to do
     */
    public void batchMode(Consumer<BatchMode> work) {
        try (BatchMode b = batchMode()) {
            try {
                work.accept(b);
            } catch (RuntimeException | Error e) {
                b.abort();
                throw e;
            }
        }
    }

    /**
     * Starts a writable batch: arrays opened in it are mapped copy-on-write, changed in place with no
     * copy, and committed together (new files, then one journal commit) when it closes.
     *
     * @return the writable batch
     */
    public WritableBatchMode writableBatchMode() {
        return new WritableBatchMode(this);
    }

    // ------------------------------------------------------------------ internals

    /** Runs a plain write (refused on a read-only store, and while a batch is open) as one commit. */
    void mutate(CommitRunner.Staging s) {
        writer().run(null, s);
    }

    /** @return the commit runner, for a write or a batch (refused on a read-only or closed store) */
    CommitRunner writer() {
        checkWritable(null);
        return session.commits();
    }

    /** @return what reads see, for views and batches */
    MappedArrays arrays() {
        return session.arrays();
    }

    /** The committed state this store reads from (read-only stores: a snapshot, see {@link #refresh()}). */
    private StoreSnapshot current() {
        return session.current();
    }

    ArrayEntry entry(String name) {
        return existing(current().get(name), name);
    }

    ArrayEntry existing(ArrayEntry e, String name) {
        return ArrayEntry.requireReadable(root, name, e);
    }

    ArrayEntry checkRows(ArrayEntry e, String name, NdArray rows, String op) {
        return checkRowShape(e, name, rows.dtype(), rows.shape(), op, "got");
    }

    /**
     * The one check that rows of {@code dtype} and {@code shape} fit array {@code name} for {@code op}: same
     * dtype, same shape but for the first dimension, and the array has rows at all.
     *
     * @param source how the message names the rows' source ("got", or "file.npy holds")
     */
    ArrayEntry checkRowShape(ArrayEntry e, String name, DType dtype, long[] shape, String op, String source) {
        existing(e, name);
        long[] have = e.record().shape();
        if (have.length == 0) {
            throw new InvalidArgumentException(root, name, "cannot " + op + " rows of a 0-d array");
        }
        boolean sameRow = shape.length == have.length;
        for (int i = 1; sameRow && i < have.length; i++) {
            sameRow = have[i] == shape[i];
        }
        if (dtype != e.record().dtype() || !sameRow) {
            throw new InvalidArgumentException(root, name, op + " needs " + e.record().dtype().numpyName()
                    + " rows of shape (n" + rowShape(have) + "), " + source + " " + dtype.numpyName()
                    + Arrays.toString(shape));
        }
        return e;
    }

    private static String rowShape(long[] s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < s.length; i++) {
            sb.append(", ").append(s[i]);
        }
        return sb.toString();
    }

    long[] physical(ArrayEntry e, long[] indices) {
        long[] out = RowChecks.indices(root, e.name(), indices, e.logicalRows());
        for (int i = 0; i < out.length; i++) {
            out[i] = e.physicalRow(out[i]);
        }
        return out;
    }

    void checkWritable(String name) {
        ensureOpen();
        if (readOnly) {
            throw new ReadOnlyStoreException(root, name);
        }
    }

    void ensureOpen() {
        session.ensureOpen();
    }

    /**
     * Closes the store: releases the writer lock. Every acknowledged write is already durable (with
     * {@link Durability#FSYNC}); with {@link Durability#NO_FSYNC}, close fsyncs the store directory's
     * files once so that a clean close is durable too. Views opened from this store stop working.
     *
     * <p>A committed file that someone replaced since (by a directory, a pipe or a link) is no longer this
     * store's file: close skips it rather than fail, and its array reads as damaged at the next open. If an
     * fsync fails, close throws {@link StoreIOException} naming the store (and the array whose file failed,
     * where known); the store is closed and its lock released all the same.
     *
     * @throws StoreIOException if a NO_FSYNC store's files cannot be made durable
     */
    @Override
    public void close() {
        session.close();
    }

    @Override
    public String toString() {
        return "NumPack(" + root + (readOnly ? ", read-only" : "") + ")";
    }
}
