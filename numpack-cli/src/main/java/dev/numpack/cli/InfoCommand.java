package dev.numpack.cli;

import dev.numpack.ArrayInfo;
import dev.numpack.NumPack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code numpack info STORE}: one line per array. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"List the arrays of a store (opened read-only).",
            "Prints a header line 'store PATH: N arrays', then per array: name, dtype, logical shape,",
            "deleted rows (not yet compacted), bytes on disk and data files."})
final class InfoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory.")
    private Path store;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (NumPack np = Stores.readOnly(store)) {
            List<ArrayInfo> infos = np.infos();
            out.println("store " + np.path() + ": " + Formats.count(infos.size(), "array"));
            int nameW = 1;
            int dtypeW = 1;
            int shapeW = 1;
            for (ArrayInfo a : infos) {
                nameW = Math.max(nameW, a.name().length());
                dtypeW = Math.max(dtypeW, a.dtype().numpyName().length());
                shapeW = Math.max(shapeW, Formats.shape(a.shape()).length());
            }
            for (ArrayInfo a : infos) {
                out.println(line(a, nameW, dtypeW, shapeW));
            }
        }
        out.flush();
        return 0;
    }

    static String line(ArrayInfo a, int nameW, int dtypeW, int shapeW) {
        StringBuilder sb = new StringBuilder("  ");
        sb.append(pad(a.name(), nameW)).append("  ");
        sb.append(pad(a.dtype().numpyName(), dtypeW)).append("  ");
        sb.append(pad(Formats.shape(a.shape()), shapeW)).append("  ");
        sb.append("deleted=").append(a.deletedRows()).append("  ");
        sb.append("bytes=").append(a.byteSize());
        if (a.byteSize() >= 1024) {
            sb.append(" (").append(Formats.bytes(a.byteSize())).append(')');
        }
        sb.append("  files=").append(a.dataFiles());
        if (a.segmented()) {
            sb.append(" (segmented)");
        }
        if (a.problem() != null) {
            sb.append("  DAMAGED: ").append(a.problem());
        }
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : s + " ".repeat(w - s.length());
    }
}
