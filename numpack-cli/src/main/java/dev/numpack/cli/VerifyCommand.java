package dev.numpack.cli;

import dev.numpack.ArrayInfo;
import dev.numpack.CorruptStoreException;
import dev.numpack.LazyArray;
import dev.numpack.NumPack;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code numpack verify STORE}: checks metadata against files, then reads every row. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check that a store is consistent and fully readable (opened read-only).",
            "Checks metadata, file sizes, segment manifests and deletion bitmaps, then reads every",
            "array in full.",
            "Prints 'OK: N arrays' and exits 0, or prints the first problem and exits 1."})
final class VerifyCommand implements Callable<Integer> {
    /** Bytes read at a time while streaming an array. */
    static final int CHUNK_BYTES = 8 << 20;

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private NumpackCommand root;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory.")
    private Path store;

    @Override
    public Integer call() {
        try (NumPack np = Stores.readOnly(store)) {
            np.verify();
            List<ArrayInfo> infos = np.infos();
            long total = 0;
            for (ArrayInfo a : infos) {
                total += a.rows();
            }
            try (ProgressBar bar = root.progressBar("verify")) {
                long[] done = {0};
                for (ArrayInfo a : infos) {
                    readAll(np, a.name(), done, total, bar);
                }
            }
            spec.commandLine().getOut().println("OK: " + infos.size() + " arrays");
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Streams every logical row of an array through its lazy view. */
    private static void readAll(NumPack np, String name, long[] done, long total, ProgressBar bar) {
        try (LazyArray a = np.lazy(name)) {
            long rowBytes = Math.max(1, a.rowBytes());
            long per = Math.max(1, CHUNK_BYTES / rowBytes);
            long rows = a.rows();
            long bufRows = Math.min(per, Math.max(1, rows));
            if (bufRows * a.rowBytes() > Integer.MAX_VALUE) {
                throw new CorruptStoreException(np.path(), name, "a row of " + a.rowBytes()
                        + " bytes is too large to read");
            }
            ByteBuffer buf = ByteBuffer.allocateDirect((int) (bufRows * a.rowBytes()));
            for (long r = 0; r < rows; r += per) {
                long n = Math.min(per, rows - r);
                buf.clear();
                a.readRows(r, n, buf);
                done[0] += n;
                bar.update(done[0], total);
            }
        } catch (InternalError e) {
            // A mapped file that shrank after it was mapped faults on access (SIGBUS).
            throw new CorruptStoreException(np.path(), name, "data unreadable, a file was truncated: "
                    + e.getMessage(), e);
        }
    }
}
