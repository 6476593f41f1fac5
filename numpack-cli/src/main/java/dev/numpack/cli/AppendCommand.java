package dev.numpack.cli;

import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code numpack append STORE NAME IN.npy}. */
@Command(name = "append", mixinStandardHelpOptions = true,
        description = {"Append the rows of a .npy file to an existing array, in one atomic commit.",
            "The file must hold the array's dtype and row shape."})
final class AppendCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NumpackCommand root;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory (must exist).")
    private Path store;

    @Parameters(index = "1", paramLabel = "NAME", description = "The array to extend.")
    private String name;

    @Parameters(index = "2", paramLabel = "IN.npy", description = "The .npy file with the new rows.")
    private Path in;

    @Override
    public Integer call() {
        ImportCommand.requireFile(store, name, in);
        try (NumPack np = Stores.existing(store)) {
            long before = np.info(name).rows();
            try (ProgressBar bar = root.progressBar("append " + name)) {
                np.appendNpy(name, in, bar);
            }
            long after = np.info(name).rows();
            spec.commandLine().getOut().println("appended " + Formats.count(after - before, "row") + " to '"
                    + name + "': now " + Formats.shape(np.shape(name)));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
