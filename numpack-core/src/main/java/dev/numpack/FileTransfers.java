package dev.numpack;

import dev.numpack.internal.store.DataWriter;
import dev.numpack.internal.store.RowSource;
import dev.numpack.internal.store.StoreLayout;
import dev.numpack.io.ArrayReader;
import dev.numpack.io.IdxReader;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpzReader;
import dev.numpack.io.NpyWriter;
import dev.numpack.io.NpzWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The store's imports from and exports to the files of {@code dev.numpack.io}: the bodies of
 * {@link NumPack}'s {@code importNpy}, {@code appendNpy}, {@code exportNpy}, {@code importNpz},
 * {@code importIdx} and {@code exportNpz}. Every import streams the file's rows through the engine (a
 * {@link RowSource}, so memory stays bounded) in one atomic commit; a damaged file fails it and the store
 * keeps its last committed state. Every error names the store and the array, keeping its type
 * ({@link #fileError}).
 */
final class FileTransfers {
    private FileTransfers() {}

    /** Creates or replaces array {@code name} with the rows of a {@code .npy} file, in one commit. */
    static void importNpy(NumPack np, String name, Path npy, ProgressListener progress) {
        StoreLayout.checkName(np.path(), name);
        try (NpyReader r = NpyReader.open(npy)) {
            importAll(np, List.of(name), List.of(r), progress);
        } catch (NumPackException e) {
            throw fileError(np, e, name, npy);
        }
    }

    /** Appends the rows of a {@code .npy} file (same dtype and row shape) to array {@code name}, in one commit. */
    static void appendNpy(NumPack np, String name, Path npy, ProgressListener progress) {
        try (NpyReader r = NpyReader.open(npy)) {
            np.mutate(c -> {
                np.checkRowShape(c.current(name), name, r.dtype(), r.shape(), "append", npy + " holds");
                c.append(name, rows(r).withProgress(progress::update));
            });
        } catch (NumPackException e) {
            throw fileError(np, e, name, npy);
        }
    }

    /** Writes array {@code name}'s logical rows to a {@code .npy} file, which appears atomically. */
    static void exportNpy(NumPack np, String name, Path npy, ProgressListener progress) {
        try (LazyArray a = np.lazy(name); NpyWriter w = NpyWriter.create(npy, a.dtype(), a.shape())) {
            long rb = a.rowBytes();
            if (rb > Integer.MAX_VALUE - 8 && a.rows() > 0) {
                throw new InvalidArgumentException(np.path(), name, "rows of " + rb + " bytes are too large to export");
            }
            if (rb == 0 || a.rows() == 0) {
                // no data bytes: the file is its header; stepping through up to 2^63-1 zero-byte rows would never end
                progress.update(a.rows(), a.rows());
                w.commit();
                return;
            }
            long per = Math.max(1, DataWriter.COPY_BYTES / rb);
            ByteBuffer buf = ByteBuffer.allocateDirect((int) (Math.min(per, a.rows()) * rb)); // rows there are: bounded
            for (long r = 0; r < a.rows(); r += per) {
                long n = Math.min(per, a.rows() - r);
                buf.clear();
                a.readRows(r, n, buf);
                buf.flip();
                w.write(buf);
                progress.update(r + n, a.rows());
            }
            w.commit();
        } catch (NumPackException e) {
            throw fileError(np, e, name, npy);
        }
    }

    /**
     * Tells an error of a transfer as one of this store and array {@code name}, keeping its type: an error of
     * the file (which names only the file) gets the file's path before its message; an error that names no
     * array gets {@code name}.
     *
     * @param name the array, or {@code null} when the transfer concerns several (the error's own array is kept)
     */
    static NumPackException fileError(NumPack np, NumPackException e, String name, Path file) {
        String array = name != null ? name : e.array();
        if (file.equals(e.store())) {
            // a member the error names is kept in the message when the array it is imported as differs
            String member = e.array() != null && !e.array().equals(array) ? " member '" + e.array() + "'" : "";
            return e.reframe(np.path(), array, file + member + ": ");
        }
        return e.array() == null && array != null ? e.reframe(np.path(), array, "") : e;
    }

    /**
     * Imports members of an archive as arrays, in one commit.
     *
     * @param np the store
     * @param npz the archive
     * @param names array name by member name, or {@code null} for every member under its own name
     * @param progress told the rows done, over all members
     */
    static void importNpz(NumPack np, Path npz, Map<String, String> names, ProgressListener progress) {
        if (names != null) {
            checkNames(np.path(), names.values());
        }
        List<NpyReader> readers = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        String only = names != null && names.size() == 1 ? names.values().iterator().next() : null;
        try (NpzReader z = NpzReader.open(npz)) {
            for (String member : names == null ? z.members() : names.keySet()) {
                targets.add(names == null ? member : names.get(member));
                readers.add(z.member(member));
            }
            if (names == null) {
                checkNames(np.path(), targets);
            }
            importAll(np, targets, readers, progress);
        } catch (NumPackException e) {
            throw fileError(np, e, only, npz);
        } finally {
            for (NpyReader r : readers) {
                r.close();
            }
        }
    }

    /**
     * Imports an IDX file as an array.
     *
     * @param np the store
     * @param name the array
     * @param idx the file, plain or gzipped
     * @param progress told the rows done
     */
    static void importIdx(NumPack np, String name, Path idx, ProgressListener progress) {
        StoreLayout.checkName(np.path(), name);
        try (IdxReader r = IdxReader.open(idx)) {
            importAll(np, List.of(name), List.of(r), progress);
        } catch (NumPackException e) {
            throw fileError(np, e, name, idx);
        }
    }

    /** Creates or replaces each target array with its reader's rows, all in one commit. */
    private static void importAll(NumPack np, List<String> targets, List<? extends ArrayReader> readers,
            ProgressListener progress) {
        if (readers.isEmpty()) {
            return; // an empty archive: nothing to commit
        }
        long total = 0;
        for (ArrayReader r : readers) {
            total += r.rows();
        }
        long all = total;
        np.mutate(c -> {
            long before = 0;
            for (int i = 0; i < readers.size(); i++) {
                ArrayReader r = readers.get(i);
                long offset = before;
                c.save(targets.get(i), r.dtype(), r.shape(),
                        rows(r).withProgress((done, n) -> progress.update(offset + done, all)));
                before += r.rows();
            }
        });
    }

    /** Array names must be valid and distinct before anything is read. */
    private static void checkNames(Path store, Iterable<String> names) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            StoreLayout.checkName(store, n);
            if (!seen.add(n)) {
                throw new InvalidArgumentException(store, n, "two members would be imported as array '" + n + "'");
            }
        }
    }

    /** @return the reader's rows as the engine pulls them */
    static RowSource rows(ArrayReader r) {
        return new RowSource() {
            @Override
            public long rows() {
                return r.rows();
            }

            @Override
            public long rowBytes() {
                return r.rowBytes();
            }

            @Override
            public void copy(long first, long count, ByteBuffer dst) {
                r.readRows(first, count, dst);
            }
        };
    }

    /**
     * Exports arrays' live rows as the members of one archive, which appears atomically when complete.
     *
     * @param np the store
     * @param npz the archive to write (replaced if it exists)
     * @param progress told the rows done, over all arrays
     * @param names the arrays, or none for every array (in name order)
     */
    static void exportNpz(NumPack np, Path npz, ProgressListener progress, String... names) {
        List<String> list = names.length == 0 ? new ArrayList<>(new TreeSet<>(np.names())) : List.of(names);
        List<LazyArray> arrays = new ArrayList<>();
        try {
            long total = 0;
            for (String n : list) {
                LazyArray a = np.lazy(n); // every array is looked up before the file is created
                arrays.add(a);
                total += a.rows();
            }
            long all = total;
            try (NpzWriter w = NpzWriter.create(npz)) {
                long before = 0;
                for (LazyArray a : arrays) {
                    long offset = before;
                    w.add(a.name(), a, (done, n) -> progress.update(offset + done, all));
                    before += a.rows();
                }
                w.commit();
            }
        } finally {
            for (LazyArray a : arrays) {
                a.close();
            }
        }
    }
}
