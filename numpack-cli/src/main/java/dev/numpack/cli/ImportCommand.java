package dev.numpack.cli;

import dev.numpack.ArrayInfo;
import dev.numpack.NumPack;
import dev.numpack.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code numpack import STORE NAME IN.npy}. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a .npy file as an array, creating the store if needed.",
            "An existing array of that name is replaced atomically."})
final class ImportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NumpackCommand root;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory.")
    private Path store;

    @Parameters(index = "1", paramLabel = "NAME", description = "The array name.")
    private String name;

    @Parameters(index = "2", paramLabel = "IN.npy", description = "The .npy file to read.")
    private Path in;

    @Override
    public Integer call() {
        requireFile(store, name, in);
        try (NumPack np = Stores.createOrOpen(store)) {
            try (ProgressBar bar = root.progressBar("import " + name)) {
                np.importNpy(name, in, bar);
            }
            ArrayInfo a = np.info(name);
            spec.commandLine().getOut().println("imported '" + name + "': " + a.dtype().numpyName() + " "
                    + Formats.shape(a.shape()) + " from " + in);
        }
        spec.commandLine().getOut().flush();
        return 0;
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
