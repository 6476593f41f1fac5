package dev.numpack.cli;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.DType;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code numpack demo STORE}: builds a small training-style store the way a training loop would (features
 * and labels, an append, a logical delete, an {@code .npy} export and re-import, a compaction), then
 * prints {@code info} and {@code verify} of it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Build a small demo store (replaced if it exists), then print its info and verify it."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "STORE", description = "The store directory to (re)create.")
    private Path store;

    @Option(names = "--rows", defaultValue = "1000", description = "Rows of the feature array (default 1000).")
    private int rows;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Random rnd = new Random(42);
        int cols = 28 * 28;
        try (NumPack np = NumPack.builder().setPath(store).optDropIfExists(true).build()) {
            np.save("features", features(rnd, rows, cols));
            np.save("labels", labels(rnd, rows));
            out.println("saved features (" + rows + ", " + cols + ") float32 and labels (" + rows + ",) int64");
            np.append("features", features(rnd, 10, cols));
            np.append("labels", labels(rnd, 10));
            np.delete("features", 0, 1, 2);
            np.delete("labels", 0, 1, 2);
            out.println("appended 10 rows, deleted rows 0-2 of both (logically)");
            Path npy = Files.createTempFile("numpack-demo", ".npy");
            try {
                np.exportNpy("labels", npy);
                np.importNpy("labels", npy);
            } finally {
                Files.deleteIfExists(npy);
            }
            np.compact("features");
            out.println("exported labels to .npy and imported them back; compacted features");
        }
        out.flush();
        int info = spec.commandLine().getParent().execute("info", store.toString());
        int verify = spec.commandLine().getParent().execute("verify", store.toString());
        return Math.max(info, verify);
    }

    private static NdArray features(Random rnd, int n, int cols) {
        ByteBuffer b = ByteBuffer.allocate(n * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n * cols; i++) {
            b.putFloat(rnd.nextFloat());
        }
        return NdArray.copyOf(DType.FLOAT32, new long[] {n, cols}, b.flip());
    }

    private static NdArray labels(Random rnd, int n) {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            l[i] = rnd.nextInt(10);
        }
        return NdArray.of(l);
    }
}
