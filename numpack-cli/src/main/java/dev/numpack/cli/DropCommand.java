package dev.numpack.cli;

import dev.numpack.NumPack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code numpack drop STORE NAME [--rows LIST]}. */
@Command(name = "drop", mixinStandardHelpOptions = true,
        description = {"Drop a whole array, or with --rows delete some of its rows.",
            "Deleted rows are skipped by row indices until 'numpack compact' rewrites the array."})
final class DropCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory (must exist).")
    private Path store;

    @Parameters(index = "1", paramLabel = "NAME", description = "The array.")
    private String name;

    @Option(names = "--rows", paramLabel = "LIST", converter = RowSpec.Converter.class,
            description = {"Logical rows to delete: comma-separated indices and inclusive ranges,",
                "e.g. 0,5,10-20 or -1 (negative counts from the end; -3--1 is the last three)."})
    private RowSpec rows;

    @Override
    public Integer call() {
        try (NumPack np = Stores.existing(store)) {
            if (rows == null) {
                np.drop(name);
                spec.commandLine().getOut().println("dropped '" + name + "'");
            } else {
                long[] indices = rows.resolve(np, name);
                np.delete(name, indices);
                spec.commandLine().getOut().println("deleted " + Formats.count(indices.length, "row") + " from '"
                        + name + "': " + Formats.count(np.info(name).rows(), "row") + " left");
            }
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
