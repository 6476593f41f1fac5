package dev.numpack.cli;

import dev.numpack.ArrayInfo;
import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code numpack export STORE NAME OUT.npy|OUT.npz}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write an array's live rows to a .npy file, or to an .npz archive",
            "(numpy.load reads it) when OUT ends in .npz; the store is opened read-only.",
            "For an .npz, NAME '-' writes every array, each as a member of its name.",
            "The file appears atomically when complete; an existing file is replaced."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NumpackCommand root;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory.")
    private Path store;

    @Parameters(index = "1", paramLabel = "NAME", description = "The array to export ('-': all, for an .npz).")
    private String name;

    @Parameters(index = "2", paramLabel = "OUT.npy|OUT.npz", description = "The .npy or .npz file to write.")
    private Path out;

    @Override
    public Integer call() {
        Path file = out.getFileName();
        boolean npz = file != null && file.toString().toLowerCase(Locale.ROOT).endsWith(".npz");
        boolean all = npz && name.equals(ImportCommand.OWN_NAMES);
        try (NumPack np = Stores.readOnly(store)) {
            List<String> names = all ? List.copyOf(new TreeSet<>(np.names())) : List.of(name);
            if (!npz && name.equals(ImportCommand.OWN_NAMES) && !np.contains(name)) {
                throw new ParameterException(spec.commandLine(), "NAME '-' (every array) needs an OUT ending in .npz");
            }
            List<ArrayInfo> infos = names.stream().map(np::info).toList(); // every array exists, or fail now
            try (ProgressBar bar = root.progressBar("export " + name)) {
                if (npz) {
                    np.exportNpz(out, bar, names.toArray(new String[0]));
                } else {
                    np.exportNpy(name, out, bar);
                }
            }
            for (int i = 0; i < names.size(); i++) {
                ArrayInfo a = infos.get(i);
                spec.commandLine().getOut().println("exported '" + names.get(i) + "': " + a.dtype().numpyName()
                        + " " + Formats.shape(a.shape()) + " to " + out);
            }
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
