package dev.numpack.cli;

import dev.numpack.ArrayInfo;
import dev.numpack.ArrayNotFoundException;
import dev.numpack.CorruptStoreException;
import dev.numpack.NumPack;
import dev.numpack.InvalidArgumentException;
import dev.numpack.StoreIOException;
import dev.numpack.io.FileFormat;
import dev.numpack.io.NpzReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code numpack import STORE NAME IN.npy|IN.npz|IN-ubyte[.gz] [--member M]}. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import an array file, creating the store if needed. The format is told by content:",
            "  .npy  the array, as NAME",
            "  .npz  with --member M, member M as NAME; without, every member in one",
            "        atomic commit, each as NAME followed by the member's name: NAME is a",
            "        prefix ('mnist_' makes x_train mnist_x_train; '-' keeps the names)",
            "  IDX   an MNIST-style *-ubyte file, plain or gzipped, as NAME",
            "Files are streamed, so files larger than memory import. An existing array",
            "of the same name is replaced atomically; a damaged file changes nothing."})
final class ImportCommand implements Callable<Integer> {
    /** As NAME for an archive's every member: no prefix, the members' own names. */
    static final String OWN_NAMES = "-";

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NumpackCommand root;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory.")
    private Path store;

    @Parameters(index = "1", paramLabel = "NAME",
            description = "The array name; for an .npz without --member, a prefix of the members' names "
                    + "('-' for none).")
    private String name;

    @Parameters(index = "2", paramLabel = "IN.npy|IN.npz|IN-ubyte[.gz]",
            description = "The .npy, .npz or IDX file to read.")
    private Path in;

    @Option(names = "--member", paramLabel = "M",
            description = "Import only member M of an .npz archive (its name without .npy) as NAME.")
    private String member;

    @Override
    public Integer call() {
        requireFile(store, name, in);
        FileFormat format;
        Map<String, String> names;
        try { // the input is checked before the store is touched; its errors are the import's: store and array
            format = FileFormat.detect(in);
            if (member != null && format != FileFormat.NPZ) {
                throw new ParameterException(spec.commandLine(), "--member applies to .npz archives, and " + in
                        + " is " + (format == FileFormat.NPY ? "a .npy file" : "an IDX file"));
            }
            names = format == FileFormat.NPZ ? memberNames() : Map.of();
        } catch (CorruptStoreException e) {
            throw new CorruptStoreException(store, name, in + ": " + e.detail(), e);
        } catch (StoreIOException e) {
            throw new StoreIOException(store, name, in + ": " + e.detail(), e);
        }
        try (NumPack np = Stores.createOrOpen(store)) {
            try (ProgressBar bar = root.progressBar("import " + name)) {
                switch (format) {
                    case NPY -> np.importNpy(name, in, bar);
                    case IDX -> np.importIdx(name, in, bar);
                    case NPZ -> np.importNpz(in, names, bar);
                    default -> throw new AssertionError(format);
                }
            }
            for (String array : format == FileFormat.NPZ ? names.values() : java.util.List.of(name)) {
                ArrayInfo a = np.info(array);
                spec.commandLine().getOut().println("imported '" + array + "': " + a.dtype().numpyName() + " "
                        + Formats.shape(a.shape()) + " from " + in);
            }
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The array name of each member to import, checked against the archive before the store is opened. */
    private Map<String, String> memberNames() {
        Map<String, String> names = new LinkedHashMap<>();
        try (NpzReader z = NpzReader.open(in)) {
            if (member != null) {
                if (!z.contains(member)) {
                    throw new ArrayNotFoundException(in, member);
                }
                names.put(member, name);
            } else {
                for (String m : z.members()) {
                    names.put(m, name.equals(OWN_NAMES) ? m : name + m);
                }
            }
        }
        return names;
    }

    /**
     * Fails before the store is touched when the input file is not there.
     *
     * @param store the store the file is for, named in the error
     * @param name the array the file is for, named in the error
     * @param file the input file
     * @throws InvalidArgumentException naming the store, the array and the file, if it is missing or not a
     *     regular file
     */
    static void requireFile(Path store, String name, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidArgumentException(store, name, file + ": "
                    + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
    }
}
