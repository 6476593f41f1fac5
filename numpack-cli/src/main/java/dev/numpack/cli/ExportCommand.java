package dev.numpack.cli;

import dev.numpack.ArrayInfo;
import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code numpack export STORE NAME OUT.npy}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write an array's live rows to a .npy file (opened read-only).",
            "The file appears atomically when complete; an existing file is replaced."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NumpackCommand root;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory.")
    private Path store;

    @Parameters(index = "1", paramLabel = "NAME", description = "The array to export.")
    private String name;

    @Parameters(index = "2", paramLabel = "OUT.npy", description = "The .npy file to write.")
    private Path out;

    @Override
    public Integer call() {
        try (NumPack np = Stores.readOnly(store)) {
            ArrayInfo a = np.info(name);
            try (ProgressBar bar = root.progressBar("export " + name)) {
                np.exportNpy(name, out, bar);
            }
            spec.commandLine().getOut().println("exported '" + name + "': " + a.dtype().numpyName() + " "
                    + Formats.shape(a.shape()) + " to " + out);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
