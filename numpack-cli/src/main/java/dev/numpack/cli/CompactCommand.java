package dev.numpack.cli;

import dev.numpack.ArrayInfo;
import dev.numpack.NumPack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code numpack compact STORE [NAME]}. */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Rewrite arrays without their deleted rows, freeing the space.",
            "Without NAME, every array that has deleted rows is compacted (each atomically)."})
final class CompactCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NumpackCommand root;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory (must exist).")
    private Path store;

    @Parameters(index = "1", paramLabel = "NAME", arity = "0..1", description = "The array (default: all).")
    private String name;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (NumPack np = Stores.existing(store)) {
            List<ArrayInfo> targets = new ArrayList<>();
            if (name != null) {
                targets.add(np.info(name)); // fails clearly if the array is missing
            } else {
                for (ArrayInfo a : np.infos()) {
                    if (a.deletedRows() > 0) {
                        targets.add(a);
                    }
                }
            }
            int compacted = 0;
            for (ArrayInfo a : targets) {
                if (a.deletedRows() == 0) {
                    out.println("'" + a.name() + "' has no deleted rows");
                    continue;
                }
                try (ProgressBar bar = root.progressBar("compact " + a.name())) {
                    np.compact(a.name(), bar);
                }
                ArrayInfo now = np.info(a.name());
                out.println("compacted '" + a.name() + "': removed " + Formats.count(a.deletedRows(), "deleted row")
                        + ", " + Formats.bytes(a.byteSize()) + " -> " + Formats.bytes(now.byteSize()));
                compacted++;
            }
            if (name == null && compacted == 0) {
                out.println("nothing to compact");
            }
        }
        out.flush();
        return 0;
    }
}
