package dev.numpack.cli;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.StoreIOException;
import dev.numpack.io.NpyReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code numpack replace STORE NAME IN.npy --rows LIST}. */
@Command(name = "replace", mixinStandardHelpOptions = true,
        description = {"Overwrite rows of an array, in place and atomically, with the rows of a .npy file:",
            "row k of the file goes to the k-th row listed. The file must hold the array's dtype and row shape",
            "and exactly as many rows as are listed; on any error nothing changes."})
final class ReplaceCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory (must exist).")
    private Path store;

    @Parameters(index = "1", paramLabel = "NAME", description = "The array whose rows are replaced.")
    private String name;

    @Parameters(index = "2", paramLabel = "IN.npy", description = "The .npy file with the new rows (read into memory).")
    private Path in;

    @Option(names = "--rows", required = true, paramLabel = "LIST", converter = RowSpec.Converter.class,
            description = {"Logical rows to overwrite, in the order of the file's rows: comma-separated indices",
                "and inclusive ranges, e.g. 0,5,10-19 or -1 (negative counts from the end)."})
    private RowSpec rows;

    @Override
    public Integer call() {
        ImportCommand.requireFile(store, name, in);
        try (NumPack np = Stores.existing(store)) {
            long[] indices = rows.listed(np, name);
            NdArray data = read(in, indices.length);
            np.replace(name, data, indices); // checks dtype and row shape against the array; atomic
            spec.commandLine().getOut().println("replaced " + Formats.count(indices.length, "row") + " of '" + name
                    + "' " + Formats.shape(np.shape(name)));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Reads the new rows, after checking that the file holds one per listed index (before its bytes are read);
     * the file's own errors are the command's, naming the store and the array.
     */
    private NdArray read(Path file, int listed) {
        try (NpyReader r = NpyReader.open(file)) {
            if (r.shape().length == 0 || r.rows() != listed) {
                throw new InvalidArgumentException(store, name, file + " holds " + (r.shape().length == 0 ? "a scalar"
                        : Formats.count(r.rows(), "row")) + " for " + Formats.count(listed, "listed row"));
            }
            return r.load();
        } catch (CorruptStoreException e) {
            throw new CorruptStoreException(store, name, file + ": " + e.detail(), e);
        } catch (StoreIOException e) {
            throw new StoreIOException(store, name, file + ": " + e.detail(), e);
        } catch (InvalidArgumentException e) {
            throw e.array() != null ? e : new InvalidArgumentException(store, name, file + ": " + e.detail(), e);
        }
    }
}
