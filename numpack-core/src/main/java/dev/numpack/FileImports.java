package dev.numpack;

import dev.numpack.internal.store.RowSource;
import dev.numpack.internal.store.StoreLayout;
import dev.numpack.io.ArrayReader;
import dev.numpack.io.IdxReader;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpzReader;
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
 * The store's imports from and exports to the files of {@code dev.numpack.io} beyond {@code .npy}: the
 * bodies of {@link NumPack#importNpz}, {@link NumPack#importIdx} and {@link NumPack#exportNpz}. Every import
 * streams the file's rows through the engine (a {@link RowSource}, so memory stays bounded) in one atomic
 * commit; a damaged file fails it and the store keeps its last committed state.
 */
final class FileImports {
    private FileImports() {}

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
        try (NpzReader z = NpzReader.open(npz)) {
            for (String member : names == null ? z.members() : names.keySet()) {
                targets.add(names == null ? member : names.get(member));
                readers.add(z.member(member));
            }
            if (names == null) {
                checkNames(np.path(), targets);
            }
            importAll(np, targets, readers, progress);
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
