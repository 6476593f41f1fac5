package dev.numpack.examples;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Finds Fashion-MNIST (Zalando, MIT licence) and imports it once into a NumPack store of four arrays:
 * {@code train_images} and {@code test_images} (uint8, {@code (n, 28, 28)}), {@code train_labels} and
 * {@code test_labels} (uint8, {@code (n)}, 0..9).
 *
 * <p>Where the IDX files come from, in order: the directory given with {@code --data}; Debian's package
 * {@code dataset-fashion-mnist} ({@value #DEBIAN}); else the 10,000-image test split bundled in this jar, of
 * which the first 9,000 images train and the last 1,000 test. The store is built in a scratch directory
 * and renamed into place when complete, so a run killed while importing leaves nothing a later run would
 * take for a finished import.
 */
public final class FashionMnistData {
    /** Where Debian's {@code dataset-fashion-mnist} installs the IDX files. */
    public static final String DEBIAN = "/usr/share/datasets/fashion-mnist";
    private static final String BUNDLED = "/fashion-mnist/";
    private static final String[] SPLITS = {"train", "t10k"};
    private static final int BUNDLED_TRAIN_ROWS = 9_000;

    private FashionMnistData() {}

    /**
     * Builds the store of Fashion-MNIST once (a later call reuses it): from {@code dataDir}, else from
     * Debian's package, else from the test split bundled in this jar (see the class description).
     *
     * @param store the store to build, or reuse when it exists
     * @param dataDir the directory given with {@code --data}, or {@code null}
     * @param log where progress goes
     * @return a line that says where the data came from and how much there is
     * @throws IOException if the IDX files cannot be read or the store cannot be moved into place
     */
    public static String prepare(Path store, Path dataDir, PrintStream log) throws IOException {
        if (Files.isDirectory(store)) {
            try (NumPack np = NumPack.openReadOnly(store)) {
                return "data: " + store + " (reused: " + np.shape("train_images")[0] + " train, "
                        + np.shape("test_images")[0] + " test)";
            }
        }
        Path scratch = store.resolveSibling(store.getFileName() + ".partial");
        deleteTree(scratch);
        deleteTree(scratch.resolveSibling(scratch.getFileName() + ".idx"));
        String from;
        try (NumPack np = NumPack.open(scratch)) {
            Path dir = dataDir != null ? dataDir : Path.of(DEBIAN);
            if (hasSplit(dir, "train") && hasSplit(dir, "t10k")) {
                for (String split : SPLITS) {
                    String as = split.equals("t10k") ? "test" : "train";
                    np.importIdx(as + "_images", idx(dir, split, "images-idx3"), new ConsoleProgress(log, as + " images"));
                    np.importIdx(as + "_labels", idx(dir, split, "labels-idx1"), new ConsoleProgress(log, as + " labels"));
                }
                from = dir.toString();
            } else if (dataDir != null) {
                throw new IOException(dataDir + " holds no train-*-ubyte[.gz] and t10k-*-ubyte[.gz] IDX files");
            } else {
                importBundled(np, scratch, log);
                from = "the test split bundled in the jar (first " + BUNDLED_TRAIN_ROWS + " rows train, the rest test)";
            }
        }
        Files.move(scratch, store, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(store.toAbsolutePath().getParent()); // the rename survives a power loss too
        try (NumPack np = NumPack.openReadOnly(store)) {
            return "data: " + from + " (" + np.shape("train_images")[0] + " train, " + np.shape("test_images")[0]
                    + " test) -> " + store;
        }
    }

    private static void importBundled(NumPack np, Path scratch, PrintStream log) throws IOException {
        Path copies = scratch.resolveSibling(scratch.getFileName() + ".idx"); // beside the store, never in it
        Files.createDirectories(copies);
        try {
            for (String kind : new String[] {"images-idx3", "labels-idx1"}) {
                String file = "t10k-" + kind + "-ubyte.gz";
                Path copy = copies.resolve(file);
                try (InputStream in = FashionMnistData.class.getResourceAsStream(BUNDLED + file)) {
                    if (in == null) {
                        throw new IOException(BUNDLED + file + " is missing from the jar");
                    }
                    Files.copy(in, copy);
                }
                String name = kind.startsWith("images") ? "images" : "labels";
                np.importIdx("all_" + name, copy, new ConsoleProgress(log, "bundled " + name));
                NdArray all = np.load("all_" + name);
                np.save("train_" + name, all.readRows(0, BUNDLED_TRAIN_ROWS));
                np.save("test_" + name, all.readRows(BUNDLED_TRAIN_ROWS, all.rows() - BUNDLED_TRAIN_ROWS));
                np.drop("all_" + name);
            }
        } finally {
            deleteTree(copies);
        }
    }

    private static boolean hasSplit(Path dir, String split) {
        return idxOrNull(dir, split, "images-idx3") != null && idxOrNull(dir, split, "labels-idx1") != null;
    }

    private static Path idx(Path dir, String split, String kind) {
        return idxOrNull(dir, split, kind);
    }

    private static Path idxOrNull(Path dir, String split, String kind) {
        for (String suffix : new String[] {".gz", ""}) {
            Path p = dir.resolve(split + "-" + kind + "-ubyte" + suffix);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
